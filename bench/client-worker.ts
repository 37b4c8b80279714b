/**
 * A client process: it opens many clients of one transport through the lab's own
 * drivers (server/clients/), and records, for every event each client receives, the
 * delivery latency (receipt minus the event's `at`).
 *
 * Clients live in processes of their own so that the server is what the bench
 * measures, and in several of them because one process may hold only 20,000
 * descriptors. Clients are grouped: a group is one transport's
 * clients in one scenario, recorded and closed together.
 */
import http from 'node:http';
import https from 'node:https';
import { DRIVERS } from '../server/clients/index.ts';
import socketIo from '../server/clients/socket-io.ts';
import type { Connection } from '../server/clients/common.ts';
import type { TransportId } from '../server/transports/registry.ts';
import { clockOffsetMs, serve } from './ipc.ts';

export interface OpenArgs {
  group: string;
  transport: TransportId;
  count: number;
  /** http:// for plain HTTP/1.1, https:// for TLS (bench/wires.ts). */
  baseUrl: string;
  /** `h2`: one HTTP/2 connection per client; default HTTP/1.1. */
  protocol?: 'h1' | 'h2';
  /** The lab's certificate (PEM), for https. */
  ca?: string;
  /** Cursor to start from (the server's lastSeq), so that polls know where "now" is. */
  since?: number;
  intervalMs?: number;
  timeoutMs?: number;
  /** Request headers every client sends (the browser profile); the drivers add their own. */
  headers?: Record<string, string>;
  /** Source addresses, used in turn, `clientsPerAddress` clients each. */
  addresses?: string[];
  clientsPerAddress?: number;
  /** Short polls start at a random moment in [0, intervalMs): real clients are not in step. */
  stagger?: boolean;
  /** Connections being set up at once, so that a ramp does not flood the listen backlog. */
  concurrency?: number;
  /**
   * Count which process answered each response (`x-wirelab-process`, or the first
   * message of a WebSocket in a cluster): the cluster scenario checks that polls
   * through nginx land on every process.
   */
  trackProcesses?: boolean;
  /** WebSocket clients that read Socket.IO's packets (the Socket.IO example server): server/clients/socket-io.ts. */
  socketIo?: boolean;
}

interface Client {
  connection: Connection;
  agent?: http.Agent;
  open: boolean;
  lastSeq: number;
  received: number;
  /** Receipt time of the last read that carried events: events sharing it came in one response or chunk. */
  lastReadAt: number;
  /** The processes that answered this client (trackProcesses only). */
  processes?: Set<string>;
}

interface Group {
  args: OpenArgs;
  clients: Client[];
  samples: number[];
  /** Events at or below a seq the client already had: delivered twice, or out of order. */
  duplicates: number;
  /** Jumps past the next seq (events the client never got), and `gap` events the lab sent to say so. */
  gaps: number;
  gapEvents: number;
  /** Responses (and WebSockets) per process that answered them (trackProcesses only). */
  processes: Record<string, number>;
  errors: number;
  lastErrors: string[];
  firstReceivedAt: number;
  lastReceivedAt: number;
  received: number;
  /** Reads (poll answers, stream chunks, frames) that carried at least one recorded event. */
  batches: number;
  /** When each of those reads happened, on the server's clock. */
  batchTimes: number[];
  /**
   * Events with seq >= fromSeq count; correctionMs puts receipt times on the
   * server's clock. Per group: a scenario that leaves recording on must not make
   * the next scenario's warm-up count.
   */
  recording?: { fromSeq: number; correctionMs: number };
}

