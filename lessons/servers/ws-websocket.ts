/**
 * WebSocket on `websocket` (WebSocket-Node), as the seeds build it. What the
 * library does for you: the handshake, framing, fragments, ping and pong, close
 * codes, frame and message size limits, and a 'request' you accept or reject
 * (so the Origin is checked before the 101). What is still yours: the feed.
 *
 *   npx tsx lessons/servers/ws-websocket.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
 */
import websocket from 'websocket';
import { type ServerOptions, ownOrigin, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';
import { MAX_MESSAGE_BYTES, cursorOf, follow, receive } from './ws-feed.ts';

export async function start(options: ServerOptions = {}) {
  const running = await serve(
    options,
    () => ({
      '/feed/ws': (_req, res) => sendError(res, 426, 'upgrade_required', 'This URL speaks WebSocket.', { upgrade: 'websocket' }),
    }),
    () => wsServer.shutDown(),
  );
  const wsServer = new websocket.server({
    httpServer: running.server,
    maxReceivedMessageSize: MAX_MESSAGE_BYTES,
    maxReceivedFrameSize: MAX_MESSAGE_BYTES,
  });
  wsServer.on('request', (request) => {
    const since = cursorOf(request.resourceURL.path ?? undefined);
    if (request.resourceURL.pathname !== '/feed/ws') return request.reject(404);
    if (!ownOrigin(request.httpRequest.headers.origin, request.host)) return request.reject(403);
    if (since instanceof Error) return request.reject(400);
    const connection = request.accept(null, request.origin);
    const unsubscribe = follow(running.feed, since, (json) => connection.sendUTF(json));
    connection.on('message', (message) => {
      const error = receive(running.feed, message.type === 'utf8' ? message.utf8Data : '');
      if (error) connection.sendUTF(error);
    });
    connection.on('close', unsubscribe);
  });
  return running;
}

await runIfMain(import.meta.url, start);
