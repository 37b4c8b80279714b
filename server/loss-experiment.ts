/**
 * The http2 lesson's loss demo: two stall proxies (stall-proxy.ts) the lab starts
 * in front of its own TLS ports when they listen, one before the HTTP/2 port and
 * one before the HTTP/1.1-only port, losing nothing until a page asks, with
 * `POST /experiments/loss?percent=N`, for N % of segments lost on both. A page then
 * opens its five transports through each: over HTTP/2 the browser puts all five on
 * one connection, over HTTP/1.1 each gets its own, and a lost segment stalls all
 * five or one. Their ports are in `ports.lossDemo`, so that the pages' content
 * security policy lets a page reach them (security-headers.ts).
 *
 * A stand-in for loss, not real loss (a browser's packets cannot be dropped from
 * here without root): each lost segment holds its connection's bytes one
 * retransmission timeout, in order. Bounded: 127.0.0.1 only, at most
 * MAX_DEMO_CONNECTIONS each, closed with the lab. Every page shares them, so the
 * last rate set holds.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type LabContext, labPorts } from './context.ts';
import { LabError, sendError } from './errors.ts';
import { checkOrigin } from './origin.ts';
import type { TlsPorts } from './ports.ts';
import { DEFAULT_STALL_MS, type StallProxy, startStallProxy } from './stall-proxy.ts';

/** The highest rate the demo offers: beyond it every connection is stalled most of the time. */
const MAX_DEMO_LOSS_PERCENT = 20;
/** Connections each proxy takes at once: one page's five, several times over. */
const MAX_DEMO_CONNECTIONS = 64;

interface LossDemo {
  lossPercent: number;
  stallMs: number;
  /** The proxies' ports on 127.0.0.1: before the HTTP/1.1-only TLS port and before the HTTP/2 port. */
  ports: { h1: number; h2: number };
}

const running = new WeakMap<LabContext, { h1: StallProxy; h2: StallProxy }>();

/** Starts the demo's two proxies before `tls` (listening on `host`): their ports, and how to close them. */
export async function startLossDemo(
  ctx: LabContext,
  tls: TlsPorts,
  host: string,
): Promise<{ ports: { h1: number; h2: number }; close: () => Promise<void> }> {
  // The TLS ports listen on `host`; a wildcard is reached on loopback.
  const targetHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const seed = Date.now() >>> 0;
  const [h1, h2] = await Promise.all([
    startStallProxy(tls.h1, { targetHost, maxConnections: MAX_DEMO_CONNECTIONS, seed }),
    startStallProxy(tls.main, { targetHost, maxConnections: MAX_DEMO_CONNECTIONS, seed: seed + 7 }),
  ]);
  running.set(ctx, { h1, h2 });
  return {
    ports: { h1: h1.port, h2: h2.port },
    close: async () => {
      running.delete(ctx);
      await Promise.all([h1.close(), h2.close()]);
    },
  };
}

export function registerLossExperiment(app: FastifyInstance, ctx: LabContext): void {
  app.post('/experiments/loss', async (request, reply): Promise<LossDemo | FastifyReply> => {
    // A foreign site's page may not change the lab's demo (a POST without a body needs no CORS preflight).
    const verdict = checkOrigin(request.headers, ctx.config.allowedOrigins, labPorts(ctx));
    if (!verdict.allowed) return sendError(reply, 'foreign_origin', `The origin ${verdict.origin} may not set the loss demo's rate.`);
    const raw = (request.query as Record<string, unknown>).percent;
    const lossPercent = typeof raw === 'string' && /^\d{1,2}(\.\d)?$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(lossPercent >= 0 && lossPercent <= MAX_DEMO_LOSS_PERCENT)) throw new LabError('bad_loss');
    const proxies = running.get(ctx);
    if (!proxies) throw new LabError('loss_unavailable');
    proxies.h1.setLossPercent(lossPercent);
    proxies.h2.setLossPercent(lossPercent);
    reply.header('cache-control', 'no-store');
    return { lossPercent, stallMs: DEFAULT_STALL_MS, ports: { h1: proxies.h1.port, h2: proxies.h2.port } };
  });
}