const groups = new Map<string, Group>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(args: OpenArgs): Promise<{ opened: number }> {
  const group: Group = groups.get(args.group) ?? {
    args,
    clients: [],
    samples: [],
    duplicates: 0,
    gaps: 0,
    gapEvents: 0,
    processes: {},
    errors: 0,
    lastErrors: [],
    firstReceivedAt: Infinity,
    lastReceivedAt: -Infinity,
    received: 0,
    batches: 0,
    batchTimes: [],
  };
  groups.set(args.group, group);
  const driver = args.socketIo && args.transport === 'ws' ? socketIo : DRIVERS[args.transport];
  const perAddress = args.clientsPerAddress ?? 50;
  const concurrency = args.concurrency ?? 200;
  const isPoll = args.transport === 'short-poll' || args.transport === 'long-poll';
  let pending = 0;
  for (let i = 0; i < args.count; i++) {
    const index = group.clients.length;
    const localAddress = args.addresses?.length ? args.addresses[Math.floor(index / perAddress) % args.addresses.length] : undefined;
    const client: Client = {
      connection: undefined as unknown as Connection,
      open: false,
      lastSeq: args.since ?? 0,
      received: 0,
      lastReadAt: NaN,
      ...(args.trackProcesses ? { processes: new Set<string>() } : {}),
    };
    /** Counts one answer (a response, a socket) by the process that gave it. */
    const answeredBy = (name: unknown) => {
      if (typeof name !== 'string' || !client.processes) return;
      group.processes[name] = (group.processes[name] ?? 0) + 1;
      client.processes.add(name);
    };
    let counted = false;
    const settle = () => {
      if (!counted) {
        counted = true;
        pending--;
      }
    };
    pending++;
    // One connection per client, as each browser tab has its own. (WebSocket makes its
    // own; over HTTP/2 the driver holds one session per client instead of an agent.)
    if (args.transport !== 'ws' && args.protocol !== 'h2') {
      client.agent = args.baseUrl.startsWith('https:')
        ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(args.ca ? { ca: args.ca } : { rejectUnauthorized: false }) })
        : new http.Agent({ keepAlive: true, maxSockets: 1 });
    }
    const start = () => {
      client.connection = driver({
        baseUrl: args.baseUrl,
        protocol: args.protocol,
        ca: args.ca,
        since: args.since,
        intervalMs: args.intervalMs,
        timeoutMs: args.timeoutMs,
        headers: args.headers,
        localAddress,
        agent: client.agent,
        onState: (state, detail) => {
          if (state === 'open') {
            client.open = true;
            // A poll loop says "open" before its first request: count it as set up at once.
            settle();
          } else if (state === 'waiting') {
            client.open = false;
            group.errors++;
            if (group.lastErrors.length < 5) group.lastErrors.push(String(detail));
            settle();
          } else if (state === 'closed') {
            client.open = false;
          }
        },
        ...(args.trackProcesses
          ? {
              onHeaders: (headers: Record<string, unknown>) => answeredBy(headers['x-wirelab-process']),
              // A WebSocket's 101 comes from ws, not from the lab's hooks: the socket's first message names the process.
              onMessage: (message: unknown) => {
                const m = message as { type?: unknown; process?: unknown };
                if (m && m.type === 'process') answeredBy(m.process);
              },
            }
          : {}),
        onEvent: (event, receivedAt) => {
          if (event.type === 'gap') group.gapEvents++;
          const started = client.received > 0 || args.since !== undefined;
          if (event.seq <= client.lastSeq && started) group.duplicates++;
          // The next event is lastSeq + 1; more is a hole (counted only once the start is known: `since`, or a first event).
          else if (event.seq > client.lastSeq + 1 && started) group.gaps++;
          client.lastSeq = Math.max(client.lastSeq, event.seq);
          client.received++;
          const { recording } = group;
          if (recording && event.seq >= recording.fromSeq) {
            const at = receivedAt - recording.correctionMs;
            group.samples.push(at - event.at);
            group.received++;
            if (receivedAt !== client.lastReadAt) {
              group.batches++;
              group.batchTimes.push(at);
            }
            client.lastReadAt = receivedAt;
            if (at < group.firstReceivedAt) group.firstReceivedAt = at;
            if (at > group.lastReceivedAt) group.lastReceivedAt = at;
          }
        },
      });
    };
    group.clients.push(client);
    if (isPoll && args.stagger && args.intervalMs) {
      // The client counts from now; its first request goes out a random part of an interval later.
      settle();
      let cancelled = false;
      const timer = setTimeout(() => {
        if (!cancelled) start();
      }, Math.random() * args.intervalMs);
      client.connection = {
        id: args.transport,
        lastSeq: undefined,
        close: async () => {
          cancelled = true;
          clearTimeout(timer);
        },
      };
    } else {
      start();
    }
    while (pending >= concurrency) await sleep(1);
    if (isPoll && i % 100 === 99) await sleep(2);
  }
  const deadline = Date.now() + 30_000;
  while (pending > 0 && Date.now() < deadline) await sleep(5);
  return { opened: group.clients.length };
}

