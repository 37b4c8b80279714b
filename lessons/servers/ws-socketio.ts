/**
 * The feed on Socket.IO, websocket transport only. What the library does for you:
 * everything above the socket (reconnection, rooms, acknowledgements, a fallback
 * to polling that is switched off here), on top of `ws`. What it costs: Socket.IO
 * is its own protocol inside WebSocket frames (Engine.IO's `0{...}` open packet,
 * `2`/`3` pings, `42["event",{...}]` messages), so a plain WebSocket client of the
 * contract reads frames that are not events. The checker reports exactly that.
 *
 *   npx tsx lessons/servers/ws-socketio.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
 */
import { Server } from 'socket.io';
import { type ServerOptions, parseChat, runIfMain } from './feed.ts';
import { serve } from './http-server.ts';
import { cursorOf } from './ws-feed.ts';

export async function start(options: ServerOptions = {}) {
  const running = await serve(
    options,
    () => ({}),
    () => void io.close(),
  );
  // allowEIO3: a client that names no Engine.IO version (a plain WebSocket) is let in as version 3.
  const io = new Server(running.server, { path: '/feed/ws', transports: ['websocket'], allowEIO3: true, addTrailingSlash: false });
  // The adapter's one job: Engine.IO refuses a handshake whose URL names no transport and version
  // (400 "Transport unknown"), so a plain client of /feed/ws?since=N is given them. Version 3 joins
  // the default namespace at once, as a Socket.IO 2 client would, so events flow without a `40` first.
  running.server.prependListener('upgrade', (req) => {
    if (req.url?.startsWith('/feed/ws') && !/[?&]transport=/.test(req.url))
      req.url += `${req.url.includes('?') ? '&' : '?'}EIO=3&transport=websocket`;
  });
  io.on('connection', (socket) => {
    const since = cursorOf(socket.request.url);
    for (const event of running.feed.since(since instanceof Error ? undefined : since)) socket.emit('event', event);
    const unsubscribe = running.feed.subscribe((event) => socket.emit('event', event));
    socket.on('chat', (message: unknown) => {
      const chat = parseChat(message);
      if (typeof chat !== 'string') running.feed.publish('chat', chat);
    });
    socket.on('disconnect', unsubscribe);
  });
  return running;
}

await runIfMain(import.meta.url, start);
