/**
 * Several lab processes on one feed kept in Redis (server/cluster/): what the
 * Redis hop adds to a delivery, what nginx and N processes add on top, what a
 * delivery costs in CPU with 1 and N processes, and whether polling spread over
 * every process by nginx's round robin (no sticky session) still sees every seq
 * once, in order. All over plain HTTP/1.1, on loopback.
 *
 * Three ways to run the lab, one run, one machine:
 *
 *   memory   one bench lab process (bench/lab-server.ts), its feed in memory, clients direct;
 *   redis    the same process with FEED_STORE=redis://... (its own redis-server), clients direct:
 *            only the Redis hop differs (publish runs the Lua script, the event comes
 *            back through the process's blocking XREAD and its mirror);
 *   cluster  `npm run cluster`'s launcher (startCluster): a redis-server, 1 or N lab
 *            processes (`npm start`'s own server/main.ts) and nginx in front, round
 *            robin; clients go to nginx. The lab processes take no orders from the
 *            bench: a child of the bench (bench/cluster-agent.ts) publishes into
 *            the cluster's Redis with the lab's own RedisFeedSource, reads each
 *            process's /stats and their CPU time from /proc.
 *
 * Latency is `at` (stamped by the publishing process before its trip to Redis)
 * to receipt, in a client worker, with the clocks' offsets subtracted as
 * everywhere in the bench. CPU per delivery: the lab processes' CPU time summed,
 * nginx's and redis-server's apart, over the measured window. On a 2-core machine
 * N lab processes, Redis, nginx and the client workers all share the two cores:
 * compare the ratios, not the absolute throughput.
 *
 * A client that saw a seq twice, out of order, or skipped one (or got a `gap`
 * event) is a broken promise of the lab: the scenario lists it in `problems`,
 * which the bench reports as a failure (bench/main.ts).
 */
import { ensureProgram } from '../../server/programs.ts';
import { type RedisServer, startRedis } from '../../server/redis/redis-server.ts';
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, type Server, heldBy, poll, sleep } from '../cluster.ts';
import { BENCH_ENV } from '../lab-server-env.ts';
import { cpuOfAll } from '../proc-cpu.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { CLUSTER_LAB_ENV, type Deployment, deploy, programVersion, undeploy } from './cluster-deploy.ts';
import type { RunContext } from './context.ts';
import { type LoadRun, connectMany, disconnect, measureLoad } from './fanout.ts';

/** How the lab runs in a measurement (see the top of this file). */
export type ClusterSetup = 'memory' | 'redis' | 'cluster';

/** What clients should never see, counted over a client's whole life (bench/client-worker.ts). */
export interface Integrity {
  duplicates: number;
  gaps: number;
  gapEvents: number;
  /** Clients that had not received the last event when the wait ended. */
  clientsBehind: number;
}

export interface ClusterLatency extends Integrity {
  setup: ClusterSetup;
  processes: number;
  transport: TransportId;
  events: number;
  received: number;
  latency: Distribution;
  /** The process nginx sent the client to (cluster only), from x-wirelab-process or a WebSocket's first message. */
  servedBy: string[];
}

export interface ClusterLoadRun extends LoadRun {
  setup: ClusterSetup;
  processes: number;
  /** Streams each lab process held when measuring started (cluster only): nginx's round robin. */
  clientsByProcess: Record<string, number> | null;
  /** Deliveries each lab process made in the window (cluster only). */
  deliveriesByProcess: Record<string, number> | null;
  /** The client workers' CPU time over the window (/proc), and the cores that makes: they share the machine with the servers. */
  clientWorkers: { processes: number; cpuMicros: number | null; cores: number | null };
}

export interface ClusterPollRun extends Integrity {
  transport: 'short-poll' | 'long-poll';
  processes: number;
  clients: number;
  events: number;
  intervalMs: number;
  shortPollIntervalMs: number;
  deliveriesExpected: number;
  deliveries: number;
  clientErrors: number;
  clientErrorSamples: string[];
  /** Answers (polls) per process that gave them, from x-wirelab-process. */
  answersByProcess: Record<string, number>;
  /** Distinct processes that answered. */
  processesSeen: number;
  /** Clients by how many distinct processes answered them ("3": answered by three). */
  clientsByProcessesSeen: Record<string, number>;
  latency: Distribution;
  /** Every client saw every seq once, in order, and was answered by more than one process. */
  ok: boolean;
}