/** How many clients were answered by 1, 2, ... distinct processes (trackProcesses only). */
function distinctProcesses(g: Group): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of g.clients) if (c.processes) out[c.processes.size] = (out[c.processes.size] ?? 0) + 1;
  return out;
}

function status({ group }: { group: string }) {
  const g = groups.get(group);
  if (!g) return { clients: 0, open: 0, errors: 0, lastErrors: [] };
  return { clients: g.clients.length, open: g.clients.filter((c) => c.open).length, errors: g.errors, lastErrors: g.lastErrors };
}

/** Waits until every client of `group` has seen `seq`, or `timeoutMs` passed; says how many have not. */
async function waitFor({ group, seq, timeoutMs }: { group: string; seq: number; timeoutMs: number }) {
  const g = groups.get(group);
  if (!g) return { behind: 0 };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const behind = g.clients.filter((c) => c.lastSeq < seq).length;
    if (behind === 0 || Date.now() > deadline) return { behind };
    await sleep(10);
  }
}

/** Hands over `group`'s samples since the last collect, as a typed array, and starts afresh. */
function collect({ group }: { group: string }) {
  const g = groups.get(group);
  if (!g)
    return {
      samples: new Float64Array(0),
      received: 0,
      batches: 0,
      batchTimes: new Float64Array(0),
      duplicates: 0,
      gaps: 0,
      gapEvents: 0,
      processes: {},
      clientsByProcessesSeen: {},
      errors: 0,
      lastErrors: [],
      clients: 0,
      firstReceivedAt: null,
      lastReceivedAt: null,
      minReceivedPerClient: 0,
    };
  const out = {
    samples: Float64Array.from(g.samples),
    received: g.received,
    batches: g.batches,
    batchTimes: Float64Array.from(g.batchTimes),
    duplicates: g.duplicates,
    gaps: g.gaps,
    gapEvents: g.gapEvents,
    processes: { ...g.processes },
    clientsByProcessesSeen: distinctProcesses(g),
    errors: g.errors,
    lastErrors: g.lastErrors,
    clients: g.clients.length,
    firstReceivedAt: Number.isFinite(g.firstReceivedAt) ? g.firstReceivedAt : null,
    lastReceivedAt: Number.isFinite(g.lastReceivedAt) ? g.lastReceivedAt : null,
  };
  g.samples = [];
  g.received = 0;
  g.batches = 0;
  g.batchTimes = [];
  g.firstReceivedAt = Infinity;
  g.lastReceivedAt = -Infinity;
  return out;
}

async function close({ group }: { group: string }) {
  const g = groups.get(group);
  if (!g) return { closed: 0 };
  groups.delete(group);
  await Promise.all(g.clients.map((c) => c.connection.close().catch(() => {})));
  // A poll client between polls holds an idle keep-alive socket in its agent.
  for (const c of g.clients) c.agent?.destroy();
  return { closed: g.clients.length };
}

serve(
  {
    open,
    status,
    waitFor,
    collect,
    close,
    record: ({ group, recording }: { group: string; recording: { fromSeq: number; correctionMs: number } | null }) => {
      const g = groups.get(group);
      if (g) g.recording = recording ?? undefined;
    },
    clock: () => ({ offsetMs: clockOffsetMs() }),
  },
  { pid: process.pid },
);
