/**
 * WebSocket on `faye-websocket` (the driver under Faye and SockJS). What the
 * library does for you: the handshake, framing, fragments, UTF-8 checks, ping and
 * pong, the close handshake, a message size limit (maxLength). You see the
 * upgrade request first, so the Origin is refused before any 101.
 *
 *   npx tsx lessons/servers/ws-faye.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
 */
import faye from 'faye-websocket';
import { type ServerOptions, ownOrigin, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';
import { MAX_MESSAGE_BYTES, cursorOf, follow, receive } from './ws-feed.ts';

export async function start(options: ServerOptions = {}) {
  const running = await serve(options, () => ({
    '/feed/ws': (_req, res) => sendError(res, 426, 'upgrade_required', 'This URL speaks WebSocket.', { upgrade: 'websocket' }),
  }));
  running.server.on('upgrade', (req, socket, head) => {
    const since = cursorOf(req.url);
    const refuse = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    if (!faye.WebSocket.isWebSocket(req) || !req.url?.startsWith('/feed/ws')) return refuse('404 Not Found');
    if (!ownOrigin(req.headers.origin, req.headers.host)) return refuse('403 Forbidden');
    if (since instanceof Error) return refuse('400 Bad Request');
    const socketWs = new faye.WebSocket(req, socket, head, null, { maxLength: MAX_MESSAGE_BYTES });
    const unsubscribe = follow(running.feed, since, (json) => socketWs.send(json));
    socketWs.on('message', (event: { data: string | Buffer }) => {
      const error = receive(running.feed, typeof event.data === 'string' ? event.data : '');
      if (error) socketWs.send(error);
    });
    socketWs.on('close', unsubscribe);
  });
  return running;
}

await runIfMain(import.meta.url, start);