export interface ClusterMeasured {
  skipped: false;
  /** N: the lab processes behind nginx (one process is measured beside them). */
  processes: number;
  dataBytes: number;
  /** The settings every lab process ran with, beside the ones the launcher sets (FEED_STORE, PORT, ...). */
  labSettings: Record<string, string>;
  /** redis-server's and nginx's own version lines. */
  programs: { redis: string | null; nginx: string | null };
  /** Clock tick of /proc's CPU times, in µs: the resolution of the cluster's CPU figures. */
  cpuTickMicros: number | null;
  latency: { intervalMs: number; warmupEvents: number; shortPollIntervalMs: number; rounds: number; results: ClusterLatency[] };
  load: { ratePerSecond: number; clients: number; runs: ClusterLoadRun[] };
  polls: ClusterPollRun[];
  /** Broken promises found (duplicates, gaps, lost events, polls stuck on one process): empty when all is well. */
  problems: string[];
}

export type ClusterResult = ClusterMeasured | { skipped: true; reason: string; processes: number; problems: string[] };

/** Estimated seconds of the scenario, for the progress bar. */
export function clusterSeconds(p: { cluster: RunContext['params']['cluster']; transports: TransportId[] }): number {
  const c = p.cluster;
  const latency = c.latency.transports.length * 3 * ((c.latency.events + c.latency.warmupEvents) * c.latency.intervalMs / 1000 + 0.5);
  const load = c.load.transports.length * 3 * ((c.load.warmupMs + c.load.durationMs) / 1000 + 1 + c.load.clients / 2000);
  const polls = p.transports.filter((t) => t === 'short-poll' || t === 'long-poll').length * (c.polls.events * c.polls.intervalMs / 1000 + 1);
  return 6 + latency + load + polls;
}

