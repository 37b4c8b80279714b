/**
 * The cluster scenario in figures, recomputed by hand: what the Redis hop and
 * nginx add to an idle client's latency, CPU per delivery by part (nginx and
 * redis-server only where they ran), the cores a window kept busy (the publisher
 * left out), N processes against one, and who answered the polls.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterResult } from '../scenarios/cluster.ts';
import { clusterFigures } from './cluster-figures.ts';

const latency = (p50Ms: number, p99Ms: number, count = 10) => ({ count, p50Ms, p99Ms });
const idle = (setup: string, transport: string, l: object) => ({ setup, transport, latency: l });

/** A load run; `parts`: CPU µs per part over a 1,000 ms window, for 1,000 deliveries. */
function loadRun(setup: string, processes: number, labs: number | null, parts?: Record<string, number | null>) {
  return {
    setup,
    processes,
    transport: 'sse',
    clients: 100,
    deliveries: 1000,
    deliveriesExpected: 1000,
    deliveriesPerSecond: 1000,
    offeredDeliveriesPerSecond: 1000,
    latency: { p50Ms: 2, p99Ms: 9 },
    serverCpuMicrosPerDelivery: labs,
    cpuParts: parts && {
      windowMs: 1000,
      tickMicros: 10_000,
      micros: parts,
      microsPerDelivery: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v === null ? null : v / 1000])),
    },
    clientWorkers: { processes: 2, cpuMicros: 500_000, cores: 0.5 },
    clientsByProcess: setup === 'cluster' ? { a: 50, b: 50 } : null,
  };
}

function measured(overrides: Partial<Record<string, unknown>> = {}) {
  return {
    skipped: false,
    processes: 3,
    dataBytes: 64,
    latency: {
      results: [
        idle('memory', 'ws', latency(0.1, 0.5)),
        idle('redis', 'ws', latency(0.35, 1.25)),
        idle('cluster', 'ws', latency(0.6, 2)),
        idle('memory', 'sse', latency(0.2, 0.9)),
        idle('redis', 'sse', latency(9, 9, 0)),
      ],
    },
    load: { runs: [] },
    polls: [],
    problems: [],
    ...overrides,
  } as unknown as ClusterResult;
}

test('not run: null; could not run: skipped, with the reason', () => {
  assert.equal(clusterFigures(undefined, ['ws']), null);
  const skipped = { skipped: true, reason: 'no nginx', processes: 3, problems: [] } as unknown as ClusterResult;
  assert.deepEqual(clusterFigures(skipped, ['ws']), { skipped: true, reason: 'no nginx', processes: 3 });
});

test("latency: each setup's p50 and p99, and what Redis and the cluster add to the in-process feed", () => {
  const figures = clusterFigures(measured(), ['sse', 'ws', 'iframe']);
  assert.ok(figures && !figures.skipped);
  assert.deepEqual(
    figures.latency.map((l) => l.transport),
    ['sse', 'ws'],
    'the transports asked for that were measured, in that order',
  );
  const ws = figures.latency[1];
  assert.deepEqual(ws.p50Ms, { memory: 0.1, redis: 0.35, cluster: 0.6 });
  assert.deepEqual([ws.redisAddedP50Ms, ws.redisAddedP99Ms, ws.clusterAddedP50Ms, ws.clusterAddedP99Ms], [0.25, 0.75, 0.5, 1.5]);
  const sse = figures.latency[0];
  assert.deepEqual(sse.p50Ms, { memory: 0.2, redis: null, cluster: null }, 'a setup with no samples is no figure, not 9');
  assert.deepEqual([sse.redisAddedP50Ms, sse.clusterAddedP99Ms], [null, null]);
});

test('CPU per delivery: the lab alone when clients are direct; lab, nginx and redis-server behind nginx', () => {
  const runs = [
    loadRun('memory', 1, 20, { labs: 20_000, nginx: 7_000, redis: 1_000, publisher: 3_000 }),
    loadRun('cluster', 1, 10, { labs: 10_000, nginx: 8_000, redis: 2_000, publisher: 3_000 }),
    loadRun('cluster', 3, 12, { labs: 12_000, nginx: 8_000, redis: 2_500, publisher: 3_000 }),
    loadRun('cluster', 2, 11, { labs: 11_000, nginx: null, redis: 2_000 }),
  ];
  const figures = clusterFigures(measured({ load: { runs } }), ['sse']);
  assert.ok(figures && !figures.skipped);
  const [direct, one, three, unread] = figures.load;
  assert.deepEqual(
    [direct.nginxCpuMicrosPerDelivery, direct.redisCpuMicrosPerDelivery, direct.totalCpuMicrosPerDelivery],
    [null, null, 20],
    'no nginx or redis-server to count with clients direct, whatever /proc read',
  );
  assert.deepEqual([three.labsCpuMicrosPerDelivery, three.nginxCpuMicrosPerDelivery, three.redisCpuMicrosPerDelivery], [12, 8, 2.5]);
  assert.equal(three.totalCpuMicrosPerDelivery, 22.5);
  assert.equal(three.deliveriesPerCoreSecond, Math.round(1e6 / 22.5));
  assert.equal(three.publisherCpuMicrosPerDelivery, 3);
  assert.equal(three.coresUsed, 0.02, '22,500 µs of the labs, nginx and redis in a 1,000 ms window; the publisher not counted');
  assert.equal(three.labsCpuRatioToOne, 1.2, 'three processes against one, per delivery');
  assert.equal(one.labsCpuRatioToOne, 1);
  assert.equal(direct.labsCpuRatioToOne, null, 'only the cluster setup compares with one process');
  assert.deepEqual([unread.totalCpuMicrosPerDelivery, unread.deliveriesPerCoreSecond], [null, null], 'a part not read: no total');
  assert.equal(three.clientCoresUsed, 0.5);
});

test('polls: who answered, clients answered by every process, gaps counted with the events they skipped', () => {
  const poll = {
    transport: 'short-poll',
    processes: 3,
    clients: 4,
    events: 10,
    processesSeen: 3,
    answersByProcess: { a: 5, b: 4, c: 3 },
    clientsByProcessesSeen: { '2': 1, '3': 3 },
    deliveries: 40,
    deliveriesExpected: 40,
    duplicates: 0,
    gaps: 1,
    gapEvents: 2,
    latency: { p50Ms: 50, p99Ms: 120 },
    ok: true,
  };
  const figures = clusterFigures(measured({ polls: [poll, { ...poll, clientsByProcessesSeen: { '1': 4 } }], problems: ['x'] }), []);
  assert.ok(figures && !figures.skipped);
  assert.deepEqual(
    figures.polls.map((p) => [p.clientsAnsweredByAll, p.gaps]),
    [
      [3, 3],
      [0, 3],
    ],
  );
  assert.deepEqual([figures.ok, figures.problems], [false, ['x']], 'a problem makes the scenario not ok');
  assert.equal(clusterFigures(measured(), [])?.ok, true);
});
