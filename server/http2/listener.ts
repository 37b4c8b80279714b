/**
 * The lab's TLS ports: HTTP/2 beside HTTP/1.1, serving the same app at the same paths.
 *
 * The lab terminates TLS itself instead of using `http2.createSecureServer`, so
 * that it can count what TLS costs and what each HTTP/2 stream carries:
 *
 *   TCP socket (bytes on the wire: tcpBytes)
 *    └ TLS socket, ALPN (plaintext: plaintextBytes)
 *       ├ "http/1.1": handed to an HTTP/1.1 server as it is; the usual socket meters work
 *       └ "h2": handed through a PlaintextPipe (frame meter) to a plain http2 server
 * and both servers pass their requests to the one Fastify app.
 *
 * Three ports, one after the other:
 * - `main`: ALPN offers h2 then http/1.1, so browsers take HTTP/2 and curl --http1.1 can still compare;
 * - `h1`: offers http/1.1 only, for HTTP/1.1 over TLS on equal terms with HTTP/2 over TLS;
 * - `experiment`: HTTP/2 with a small stream limit, for the lesson that shows HTTP/2 has a limit of its own.
 */
import http2, { type Http2Server, type Http2Session } from 'node:http2';
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { LabContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import { FlushedBytes } from '../flushed-bytes.ts';
import { listenOn, relayServer } from '../listeners.ts';
import { Http2Connection, connectionOf } from './connection.ts';
import { clientHandshakeBytes, clientHelloFacts } from './handshake-bytes.ts';
import { Http2Metering } from './frame-meter.ts';
import type { PlaintextPipe } from './plaintext.ts';
import type { TlsPorts } from '../ports.ts';

/**
 * SETTINGS_MAX_CONCURRENT_STREAMS of the experiment port: more than HTTP/1.1's six
 * connections, few enough that a student can open one stream past it by hand.
 */
export const EXPERIMENT_MAX_STREAMS = 10;

/** Each TLS record begins with its content type; a handshake record is 22. Anything else is not TLS. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** A plain HTTP request to a TLS port gets this, then the connection closes (nginx answers 400 too). */
function plainHttpAnswer(port: number): string {
  const body = JSON.stringify(errorBody('tls_required', `This port speaks TLS: open it as https://<host>:${port}/.`));
  return (
    'HTTP/1.1 400 Bad Request\r\n' +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'cache-control: no-store\r\n' +
    'x-content-type-options: nosniff\r\n' +
    'connection: close\r\n' +
    `\r\n${body}`
  );
}

/** An HTTP/2 server and the stream limit it advertises. */
interface H2Port {
  server: Http2Server;
  maxConcurrentStreams: number;
}

/** An HTTP/2 server that hands every request (CONNECT included: WebSocket over HTTP/2) to `app`. */
function http2Server(app: FastifyInstance, maxConcurrentStreams: number): Http2Server {
  const server = http2.createServer({
    settings: {
      maxConcurrentStreams,
      // RFC 8441: lets clients open a WebSocket as a stream of this connection.
      enableConnectProtocol: true,
      // The same bound as HTTP/1.1's request heads (Node's 16 KiB), decoded.
      maxHeaderListSize: 16 * 1024,
    },
  });
  server.on('stream', (stream) => connectionOf(stream.session)?.streamOpened(stream));
  server.on('request', (request, response) => app.server.emit('request', request, response));
  server.on('connect', (request, response) => app.server.emit('request', request, response));
  return server;
}

/**
 * The session `server` makes for `socket`. Node makes it while 'connection' is
 * emitted, and says so with 'session' before the emit returns: listening for that
 * one emit is how the session is had without a server-wide handoff.
 */
function openSession(server: Http2Server, socket: PlaintextPipe): Http2Session {
  let opened: Http2Session | undefined;
  const take = (session: Http2Session) => (opened = session);
  server.prependOnceListener('session', take);
  try {
    server.emit('connection', socket);
  } finally {
    server.off('session', take);
  }
  if (!opened) throw new Error('Node made no HTTP/2 session for a connection');
  return opened;
}

/**
 * Opens the three TLS ports from `wanted` on (0: free ports) with `secureContext`;
 * the caller closes them with the app.
 */
export async function listenTls(
  app: FastifyInstance,
  ctx: LabContext,
  host: string,
  wanted: number,
  secureContext: SecureContext,
): Promise<{ ports: TlsPorts; close: () => Promise<void> }> {
  const metering = new Http2Metering();
  ctx.stats.streams = metering;
  const h2Main = { server: http2Server(app, ctx.config.h2MaxStreams), maxConcurrentStreams: ctx.config.h2MaxStreams };
  const h2Experiment = { server: http2Server(app, EXPERIMENT_MAX_STREAMS), maxConcurrentStreams: EXPERIMENT_MAX_STREAMS };
  // Malformed input ends the session with GOAWAY (nghttp2 picks the error code); it must not end the lab.
  // One session may say so twice (an error, then its GOAWAY): it is counted once.
  const counted = new WeakSet<Http2Session>();
  const failed = (session: Http2Session) => {
    if (counted.has(session)) return;
    counted.add(session);
    metering.totals.sessionErrors++;
  };
  for (const { server } of [h2Main, h2Experiment]) server.on('sessionError', (_error, session) => failed(session));
  const keepRequestHeads = () => ctx.wiretap.listening > 0;

  // HTTP/1.1 inside TLS: the same relay as the extra ports.
  const h1 = relayServer(app, ctx.connections);

  const tcpSockets = new Set<net.Socket>();
  const tlsServer = (alpn: string[], h2: H2Port | undefined, port: () => number) =>
    // Nagle's algorithm would hold a small frame back until the previous one is acknowledged
    // (40 ms and more on loopback): a server of small events turns it off, as browsers do.
    net.createServer({ noDelay: true }, (tcp) => {
      // It takes a place under MAX_CONNECTIONS from now, handshake and all (connections.ts).
      ctx.connections.accept(tcp);
      tcpSockets.add(tcp);
      tcp.once('close', () => tcpSockets.delete(tcp));
      tcp.on('error', () => tcp.destroy());
      // Until the first byte says otherwise, the connection is a handshake that has not finished:
      // one that closes, errs or times out as such is counted once, however it ends.
      let state: 'handshake' | 'plain' | 'secure' = 'handshake';
      const timer = setTimeout(() => tcp.destroy(), ctx.config.tlsHandshakeTimeoutMs);
      tcp.once('close', () => {
        clearTimeout(timer);
        if (state === 'handshake') ctx.stats.tls.handshakesFailed++;
      });
      tcp.once('data', (first: Buffer) => {
        if (first[0] !== TLS_HANDSHAKE_RECORD) {
          clearTimeout(timer);
          state = 'plain';
          ctx.stats.tls.plainHttpRefused++;
          tcp.end(plainHttpAnswer(port()));
          return;
        }
        const hello = clientHelloFacts(first);
        tcp.pause();
        tcp.unshift(first);
        const secure = new tls.TLSSocket(tcp, { isServer: true, secureContext, ALPNProtocols: alpn });
        // Junk after the first byte, a ClientHello we cannot serve, a reset: drop it.
        secure.once('error', () => tcp.destroy());
        secure.once('secure', () => {
          state = 'secure';
          clearTimeout(timer);
          const handshakeIn = clientHandshakeBytes(hello, secure);
          // The TLS figures count out what was flushed, not what was handed over (../flushed-bytes.ts).
          const flushed = new FlushedBytes({ tcp, tls: secure });
          if (secure.alpnProtocol === 'h2' && h2) {
            const connection = new Http2Connection(
              tcp,
              secure,
              metering,
              { failed },
              { maxConcurrentStreams: h2.maxConcurrentStreams, keepRequestHeads },
            );
            const session = openSession(h2.server, connection.pipe);
            ctx.connections.link(session, tcp);
            connection.attach(session, ctx.connections.watchHttp2(session, tcp));
            ctx.stats.tls.opened('h2', flushed.tcp, flushed.plaintext, handshakeIn);
          } else {
            ctx.stats.tls.opened('h1', flushed.tcp, flushed.plaintext, handshakeIn);
            ctx.connections.link(secure, tcp);
            h1.emit('connection', secure);
          }
        });
      });
    });

  const servers: { server: net.Server; port: number }[] = [];
  const open = async (alpn: string[], h2: H2Port | undefined, port: number) => {
    const entry = { server: undefined as unknown as net.Server, port: 0 };
    entry.server = tlsServer(alpn, h2, () => entry.port);
    entry.port = await listenOn(entry.server, host, port);
    servers.push(entry);
    return entry.port;
  };
  const main = await open(['h2', 'http/1.1'], h2Main, wanted);
  const next = (offset: number) => (wanted === 0 ? 0 : main + offset);
  const ports: TlsPorts = {
    main,
    h1: await open(['http/1.1'], undefined, next(1)),
    experiment: await open(['h2', 'http/1.1'], h2Experiment, next(2)),
  };

  const close = async () => {
    const closed = servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of tcpSockets) socket.destroy();
    h1.close();
    h2Main.server.close();
    h2Experiment.server.close();
    await Promise.all(closed);
  };
  return { ports, close };
}