/** Runs the whole scenario; never throws for a missing redis-server or nginx (it says skipped, and why). */
export async function runCluster(context: RunContext): Promise<ClusterResult> {
  const { params, progress } = context;
  const c = params.cluster;
  const N = c.processes;
  try {
    // Both programs first (installed here when missing, as root on Debian): a machine without them skips, not fails.
    ensureProgram('redis-server', 'redis-server');
    ensureProgram('nginx', 'nginx');
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    progress.note(`cluster: skipped: ${reason}`);
    return { skipped: true, reason, processes: N, problems: [] };
  }

  const dataBytes = params.payloadBytes[0];
  const bufferSize = Number(BENCH_ENV.BUFFER_SIZE);
  const out: ClusterMeasured = {
    skipped: false,
    processes: N,
    dataBytes,
    labSettings: CLUSTER_LAB_ENV,
    programs: { redis: programVersion('redis-server', ['--version']), nginx: programVersion('nginx', ['-v']) },
    cpuTickMicros: null,
    latency: { intervalMs: c.latency.intervalMs, warmupEvents: c.latency.warmupEvents, shortPollIntervalMs: c.latency.shortPollIntervalMs, rounds: c.latency.rounds, results: [] },
    load: { ratePerSecond: c.load.ratePerSecond, clients: c.load.clients, runs: [] },
    polls: [],
    problems: [],
  };

  let redis: RedisServer | undefined;
  const killRedis = () => redis?.killNow();
  let memory: Server | undefined;
  let viaRedis: Server | undefined;
  let many: Deployment | undefined;
  let one: Deployment | undefined;
  try {
    progress.step(`cluster: starting a redis-server, two lab processes (feed in memory, feed in Redis), and two clusters behind nginx (${N} processes, 1 process)`);
    // Everything at once: the start is the slowest part of a quick run. An idle cluster costs the others next to nothing.
    const started = await Promise.allSettled([startRedis(), deploy(context, N, bufferSize), deploy(context, 1, bufferSize)] as const);
    // Whatever did start is the finally's to stop, even when another part failed.
    if (started[0].status === 'fulfilled') redis = started[0].value;
    if (started[1].status === 'fulfilled') many = started[1].value;
    if (started[2].status === 'fulfilled') one = started[2].value;
    // startCluster kills what it started if this process exits without closing it; this Redis is ours to kill.
    process.on('exit', killRedis);
    const failed = started.find((x) => x.status === 'rejected');
    if (failed) throw failed.reason;
    if (!redis || !many || !one) throw new Error('cluster: a part did not start');
    out.cpuTickMicros = many.tickMicros;
    [memory, viaRedis] = await Promise.all([
      context.cluster.startServer('lab', { TLS_PORT: 'off' }),
      context.cluster.startServer('lab', { TLS_PORT: 'off', FEED_STORE: redis.url, PROCESS_NAME: 'lab-redis' }),
    ]);
    progress.advance(6);

    // Latency: one idle client in each setup, the setups taking turns, so that a burst of noise on a shared machine hits all three alike.
    const setups: LatencySetup[] = [
      { setup: 'memory', server: memory, processes: 1 },
      { setup: 'redis', server: viaRedis, processes: 1 },
      { setup: 'cluster', server: many.server, processes: N },
    ];
    for (const transport of c.latency.transports) {
      progress.step(`cluster latency: one idle ${transport} client with the feed in memory, in Redis, and behind nginx (${N} processes), ${c.latency.events} events each, ${c.latency.intervalMs} ms apart, in ${c.latency.rounds} turns`);
      for (const result of await idleClients(context, setups, transport, dataBytes)) {
        out.latency.results.push(result);
        checkIntegrity(out.problems, `latency, ${result.setup}, ${transport}`, result, result.events, result.received);
      }
      progress.advance(3 * ((c.latency.events + c.latency.warmupEvents) * c.latency.intervalMs / 1000 + 0.5));
    }

    // Polls through nginx, N processes, no sticky session.
    for (const transport of (['short-poll', 'long-poll'] as const).filter((t) => params.transports.includes(t))) {
      progress.step(`cluster polls: ${c.polls.clients} ${transport} clients through nginx to ${N} processes, ${c.polls.events} events ${c.polls.intervalMs} ms apart`);
      const run = await pollSpread(context, many, N, transport, dataBytes);
      out.polls.push(run);
      checkIntegrity(out.problems, `polls, ${transport}`, run, run.deliveriesExpected, run.deliveries);
      if (run.processesSeen < Math.min(N, 2)) out.problems.push(`polls, ${transport}: only ${run.processesSeen} of ${N} processes answered (${JSON.stringify(run.answersByProcess)}): nginx did not spread the polls`);
      progress.advance(c.polls.events * c.polls.intervalMs / 1000 + 1);
    }

    // Load: the same clients and schedule on one process with its feed in memory (direct), then through
    // nginx to 1 and to N processes, one transport at a time, so that the three runs compared are close in time.
    for (const transport of c.load.transports) {
      for (const [setup, server, processes] of [['memory', memory, 1], ['cluster', one.server, 1], ['cluster', many.server, N]] as const) {
        progress.step(`cluster load: ${c.load.clients} ${transport} clients, ${c.load.ratePerSecond} events/s, ${setup === 'cluster' ? `${processes} process${processes > 1 ? 'es' : ''} behind nginx` : 'one process, feed in memory'}`);
        const run = await loadRun(context, setup, server, processes, transport, dataBytes);
        out.load.runs.push(run);
        checkIntegrity(out.problems, `load, ${setup === 'cluster' ? `${processes} behind nginx` : setup}, ${transport}`, { duplicates: run.duplicates, gaps: run.gaps, gapEvents: run.gapEvents, clientsBehind: run.clientsBehind }, run.deliveriesExpected, run.deliveries);
        progress.advance((c.load.warmupMs + c.load.durationMs) / 1000 + 1 + c.load.clients / 2000);
      }
    }
  } finally {
    if (memory) await context.cluster.stopServer(memory);
    if (viaRedis) await context.cluster.stopServer(viaRedis);
    await undeploy(many).catch(() => {});
    await undeploy(one).catch(() => {});
    await redis?.close().catch(() => {});
    process.off('exit', killRedis);
  }
  if (out.problems.length) progress.note(`CLUSTER: ${out.problems.length} BROKEN PROMISE${out.problems.length > 1 ? 'S' : ''}: ${out.problems.join('; ')}`);
  return out;
}

