/**
 * The cluster scenario in figures: per transport, the idle latency of each setup
 * and what the Redis hop (and nginx with N processes) add to it; per load run,
 * CPU per delivery by part and the cores it took; per poll run, who answered.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { ClusterLoadRun, ClusterMeasured, ClusterResult, ClusterSetup } from '../scenarios/cluster.ts';
import type { Distribution } from '../stats-math.ts';
import { ratio, round } from './rows.ts';

/** The cluster scenario's setups, in the order the report and the page show them. */
export const CLUSTER_SETUPS = ['memory', 'redis', 'cluster'] as const;

const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 3));

/** One idle client per transport in each setup, and what Redis and nginx add. */
function latencyFigures(c: ClusterMeasured, transports: TransportId[]) {
  const idle = (setup: ClusterSetup, transport: TransportId) =>
    c.latency.results.find((r) => r.setup === setup && r.transport === transport);
  const bySetup = (transport: TransportId, pick: (d: Distribution) => number) =>
    Object.fromEntries(
      CLUSTER_SETUPS.map((setup) => {
        const r = idle(setup, transport);
        return [setup, r?.latency.count ? pick(r.latency) : null];
      }),
    ) as Record<ClusterSetup, number | null>;
  return transports
    .filter((t) => c.latency.results.some((r) => r.transport === t))
    .map((transport) => {
      const p50Ms = bySetup(transport, (d) => d.p50Ms);
      const p99Ms = bySetup(transport, (d) => d.p99Ms);
      return {
        transport,
        p50Ms,
        p99Ms,
        /** What the Redis hop adds: the Redis feed's figure less the in-process feed's (one process, clients direct). */
        redisAddedP50Ms: minus(p50Ms.redis, p50Ms.memory),
        redisAddedP99Ms: minus(p99Ms.redis, p99Ms.memory),
        /** What a deployment adds: N processes behind nginx on the Redis feed, less the in-process feed. */
        clusterAddedP50Ms: minus(p50Ms.cluster, p50Ms.memory),
        clusterAddedP99Ms: minus(p99Ms.cluster, p99Ms.memory),
      };
    });
}

/** One load run: deliveries, latency, CPU per delivery by part and the cores it kept busy. */
function loadFigures(c: ClusterMeasured, run: ClusterLoadRun) {
  const per = run.cpuParts?.microsPerDelivery ?? null;
  const direct = run.setup !== 'cluster';
  const labs = run.serverCpuMicrosPerDelivery;
  // One process, clients direct: there is no nginx and no redis-server to count (null), and the total is the lab's.
  const nginx = direct ? null : (per?.nginx ?? null);
  const redis = direct ? null : (per?.redis ?? null);
  const total = labs === null || (!direct && (nginx === null || redis === null)) ? null : round(labs + (nginx ?? 0) + (redis ?? 0), 2);
  const one = c.load.runs.find((r) => r.setup === 'cluster' && r.processes === 1 && r.transport === run.transport);
  // Cores busy over the window: the CPU time of the parts in the total over the window's wall time.
  const micros = run.cpuParts
    ? Object.entries(run.cpuParts.micros)
        .filter(([part]) => part !== 'publisher')
        .reduce<number>((sum, [, v]) => sum + (v ?? 0), 0)
    : null;
  return {
    setup: run.setup,
    processes: run.processes,
    transport: run.transport,
    clients: run.clients,
    deliveries: run.deliveries,
    deliveriesExpected: run.deliveriesExpected,
    deliveriesPerSecond: run.deliveriesPerSecond,
    offeredDeliveriesPerSecond: run.offeredDeliveriesPerSecond,
    p50Ms: run.latency.p50Ms,
    p99Ms: run.latency.p99Ms,
    /**
     * µs of CPU per delivery: the lab processes summed, nginx (master and workers), redis-server
     * (null: none in this setup), and the three added.
     */
    labsCpuMicrosPerDelivery: labs,
    nginxCpuMicrosPerDelivery: nginx,
    redisCpuMicrosPerDelivery: redis,
    totalCpuMicrosPerDelivery: total,
    publisherCpuMicrosPerDelivery: per ? (per.publisher ?? null) : null,
    /** Deliveries one core could make at this cost (1 s / total CPU per delivery): throughput as capacity, not as load offered. */
    deliveriesPerCoreSecond: total ? Math.round(1e6 / total) : null,
    /** Cores the lab processes, nginx and redis-server kept busy over the window (the publisher and the clients not counted). */
    coresUsed: micros !== null && run.cpuParts && run.cpuParts.windowMs > 0 ? round(micros / 1000 / run.cpuParts.windowMs, 2) : null,
    /** Cores the client workers kept busy over the window: what the servers could not have. */
    clientCoresUsed: run.clientWorkers?.cores ?? null,
    /** The lab processes' CPU per delivery against one process behind nginx (1.0: N processes cost the same per delivery). */
    labsCpuRatioToOne: run.setup === 'cluster' && one ? ratio(labs, one.serverCpuMicrosPerDelivery, 2) : null,
    clientsByProcess: run.clientsByProcess,
  };
}

/** Short and long polling through nginx: which processes answered, and whether every seq came once, in order. */
function pollFigures(c: ClusterMeasured) {
  return c.polls.map((run) => ({
    transport: run.transport,
    processes: run.processes,
    clients: run.clients,
    events: run.events,
    processesSeen: run.processesSeen,
    answersByProcess: run.answersByProcess,
    /** Clients whose polls every one of the N processes answered at least once. */
    clientsAnsweredByAll: run.clientsByProcessesSeen[String(c.processes)] ?? 0,
    deliveries: run.deliveries,
    deliveriesExpected: run.deliveriesExpected,
    duplicates: run.duplicates,
    gaps: run.gaps + run.gapEvents,
    p50Ms: run.latency.p50Ms,
    p99Ms: run.latency.p99Ms,
    ok: run.ok,
  }));
}

/** null when the scenario did not run; `{ skipped, reason }` when it could not. */
export function clusterFigures(c: ClusterResult | undefined, transports: TransportId[]) {
  if (!c) return null;
  if (c.skipped) return { skipped: true as const, reason: c.reason, processes: c.processes };
  return {
    skipped: false as const,
    processes: c.processes,
    dataBytes: c.dataBytes,
    latency: latencyFigures(c, transports),
    load: c.load.runs.map((run) => loadFigures(c, run)),
    polls: pollFigures(c),
    problems: c.problems,
    ok: c.problems.length === 0,
  };
}
