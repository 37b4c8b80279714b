/**
 * The lab as a Fastify app: build() wires the feed, the five transports, chat,
 * statistics and pages; it does not listen (main.ts does), so tests start the
 * real app on port 0.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { type LabCertificate, labCertificateNames, loadOrCreateCertificate } from './http2/certificate.ts';
import { listenTls } from './http2/listener.ts';
import { ROOT } from './paths.ts';
import { listenExtra } from './listeners.ts';
import type { Ports } from './ports.ts';
import { LabHosts, hostOf } from './hosts.ts';
import { pathProblem } from './url-path.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { Wiretap } from './wiretap.ts';
import { registerWiretapRoute } from './wiretap-route.ts';
import { MAX_BODY_BYTES, registerChatRoute } from './chat.ts';
import { type Config, configWith } from './config.ts';
import { Connections } from './connections.ts';
import { type ErrorCode, LabError, answerClientError, sendError } from './errors.ts';
import { preciseNow } from './feed.ts';
import { openFeedSource } from './feed-source.ts';
import { drainRefusedBody } from './refused-body.ts';
import { registerExperiments } from './experiments.ts';
import { registerLossExperiment, startLossDemo } from './loss-experiment.ts';
import { registerLimits } from './limits.ts';
import { registerPages } from './pages.ts';
import { registerCheckPages } from './check/page.ts';
import { WireStats } from './stats.ts';
import type { TransportId } from './transports/registry.ts';
import { type LabContext, labPorts } from './context.ts';
import { TRANSPORTS } from './transports/index.ts';
import type { WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from './transports/ws.ts';
import { onWebSocketError } from './feed-socket.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a transport's route: its bytes are metered by the transport itself. */
    transport?: TransportId;
  }
}

export interface Lab {
  app: FastifyInstance;
  ctx: LabContext;
}

/** Fastify's own error codes, mapped onto the lab's table. */
const FASTIFY_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'bad_content_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_json',
};

/** Other refusals from Fastify or its plugins (the static files' `send`), by status. */
const STATUS_ERRORS: Record<number, ErrorCode> = { 403: 'bad_path', 404: 'not_found', 413: 'too_large', 415: 'bad_content_type' };

/**
 * Starts listening on the main port and, unless turned off, the extra ports and
 * the TLS ports (HTTP/2 beside HTTP/1.1); returns the ports in use (also kept in
 * ctx.ports for the pages).
 */
export async function listen({ app, ctx }: Lab, host = ctx.config.host, port = ctx.config.port): Promise<Ports> {
  // A deep backlog: the bench opens thousands of connections at once, and the
  // default 511 drops SYNs.
  // Counted and timed from accept, like every port's connections (connections.ts).
  app.server.on('connection', (socket: Socket) => ctx.connections.accept(socket));
  ctx.connections.watchHttp1(app.server);
  await app.listen({ host, port, backlog: 4096 });
  const main = (app.server.address() as AddressInfo).port;
  const closers: (() => Promise<void>)[] = [];
  let ports: Ports = { main, extra: {} };
  if (ctx.config.extraPorts) {
    const extra = await listenExtra(app, ctx.connections, host, main);
    ports = extra.ports;
    closers.push(extra.close);
  }
  const tlsPort = ctx.config.tlsPort;
  if (tlsPort !== 'off') {
    const certificate = await labCertificate(ctx.config);
    const secureContext = tls.createSecureContext({ cert: certificate.cert, key: certificate.key });
    const wanted = tlsPort === 'auto' ? (main === 0 || port === 0 ? 0 : Math.min(main + TLS_PORT_OFFSET, 65533)) : tlsPort;
    const secure = await listenTls(app, ctx, host, wanted, secureContext);
    ports.tls = secure.ports;
    ctx.certificate = certificate;
    closers.push(secure.close);
    // The http2 lesson's loss demo: two idle proxies before the TLS ports (loss-experiment.ts).
    const lossDemo = await startLossDemo(ctx, secure.ports, host);
    ports.lossDemo = lossDemo.ports;
    closers.push(lossDemo.close);
  }
  ctx.ports = ports;
  ctx.closeExtraPorts = async () => {
    await Promise.all(closers.map((close) => close()));
  };
  return ports;
}

/** `TLS_PORT=auto` listens at PORT+443: 3443 beside the default 3000, easy to remember next to 443. */
const TLS_PORT_OFFSET = 443;

