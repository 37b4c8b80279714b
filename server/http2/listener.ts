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
import { listenOn, relayServer } from '../listeners.ts';
import { ConnectionMeter, Http2Metering } from './frame-meter.ts';
import { type ByteKind, type FrameListener, GOAWAY, RST_STREAM } from './frames.ts';
import { PlaintextPipe, registerPipe } from './plaintext.ts';

/** Where the TLS ports listen. */
export interface TlsPorts {
  main: number;
  h1: number;
  experiment: number;
}

/**
 * SETTINGS_MAX_CONCURRENT_STREAMS of the experiment port: more than HTTP/1.1's six
 * connections, few enough that a student can open one stream past it by hand.
 */
export const EXPERIMENT_MAX_STREAMS = 10;

/**
 * A TLS handshake must finish within `timeoutMs`, or the connection is dropped
 * (tls.Server's own default is 120 s). Read as each connection arrives, so a test
 * may shorten it instead of waiting 10 s.
 */
export const handshake = { timeoutMs: 10_000 };

/** Each TLS record begins with its content type; a handshake record is 22. Anything else is not TLS. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** A plain HTTP request to a TLS port gets this, then the connection closes (nginx answers 400 too). */
function plainHttpAnswer(port: number): string {
  const body = JSON.stringify(errorBody('tls_required', `This port speaks TLS: open it as https://<host>:${port}/.`));
  return `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`;
}

const { NGHTTP2_NO_ERROR: NO_ERROR, NGHTTP2_REFUSED_STREAM: REFUSED_STREAM } = http2.constants;

/**
 * How many streams one connection may have had refused (RST_STREAM REFUSED_STREAM,
 * past SETTINGS_MAX_CONCURRENT_STREAMS) before the lab ends it with GOAWAY
 * ENHANCE_YOUR_CALM. A browser's first flight may overshoot a limit it has not
 * seen yet, and it retries those streams; a peer that goes on opening streams
 * that are refused at once would be refused for ever (nghttp2 answers a peer that
 * has not acknowledged the limit with REFUSED_STREAM, and never closes). 100 is
 * Node's own bound on streams it rejects itself (`maxSessionRejectedStreams`).
 */
const MAX_REFUSED_STREAMS = 100;

/** How long a GOAWAY of the lab's own may take to leave before the session is destroyed anyway. */
const GOAWAY_GRACE_MS = 2000;

/**
 * Reads the frames the lab sends on one connection for two answers that must end it.
 *
 * - A GOAWAY with an error code. nghttp2 sends one by itself for a frame too large,
 *   an invalid frame, a broken HPACK block or a flood of resets, then reads nothing
 *   more, and Node keeps the connection open: a peer could hold any number of them.
 *   RFC 9113 section 5.4.1: "After sending the GOAWAY frame for an error condition,
 *   the endpoint MUST close the TCP connection."
 * - The MAX_REFUSED_STREAMS-th REFUSED_STREAM.
 */
class SentFrameWatch implements FrameListener {
  /** The first payload bytes of the frame being read (a GOAWAY's 8, a RST_STREAM's 4). */
  private readonly head = Buffer.alloc(8);
  private have = 0;
  private refused = 0;
  /** Set by the listener once the session exists. */
  onErrorGoaway: (code: number) => void = () => {};
  onTooManyRefused: () => void = () => {};

  frame(): void {
    this.have = 0;
  }

  bytes(_streamId: number, kind: ByteKind, count: number, type: number, source: Uint8Array, start: number): void {
    if (kind !== 'control' || (type !== GOAWAY && type !== RST_STREAM)) return;
    const wanted = type === GOAWAY ? 8 : 4;
    const n = Math.min(count, wanted - this.have);
    if (n <= 0) return;
    this.head.set(source.subarray(start, start + n), this.have);
    this.have += n;
    if (this.have < wanted) return;
    if (type === GOAWAY) {
      const code = this.head.readUInt32BE(4);
      if (code !== NO_ERROR) this.onErrorGoaway(code);
    } else if (this.head.readUInt32BE(0) === REFUSED_STREAM && ++this.refused === MAX_REFUSED_STREAMS) {
      this.onTooManyRefused();
    }
  }
}

