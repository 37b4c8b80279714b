/**
 * WebSocket over HTTP/2 (RFC 8441, "extended CONNECT"), bridged to `ws`.
 *
 * Over HTTP/1.1 a WebSocket takes over the whole TCP connection (Upgrade, 101).
 * HTTP/2 has no Upgrade: a client that sees SETTINGS_ENABLE_CONNECT_PROTOCOL = 1
 * opens a stream with `:method: CONNECT` and `:protocol: websocket`, the server
 * answers `:status: 200` (no Sec-WebSocket-Accept: the stream is already
 * authenticated by TLS and HTTP/2), and from then on the stream's DATA frames
 * carry ordinary WebSocket frames, masks and all. Chromium opens WebSockets this
 * way as soon as the server advertises the setting, and does not fall back to
 * HTTP/1.1 when refused, so the bridge must be as complete as the HTTP/1.1 path.
 *
 * `ws` does not speak RFC 8441, but its WebSocket runs over any Duplex once
 * handed one (`setSocket`, what its own WebSocketServer calls after a 101):
 * here the Http2Stream is that Duplex. Framing, masking rules, UTF-8 checks, the
 * size limit, ping/pong and close codes are then ws's own, as over HTTP/1.1.
 */
import type { ClientHttp2Session, Http2ServerRequest, ServerHttp2Stream } from 'node:http2';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { sendError } from '../errors.ts';

/** The part of ws's WebSocket that is not in its types: how its server hands it a connected stream. */
interface AttachableWebSocket {
  setSocket(socket: ServerHttp2Stream, head: Buffer, options: object): void;
}

const NO_HEAD = Buffer.alloc(0);

/**
 * The options ws's own server gives each socket it accepts (close timeout, auto
 * pong, fragment and buffer limits, UTF-8 checks), taken from a WebSocketServer
 * that never listens, so that a socket made here is configured exactly alike.
 */
function socketOptions(maxPayload: number): object {
  return new WebSocketServer({ noServer: true, clientTracking: false, maxPayload }).options;
}

/** A ws WebSocket on `stream`: `server` side (reads masked frames) or client side (masks its own). */
function attach(stream: ServerHttp2Stream, options: object, side: 'server' | 'client'): WebSocket {
  // With no address, ws makes a server-side socket and reads every setting from `options`.
  const socket = new WebSocket(null as unknown as string, undefined, options as never);
  // A client masks what it sends and expects unmasked frames (RFC 6455 section 5.1); ws reads that from this flag.
  if (side === 'client') (socket as unknown as { _isServer: boolean })._isServer = false;
  (socket as unknown as AttachableWebSocket).setSocket(stream, NO_HEAD, options);
  return socket;
}

/**
 * Answers an extended CONNECT with 200 and returns the server side of the
 * WebSocket on its stream. `reply` is hijacked: the stream is the socket's now.
 */
export function acceptWebSocketOverHttp2(request: FastifyRequest, reply: FastifyReply, options: object): WebSocket {
  reply.hijack();
  const stream = (request.raw as unknown as Http2ServerRequest).stream;
  stream.respond({ ':status': 200 });
  return attach(stream, options, 'server');
}

export interface WebSocketRouteOptions {
  url: string;
  config?: RouteShorthandOptions['config'];
  /** Runs before either handshake is answered: a reply sent here refuses the WebSocket with that status. */
  preValidation?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** A plain GET without Upgrade. */
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** The open WebSocket, whichever protocol carried the handshake. */
  wsHandler: (socket: WebSocket, request: FastifyRequest) => void;
  maxPayload: number;
  /**
   * ws reports protocol errors (invalid UTF-8, a message too big) after it has sent the fitting close
   * frame: one shared listener, `this` the socket.
   */
  onError: (this: WebSocket, error: Error) => void;
}

/**
 * One WebSocket endpoint, two handshakes: GET with Upgrade over HTTP/1.1 (through
 * @fastify/websocket) and extended CONNECT over HTTP/2. Both run the same
 * preValidation (Origin, caps) and reach the same wsHandler.
 */
export function webSocketRoute(app: FastifyInstance, options: WebSocketRouteOptions): void {
  const { url, config, preValidation, handler, wsHandler, maxPayload, onError } = options;
  const accepted = socketOptions(maxPayload);
  app.route({ method: 'GET', url, config, preValidation, handler: handler as never, wsHandler: wsHandler as never });
  app.route({
    method: 'CONNECT',
    url,
    config,
    preValidation,
    handler: async (request, reply) => {
      if (request.headers[':protocol'] !== 'websocket') {
        return sendError(reply, 'bad_request', 'This URL serves only the extended CONNECT of RFC 8441, with :protocol websocket.');
      }
      if (request.headers['sec-websocket-version'] !== '13') {
        return sendError(
          reply.header('sec-websocket-version', '13'),
          'bad_request',
          'A WebSocket over HTTP/2 needs sec-websocket-version: 13.',
        );
      }
      // Reset before the route ran (RST_STREAM in the same read as its HEADERS): nothing to accept.
      if ((request.raw as unknown as Http2ServerRequest).stream.destroyed) return reply.hijack();
      const socket = acceptWebSocketOverHttp2(request, reply, accepted);
      socket.on('error', onError);
      wsHandler(socket, request);
    },
  });
}

/**
 * The client side of RFC 8441, for the lab's Node clients: opens `path` as a
 * WebSocket on a stream of `session` (connected to `origin`), once the server has
 * said in its SETTINGS that it accepts extended CONNECT. Rejects when refused.
 */
export async function openWebSocketOverHttp2(
  session: ClientHttp2Session,
  origin: string,
  path: string,
  headers: Record<string, string> = {},
  maxPayload = 100 * 1024 * 1024,
): Promise<WebSocket> {
  if (!session.remoteSettings?.enableConnectProtocol) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server sent no SETTINGS within 5 s')), 5000);
      session.once('remoteSettings', () => {
        clearTimeout(timer);
        resolve();
      });
      session.once('close', () => reject(new Error('the session closed before its SETTINGS arrived')));
    });
  }
  if (!session.remoteSettings.enableConnectProtocol)
    throw new Error('the server does not offer WebSocket over HTTP/2 (no SETTINGS_ENABLE_CONNECT_PROTOCOL)');
  const authority = new URL(origin).host;
  const stream = session.request(
    {
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'https',
      ':authority': authority,
      ':path': path,
      'sec-websocket-version': '13',
      ...headers,
    },
    { endStream: false },
  );
  const status = await new Promise<number>((resolve, reject) => {
    stream.once('response', (head) => resolve(Number(head[':status'])));
    stream.once('error', reject);
    stream.once('close', () => reject(new Error('the CONNECT stream closed before an answer')));
  });
  if (status !== 200) {
    // The refusal's body is left unread: from Node 24 a stream with unread data does
    // not finish closing, and the session's close() would wait for it for ever.
    stream.resume();
    stream.close();
    throw new Error(`the WebSocket over HTTP/2 was refused with HTTP ${status}`);
  }
  return attach(stream as unknown as ServerHttp2Stream, socketOptions(maxPayload), 'client');
}
