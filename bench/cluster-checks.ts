/**
 * The quick run's checks of the cluster scenario (bench.test.ts registers them in its
 * describe, on the run it made): the Redis hop and 1 and N processes behind nginx
 * measured, polls spread over every process, every seq delivered once and in order,
 * the CPU of every part read; never a timing against a threshold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Results } from './report/schema.ts';
import type { ClusterMeasured } from './scenarios/cluster.ts';

/** Registers the test; `results` is read when it runs. */
export function clusterTests(results: () => Results): void {
  const s = () => results().scenarios;
  test('cluster: the Redis hop, 1 and N processes behind nginx, polls spread over every process, every seq once, in order', () => {
    const ran = s().cluster;
    assert.ok(ran, 'the cluster scenario ran');
    if (ran.skipped)
      assert.fail(`redis-server and nginx are there (CI installs them), so the scenario is measured, not skipped: ${ran.reason}`);
    const c: ClusterMeasured = ran;
    assert.deepEqual(c.problems, [], 'no event lost, seen twice or out of order, and polls reached every process');
    const p = results().parameters.cluster;
    const N = p.processes;
    assert.equal(c.processes, N, 'N processes as the parameters say');
    for (const transport of p.latency.transports) {
      for (const setup of ['memory', 'redis', 'cluster'] as const) {
        const r = c.latency.results.find((x) => x.setup === setup && x.transport === transport);
        assert.ok(r, `latency: an idle ${transport} client with the ${setup} setup`);
        const d = r.latency;
        assert.equal(r.received, r.events, `${setup} ${transport}: every event received`);
        assert.equal(d.count, r.events, `${setup} ${transport}: a sample per event`);
        assert.ok(
          d.minMs > -0.5 && d.minMs <= d.p50Ms && d.p50Ms <= d.p99Ms && d.p99Ms <= d.maxMs,
          `${setup} ${transport}: percentiles in order, none before publication`,
        );
        assert.equal(r.duplicates + r.gaps + r.gapEvents, 0, `${setup} ${transport}: every seq once, in order`);
      }
      const servedBy = (setup: 'memory' | 'redis' | 'cluster') =>
        c.latency.results.find((x) => x.setup === setup && x.transport === transport)!.servedBy;
      assert.deepEqual(servedBy('redis'), ['lab-redis'], `${transport}: the Redis-feed process names itself`);
      // A stream stays on the process nginx chose; each poll may land on another.
      const polls = transport === 'short-poll' || transport === 'long-poll';
      assert.ok(
        polls ? servedBy('cluster').length >= 1 : servedBy('cluster').length === 1,
        `${transport}: served by ${servedBy('cluster').join(', ')}`,
      );
      for (const name of servedBy('cluster'))
        assert.match(name, new RegExp(`^lab-[1-${N}]$`), `${transport}: by the processes behind nginx`);
    }
    for (const transport of p.load.transports) {
      const runs = c.load.runs.filter((r) => r.transport === transport);
      assert.deepEqual(
        runs.map((r) => `${r.setup} ${r.processes}`).sort(),
        ['cluster 1', `cluster ${N}`, 'memory 1'].sort(),
        `${transport}: one process in memory, then 1 and N processes behind nginx`,
      );
      for (const run of runs) {
        const name = `load ${run.setup} ${run.processes} ${transport}`;
        assert.equal(run.deliveries, run.deliveriesExpected, `${name}: every delivery arrived`);
        assert.equal(run.duplicates + run.gaps + run.gapEvents, 0, `${name}: every seq once, in order`);
        assert.ok(run.serverCpuMicrosPerDelivery! > 0, `${name}: the lab processes' CPU per delivery measured`);
        assert.ok(run.cpuParts && run.cpuParts.windowMs > 0, `${name}: the window's CPU by part`);
        if (run.setup !== 'cluster') continue;
        for (const part of [...Array.from({ length: run.processes }, (_, i) => `lab-${i + 1}`), 'nginx', 'redis', 'publisher']) {
          assert.ok(typeof run.cpuParts.micros[part] === 'number', `${name}: ${part}'s CPU time read from /proc`);
        }
        const spread: number[] = Object.values(run.clientsByProcess ?? {});
        assert.equal(spread.length, run.processes, `${name}: streams held by each process`);
        assert.equal(
          spread.reduce((a, b) => a + b, 0),
          run.clients,
          `${name}: every client held somewhere`,
        );
        assert.ok(
          spread.every((n) => n > 0),
          `${name}: nginx's round robin gave every process clients (${spread.join(', ')})`,
        );
      }
    }
    assert.deepEqual(
      c.polls.map((r) => r.transport),
      ['short-poll', 'long-poll'],
      'short and long polling spread by nginx',
    );
    for (const run of c.polls) {
      assert.equal(run.processesSeen, N, `${run.transport}: all ${N} processes answered (${JSON.stringify(run.answersByProcess)})`);
      assert.equal(run.deliveries, run.deliveriesExpected, `${run.transport}: every client got every event`);
      assert.equal(
        run.duplicates + run.gaps + run.gapEvents + run.clientsBehind,
        0,
        `${run.transport}: every seq once, in order, to the last`,
      );
      assert.ok(run.ok, `${run.transport}: judged ok`);
    }
    const d = results().derived.cluster;
    assert.ok(d && !d.skipped && d.ok, 'the derived figures say all is well');
    assert.equal(d.latency.length, p.latency.transports.length, 'a latency row per transport');
    for (const row of d.latency)
      assert.ok(row.redisAddedP50Ms !== null && row.clusterAddedP50Ms !== null, `${row.transport}: what Redis and nginx add, computed`);
    for (const row of d.load.filter((x) => x.setup === 'cluster')) {
      assert.ok(
        row.totalCpuMicrosPerDelivery! >= row.labsCpuMicrosPerDelivery!,
        `${row.transport} ${row.processes}: the total includes nginx and Redis`,
      );
      assert.ok(row.coresUsed! > 0, `${row.transport} ${row.processes}: cores busy measured`);
    }
  });
}