/** An HTTP/2 server that hands every request (CONNECT included: WebSocket over HTTP/2) to `app`. */
function http2Server(app: FastifyInstance, ctx: LabContext, metering: Http2Metering, maxConcurrentStreams: number, arriving: () => PlaintextPipe | undefined): Http2Server {
  const server = http2.createServer({
    settings: {
      maxConcurrentStreams,
      // RFC 8441: lets clients open a WebSocket as a stream of this connection.
      enableConnectProtocol: true,
      // The same bound as HTTP/1.1's request heads (Node's 16 KiB), decoded.
      maxHeaderListSize: 16 * 1024,
    },
  });
  server.on('session', (session: Http2Session) => {
    const pipe = arriving();
    if (!pipe) throw new Error('an HTTP/2 session started without the lab\'s plaintext pipe');
    registerPipe(session, pipe);
    metering.open(session, pipe.meter);
    // The session reads a JS stream, which knows no peer address: give it the TCP socket's,
    // so that request.ip (per-client caps, chat rate) is the client's as over HTTP/1.1.
    const socket = session.socket as unknown as { _peername: object; _sockname: object };
    socket._peername = { address: pipe.tcp.remoteAddress, port: pipe.tcp.remotePort, family: pipe.tcp.remoteFamily };
    socket._sockname = { address: pipe.tcp.localAddress, port: pipe.tcp.localPort, family: pipe.tcp.localFamily };
    ctx.stats.tls.opened('h2', pipe.tcp, pipe.tls);
    const watch = pipe.meter.watch as SentFrameWatch;
    // Both are called while nghttp2 writes. An error GOAWAY has reached TLS by then: the session ends
    // right after (destroy() sends no second GOAWAY once nghttp2 sent its own), and the socket closes.
    watch.onErrorGoaway = (code) => {
      failed(session);
      setImmediate(() => session.destroy(new Error(`HTTP/2 connection error ${code}`), code));
    };
    // The lab's own GOAWAY goes out first (destroy() alone may close the socket before its GOAWAY is
    // written); the watch sees it and ends the session. A peer that does not read is cut off anyway.
    watch.onTooManyRefused = () => setImmediate(() => {
      if (session.destroyed) return;
      session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, session.state.lastProcStreamID);
      const timer = setTimeout(() => session.destroy(), GOAWAY_GRACE_MS);
      session.once('close', () => clearTimeout(timer));
    });
  });
  server.on('stream', (stream) => {
    const session = stream.session;
    const id = stream.id;
    if (session === undefined || id === undefined) return;
    stream.once('close', () => metering.connectionMeterOf(session)?.streamClosed(id));
  });
  // Malformed input ends the session with GOAWAY (nghttp2 picks the error code); it must not end the lab.
  // One session may say so twice (an error, then its GOAWAY): it is counted once.
  const counted = new WeakSet<Http2Session>();
  const failed = (session: Http2Session) => {
    if (counted.has(session)) return;
    counted.add(session);
    metering.totals.sessionErrors++;
  };
  server.on('sessionError', (_error, session) => failed(session));
  server.on('request', (request, response) => app.server.emit('request', request, response));
  server.on('connect', (request, response) => app.server.emit('request', request, response));
  return server;
}

/**
 * Opens the three TLS ports from `wanted` on (0: free ports) with `secureContext`;
 * the caller closes them with the app.
 */
export async function listenTls(app: FastifyInstance, ctx: LabContext, host: string, wanted: number, secureContext: SecureContext): Promise<{ ports: TlsPorts; close: () => Promise<void> }> {
  const metering = new Http2Metering();
  ctx.stats.streams = metering;
  let pipeArriving: PlaintextPipe | undefined;
  const arriving = () => pipeArriving;
  const h2Main = http2Server(app, ctx, metering, ctx.config.h2MaxStreams, arriving);
  const h2Experiment = http2Server(app, ctx, metering, EXPERIMENT_MAX_STREAMS, arriving);

  // HTTP/1.1 inside TLS: the same relay as the extra ports.
  const h1 = relayServer(app);

  const tcpSockets = new Set<net.Socket>();
  const tlsServer = (alpn: string[], h2: Http2Server | undefined, port: () => number) =>
    // Nagle's algorithm would hold a small frame back until the previous one is acknowledged
    // (40 ms and more on loopback): a server of small events turns it off, as browsers do.
    net.createServer({ noDelay: true }, (tcp) => {
      tcpSockets.add(tcp);
      tcp.once('close', () => tcpSockets.delete(tcp));
      tcp.on('error', () => tcp.destroy());
      // Until the first byte says otherwise, the connection is a handshake that has not finished:
      // one that closes, errs or times out as such is counted once, however it ends.
      let state: 'handshake' | 'plain' | 'secure' = 'handshake';
      const timer = setTimeout(() => tcp.destroy(), handshake.timeoutMs);
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
        tcp.pause();
        tcp.unshift(first);
        const secure = new tls.TLSSocket(tcp, { isServer: true, secureContext, ALPNProtocols: alpn });
        // Junk after the first byte, a ClientHello we cannot serve, a reset: drop it.
        secure.once('error', () => tcp.destroy());
        secure.once('secure', () => {
          state = 'secure';
          clearTimeout(timer);
          if (secure.alpnProtocol === 'h2' && h2) {
            const pipe = new PlaintextPipe(secure, tcp, new ConnectionMeter(metering.totals, new SentFrameWatch(), () => ctx.wiretap.listening > 0));
            pipeArriving = pipe;
            try {
              h2.emit('connection', pipe); // emits 'session' synchronously, which takes the pipe
            } finally {
              pipeArriving = undefined;
            }
          } else {
            ctx.stats.tls.opened('h1', tcp, secure);
            h1.emit('connection', secure);
          }
        });
      });
    });

  const servers: { server: net.Server; port: number }[] = [];
  const open = async (alpn: string[], h2: Http2Server | undefined, port: number) => {
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
    h2Main.close();
    h2Experiment.close();
    await Promise.all(closed);
  };
  return { ports, close };
}
