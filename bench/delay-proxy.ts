/**
 * A TCP proxy that adds a round-trip time: every chunk waits half the RTT in
 * each direction, and a new connection's first bytes wait one RTT more (the
 * handshake a real path would cost before the client could send).
 *
 * On loopback every transport looks instant: the round trips that separate long
 * polling (answer, then ask again) from streaming (just write) take microseconds.
 * Through this proxy they take what they take on a real network.
 */
import net from 'node:net';
import { timedPipe } from '../server/timed-pipe.ts';

export interface DelayProxy {
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, rttMs: number, targetHost = '127.0.0.1'): Promise<DelayProxy> {
  const oneWayMs = rttMs / 2;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const acceptedAt = performance.now();
    const upstream = net.connect(targetPort, targetHost);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    // Up: the first bytes could only leave after the handshake's round trip.
    const ended = (to: net.Socket) => () => {
      if (!to.destroyed) to.end();
    };
    timedPipe(client, upstream, (arrival) => arrival + oneWayMs + Math.max(0, acceptedAt + rttMs - arrival), ended(upstream));
    timedPipe(upstream, client, (arrival) => arrival + oneWayMs, ended(client));
    const end = () => {
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, oneWayMs);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', () => {
        sockets.delete(socket);
        end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
