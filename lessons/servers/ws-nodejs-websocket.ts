/**
 * WebSocket on `nodejs-websocket`, as the seeds build it. What the library does
 * for you: the handshake, framing, fragments, ping and pong, the close handshake.
 * What it does not: share a port with an HTTP server (it listens on a TCP server of
 * its own, so here a few lines hand each connection to one or the other), refuse a
 * handshake (it accepts every one, so a foreign Origin is closed after the 101, not
 * refused with 403), or cap messages per server (setMaxBufferLength is global).
 *
 *   npx tsx lessons/servers/ws-nodejs-websocket.ts     then     npm run check -- http://127.0.0.1:3100 --only ws
 */
import net, { type AddressInfo } from 'node:net';
import nodejsWebsocket from 'nodejs-websocket';
import { type ServerOptions, ownOrigin, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';
import { MAX_MESSAGE_BYTES, cursorOf, follow, receive } from './ws-feed.ts';

export async function start(options: ServerOptions = {}) {
  const http = await serve({ ...options, port: 0 }, () => ({
    '/feed/ws': (_req, res) => sendError(res, 426, 'upgrade_required', 'This URL speaks WebSocket.', { upgrade: 'websocket' }),
  }));
  nodejsWebsocket.setMaxBufferLength(MAX_MESSAGE_BYTES);
  const wsServer = nodejsWebsocket.createServer((connection) => {
    // First of all: the library stops ignoring a connection's errors once its handshake is done, and an
    // 'error' with no listener ends the process. A client that resets after being refused below is enough.
    connection.on('error', () => {});
    const since = cursorOf(connection.path);
    if (!connection.path.startsWith('/feed/ws') || since instanceof Error) return connection.close(1008, 'not the feed');
    if (!ownOrigin(connection.headers.origin, connection.headers.host)) return connection.close(1008, 'foreign origin');
    const unsubscribe = follow(http.feed, since, (json) => connection.sendText(json));
    connection.on('text', (text: string) => {
      const error = receive(http.feed, text);
      if (error) connection.sendText(error);
    });
    connection.on('close', unsubscribe);
  });
  // One port for both: the first bytes of a connection say whether it asks for an upgrade.
  const front = net.createServer((socket) => {
    socket.once('data', (first) => {
      socket.pause();
      socket.unshift(first);
      const target = /^upgrade:\s*websocket/im.test(first.toString('latin1')) ? wsServer.socket : http.server;
      target.emit('connection', socket);
      socket.resume();
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => front.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  return {
    url,
    feed: http.feed,
    close: async () => {
      for (const connection of wsServer.connections) connection.close(1001);
      front.close();
      await http.close();
    },
  };
}

await runIfMain(import.meta.url, start);
