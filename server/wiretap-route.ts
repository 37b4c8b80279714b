/**
 * The wiretap's own WebSocket route: where a page listens to its connections'
 * bytes (wiretap.ts says what it hears, and why only the page that asked hears it).
 */
import type { FastifyInstance } from 'fastify';
import { type Closer, type LabContext, labPorts } from './context.ts';
import { sendError } from './errors.ts';
import { webSocketRoute } from './http2/websocket.ts';
import { RETRY_AFTER_S } from './limits.ts';
import { checkOrigin } from './origin.ts';
import type { TapHello } from './wiretap.ts';

/** What a page sends on its tap's socket to cut its tapped connections (public/wiretap.js). */
const CUT = '{"type":"cut"}';

/**
 * `GET /wiretap`, upgraded (over HTTP/2, an extended CONNECT): first a TapHello
 * with the minted id, then one JSON text frame per WireRecord or TraceStep. The page
 * may send `{"type":"cut"}`: its tapped connections in this process are cut.
 *
 * The socket reads a page's raw bytes, so it is guarded as the feed's WebSocket
 * is: a foreign Origin is refused before the upgrade (403), and it holds one of
 * the client's MAX_STREAMS_PER_CLIENT slots while open (limits.ts; past the cap,
 * close 1013).
 */
export function registerWiretapRoute(app: FastifyInstance, ctx: LabContext): void {
  const { wiretap, closers } = ctx;
  webSocketRoute(app, {
    url: '/wiretap',
    config: { holdsStream: true },
    maxPayload: 1024,
    // ws has already closed the socket with the fitting code (1007, 1009); a tap has nothing to add.
    onError: () => {},
    preValidation: async (request, reply) => {
      const verdict = checkOrigin(request.headers, ctx.config.allowedOrigins, labPorts(ctx));
      if (!verdict.allowed) return sendError(reply, 'foreign_origin', `The origin ${verdict.origin} may not open a wiretap here.`);
    },
    handler: async (_request, reply) =>
      sendError(reply.header('upgrade', 'websocket'), 'upgrade_required', 'Open /wiretap with a WebSocket.'),
    wsHandler: (socket, request) => {
      // A cap refused this client (limits.ts): the same 1013 as the feed's socket.
      if (request.refusedBy) return socket.close(1013, `${request.refusedBy}: retry in ${RETRY_AFTER_S} s`);
      const tap = wiretap.open((record) => {
        // A tap that cannot keep up loses records rather than memory: it is a view, not the feed.
        if (socket.bufferedAmount < 1 << 20) socket.send(JSON.stringify(record));
      });
      // In a cluster, once the steps of the page's connections on other processes reach this one too.
      void tap.listening.then(() => {
        const hello: TapHello = { type: 'tap', client: tap.client, ...(tap.process ? { process: tap.process } : {}) };
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(hello));
      });
      // The page may cut its own tapped connections, as a process that dies would (the scale-out lesson's picture).
      socket.on('message', (data) => {
        if (String(data) === CUT) wiretap.cut(tap.client);
      });
      const closer: Closer = {
        shutdown: () => {
          tap.stop();
          closers.delete(closer);
          socket.close(1001, 'server shutting down');
        },
      };
      closers.add(closer);
      socket.once('close', () => {
        tap.stop();
        closers.delete(closer);
      });
    },
  });
}
