/**
 * WebSocket on `ws`, as the seeds build it. What the library does for you: the
 * handshake (key, accept, version), masking rules, fragments, UTF-8 checks, ping
 * and pong, the close handshake and its codes, the size limit (maxPayload), and
 * an Origin check before the 101 (verifyClient). What is still yours: the feed.
 *
 *   npx tsx lessons/servers/ws-ws.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
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
    verifyClient: ({ req }, done) => {
      if (!ownOrigin(req.headers.origin, req.headers.host)) return done(false, 403, 'Forbidden');
      done(!(cursorOf(req.url) instanceof Error), 400, 'Bad since');
    },
  });
  wss.on('connection', (socket, req) => {
    const unsubscribe = follow(running.feed, cursorOf(req.url) as number | undefined, (json) => socket.send(json));
    socket.on('message', (data, isBinary) => {
      const error = receive(running.feed, isBinary ? '' : data.toString());
      if (error) socket.send(error);
    });
    socket.on('close', unsubscribe);
    // ws has sent the fitting close frame (1002, 1007, 1009) before it reports a protocol error;
    // without a listener, Node would throw the error and end the whole server.
    socket.on('error', () => {});
  });
  return running;
}

await runIfMain(import.meta.url, start);
