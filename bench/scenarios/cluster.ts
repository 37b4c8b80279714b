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
import type { Server } from '../cluster.ts';
import { BENCH_ENV } from '../lab-server-env.ts';
import { CLUSTER_LAB_ENV, type Deployment, deploy, programVersion, undeploy } from './cluster-deploy.ts';
import {
  type ClusterLatency,
  type ClusterLoadRun,
  type ClusterPollRun,
  type ClusterSetup,
  type Integrity,
  type LatencySetup,
  idleClients,
  loadRun,
  pollSpread,
} from './cluster-runs.ts';
import type { RunContext } from './context.ts';

// The result types the report reads from here (bench/report/): each is defined beside the run that makes it.
export type { ClusterLoadRun, ClusterSetup };

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
  const latency = c.latency.transports.length * 3 * (((c.latency.events + c.latency.warmupEvents) * c.latency.intervalMs) / 1000 + 0.5);
  const load = c.load.transports.length * 3 * ((c.load.warmupMs + c.load.durationMs) / 1000 + 1 + c.load.clients / 2000);
  const polls =
    p.transports.filter((t) => t === 'short-poll' || t === 'long-poll').length * ((c.polls.events * c.polls.intervalMs) / 1000 + 1);
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
    latency: {
      intervalMs: c.latency.intervalMs,
      warmupEvents: c.latency.warmupEvents,
      shortPollIntervalMs: c.latency.shortPollIntervalMs,
      rounds: c.latency.rounds,
      results: [],
    },
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
    progress.step(
      'cluster: starting a redis-server, two lab processes (feed in memory, feed in Redis), ' +
        `and two clusters behind nginx (${N} processes, 1 process)`,
    );
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
      progress.step(
        `cluster latency: one idle ${transport} client with the feed in memory, in Redis, and behind nginx (${N} processes), ` +
          `${c.latency.events} events each, ${c.latency.intervalMs} ms apart, in ${c.latency.rounds} turns`,
      );
      for (const result of await idleClients(context, setups, transport, dataBytes)) {
        out.latency.results.push(result);
        checkIntegrity(out.problems, `latency, ${result.setup}, ${transport}`, result, result.events, result.received);
      }
      progress.advance(3 * (((c.latency.events + c.latency.warmupEvents) * c.latency.intervalMs) / 1000 + 0.5));
    }

    // Polls through nginx, N processes, no sticky session.
    for (const transport of (['short-poll', 'long-poll'] as const).filter((t) => params.transports.includes(t))) {
      progress.step(
        `cluster polls: ${c.polls.clients} ${transport} clients through nginx to ${N} processes, ` +
          `${c.polls.events} events ${c.polls.intervalMs} ms apart`,
      );
      const run = await pollSpread(context, many, N, transport, dataBytes);
      out.polls.push(run);
      checkIntegrity(out.problems, `polls, ${transport}`, run, run.deliveriesExpected, run.deliveries);
      if (run.processesSeen < Math.min(N, 2))
        out.problems.push(
          `polls, ${transport}: only ${run.processesSeen} of ${N} processes answered ` +
            `(${JSON.stringify(run.answersByProcess)}): nginx did not spread the polls`,
        );
      progress.advance((c.polls.events * c.polls.intervalMs) / 1000 + 1);
    }

    // Load: the same clients and schedule on one process with its feed in memory (direct), then through
    // nginx to 1 and to N processes, one transport at a time, so that the three runs compared are close in time.
    for (const transport of c.load.transports) {
      for (const [setup, server, processes] of [
        ['memory', memory, 1],
        ['cluster', one.server, 1],
        ['cluster', many.server, N],
      ] as const) {
        progress.step(
          `cluster load: ${c.load.clients} ${transport} clients, ${c.load.ratePerSecond} events/s, ` +
            (setup === 'cluster' ? `${processes} process${processes > 1 ? 'es' : ''} behind nginx` : 'one process, feed in memory'),
        );
        const run = await loadRun(context, setup, server, processes, transport, dataBytes);
        out.load.runs.push(run);
        checkIntegrity(
          out.problems,
          `load, ${setup === 'cluster' ? `${processes} behind nginx` : setup}, ${transport}`,
          { duplicates: run.duplicates, gaps: run.gaps, gapEvents: run.gapEvents, clientsBehind: run.clientsBehind },
          run.deliveriesExpected,
          run.deliveries,
        );
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
  if (out.problems.length)
    progress.note(`CLUSTER: ${out.problems.length} BROKEN PROMISE${out.problems.length > 1 ? 'S' : ''}: ${out.problems.join('; ')}`);
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
