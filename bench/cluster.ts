/**
 * The parent's view of the processes a run uses: measured servers (the lab, the
 * bare references), a pool of client workers, and the source addresses clients
 * connect from.
 *
 * Clients are spread over 127.x.y.z source addresses, a few dozen per address:
 * each address has its own ~28,000 ephemeral ports (so closed connections waiting
 * in TIME_WAIT never run a later scenario out of ports), and a server that limits
 * connections per client IP still sees many small clients rather than one huge one.
 */
import type { TransportId } from '../server/transports/registry.ts';
import type { OpenArgs } from './client-worker.ts';
import { Child } from './ipc.ts';
import { concat } from './stats-math.ts';
import { type TlsInfo, type WireId, wireTarget } from './wires.ts';

export type ServerKind = 'lab' | 'bare-sse' | 'bare-ws' | 'bare-h2' | 'piped-h2' | 'library';

const SERVER_FILES: Record<ServerKind, string> = {
  lab: 'bench/lab-server.ts',
  'bare-sse': 'bench/reference/bare-sse.ts',
  'bare-ws': 'bench/reference/bare-ws.ts',
  'bare-h2': 'bench/reference/bare-h2.ts',
  // Node's own HTTP/2 through the lab's plaintext pipe, nothing reading the bytes (BARE_H2_JS_PIPE below).
  'piped-h2': 'bench/reference/bare-h2.ts',
  // An example server of lessons/servers, named by `LIBRARY` in its settings (bench/reference/library-server.ts).
  library: 'bench/reference/library-server.ts',
};

/** The most clients one worker process opens: well under its 20,000 descriptors. */
export const CLIENTS_PER_WORKER = 5000;
/** Well under the lab's per-client cap on held streams (64 by default, MAX_STREAMS_PER_CLIENT). */
const CLIENTS_PER_ADDRESS = 32;

export interface Server {
  kind: ServerKind;
  child: Child;
  port: number;
  baseUrl: string;
  /** This process's clock offset (see ipc.ts clockOffsetMs). */
  offsetMs: number;
  /** The lab instance inside the process (the grid runs several). */
  instance: number;
  /** The TLS ports and certificate (the lab's: HTTP/1.1 over TLS and HTTP/2; bare-h2's: HTTP/2); absent for the others. */
  tls?: TlsInfo;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls a count until it reaches `target`, or stops growing for `stallMs`, or
 * `timeoutMs` passes: a server that cannot take more clients fails fast.
 */
export async function pollCount(
  check: () => Promise<number>,
  target: number,
  timeoutMs: number,
  stallMs = 5000,
  everyMs = 200,
): Promise<{ value: number; ok: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let best = -1;
  let grewAt = Date.now();
  for (;;) {
    const value = await check();
    if (value >= target) return { value, ok: true };
    if (value > best) {
      best = value;
      grewAt = Date.now();
    }
    if (Date.now() > deadline || Date.now() - grewAt > stallMs) return { value, ok: false };
    await sleep(everyMs);
  }
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function poll<T>(
  check: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  everyMs = 50,
): Promise<{ value: T; ok: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (done(value)) return { value, ok: true };
    if (Date.now() > deadline) return { value, ok: false };
    await sleep(everyMs);
  }
}

/** The bench's process pool: the measured servers it started and the client workers, with their source addresses. */
export class ProcessPool {
  readonly workers: { child: Child; offsetMs: number }[] = [];
  readonly servers = new Set<Server>();
  private addressIndex: number;
  /** The largest clock disagreement seen between a server and a worker, in ms. */
  maxSkewMs = 0;

  constructor() {
    // A different block of 127/8 each run, so a rerun within a minute finds no port of
    // its source addresses still in TIME_WAIT.
    this.addressIndex = (Math.floor(Math.random() * 200) + 20) * 65_536;
  }

  /** The next `count` source addresses in 127.0.0.0/8 (never 127.0.0.x, where servers listen). */
  addresses(count: number): string[] {
    const out: string[] = [];
    while (out.length < count) {
      const n = this.addressIndex++;
      const a = (n >> 16) & 255;
      const b = (n >> 8) & 255;
      const c = n & 255;
      if (c === 0 || c === 255 || a === 0) continue;
      out.push(`127.${a}.${b}.${c}`);
    }
    return out;
  }