/** The user's certificate (TLS_CERT, TLS_KEY), or the lab's self-signed one, made on first start and kept. */
function labCertificate(config: Config): Promise<LabCertificate> {
  return loadOrCreateCertificate({
    certPath: config.tlsCert,
    keyPath: config.tlsKey,
    dir: path.join(ROOT, '.wirelab', 'tls'),
    names: labCertificateNames(config.host),
  });
}

/** Builds the lab; `config` defaults to the classroom defaults. */
export async function build(config: Config = configWith()): Promise<Lab> {
  const app = Fastify({
    logger: false,
    // Behind a local nginx (npm run cluster) every request comes from 127.0.0.1: per-client
    // limits must count the client nginx names in X-Forwarded-For, not nginx.
    trustProxy: config.trustProxy === 'loopback' ? ['127.0.0.0/8', '::1'] : false,
    bodyLimit: MAX_BODY_BYTES,
    clientErrorHandler: answerClientError,
    // Node answers an HTTP/1.1 request without Host with an empty 400 of its own;
    // the lab answers it with its coded error instead (the Host hook below).
    // Heads and idle connections are timed by the lab itself, the same on every port
    // (connections.ts); Node's own head timeout would fire first on this port only.
    http: { requireHostHeader: false, headersTimeout: 0 },
    // Node's keep-alive timer, and the `Keep-Alive: timeout=` it announces, say the same as the lab's clock.
    keepAliveTimeout: config.idleTimeoutMs,
    // What Fastify refuses before routing (a broken percent escape in the path) gets the coded body too.
    frameworkErrors: (error, _request, reply) =>
      sendError(reply, error.code === 'FST_ERR_BAD_URL' ? 'bad_path' : 'bad_request', `The URL could not be read: ${error.message}.`),
  });
  // WebSocket over HTTP/2 opens with an extended CONNECT (RFC 8441): http2/websocket.ts routes it.
  app.addHttpMethod('CONNECT');
  // The feed in this process, or in Redis, shared by a cluster, with the limits that go with it (feed-source.ts).
  const backend = await openFeedSource(config);
  const { source } = backend;
  const feed = source.feed;
  const startedAt = preciseNow();
  const stats = new WireStats();
  const ctx: LabContext = {
    config,
    feed,
    source,
    stats,
    connections: new Connections(config.maxConnections, config.idleTimeoutMs),
    // In a cluster the chat rate is counted per client across every process (redis/shared-limits.ts).
    limiter: backend.limiter,
    closers: new Set(),
    // In a cluster a page's steps may come from every process: each names itself, and crosses through Redis (trace.ts StepRelay).
    wiretap: new Wiretap(() => stats.streams, config.feedStore === 'memory' ? {} : { process: config.processName, relay: backend.relay }),
    counters: {
      slowReadersDropped: 0,
      deadPeersTerminated: 0,
      wsErrorsAnswered: 0,
      unknownHostsRefused: 0,
      internalErrors: 0,
      wsProtocolErrors: 0,
    },
  };

  // Before @fastify/websocket's own preClose (hooks run in order), so that sockets
  // hear 1001 "going away" rather than a bare close, and held polls and streams end
  // now instead of holding app.close() open.
  app.addHook('preClose', async () => {
    for (const closer of [...ctx.closers]) closer.shutdown();
    // And connections that carry no request are closed now, not by the idle clock (connections.ts closeIdle).
    ctx.connections.closeIdle();
  });

  await app.register(websocket, {
    options: { maxPayload: MAX_MESSAGE_BYTES },
    // Errors of sockets no FeedSocket took over (refused ones), and exceptions in a wsHandler.
    errorHandler: (_error: Error, socket: WebSocket) => onWebSocketError.call(socket),
  });
  // In a cluster every answer names the process that gave it (polls read it; streams also
  // say it in-band, stream.ts processMessage), so a page can show the round robin at work.
  if (config.feedStore !== 'memory') {
    app.addHook('onRequest', async (_request, reply) => {
      reply.raw.setHeader('x-wirelab-process', config.processName);
    });
    // ws writes an upgrade's 101 itself, from its own list of header lines.
    app.websocketServer.on('headers', (headers: string[]) => headers.push(`x-wirelab-process: ${config.processName}`));
  }
  // After @fastify/websocket's own onRequest hook, which marks upgrade requests: a refused
  // upgrade's socket is then closed after the answer (its onResponse hook), not left open.
  const hosts = new LabHosts(config.host, config.allowedHosts);
  // nosniff on every reply, a policy on every page (security-headers.ts).
  registerSecurityHeaders(app, ctx);
  app.addHook('onRequest', async (request, reply) => {
    const asked = hostOf(request.raw);
    if ('problem' in asked) {
      // Over HTTP/1.1 nothing after a malformed request can be trusted to start a new one.
      if (request.raw.httpVersionMajor !== 2) reply.header('connection', 'close');
      return sendError(reply, 'bad_request', asked.problem);
    }
    const { host } = asked;
    if (!hosts.allows(host)) {
      ctx.counters.unknownHostsRefused++;
      return sendError(
        reply,
        'unknown_host',
        `This lab does not answer to ${JSON.stringify(host)}: it answers to localhost, its IP ` +
          `addresses, this machine's name, HOST and ALLOWED_HOSTS (a guard against DNS rebinding).`,
      );
    }
    // One check of the path for every route: static files, the source viewer and pages refuse alike (url-path.ts).
    const problem = pathProblem(request.url);
    if (problem) return sendError(reply, 'bad_path', problem);
  });
  registerLimits(app, ctx, backend.streams);

  // Traffic that is not a transport's (pages, /stats, chat) is accounted to nothing,
  // so that a keep-alive socket's next transport request starts from a clean mark.
  app.addHook('preHandler', async (request) => {
    if (!request.routeOptions.config.transport) ctx.stats.skip(request.raw);
  });
  app.addHook('onResponse', async (request) => {
    if (!request.routeOptions.config.transport) ctx.stats.skip(request.raw);
  });

  app.setErrorHandler((error: FastifyError | LabError, request, reply) => {
    // Fastify asks to close the connection after some body errors; HTTP/2 has no such header.
    if (request.raw.httpVersionMajor === 2) reply.removeHeader('connection');
    if (error instanceof LabError) return sendError(reply, error.code, error.message);
    const mapped = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    // A refused body is read to its end before the connection goes on (refused-body.ts).
    if (mapped === 'too_large') drainRefusedBody(request, reply);
    if (mapped) return sendError(reply, mapped);
    // A refusal no row above foresaw keeps its meaning: the static files' 403 is a path
    // the lab will not read, a 404 is nothing there; anything else is a bad request.
    if (error.statusCode && error.statusCode < 500) {
      const code = STATUS_ERRORS[error.statusCode] ?? 'bad_request';
      return sendError(reply, code, code === 'bad_request' ? error.message : undefined);
    }
    // The logger is off (it would cost every request); a 500 is rare and must leave a trace.
    ctx.counters.internalErrors++;
    console.error(`Wirelab: internal error answering ${request.method} ${request.url}:`, error);
    return sendError(reply, 'internal');
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found'));

  for (const transport of TRANSPORTS) transport.register(app, ctx);
  registerChatRoute(app, { source, limiter: ctx.limiter, allowedOrigins: config.allowedOrigins, ownPorts: () => labPorts(ctx) });

  app.get('/stats', async (_request, reply) => {
    const memory = process.memoryUsage();
    reply.header('cache-control', 'no-store').header('access-control-allow-origin', '*');
    return {
      epoch: feed.epoch,
      lastSeq: feed.lastSeq,
      uptimeMs: Math.round(preciseNow() - startedAt),
      transports: ctx.stats.snapshot(),
      // What HTTP/2 and TLS carried beside the transports (frame-meter.ts, TlsStats); null when TLS is off.
      http2: ctx.stats.streams?.snapshot() ?? null,
      tls: ctx.config.tlsPort === 'off' ? null : ctx.stats.tls.snapshot(),
      subscribers: feed.subscriberCount,
      counters: ctx.counters,
      feed: source.describe(),
      process: { name: config.processName, pid: process.pid, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    };
  });

  registerWiretapRoute(app, ctx);
  registerExperiments(app, ctx);
  registerLossExperiment(app, ctx);
  await registerPages(app, ctx);
  await registerCheckPages(app, ctx);

  const stopTicker = source.startTicker(config.tickMs);
  app.addHook('onClose', async () => {
    stopTicker();
    ctx.connections.close();
    await ctx.closeExtraPorts?.();
    await backend.close();
  });
  return { app, ctx };
}
