/**
 * WebSocket on `ws` with two bugs on purpose, each failing exactly one case of
 * `npm run check` (lessons/servers/servers.test.ts proves it):
 * - it answers a subprotocol the client never offered (ws.subprotocol);
 * - its error frames carry a seq, so clients take them for events (ws.bad-message).
 *
 *   npx tsx lessons/servers/broken-ws.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
 */
import { WebSocketServer } from 'ws';
import { type ServerOptions, ownOrigin, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';
import { MAX_MESSAGE_BYTES, cursorOf, follow, receive } from './ws-feed.ts';

export async function start(options: ServerOptions = {}) {
  const running = await serve(
    options,
    () => ({
      '/feed/ws': (_req, res) => sendError(res, 426, 'upgrade_required', 'This URL speaks WebSocket.', { upgrade: 'websocket' }),
    }),
    () => wss.close(),
  );
  const wss = new WebSocketServer({
    server: running.server,
    path: '/feed/ws',
    maxPayload: MAX_MESSAGE_BYTES,
    // BUG (ws.subprotocol): a browser fails the connection on a protocol it did not offer.
    handleProtocols: () => 'chat',
    verifyClient: ({ req }, done) => {
      if (!ownOrigin(req.headers.origin, req.headers.host)) return done(false, 403, 'Forbidden');
      done(!(cursorOf(req.url) instanceof Error), 400, 'Bad since');
    },
  });
  wss.on('connection', (socket, req) => {
    const unsubscribe = follow(running.feed, cursorOf(req.url) as number | undefined, (json) => socket.send(json));
    socket.on('message', (data, isBinary) => {
      const error = receive(running.feed, isBinary ? '' : data.toString());
      // BUG (ws.bad-message): a frame with a seq is an event to every client.
      if (error) socket.send(JSON.stringify({ ...JSON.parse(error), seq: running.feed.lastSeq }));
    });
    socket.on('close', unsubscribe);
    // ws has sent the fitting close frame (1002, 1007, 1009) before it reports a protocol error;
    // without a listener, Node would throw the error and end the whole server.
    socket.on('error', () => {});
  });
  return running;
}

await runIfMain(import.meta.url, start);