  async startServer(kind: ServerKind, env: Record<string, string> = {}): Promise<Server> {
    const own: Record<string, string> = kind === 'piped-h2' ? { BARE_H2_JS_PIPE: '1' } : {};
    const child = await Child.start(kind, SERVER_FILES[kind], {
      env: { ...own, WIRELAB_BENCH_ENV: JSON.stringify(env) },
      execArgv: ['--expose-gc'],
    });
    const { offsetMs } = await child.call<{ offsetMs: number }>('clock');
    const server: Server = {
      kind,
      child,
      port: child.ready.port,
      baseUrl: `http://127.0.0.1:${child.ready.port}`,
      offsetMs,
      instance: child.ready.instance ?? 0,
      tls: child.ready.tls ?? undefined,
    };
    this.servers.add(server);
    return server;
  }

  /** Another lab instance in the same server process. */
  async addInstance(server: Server, env: Record<string, string> = {}): Promise<Server> {
    const { instance, port, tls } = await server.child.call<{ instance: number; port: number; tls: TlsInfo | null }>('start', { env });
    return { ...server, instance, port, baseUrl: `http://127.0.0.1:${port}`, tls: tls ?? undefined };
  }

  async stopServer(server: Server): Promise<void> {
    this.servers.delete(server);
    await server.child.stop();
  }

  /** Makes sure at least `count` workers run. */
  async ensureWorkers(count: number): Promise<void> {
    const missing = count - this.workers.length;
    if (missing <= 0) return;
    const started = await Promise.all(
      Array.from({ length: missing }, async (_, i) => {
        const child = await Child.start(`client worker ${this.workers.length + i + 1}`, 'bench/client-worker.ts');
        const { offsetMs } = await child.call<{ offsetMs: number }>('clock');
        return { child, offsetMs };
      }),
    );
    this.workers.push(...started);
  }

  /** How many workers `count` clients need: one for a few, two or more for many. */
  static workersFor(count: number): number {
    if (count <= 200) return 1;
    return Math.max(2, Math.ceil(count / CLIENTS_PER_WORKER));
  }

  /**
   * Opens `count` clients of one transport against `server`, spread over workers,
   * over `wire` (default plain HTTP/1.1); `port` sends them to another port that
   * leads to the same wire (the delay proxy).
   */
  async open(
    server: Server,
    transport: TransportId,
    count: number,
    options: Omit<OpenArgs, 'group' | 'transport' | 'count' | 'baseUrl' | 'protocol' | 'ca'> & {
      workers?: number;
      workerIndexes?: number[];
      wire?: WireId;
      port?: number;
    } = {},
  ): Promise<ClientSet> {
    const indexes = options.workerIndexes ?? Array.from({ length: options.workers ?? ProcessPool.workersFor(count) }, (_, i) => i);
    await this.ensureWorkers(Math.max(...indexes) + 1);
    const workerCount = indexes.length;
    const group = `${transport}-${Math.random().toString(36).slice(2, 10)}`;
    const used = indexes.map((i) => this.workers[i]);
    const shares = used.map((_, i) => Math.floor(count / workerCount) + (i < count % workerCount ? 1 : 0));
    const { workers: _workers, workerIndexes: _indexes, wire = 'h1', port, ...rest } = options;
    const target = wireTarget(server, wire, port);
    await Promise.all(
      used.map((worker, i) =>
        shares[i] === 0
          ? undefined
          : worker.child.call(
              'open',
              {
                ...rest,
                group,
                transport,
                count: shares[i],
                baseUrl: target.baseUrl,
                protocol: target.protocol,
                ca: target.ca,
                addresses: this.addresses(Math.ceil(shares[i] / CLIENTS_PER_ADDRESS)),
                clientsPerAddress: CLIENTS_PER_ADDRESS,
              } satisfies OpenArgs,
              120_000,
            ),
      ),
    );
    for (const worker of used) this.maxSkewMs = Math.max(this.maxSkewMs, Math.abs(worker.offsetMs - server.offsetMs));
    return new ClientSet(
      group,
      transport,
      server,
      used.filter((_, i) => shares[i] > 0),
      count,
    );
  }

  /**
   * Stops every client worker; the next open starts fresh ones. After a failed
   * step, a worker may still hold that step's clients (short polls still polling,
   * an open still running): reusing it would fail every later step.
   */
  async resetWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.child.stop()));
    this.workers.length = 0;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers].map((server) => server.child.stop()));
    this.servers.clear();
    await this.resetWorkers();
  }
}

