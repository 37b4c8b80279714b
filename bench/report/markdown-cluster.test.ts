/**
 * The cluster's sentences and load table from figures derived by hand-written
 * results: the note under the headline (SSE and WebSocket in each setup, a warning
 * when a promise broke, nothing when the scenario did not run), direct setups
 * with no nginx or Redis cost, and the verdict on N processes against one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABELS } from '../../server/transports/registry.ts';
import type { ClusterResult } from '../scenarios/cluster.ts';
import { clusterFigures } from './cluster-figures.ts';
import { emptyResults } from './fixtures.ts';
import { clusterHeadlineNote, clusterMarkdown } from './markdown-cluster.ts';

const latency = (p50Ms: number) => ({ count: 10, p50Ms, p99Ms: p50Ms * 4 });
const idle = (setup: string, transport: string, p50Ms: number) => ({ setup, transport, latency: latency(p50Ms) });

/** A load run of `transport`: `labs` µs of the lab's CPU per delivery, nginx 5 and Redis 1 behind nginx, over 1 s. */
function loadRun(setup: string, processes: number, transport: string, labs: number) {
  const parts = { labs: labs * 1000, nginx: setup === 'cluster' ? 5000 : null, redis: setup === 'cluster' ? 1000 : null, publisher: 2000 };
  return {
    setup,
    processes,
    transport,
    clients: 100,
    deliveries: 1000,
    deliveriesExpected: 1000,
    deliveriesPerSecond: 1000,
    offeredDeliveriesPerSecond: 1000,
    latency: { p50Ms: 2, p99Ms: 8 },
    serverCpuMicrosPerDelivery: labs,
    cpuParts: {
      windowMs: 1000,
      tickMicros: 10_000,
      micros: parts,
      microsPerDelivery: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v === null ? null : v / 1000])),
    },
    clientWorkers: { processes: 2, cpuMicros: 300_000, cores: 0.3 },
    clientsByProcess: setup === 'cluster' ? { 'lab-1': 34, 'lab-2': 33, 'lab-3': 33 } : null,
  };
}

function results(ok = true) {
  const r = emptyResults(false);
  const raw = {
    skipped: false,
    processes: 3,
    dataBytes: 64,
    cpuTickMicros: 10_000,
    programs: { redis: 'redis-server 7.0', nginx: null },
    latency: {
      results: [idle('memory', 'sse', 0.2), idle('redis', 'sse', 0.45), idle('cluster', 'sse', 0.7), idle('memory', 'ws', 0.1)],
    },
    load: { runs: [loadRun('memory', 1, 'ws', 20), loadRun('cluster', 1, 'ws', 10), loadRun('cluster', 3, 'ws', 12)] },
    polls: [],
    problems: ok ? [] : ['short-poll: a seq came twice'],
  } as unknown as ClusterResult;
  r.scenarios.cluster = raw;
  r.derived.cluster = clusterFigures(raw, ['sse', 'ws']);
  return r;
}

test("the note under the headline: each setup's p50 for SSE and WebSocket, and a warning when a promise broke", () => {
  const note = clusterHeadlineNote(results());
  assert.ok(note.startsWith('\n\nSeveral processes on one feed kept in Redis'), note);
  assert.ok(
    note.includes(`${LABELS.sse} 0.200 ms with the feed in the process, 0.450 ms with it in Redis, 0.700 ms through nginx to 3 processes`),
  );
  assert.ok(note.includes(`${LABELS.ws} 0.100 ms with the feed in the process, n/a ms with it in Redis`), 'a setup not measured');
  assert.doesNotMatch(note, /broken promises/);
  assert.match(clusterHeadlineNote(results(false)), /\*\*The cluster scenario found broken promises: see its section\.\*\*$/);
});

test('no note and no section when the scenario did not run; a skipped one says why', () => {
  const r = emptyResults(false);
  assert.equal(clusterHeadlineNote(r), '');
  assert.equal(clusterMarkdown(r), '');
  r.scenarios.cluster = { skipped: true, reason: 'no redis-server', processes: 3, problems: [] } as never;
  r.derived.cluster = clusterFigures(r.scenarios.cluster, ['ws']);
  assert.equal(clusterHeadlineNote(r), '');
  assert.equal(clusterMarkdown(r), '## Several processes on one Redis feed\n\n**Skipped:** no redis-server');
});

test('the load table: no nginx or Redis cost with clients direct; N processes against one in words', () => {
  const md = clusterMarkdown(results());
  assert.match(md, /### Deliveries and CPU per delivery, 1 and 3 processes/);
  assert.match(md, /redis-server 7\.0; nginx\. \*\*On 2 cores\*\*/, 'the programs as found, a name where none was');
  assert.match(md, /\/proc counts CPU time in ticks of 10 ms/);
  const cells = [
    'one process, feed in memory, direct',
    LABELS.ws,
    '1,000 / 1,000',
    '1,000 (1,000)',
    '2.0',
    '8.0',
    '20.0',
    'none',
    'none',
    '20.0',
  ];
  const direct = `| ${cells.join(' | ')} |`;
  assert.ok(md.includes(direct), md);
  assert.ok(md.includes(`| 3 processes, behind nginx, feed in Redis | ${LABELS.ws} |`));
  assert.ok(
    md.includes('| 1.20x | 0.02 / 0.30 | 2.0 | lab-1 34, lab-2 33, lab-3 33 |'),
    'labs against one process, cores, publisher, spread',
  );
  assert.ok(
    md.includes(
      `${LABELS.ws}: 3 processes cost 18.0 µs per delivery against one process's 16.0 µs ` +
        '(55,556 against 62,500 deliveries per core-second)' +
        ': on this machine more processes buy no throughput',
    ),
    md,
  );
});
