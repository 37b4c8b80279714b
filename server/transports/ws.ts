/**
 * WebSocket: one upgraded TCP connection, one text frame per event, both ways.
 *
 * The `ws` library (through @fastify/websocket) does the handshake and framing;
 * this module checks the Origin and the handshake before the upgrade and hands
 * each socket to a FeedSocket (../feed-socket.ts), which follows the feed, takes
 * chat from the socket, and pings: a peer that misses a pong is terminated, so
 * half-open connections do not pile up.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type LabContext, labPorts } from '../context.ts';
import { parseFollow } from '../cursor.ts';
import { sendError } from '../errors.ts';
import { CLOSE, FeedSocket, onWebSocketError } from '../feed-socket.ts';
import { webSocketRoute } from '../http2/websocket.ts';
import { RETRY_AFTER_S } from '../limits.ts';
import { checkOrigin } from '../origin.ts';
import type { Tap } from '../wiretap.ts';
import type { Transport } from './transport.ts';

/** Largest WebSocket message the lab reads; bigger ones close the socket with 1009 (ws does that). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Whether an upgrade request carries the two headers RFC 6455 requires of version 13. */
function isHandshake(headers: FastifyRequest['headers']): boolean {
  const key = headers['sec-websocket-key'];
  return headers['sec-websocket-version'] === '13' && typeof key === 'string' && /^[A-Za-z0-9+/]{22}==$/.test(key.trim());
}

/** Taps opened before the upgrade, so that the page sees the 101 response (or the refusal) too. */
const upgradeTaps = new WeakMap<object, Tap>();

const ws: Transport = {
  id: 'ws',
  register(app: FastifyInstance, ctx: LabContext) {
    // GET with Upgrade over HTTP/1.1, extended CONNECT over HTTP/2 (http2/websocket.ts).
    webSocketRoute(app, {
      url: '/feed/ws',
      config: { transport: 'ws' },
      maxPayload: MAX_MESSAGE_BYTES,
      onError: onWebSocketError,
      // Checked before the upgrade, so a refusal is a plain HTTP answer the browser reports.
      preValidation: async (request, reply) => {
        const { client, since } = parseFollow(request.query as Record<string, unknown>, ctx.config.heartbeatMs);
        const tap = ctx.wiretap.attach(client, 'ws', request);
        if (tap) upgradeTaps.set(request.raw, tap);
        const verdict = checkOrigin(request.headers, ctx.config.allowedOrigins, labPorts(ctx));
        if (!verdict.allowed) return sendError(reply, 'foreign_origin', `The origin ${verdict.origin} may not open a WebSocket here.`);
        // ws would refuse a malformed handshake itself, in plain text; the lab answers with its coded body
        // (and, as RFC 6455 section 4.4 asks, names the version it speaks).
        if (request.ws && !isHandshake(request.headers)) {
          return sendError(
            reply.header('sec-websocket-version', '13'),
            'bad_request',
            'A WebSocket handshake needs Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key of 16 random bytes in base64.',
          );
        }
        // A process that lost its shared feed refuses like a cap does: accepted, then closed with 1013.
        if (!ctx.source.available) request.refusedBy ??= 'feed_unavailable';
        else await ctx.source.catchUp(since);
      },
      // A plain GET (no Upgrade header) is answered over HTTP. HTTP/2 forbids the Upgrade
      // header (RFC 9113 section 8.2.2: Node throws on it, out of the handler), so it names the
      // protocol over HTTP/1.x only.
      handler: async (request: FastifyRequest, reply: FastifyReply) =>
        sendError(request.raw.httpVersionMajor < 2 ? reply.header('upgrade', 'websocket') : reply, 'upgrade_required'),
      wsHandler: (socket, request) => {
        // A cap refused this client (limits.ts): 1013 is the WebSocket's 503, and unlike a
        // refused handshake a browser shows its code and reason to the page.
        if (request.refusedBy) return socket.close(CLOSE.tryAgainLater, `${request.refusedBy}: retry in ${RETRY_AFTER_S} s`);
        const follow = parseFollow(request.query as Record<string, unknown>, ctx.config.heartbeatMs);
        new FeedSocket(ctx, socket, request, follow, upgradeTaps.get(request.raw));
      },
    });
  },
};

export default ws;
