/**
 * A node:http server for the examples: routes `POST /feed/chat` and whatever the
 * example adds, answers 404 for the rest, and closes everything on close().
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Feed, type Running, type ServerOptions, handleChat, sendError } from './feed.ts';

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export async function serve(
  options: ServerOptions,
  routes: (feed: Feed) => Record<string, Route>,
  onClose?: () => void,
): Promise<Running & { server: http.Server; feed: Feed }> {
  const feed = new Feed(options.bufferSize);
  const table = routes(feed);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === '/feed/chat') return handleChat(feed, req, res);
    const route = req.method === 'GET' ? table[url.pathname] : undefined;
    if (route) return route(req, res, url);
    sendError(res, 404, 'not_found', 'There is nothing at this URL.');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const stopTicker = feed.tick(options.tickMs ?? 0);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    feed,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      stopTicker();
      onClose?.();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
