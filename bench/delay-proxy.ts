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

/** Writes chunks to `to` at their due times, in order, whatever the timers do. */
function delayedPipe(from: net.Socket, to: net.Socket, delayFor: (arrivalMs: number) => number): void {
  const queue: { dueMs: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].dueMs <= now + 0.05) {
      const { chunk } = queue.shift()!;
      if (!to.destroyed) to.write(chunk);
    }
    if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0].dueMs - performance.now()));
    else if (ended && !to.destroyed) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const delayMs = delayFor(now);
    // No delay and nothing queued: a timer would add a millisecond of its own.
    if (delayMs <= 0 && queue.length === 0) {
      if (!to.destroyed) to.write(chunk);
      return;
    }
    const dueMs = Math.max(now + delayMs, queue.length ? queue[queue.length - 1].dueMs : 0);
    queue.push({ dueMs, chunk });
    if (!timer) timer = setTimeout(drain, Math.max(0, dueMs - now));
  });
  from.on('end', () => {
    ended = true;
    if (!timer && queue.length === 0 && !to.destroyed) to.end();
  });
}

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
    delayedPipe(client, upstream, (arrival) => oneWayMs + Math.max(0, acceptedAt + rttMs - arrival));
    delayedPipe(upstream, client, () => oneWayMs);
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