export interface Collected {
  samples: Float64Array;
  received: number;
  batches: number;
  batchTimes: Float64Array;
  duplicates: number;
  /** Holes in a client's seqs, and `gap` events received (both should be 0: see client-worker.ts). */
  gaps: number;
  gapEvents: number;
  /** Answers per process that gave them, and clients by how many distinct processes answered them (trackProcesses). */
  processes: Record<string, number>;
  clientsByProcessesSeen: Record<string, number>;
  errors: number;
  lastErrors: string[];
  firstReceivedAt: number | null;
  lastReceivedAt: number | null;
}

/** One transport's clients in one scenario, across workers. */
export class ClientSet {
  constructor(
    readonly group: string,
    readonly transport: TransportId,
    readonly server: Server,
    readonly workers: { child: Child; offsetMs: number }[],
    readonly count: number,
  ) {}

  /** Records events from `fromSeq` on, with receipt times put on the server's clock. */
  async record(fromSeq: number | null): Promise<void> {
    await Promise.all(
      this.workers.map((w) =>
        w.child.call('record', {
          group: this.group,
          recording: fromSeq === null ? null : { fromSeq, correctionMs: w.offsetMs - this.server.offsetMs },
        }),
      ),
    );
  }

  async waitFor(seq: number, timeoutMs: number): Promise<{ behind: number }> {
    const results = await Promise.all(
      this.workers.map((w) => w.child.call<{ behind: number }>('waitFor', { group: this.group, seq, timeoutMs }, timeoutMs + 30_000)),
    );
    return { behind: results.reduce((sum, r) => sum + r.behind, 0) };
  }

  async status(): Promise<{ clients: number; open: number; errors: number; lastErrors: string[] }> {
    const results = await Promise.all(this.workers.map((w) => w.child.call('status', { group: this.group })));
    return {
      clients: results.reduce((s, r) => s + r.clients, 0),
      open: results.reduce((s, r) => s + r.open, 0),
      errors: results.reduce((s, r) => s + r.errors, 0),
      lastErrors: results.flatMap((r) => r.lastErrors).slice(0, 5),
    };
  }

  async collect(): Promise<Collected> {
    const parts = await Promise.all(this.workers.map((w) => w.child.call('collect', { group: this.group })));
    const firsts = parts.map((p) => p.firstReceivedAt).filter((v): v is number => v !== null);
    const lasts = parts.map((p) => p.lastReceivedAt).filter((v): v is number => v !== null);
    return {
      samples: concat(parts.map((p) => p.samples)),
      received: parts.reduce((s, p) => s + p.received, 0),
      batches: parts.reduce((s, p) => s + p.batches, 0),
      batchTimes: concat(parts.map((p) => p.batchTimes)),
      duplicates: parts.reduce((s, p) => s + p.duplicates, 0),
      gaps: parts.reduce((s, p) => s + p.gaps, 0),
      gapEvents: parts.reduce((s, p) => s + p.gapEvents, 0),
      processes: addCounts(parts.map((p) => p.processes)),
      clientsByProcessesSeen: addCounts(parts.map((p) => p.clientsByProcessesSeen)),
      errors: parts.reduce((s, p) => s + p.errors, 0),
      lastErrors: parts.flatMap((p) => p.lastErrors).slice(0, 5),
      firstReceivedAt: firsts.length ? Math.min(...firsts) : null,
      lastReceivedAt: lasts.length ? Math.max(...lasts) : null,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.child.call('close', { group: this.group }, 120_000)));
  }
}

/** Counts keyed by name, added up. */
function addCounts(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const counts of list) for (const [key, n] of Object.entries(counts ?? {})) out[key] = (out[key] ?? 0) + n;
  return out;
}

/** Concurrent connections a server holds for `transport`: feed subscribers, or open poll sockets. */
export async function heldBy(server: Server, transport: TransportId): Promise<number> {
  // A subject that holds no stream for short polls (bare-h2) counts their connections when told the transport.
  const stats = await server.child.call('stats', { instance: server.instance, transport });
  if (server.kind !== 'lab') return stats.subscribers;
  if (transport === 'short-poll') return stats.transports['short-poll'].connectionsOpen;
  return stats.subscribers;
}
