/**
 * The lab as the bench measures it: the real app from server/app.ts, built and
 * listening in a process of its own (as `npm start` runs it), plus a control
 * channel for the parent: publish a schedule of events, read /stats-like figures,
 * read this process's CPU time and memory.
 *
 * The process can hold several independent lab instances (each its own feed and
 * statistics on its own port): the short-poll grid runs nine cells at once that
 * way, each cell's bytes counted apart. With FEED_STORE=redis://... in its
 * settings the instance keeps its feed in Redis, as a cluster's processes do
 * (the cluster scenario measures what that hop costs).
 */
import { build, listen, type Lab } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { preciseNow } from '../server/feed.ts';
import { serve } from './ipc.ts';
import { BENCH_ENV } from './lab-server-env.ts';
import { type Schedule, exitOnSigterm, runSchedule, usage } from './server-harness.ts';
import type { TlsInfo } from './wires.ts';

const instances = new Map<number, { lab: Lab; port: number; env: Record<string, string> }>();
let nextInstance = 0;

interface Started {
  instance: number;
  port: number;
  /** The TLS ports and the certificate to trust, unless TLS_PORT=off. */
  tls: TlsInfo | null;
  env: Record<string, string>;
}

/** Builds and starts one lab instance with the bench's settings (and `env` on top). */
async function start(env: Record<string, string> = {}): Promise<Started> {
  const merged = { ...BENCH_ENV, ...env };
  const lab = await build(loadConfig(merged));
  const ports = await listen(lab);
  const instance = nextInstance++;
  instances.set(instance, { lab, port: ports.main, env: merged });
  const certificate = lab.ctx.certificate;
  const tls = ports.tls && certificate ? { ports: ports.tls, cert: certificate.cert, spkiSha256: certificate.spkiSha256 } : null;
  return { instance, port: ports.main, tls, env: merged };
}

/** The lab instance `instance`; throws when there is none. */
function get(instance = 0) {
  const found = instances.get(instance);
  if (!found) throw new Error(`no lab instance ${instance}`);
  return found;
}

const first = await start(JSON.parse(process.env.WIRELAB_BENCH_ENV ?? '{}') as Record<string, string>);

serve(
  {
    start: ({ env }: { env?: Record<string, string> }) => start(env),
    async stop({ instance }: { instance: number }) {
      await get(instance).lab.app.close();
      instances.delete(instance);
    },
    publish: ({ instance, ...schedule }: Schedule & { instance?: number }) => {
      const { ctx } = get(instance).lab;
      // Through the feed source, as a chat post is: with FEED_STORE=redis://... (the cluster
      // scenario) the event goes through Redis and comes back through this process's mirror.
      return runSchedule((type, data) => ctx.source.publish(type, data), schedule);
    },
    /** What GET /stats answers (server/app.ts), plus the feed's gauges the bench waits on. */
    stats({ instance }: { instance?: number } = {}) {
      const { ctx } = get(instance).lab;
      return {
        transports: ctx.stats.snapshot(),
        // The same sections as /stats: HTTP/2 frames beside the transports, and TLS per ALPN.
        http2: ctx.stats.streams?.snapshot() ?? null,
        tls: ctx.config.tlsPort === 'off' ? null : ctx.stats.tls.snapshot(),
        subscribers: ctx.feed.subscriberCount,
        held: ctx.closers.size,
        lastSeq: ctx.feed.lastSeq,
        atMs: preciseNow(),
        counters: { ...ctx.counters },
      };
    },
    usage: (options: { gc?: boolean } = {}) => usage(options),
  },
  { port: first.port, tls: first.tls, instance: first.instance, env: first.env, pid: process.pid },
);

exitOnSigterm(() => Promise.all([...instances.values()].map(({ lab }) => lab.app.close())));
