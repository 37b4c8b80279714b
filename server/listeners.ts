/**
 * The lab's extra listening ports, and why they exist.
 *
 * Over HTTP/1.1 a browser opens at most six connections per host and port, and a
 * held request (a long poll, the forever iframe, an EventSource) keeps its
 * connection busy. With the board and every lesson open, one origin would run out
 * and every other request to it, page loads and chat posts included, would wait
 * silently. So each held transport gets a port of its own; the
 * pages reach it there, and the main port stays free for pages and chat. Every
 * endpoint still answers on the main port too (the contract in README.md), for curl and the lessons.
 *
 * Two more ports serve experiments: `experiment` is a port pages may exhaust on
 * purpose (the SSE lesson's six-connection demo), and `idle-proxy` forwards to
 * the main port through a middlebox that drops connections idle for a few seconds
 * (the heartbeats lesson).
 */
import http from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Connections } from './connections.ts';
import { answerClientError } from './errors.ts';
import { EXTRA_PORTS, type Ports } from './ports.ts';

/** How long the idle proxy lets a connection carry nothing before it cuts it. */
export const IDLE_PROXY_MS = 3000;

/** Listens on `port`, or on a free port when it is taken; resolves with the port in use. */
export function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  const attempt = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen({ host, port: p, backlog: 4096 }, () => {
        server.off('error', onError);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  return attempt(port).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' && port !== 0) return attempt(0);
    throw error;
  });
}

/**
 * A TCP proxy to `target` that behaves like an idle-timing NAT or load balancer:
 * a connection that carries no byte either way for `idleMs` is cut.
 */
export function idleProxy(targetHost: string, targetPort: number, idleMs = IDLE_PROXY_MS): net.Server {
  return net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    let timer = setTimeout(cut, idleMs);
    function touch() {
      clearTimeout(timer);
      timer = setTimeout(cut, idleMs);
    }
    function cut() {
      client.destroy();
      upstream.destroy();
    }
    client.on('data', touch);
    upstream.on('data', touch);
    client.pipe(upstream).pipe(client);
    const end = () => {
      clearTimeout(timer);
      cut();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
}

/**
 * A plain HTTP/1.1 server that hands every request and upgrade to the app's own
 * server: how the extra ports, and HTTP/1.1 inside TLS (http2/listener.ts), serve
 * the same routes as the main port.
 */
export function relayServer(app: FastifyInstance, connections: Connections): http.Server {
  // No Host on HTTP/1.1 is answered by the app's coded 400 (app.ts), as on the main port, not by Node's bare one.
  // Heads and idle connections are timed by the lab's clock, as on the main port (connections.ts).
  const relay = http.createServer({ keepAliveTimeout: app.server.keepAliveTimeout, requireHostHeader: false, headersTimeout: 0 });
  relay.requestTimeout = 0; // held streams are long; Fastify disables it on its own server too
  connections.watchHttp1(relay);
  relay.on('request', (req, res) => app.server.emit('request', req, res));
  relay.on('upgrade', (req, socket, head) => app.server.emit('upgrade', req, socket, head));
  // A malformed request gets the lab's coded 400, as on the main port (app.ts clientErrorHandler).
  relay.on('clientError', answerClientError);
  return relay;
}

/**
 * Opens the extra ports for `app` (already listening on `mainPort`): requests and
 * upgrades on them go to the same app. The caller closes them with the app.
 */
export async function listenExtra(
  app: FastifyInstance,
  connections: Connections,
  host: string,
  mainPort: number,
): Promise<{ ports: Ports; close: () => Promise<void> }> {
  const ports: Ports = { main: mainPort, extra: {} };
  const servers: net.Server[] = [];
  for (const [index, name] of EXTRA_PORTS.entries()) {
    const wanted = mainPort === 0 ? 0 : mainPort + index + 1;
    let server: net.Server;
    if (name === 'idle-proxy') {
      server = idleProxy(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, mainPort);
    } else {
      server = relayServer(app, connections);
      // The idle proxy's connections are counted where they arrive, on the main port.
      server.on('connection', (socket: net.Socket) => connections.accept(socket));
    }
    ports.extra[name] = await listenOn(server, host, wanted);
    servers.push(server);
  }
  // Held streams have ended by now (preClose); what is left is idle keep-alive
  // sockets and proxied connections, which must not keep the process alive.
  const sockets = new Set<net.Socket>();
  for (const server of servers) {
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const close = async () => {
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const socket of sockets) socket.destroy();
    await Promise.all(closed);
  };
  return { ports, close };
}
