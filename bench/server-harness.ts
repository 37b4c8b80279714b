/**
 * What every measured server process shares, the lab and the bare reference
 * subjects alike: how events are published (on a timer inside the server, so that
 * IPC jitter never enters the schedule) and how the process reports its own CPU
 * time, memory and descriptors.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { serve } from './ipc.ts';

/** Prefix of every event's data: `{"t":"` + text + `"}` is exactly `dataBytes` long. */
const DATA_ENVELOPE_BYTES = '{"t":""}'.length;
export const MIN_DATA_BYTES = DATA_ENVELOPE_BYTES;

/** Event data whose JSON is exactly `dataBytes` bytes (ASCII only, so bytes = characters). */
export function benchData(dataBytes: number): { t: string } {
  if (!Number.isInteger(dataBytes) || dataBytes < DATA_ENVELOPE_BYTES)
    throw new RangeError(`payload must be at least ${DATA_ENVELOPE_BYTES} bytes`);
  return { t: 'x'.repeat(dataBytes - DATA_ENVELOPE_BYTES) };
}

export interface Schedule {
  count: number;
  /** Spacing of the events; 0 publishes them all in one turn of the event loop. */
  intervalMs: number;
  dataBytes: number;
  type?: string;
}

export interface ScheduleResult {
  firstSeq: number;
  lastSeq: number;
  /** Publish times (the events' `at`) of the first and last event. */
  firstAt: number;
  lastAt: number;
  /** How late the worst event left against its slot: a busy event loop shows here. */
  maxLateMs: number;
}

const now = () => performance.timeOrigin + performance.now();

type Published = { seq: number; at: number };

/**
 * Publishes `count` events, the k-th at start + k * intervalMs. Slots are fixed in
 * advance, so a late event does not push the next ones later (no drift).
 *
 * A feed whose publish crosses the network (the feed kept in Redis:
 * server/redis/feed.ts) returns a promise: each is awaited before the next
 * slot, so events leave in seq order, and an event's `at` is stamped before its
 * trip, so what the trip costs is part of every latency measured from it. An
 * in-process publish resolves at once: awaiting it yields to no I/O or timer.
 */
export async function runSchedule(
  publish: (type: string, data: unknown) => Published | Promise<Published>,
  schedule: Schedule,
): Promise<ScheduleResult> {
  const data = benchData(schedule.dataBytes);
  const type = schedule.type ?? 'bench';
  const start = now();
  let first: Published | undefined;
  let last: Published | undefined;
  let maxLateMs = 0;
  for (let k = 0; k < schedule.count; k++) {
    const slot = start + k * schedule.intervalMs;
    // A late event still goes in a turn of the event loop of its own, as every event of a
    // live feed does: from Node 24 a chunked response sends the writes of one turn as one
    // chunk, and two events sharing a chunk would pay less framing than one alone.
    if (schedule.intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot - now())));
    const event = await publish(type, data);
    maxLateMs = Math.max(maxLateMs, event.at - slot);
    first ??= event;
    last = event;
  }
  if (!first || !last) throw new RangeError('a schedule publishes at least one event');
  return { firstSeq: first.seq, lastSeq: last.seq, firstAt: first.at, lastAt: last.at, maxLateMs };
}

export interface Usage {
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  openFds: number | null;
  /** The soft limit on open files (RLIMIT_NOFILE): how many sockets this process can ever hold. */
  fdLimit: number | null;
}

/** The soft limit on open files (RLIMIT_NOFILE) of this process, from /proc; null where there is none. */
export function fdLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

/** This process's CPU time so far and its memory now; with `gc`, after a full collection. */
export function usage({ gc = false }: { gc?: boolean } = {}): Usage {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    collect();
    collect();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  let openFds: number | null = null;
  try {
    openFds = readdirSync('/proc/self/fd').length;
  } catch {
    // Not Linux: the descriptor count is only a guard rail, the run goes on without it.
  }
  return {
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    openFds,
    fdLimit: fdLimit(),
  };
}

/** Ends the process on SIGTERM after `close`, and in any case within 3 s. */
export function exitOnSigterm(close: () => Promise<unknown>): void {
  process.on('SIGTERM', () => {
    setTimeout(() => process.exit(0), 3000).unref();
    close().finally(() => process.exit(0));
  });
}

/** What a bare reference subject tells the bench about itself. */
export interface ReferenceSubject<Client> {
  publish: (type: string, data: unknown) => { seq: number; at: number };
  clients: Set<Client>;
  delivered: () => number;
  lastSeq: () => number;
  /** Drops one client at shutdown. */
  drop: (client: Client) => void;
}

/**
 * The part both bare reference subjects share once their server is built: listen on
 * loopback with the lab's backlog, answer the bench's calls, stop on SIGTERM.
 */
export async function serveReference<Client>(server: http.Server, subject: ReferenceSubject<Client>): Promise<void> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
  serve(
    {
      publish: (schedule: Schedule) => runSchedule(subject.publish, schedule),
      stats: () => ({ subscribers: subject.clients.size, eventsDelivered: subject.delivered(), lastSeq: subject.lastSeq() }),
      usage: (options: { gc?: boolean } = {}) => usage(options),
    },
    { port: (server.address() as AddressInfo).port, pid: process.pid },
  );
  exitOnSigterm(async () => {
    for (const client of subject.clients) subject.drop(client);
    await new Promise((resolve) => server.close(resolve));
  });
}
