/**
 * A TCP proxy that stands in for a lossy link where the machine cannot drop real
 * packets: it stalls a connection's bytes as a lost segment's retransmission would.
 *
 * TCP delivers bytes in order. When a segment is lost, the receiver's kernel holds
 * every byte that arrives after it until the retransmission fills the hole, about
 * one retransmission timeout later (Linux's minimum RTO is 200 ms; on a short path
 * with few packets in flight, that is what a lost segment costs). So the proxy cuts
 * what it relays into segments (`segmentBytes`, a typical Internet MSS), decides for
 * each, with a seeded random draw, whether it was lost, and holds a lost segment for
 * `stallMs` and everything after it on that connection's direction behind it,
 * never reordering. Each connection draws on its own, in each direction: one
 * connection carrying five transports (HTTP/2) stalls all five at once, five
 * connections (HTTP/1.1) stall apart.
 *
 * What it does not model: the lost segment's own bytes still arrive (late), fast
 * retransmit and tail-loss probes that recover sooner, and congestion control
 * shrinking the window after a loss. Real loss (bench/loss-namespace.ts) has all
 * three. Loopback only, bounded: at most `maxConnections` at once.
 */
import net from 'node:net';
import { timedPipe } from './timed-pipe.ts';

/** A generator of numbers in [0, 1) from a 32-bit seed (mulberry32): the same seed draws the same losses. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface LossModel {
  /** Share of segments lost, in percent (0 to 100). */
  lossPercent: number;
  /** How long a lost segment holds up its connection's bytes, in ms. */
  stallMs: number;
  /** Bytes per segment. */
  segmentBytes: number;
}

export const DEFAULT_STALL_MS = 200;
export const DEFAULT_SEGMENT_BYTES = 1448;

/**
 * One direction of one connection: when each chunk may be passed on. A chunk of n
 * bytes is ceil(n / segmentBytes) segments; if any is lost, the chunk is due
 * `stallMs` after it arrived; and no chunk is due before the one ahead of it.
 */
export class StallSchedule {
  private lastDueMs = 0;
  /** Segments seen and segments lost so far. */
  segments = 0;
  lost = 0;

  constructor(
    private readonly model: () => LossModel,
    private readonly random: () => number,
  ) {}

  /** The time (same clock as `arrivedMs`) at which a chunk of `bytes` that arrived at `arrivedMs` may be passed on. */
  dueMs(arrivedMs: number, bytes: number): number {
    const { lossPercent, stallMs, segmentBytes } = this.model();
    const segments = Math.max(1, Math.ceil(bytes / segmentBytes));
    let lost = 0;
    // One draw per segment whatever the rate, so that a seed gives the same sequence at every rate.
    for (let i = 0; i < segments; i++) if (this.random() * 100 < lossPercent) lost++;
    this.segments += segments;
    this.lost += lost;
    const due = Math.max(arrivedMs + (lost > 0 ? stallMs : 0), this.lastDueMs);
    this.lastDueMs = due;
    return due;
  }
}

/**
 * Relays `from` to `to`, each chunk at the time `schedule` gives it, in order; `to` is ended once
 * what is held has been passed on, and destroyed a while later if its peer never closes its side.
 */
function stalledPipe(from: net.Socket, to: net.Socket, schedule: StallSchedule): void {
  timedPipe(
    from,
    to,
    (arrivedMs, bytes) => schedule.dueMs(arrivedMs, bytes),
    () => {
      if (to.destroyed) return;
      to.end();
      setTimeout(() => to.destroy(), 5000).unref();
    },
  );
}

export interface StallProxy {
  port: number;
  /** Changes the loss rate for every connection, open or new. */
  setLossPercent(percent: number): void;
  readonly lossPercent: number;
  /** Connections open through the proxy now. */
  readonly open: number;
  /** Segments relayed and segments lost so far, all connections, both directions. */
  readonly segments: number;
  readonly lost: number;
  close(): Promise<void>;
}

export interface StallProxyOptions extends Partial<LossModel> {
  /** Seeds the draws: connection n (from 0, in order of arrival) draws from seed + 2n (to the server) and seed + 2n + 1 (back). */
  seed?: number;
  targetHost?: string;
  /** More connections than this at once are refused (closed at once). */
  maxConnections?: number;
}

/** Starts a stall proxy on 127.0.0.1 (a free port) in front of `targetPort`. */
export async function startStallProxy(targetPort: number, options: StallProxyOptions = {}): Promise<StallProxy> {
  const model: LossModel = {
    lossPercent: checkPercent(options.lossPercent ?? 0),
    stallMs: options.stallMs ?? DEFAULT_STALL_MS,
    segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
  };
  const seed = options.seed ?? 1;
  const maxConnections = options.maxConnections ?? 256;
  const sockets = new Set<net.Socket>();
  const schedules: StallSchedule[] = [];
  let accepted = 0;
  const server = net.createServer((client) => {
    if (sockets.size >= 2 * maxConnections) {
      client.destroy();
      return;
    }
    const n = accepted++;
    const upstream = net.connect(targetPort, options.targetHost ?? '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const up = new StallSchedule(() => model, seededRandom(seed + 2 * n));
    const down = new StallSchedule(() => model, seededRandom(seed + 2 * n + 1));
    schedules.push(up, down);
    stalledPipe(client, upstream, up);
    stalledPipe(upstream, client, down);
    // A reset or an error on either side ends both at once; a close ends the other through its pipe.
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', fail);
      socket.on('close', () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    setLossPercent(percent: number) {
      model.lossPercent = checkPercent(percent);
    },
    get lossPercent() {
      return model.lossPercent;
    },
    get open() {
      return Math.ceil(sockets.size / 2);
    },
    get segments() {
      return schedules.reduce((sum, s) => sum + s.segments, 0);
    },
    get lost() {
      return schedules.reduce((sum, s) => sum + s.lost, 0);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function checkPercent(percent: number): number {
  if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100))
    throw new RangeError(`a loss rate is a percentage from 0 to 100, got ${percent}`);
  return percent;
}