/** Adds to `problems` what a run's clients saw that they should not have (and events that never came). */
function checkIntegrity(problems: string[], what: string, i: Integrity, expected: number, received: number): void {
  const found: string[] = [];
  if (i.duplicates) found.push(`${i.duplicates} events seen twice or out of order`);
  if (i.gaps) found.push(`${i.gaps} holes in the seqs`);
  if (i.gapEvents) found.push(`${i.gapEvents} gap events`);
  if (received !== expected) found.push(`${received} of ${expected} deliveries`);
  if (i.clientsBehind) found.push(`${i.clientsBehind} clients behind at the end`);
  if (found.length) problems.push(`${what}: ${found.join(', ')}`);
}

interface LatencySetup {
  setup: ClusterSetup;
  server: Server;
  processes: number;
}

/**
 * One idle client of `transport` in each setup, all connected at once (a connection
 * that hears nothing costs nothing): each warms up, then the setups take turns, a
 * share of the events each, so that every setup is measured across the same stretch
 * of time. Publish to receipt.
 */
async function idleClients(context: RunContext, setups: LatencySetup[], transport: TransportId, dataBytes: number): Promise<ClusterLatency[]> {
  const { events, intervalMs, warmupEvents, shortPollIntervalMs, rounds } = context.params.cluster.latency;
  const sets: { s: LatencySetup; set: ClientSet; behind: number }[] = [];
  try {
    for (const s of setups) {
      const { lastSeq } = await s.server.child.call('stats', { instance: s.server.instance });
      sets.push({ s, set: await context.cluster.open(s.server, transport, 1, { workers: 1, since: lastSeq, intervalMs: shortPollIntervalMs, trackProcesses: s.setup !== 'memory' }), behind: 0 });
    }
    for (const { s, set } of sets) {
      await poll(() => heldBy(s.server, transport), (n) => n >= 1, 10_000);
      // The first events of a connection pay for JIT compilation and lazy setup.
      const warm = await s.server.child.call('publish', { count: warmupEvents, intervalMs, dataBytes });
      await set.waitFor(warm.lastSeq, 5000);
      await set.record(warm.lastSeq + 1);
    }
    const perRound = Math.ceil(events / rounds);
    for (let round = 0; round * perRound < events; round++) {
      for (const entry of sets) {
        const published = await entry.s.server.child.call('publish', { count: Math.min(perRound, events - round * perRound), intervalMs, dataBytes });
        entry.behind = (await entry.set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs)).behind;
      }
    }
    const out: ClusterLatency[] = [];
    for (const { s, set, behind } of sets) {
      const collected = await set.collect();
      await set.record(null);
      out.push({
        setup: s.setup,
        processes: s.processes,
        transport,
        events,
        received: collected.received,
        duplicates: collected.duplicates,
        gaps: collected.gaps,
        gapEvents: collected.gapEvents,
        clientsBehind: behind,
        latency: distribution(collected.samples),
        servedBy: Object.keys(collected.processes).sort(),
      });
    }
    return out;
  } finally {
    await Promise.all(sets.map(({ set }) => set.close()));
  }
}

