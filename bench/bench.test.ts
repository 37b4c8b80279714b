/**
 * The bench's sanity test: runs `npm run bench -- --quick` for real (one to two
 * minutes) into a scratch folder and checks the shape of what it wrote and the
 * facts that are exact on any machine: WebSocket frames a small event in 2 B
 * (plus a DATA frame header over HTTP/2), SSE frames it at its floor and costs less
 * per event than long polling, no event is lost on any wire, HTTP/2 shrinks
 * Chromium's poll heads (a repeated one below the first), the TLS counters add
 * up (overhead-checks.ts), the libraries, native HTTP/2, loss and cluster figures
 * hold together (cost-, loss- and cluster-checks.ts), the Kaazing arithmetic
 * reproduces the 2010 table, and the quick run left the reference run alone. The
 * *-checks.ts files register their tests here, on this one run. Timing figures are
 * only checked for sanity (ordered percentiles, no negative latency), never against
 * a threshold: CI machines are noisy. Then the results page draws the run in
 * Chromium, at a phone's width and a projector's, with nothing clipped and nothing
 * wider than the screen (results-page-checks.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIGURE_SPECS, buildFigures } from '../server/figures.ts';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { clusterTests } from './cluster-checks.ts';
import { costTests } from './cost-checks.ts';
import { lossTests } from './loss-checks.ts';
import { overheadTests } from './overhead-checks.ts';
import { resultsPageTests } from './results-page-checks.ts';
import { ROOT } from './ipc.ts';
import { parseArgs } from './options.ts';
import { fanoutRuns, latencyResults, rttRuns } from './report/rows.ts';
import type { Results } from './report/schema.ts';
import { WIRE_IDS } from './wires.ts';

// results/runs/tmp/ is ignored by git (.gitignore): a test run never touches the committed results.
const OUT = path.join(ROOT, 'results', 'runs', 'tmp', `bench-test-${process.pid}`);
const QUICK = path.join(OUT, 'quick');
const RESULTS = path.join(ROOT, 'results');

let results: Results;
let exitCode: number | null;
let output = '';

/** The reference run's files as they are: latest.json, summary.md and the run files, hashed. */
function referenceRun(): Record<string, string | null> {
  const hash = (file: string) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null);
  const runs = existsSync(path.join(RESULTS, 'runs')) ? readdirSync(path.join(RESULTS, 'runs')).filter((f) => f.endsWith('.json')) : [];
  return {
    'latest.json': hash(path.join(RESULTS, 'latest.json')),
    'summary.md': hash(path.join(RESULTS, 'summary.md')),
    ...Object.fromEntries(runs.map((f) => [`runs/${f}`, hash(path.join(RESULTS, 'runs', f))])),
  };
}
let referenceBefore: Record<string, string | null>;

before(
  async () => {
    referenceBefore = referenceRun();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--quick', `--out=${OUT}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const latest = path.join(QUICK, 'latest.json');
    assert.ok(existsSync(latest), `the quick run wrote quick/latest.json (exit ${exitCode}):\n${output.slice(-3000)}`);
    results = JSON.parse(readFileSync(latest, 'utf8')) as Results;
  },
  { timeout: 900_000 },
);

after(() => {
  rmSync(OUT, { recursive: true, force: true });
});

const s = () => results.scenarios;

