/**
 * A TCP proxy for tests that breaks connections the ways real networks do.
 *
 * - `cutRandom()`: a connection chosen at random is cut, either at once or
 *   partway through the next chunk the server sends (so a client sees half an
 *   SSE message, half a `<script>` chunk, half a WebSocket frame);
 * - `forgetAll()`: every connection is forgotten, like a NAT or load balancer that
 *   dropped its state: nothing passes any more, the server hears nothing, and its
 *   next bytes on the connection are answered with a reset (TCP RST);
 * - `blackholeAll()`: every connection swallows what it gets and never closes,
 *   like a peer that vanished without a trace.
 *
 * Loopback only, for tests: it buffers without limit and trusts both sides.
 */
import net from 'node:net';

type Mode = 'pass' | 'cut-mid-chunk' | 'forgotten' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  mode: Mode;
}

export interface FaultProxy {
  port: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  /** Connections the proxy has cut, reset or forgotten so far. */
  readonly faults: number;
  cutRandom(): void;
  forgetAll(): void;
  blackholeAll(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (a free port) in front of `targetPort`. */
export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let faults = 0;

  const kill = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    // Half the cuts are resets, half orderly closes: clients must survive both.
    if (Math.random() < 0.5) {
      pair.client.resetAndDestroy();
      pair.upstream.resetAndDestroy();
    } else {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair: Pair = { client, upstream, mode: 'pass' };
    pairs.add(pair);
    upstream.on('data', (chunk: Buffer) => {
      if (pair.mode === 'pass') client.write(chunk);
      else if (pair.mode === 'cut-mid-chunk') {
        client.write(chunk.subarray(0, Math.floor(Math.random() * chunk.length)));
        kill(pair);
      } else if (pair.mode === 'forgotten') {
        // The server spoke on a connection nobody remembers: it gets a reset.
        pairs.delete(pair);
        upstream.resetAndDestroy();
        client.destroy();
      }
    });
    client.on('data', (chunk: Buffer) => {
      if (pair.mode === 'pass' || pair.mode === 'cut-mid-chunk') upstream.write(chunk);
    });
    const end = () => {
      if (pairs.delete(pair)) {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    get open() {
      return pairs.size;
    },
    get faults() {
      return faults;
    },
    cutRandom() {
      const live = [...pairs].filter((pair) => pair.mode === 'pass');
      if (live.length === 0) return;
      const pair = live[Math.floor(Math.random() * live.length)];
      faults++;
      if (Math.random() < 0.5) kill(pair);
      else pair.mode = 'cut-mid-chunk';
    },
    forgetAll() {
      for (const pair of pairs) {
        faults++;
        pair.mode = 'forgotten';
      }
    },
    blackholeAll() {
      for (const pair of pairs) {
        faults++;
        pair.mode = 'blackhole';
      }
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of [...pairs]) kill(pair);
      await closed;
    },
  };
}