/** `clients` streaming clients at the load's rate: fanout.ts's measurement, with the cluster's spread and CPU by part. */
async function loadRun(context: RunContext, setup: ClusterSetup, server: Server, processes: number, transport: TransportId, dataBytes: number): Promise<ClusterLoadRun> {
  const { clients, ratePerSecond, warmupMs, durationMs } = context.params.cluster.load;
  const shortPollIntervalMs = 1000;
  const { set, connectSeconds } = await connectMany(context, server, transport, clients, shortPollIntervalMs);
  try {
    const perProcess = async () => ((await server.child.call('stats')).processes ?? null) as { name: string; subscribers: number; transports: Record<string, { eventsDelivered: number }> }[] | null;
    const before = setup === 'cluster' ? await perProcess() : null;
    // The client workers' CPU over the same window: on a small machine they compete with the servers for the cores.
    const pids = set.workers.map((w) => w.child.process.pid).filter((pid): pid is number => pid !== undefined);
    const clients: { cpu: (number | null)[]; at: number[] } = { cpu: [], at: [] };
    const onWindow = () => {
      clients.cpu.push(cpuOfAll(pids));
      clients.at.push(performance.now());
    };
    const run = await measureLoad({ subject: setup === 'cluster' ? `${processes} behind nginx` : 'memory', server, set, transport, ratePerSecond, warmupMs, durationMs, dataBytes, shortPollIntervalMs, connectSeconds, cpuParts: true, onWindow });
    const after = setup === 'cluster' ? await perProcess() : null;
    const [cpu0, cpu1] = clients.cpu;
    const clientMicros = cpu0 == null || cpu1 == null ? null : cpu1 - cpu0;
    const clientMs = clients.at[1] - clients.at[0];
    return {
      ...run,
      setup,
      processes,
      clientWorkers: { processes: pids.length, cpuMicros: clientMicros, cores: clientMicros === null || !(clientMs > 0) ? null : Number((clientMicros / 1000 / clientMs).toFixed(2)) },
      clientsByProcess: before ? Object.fromEntries(before.map((p) => [p.name, p.subscribers])) : null,
      // The window and its warm-up: what each process delivered while the clients listened.
      deliveriesByProcess: before && after ? Object.fromEntries(after.map((p, i) => [p.name, (p.transports[transport]?.eventsDelivered ?? 0) - (before[i].transports[transport]?.eventsDelivered ?? 0)])) : null,
    };
  } finally {
    await disconnect(server, set, transport);
  }
}

/**
 * Short or long polling through nginx to N processes: each poll may land on any
 * process, so a client's cursor travels from one process's mirror to another's.
 * Counts who answered, and checks every client got every seq once, in order.
 */
async function pollSpread(context: RunContext, d: Deployment, processes: number, transport: 'short-poll' | 'long-poll', dataBytes: number): Promise<ClusterPollRun> {
  const { clients, events, intervalMs, shortPollIntervalMs } = context.params.cluster.polls;
  const { server } = d;
  const { lastSeq } = await server.child.call('stats');
  const set = await context.cluster.open(server, transport, clients, { since: lastSeq, intervalMs: shortPollIntervalMs, stagger: true, trackProcesses: true });
  try {
    // Every client has started polling: short polls within an interval; long polls once they are held.
    if (transport === 'long-poll') await poll(() => heldBy(server, transport), (n) => n >= clients, 10_000, 50);
    else await sleep(shortPollIntervalMs * 1.5);
    await set.record(lastSeq + 1);
    const published = await server.child.call('publish', { count: events, intervalMs, dataBytes }, 60_000);
    const wait = await set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs);
    const collected = await set.collect();
    await set.record(null);
    const deliveriesExpected = events * clients;
    const run: ClusterPollRun = {
      transport,
      processes,
      clients,
      events,
      intervalMs,
      shortPollIntervalMs,
      deliveriesExpected,
      deliveries: collected.received,
      duplicates: collected.duplicates,
      gaps: collected.gaps,
      gapEvents: collected.gapEvents,
      clientsBehind: wait.behind,
      clientErrors: collected.errors,
      clientErrorSamples: collected.lastErrors,
      answersByProcess: collected.processes,
      processesSeen: Object.keys(collected.processes).length,
      clientsByProcessesSeen: collected.clientsByProcessesSeen,
      latency: distribution(collected.samples, 0),
      ok: false,
    };
    run.ok = run.duplicates === 0 && run.gaps === 0 && run.gapEvents === 0 && run.clientsBehind === 0 && run.deliveries === deliveriesExpected && run.processesSeen >= Math.min(processes, 2);
    return run;
  } finally {
    await set.close();
  }
}