describe('npm run bench -- --quick', () => {
  test('runs to the end and writes one run file, latest.json and the summary, all under quick/', () => {
    assert.equal(exitCode, 0, `the bench exits 0; output:\n${output.slice(-3000)}`);
    assert.deepEqual(results.errors, [], 'no scenario failed');
    const runs = readdirSync(path.join(QUICK, 'runs'));
    assert.deepEqual(runs, [`${results.id}.json`], 'one JSON per run, named by its id');
    assert.match(results.id, /-quick$/, "a quick run's id says so");
    assert.equal(
      readFileSync(path.join(QUICK, 'runs', runs[0]), 'utf8'),
      readFileSync(path.join(QUICK, 'latest.json'), 'utf8'),
      'quick/latest.json is the run',
    );
    const summary = readFileSync(path.join(QUICK, 'summary.md'), 'utf8');
    assert.match(summary, /^# Wirelab bench results \(quick run\)/, 'the summary is Markdown, titled as a quick run');
    assert.match(summary, /\| Transport \| Overhead per event/, 'the summary has the headline table');
    assert.match(summary, /## HTTP\/1\.1 and HTTP\/2 side by side/, 'and the side-by-side section');
    assert.match(summary, /### What TLS costs/, 'and what TLS costs');
    assert.match(
      summary,
      /## Several processes on one Redis feed\n\nThe lab as/,
      'and the cluster section, measured (CI installs redis-server and nginx)',
    );
  });

  test('did not touch the reference run', () => {
    assert.equal(existsSync(path.join(OUT, 'latest.json')), false, 'no latest.json where the reference run lives');
    assert.equal(existsSync(path.join(OUT, 'summary.md')), false, 'no summary.md there either');
    assert.deepEqual(referenceRun(), referenceBefore, 'results/latest.json, summary.md and runs/*.json are byte for byte what they were');
    assert.match(output, /results\/latest\.json is untouched/, 'the bench says where the quick run went');
  });

  test('carries its environment and parameters', () => {
    assert.equal(results.schema, 'wirelab-bench/2', 'schema named');
    assert.equal(results.quick, true, 'marked as a quick run');
    assert.match(results.command, /npm run bench -- --quick/, 'the command that produced it');
    const env = results.environment;
    assert.ok(env.machine.cpuModel && env.machine.cores >= 1 && env.machine.memoryBytes > 0, 'machine: CPU, cores, memory');
    assert.equal(env.node, process.version, 'Node version');
    for (const name of ['fastify', 'ws', 'autocannon', 'chart.js']) assert.ok(env.packages[name], `${name} version`);
    assert.ok('commit' in env.git, 'git commit (null only outside a clone)');
    assert.deepEqual(
      results.parameters,
      parseArgs(['--quick', `--out=${OUT}`]).parameters,
      'the parameters of --quick, as parameters.ts defines them',
    );
    assert.deepEqual(results.parameters.wires, [...WIRE_IDS], 'all three wires');
    assert.ok(['captured', 'committed'].includes(results.browserHeads.source), 'says where the browser heads came from');
    assert.deepEqual(Object.keys(results.labels).sort(), [...TRANSPORT_IDS].sort(), 'labels keyed by the five transport ids');
    assert.deepEqual(Object.keys(results.wireLabels), [...WIRE_IDS], 'wire labels keyed by the wire ids');
    assert.deepEqual(results.transports, [...TRANSPORT_IDS], 'all five transports measured');
    for (const id of results.parameters.scenarios) assert.ok((results.timings[id] ?? 0) > 0, `${id}: its time is recorded`);
  });

  overheadTests(() => results);

  test('latency distributions are whole and ordered, on every wire', () => {
    const distributions = WIRE_IDS.flatMap((wire) => [
      ...latencyResults(s(), wire).map((r) => ({ name: `${wire} idle ${r.transport}`, d: r.latency, expected: r.events })),
      ...fanoutRuns(s(), wire).map((r) => ({
        name: `${wire} fan-out ${r.clients} ${r.transport}`,
        d: r.latency,
        expected: r.deliveriesExpected,
      })),
      ...rttRuns(s(), wire).map((r) => ({ name: `${wire} rtt ${r.rttMs} ${r.transport}`, d: r.latency, expected: r.events })),
    ]);
    for (const wire of WIRE_IDS) {
      assert.equal(latencyResults(s(), wire).length, TRANSPORT_IDS.length, `${wire}: an idle client per transport`);
      assert.equal(
        fanoutRuns(s(), wire).length,
        TRANSPORT_IDS.length * (wire === 'h1' ? results.parameters.fanout.clients : results.parameters.fanout.tlsClients).length,
        `${wire}: a fan-out run per transport and size`,
      );
      assert.equal(
        rttRuns(s(), wire).length,
        TRANSPORT_IDS.length * results.parameters.rtt.rttsMs.length,
        `${wire}: a round-trip run per transport and RTT`,
      );
    }
    for (const { name, d, expected } of distributions) {
      assert.equal(d.count, expected, `${name}: a sample for every delivery`);
      assert.ok(d.minMs <= d.p50Ms && d.p50Ms <= d.p90Ms && d.p90Ms <= d.p99Ms && d.p99Ms <= d.maxMs, `${name}: percentiles in order`);
      assert.ok(d.minMs > -0.5, `${name}: no event received before it was published (clocks agree): min ${d.minMs} ms`);
      const inHistogram = d.histogram.below + d.histogram.counts.reduce((sum, [, count]) => sum + count, 0);
      assert.equal(inHistogram, d.count, `${name}: the histogram holds every sample`);
    }
    for (const wire of WIRE_IDS) {
      for (const run of rttRuns(s(), wire).filter((r) => r.rttMs > 0 && r.transport !== 'short-poll')) {
        assert.ok(
          run.latency.minMs >= run.rttMs / 2 - 1,
          `${wire} rtt ${run.rttMs} ${run.transport}: the proxy delays by half a round trip at least`,
        );
      }
    }
  });

  test('short polling: empty polls counted, latency around half the interval', () => {
    for (const c of s().shortPollGrid!.cells) {
      assert.equal(c.polls, c.pollsWithEvents + c.emptyPolls, `${c.intervalMs} ms x ${c.ratePerSecond}/s: polls = with events + empty`);
      assert.ok(c.latency.count > 0, `${c.intervalMs} ms x ${c.ratePerSecond}/s: latency measured`);
      assert.equal(c.expectedMeanLatencyMs, c.intervalMs / 2, 'the expectation printed beside it is half the interval');
    }
    const fast = s().shortPollGrid!.cells.find(
      (c) =>
        c.intervalMs === Math.min(...results.parameters.shortPollGrid.intervalsMs) &&
        c.ratePerSecond === Math.min(...results.parameters.shortPollGrid.ratesPerSecond),
    )!;
    assert.ok(fast.emptyPolls > 0, 'polling faster than events arrive makes empty polls');
  });

  test('connections, autocannon and the reference subjects report', () => {
    for (const run of s().capacity!.runs) {
      assert.ok(run.steps.length >= 1, `${run.transport}: at least one ramp step`);
      assert.ok(run.maxClientsHeld > 0 || run.stopReason !== 'last step', `${run.transport}: holds clients, or says why not`);
    }
    const a = s().autocannon!;
    assert.ok(a.requests > 0 && a.non2xx === 0, 'autocannon got answers, all 2xx');
    const subjects = s().reference!.runs.map((r) => r.subject);
    assert.deepEqual(subjects, ['lab sse', 'bare node:http sse', 'lab ws', 'bare ws'], 'the lab beside both bare subjects');
    for (const run of s().reference!.runs)
      assert.equal(run.load.deliveries, run.load.deliveriesExpected, `${run.subject}: every delivery arrived`);
  });

  costTests(
    () => results,
    () => readFileSync(path.join(QUICK, 'summary.md'), 'utf8'),
  );
  lossTests(
    () => results,
    () => readFileSync(path.join(QUICK, 'summary.md'), 'utf8'),
  );
  clusterTests(() => results);

  test('the Kaazing arithmetic reproduces the 2010 table in binary megabits, with HTTP/2 polling measured', () => {
    const k = results.derived.kaazing;
    const polling = k.rows.find((r) => r.source === 'kaazing-2010' && r.bytesPerEvent === 871)!;
    const ws = k.rows.find((r) => r.source === 'kaazing-2010' && r.bytesPerEvent === 2)!;
    assert.deepEqual(
      polling.rows.map((b) => Number(b.mbpsBinary.toPrecision(2))),
      [6.6, 66, 660],
      '871 B: 6.6 / 66 / 665 Mbps (binary)',
    );
    assert.deepEqual(
      ws.rows.map((b) => Number(b.mbpsBinary.toFixed(3))),
      [0.015, 0.153, 1.526],
      '2 B: 0.015 / 0.153 / 1.526 Mbps (binary)',
    );
    assert.equal(polling.rows[0].mbpsSI, 6.968, 'and 6.968 Mbps in SI units');
    for (const id of TRANSPORT_IDS)
      assert.equal(k.rows.filter((r) => r.source === 'measured' && r.transport === id).length, 1, `one measured HTTP/1.1 row for ${id}`);
    for (const id of ['short-poll', 'long-poll'] as const) {
      const h1 = k.rows.find((r) => r.source === 'measured' && r.transport === id)!;
      const h2 = k.rows.find((r) => r.source === 'measured-h2' && r.transport === id);
      assert.ok(h2, `a measured HTTP/2 row for ${id}`);
      assert.equal(h2.wire, 'h2', `${id}: the row names its wire`);
      assert.ok(h2.rows[2].mbpsSI < h1.rows[2].mbpsSI, `${id}: 100,000 clients over HTTP/2 cost less than over HTTP/1.1`);
    }
  });

  test("schema 2 keeps the HTTP/1.1 rows where the lessons' figures read them", () => {
    const table = buildFigures(results);
    // The quick grid has no 100 ms x 1/s cell, and the quick capacity ramp has one step, so no step after the last one
    // long polling passed: only those figures may be missing from a quick run.
    const gridOnly = new Set([
      'short-poll.emptyShare100ms1ps',
      'short-poll.overheadBytesPerEvent100ms1ps',
      'long-poll.overBoundClients',
      'long-poll.overBoundP99Ms',
    ]);
    // A figure pinned to a focused run (results/<dir>/) is read from that run, not this one; figures.test checks it there.
    const pinned = new Set(FIGURE_SPECS.filter((spec) => spec.run !== undefined).map((spec) => spec.name));
    const missing = [...table.unavailable.entries()].filter(([name]) => !gridOnly.has(name) && !pinned.has(name));
    assert.deepEqual(missing, [], 'every other figure resolves to exactly one element, as with schema 1');
    for (const h of results.derived.headline)
      assert.equal(
        h.overheadBytesPerEventBrowser,
        h.byWire.h1.overheadBytesPerEventBrowser,
        `${h.transport}: the schema 1 headline fields are HTTP/1.1's`,
      );
  });
});

resultsPageTests({ out: OUT, quick: QUICK, results: RESULTS });
