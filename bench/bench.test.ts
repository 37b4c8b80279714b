/**
 * The bench's sanity test: runs `npm run bench -- --quick` for real (about a
 * minute) into a scratch folder and checks the shape of what it wrote and the
 * facts that are exact on any machine: WebSocket frames a small event in 2 B,
 * SSE frames it at its floor and costs less per event than long polling, no event
 * is lost, the Kaazing arithmetic reproduces the 2010 table. Timing figures are
 * only checked for sanity (ordered percentiles, no negative latency), never
 * against a threshold: CI machines are noisy.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { ROOT } from './ipc.ts';
import { parseArgs } from './options.ts';
import type { Results } from './report.ts';

// results/runs/tmp/ is ignored by git (.gitignore): a test run never touches the committed results.
const OUT = path.join(ROOT, 'results', 'runs', 'tmp', `bench-test-${process.pid}`);

let results: Results;
let exitCode: number | null;
let output = '';

before(async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/main.ts', '--quick', `--out=${OUT}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const latest = path.join(OUT, 'latest.json');
  assert.ok(existsSync(latest), `the quick run wrote latest.json (exit ${exitCode}):\n${output.slice(-3000)}`);
  results = JSON.parse(readFileSync(latest, 'utf8')) as Results;
}, { timeout: 170_000 });

after(() => {
  rmSync(OUT, { recursive: true, force: true });
});

describe('npm run bench -- --quick', () => {
  test('runs to the end and writes one run file, latest.json and the summary', () => {
    assert.equal(exitCode, 0, `the bench exits 0; output:\n${output.slice(-3000)}`);
    assert.deepEqual(results.errors, [], 'no scenario failed');
    const runs = readdirSync(path.join(OUT, 'runs'));
    assert.deepEqual(runs, [`${results.id}.json`], 'one JSON per run, named by its id');
    assert.equal(readFileSync(path.join(OUT, 'runs', runs[0]), 'utf8'), readFileSync(path.join(OUT, 'latest.json'), 'utf8'), 'latest.json is the run');
    const summary = readFileSync(path.join(OUT, 'summary.md'), 'utf8');
    assert.match(summary, /^# Wirelab bench results/, 'the summary is Markdown with a title');
    assert.match(summary, /\| Transport \| Overhead per event/, 'the summary has the headline table');
  });

  test('carries its environment and parameters', () => {
    assert.equal(results.schema, 'wirelab-bench/1', 'schema named');
    assert.equal(results.quick, true, 'marked as a quick run');
    assert.match(results.command, /npm run bench -- --quick/, 'the command that produced it');
    const env = results.environment;
    assert.ok(env.machine.cpuModel && env.machine.cores >= 1 && env.machine.memoryBytes > 0, 'machine: CPU, cores, memory');
    assert.equal(env.node, process.version, 'Node version');
    for (const name of ['fastify', 'ws', 'autocannon', 'chart.js']) assert.ok(env.packages[name], `${name} version`);
    assert.ok('commit' in env.git, 'git commit (null only outside a clone)');
    assert.deepEqual(results.parameters, parseArgs(['--quick', `--out=${OUT}`]).parameters, 'the parameters of --quick, as options.ts defines them');
    assert.ok(['captured', 'committed'].includes(results.browserHeads.source), 'says where the browser heads came from');
    assert.deepEqual(Object.keys(results.labels).sort(), [...TRANSPORT_IDS].sort(), 'labels keyed by the five transport ids');
    assert.deepEqual(results.transports, [...TRANSPORT_IDS], 'all five transports measured');
  });

  test('overhead: every cell measured, nothing lost', () => {
    const cells = results.scenarios.overhead!.cells;
    assert.equal(cells.length, results.parameters.profiles.length * results.parameters.payloadBytes.length * TRANSPORT_IDS.length, 'a cell per profile, payload and transport');
    for (const cell of cells) {
      assert.equal(cell.eventsReceived, cell.eventsPublished, `${cell.profile} ${cell.dataBytes} B ${cell.transport}: every event received`);
      assert.equal(cell.window.eventsDelivered, cell.eventsPublished, `${cell.profile} ${cell.dataBytes} B ${cell.transport}: the server counted each delivery once`);
      assert.ok(cell.perEvent.downPayloadBytes > cell.dataBytes, `${cell.transport}: the payload is the whole event JSON, data included`);
    }
  });

  test('WebSocket frames a small event in 2 B, and sends nothing up', () => {
    const small = Math.min(...results.parameters.payloadBytes);
    for (const profile of results.parameters.profiles) {
      const ws = results.scenarios.overhead!.cells.find((c) => c.transport === 'ws' && c.profile === profile && c.dataBytes === small)!;
      assert.ok(ws.eventJsonBytes <= 125, 'a small event fits the 7-bit length');
      assert.equal(ws.perEvent.downFramingBytes, 2, `${profile}: 2 B of framing per event, server to client`);
      assert.equal(ws.perEvent.downHeadBytes, 0, `${profile}: no HTTP head per event`);
      assert.equal(ws.perEvent.upHeadBytes + ws.perEvent.upFramingBytes, 0, `${profile}: nothing upstream per event`);
      assert.equal(ws.requestsPerEvent * ws.eventsPublished, 1, `${profile}: one request (the upgrade) for all events`);
    }
    assert.equal(results.derived.targets.find((t) => t.id === 'ws-framing')!.met, true, 'the target table says so');
  });

  test('SSE frames at its floor and costs less per event than long polling', () => {
    for (const profile of results.parameters.profiles) {
      for (const dataBytes of results.parameters.payloadBytes) {
        const find = (transport: string) => results.scenarios.overhead!.cells.find((c) => c.transport === transport && c.profile === profile && c.dataBytes === dataBytes)!;
        const sse = find('sse');
        const longPoll = find('long-poll');
        assert.equal(sse.perEvent.downFramingBytes, sse.floorFramingBytes, `${profile} ${dataBytes} B: SSE framing = id/event/data lines + chunk framing`);
        assert.ok(sse.perEvent.overheadBytes < longPoll.perEvent.overheadBytes, `${profile} ${dataBytes} B: SSE ${sse.perEvent.overheadBytes} B < long-poll ${longPoll.perEvent.overheadBytes} B per event`);
        assert.ok(longPoll.perEvent.requests >= 0.99, `${profile} ${dataBytes} B: long polling pays a request per event`);
      }
    }
  });

  test('the browser profile sends Chromium-sized request heads', () => {
    const small = Math.min(...results.parameters.payloadBytes);
    for (const transport of TRANSPORT_IDS) {
      const minimal = results.scenarios.overhead!.cells.find((c) => c.transport === transport && c.profile === 'minimal' && c.dataBytes === small)!;
      const browser = results.scenarios.overhead!.cells.find((c) => c.transport === transport && c.profile === 'browser' && c.dataBytes === small)!;
      const captured = results.browserHeads.bytes[transport];
      assert.ok(browser.requestHeadBytes! > minimal.requestHeadBytes! + 200, `${transport}: browser head ${browser.requestHeadBytes} B > Node's ${minimal.requestHeadBytes} B`);
      // Same header lines as captured; only the path and the port differ.
      assert.ok(Math.abs(browser.requestHeadBytes! - captured) < 60, `${transport}: ${browser.requestHeadBytes} B on the wire, ${captured} B captured`);
    }
  });

  test('latency distributions are whole and ordered', () => {
    const distributions = [
      ...results.scenarios.latency!.results.map((r) => ({ name: `idle ${r.transport}`, d: r.latency, expected: r.events })),
      ...results.scenarios.fanout!.runs.map((r) => ({ name: `fan-out ${r.clients} ${r.transport}`, d: r.latency, expected: r.deliveriesExpected })),
      ...results.scenarios.rtt!.runs.map((r) => ({ name: `rtt ${r.rttMs} ${r.transport}`, d: r.latency, expected: r.events })),
    ];
    for (const { name, d, expected } of distributions) {
      assert.equal(d.count, expected, `${name}: a sample for every delivery`);
      assert.ok(d.minMs <= d.p50Ms && d.p50Ms <= d.p90Ms && d.p90Ms <= d.p99Ms && d.p99Ms <= d.maxMs, `${name}: percentiles in order`);
      assert.ok(d.minMs > -0.5, `${name}: no event received before it was published (clocks agree): min ${d.minMs} ms`);
      const inHistogram = d.histogram.below + d.histogram.counts.reduce((sum, [, count]) => sum + count, 0);
      assert.equal(inHistogram, d.count, `${name}: the histogram holds every sample`);
    }
    for (const run of results.scenarios.rtt!.runs.filter((r) => r.rttMs > 0 && r.transport !== 'short-poll')) {
      assert.ok(run.latency.minMs >= run.rttMs / 2 - 1, `rtt ${run.rttMs} ${run.transport}: the proxy delays by half a round trip at least`);
    }
  });

  test('short polling: empty polls counted, latency around half the interval', () => {
    for (const cell of results.scenarios.shortPollGrid!.cells) {
      assert.equal(cell.polls, cell.pollsWithEvents + cell.emptyPolls, `${cell.intervalMs} ms x ${cell.ratePerSecond}/s: polls = with events + empty`);
      assert.ok(cell.latency.count > 0, `${cell.intervalMs} ms x ${cell.ratePerSecond}/s: latency measured`);
      assert.equal(cell.expectedMeanLatencyMs, cell.intervalMs / 2, 'the expectation printed beside it is half the interval');
    }
    const fast = results.scenarios.shortPollGrid!.cells.find((c) => c.intervalMs === Math.min(...results.parameters.shortPollGrid.intervalsMs) && c.ratePerSecond === Math.min(...results.parameters.shortPollGrid.ratesPerSecond))!;
    assert.ok(fast.emptyPolls > 0, 'polling faster than events arrive makes empty polls');
  });

  test('connections, autocannon and the reference subjects report', () => {
    for (const run of results.scenarios.capacity!.runs) {
      assert.ok(run.steps.length >= 1, `${run.transport}: at least one ramp step`);
      assert.ok(run.maxClientsHeld > 0 || run.stopReason !== 'last step', `${run.transport}: holds clients, or says why not`);
    }
    const a = results.scenarios.autocannon!;
    assert.ok(a.requests > 0 && a.non2xx === 0, 'autocannon got answers, all 2xx');
    const subjects = results.scenarios.reference!.runs.map((r) => r.subject);
    assert.deepEqual(subjects, ['lab sse', 'bare node:http sse', 'lab ws', 'bare ws'], 'the lab beside both bare subjects');
    for (const run of results.scenarios.reference!.runs) assert.equal(run.load.deliveries, run.load.deliveriesExpected, `${run.subject}: every delivery arrived`);
  });

  test('the results page draws every chart from this run, and bench:png exports them', async () => {
    // The page reads any run under results/ by its path (?run=...): this run, not the committed one.
    const run = path.relative(path.join(ROOT, 'results'), path.join(OUT, 'latest.json')).split(path.sep).join('/');
    const charts = path.join(OUT, 'charts');
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/export-png.ts', `--run=${run}`, `--out=${charts}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, `bench:png exits 0 (the page drew without a problem):\n${text.slice(-2000)}`);
    const files = readdirSync(charts).filter((f) => f.endsWith('.png'));
    for (const chart of ['overhead', 'latency-idle', 'latency-fanout', 'connections-held', 'kaazing', 'framework']) {
      assert.ok(files.some((f) => f.startsWith(chart)), `a ${chart} chart among ${files.join(', ')}`);
    }
    for (const file of files) {
      const bytes = readFileSync(path.join(charts, file));
      assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
      assert.ok(bytes.length > 10_000, `${file} has a drawing in it (${bytes.length} B)`);
    }
  });

  test('the Kaazing arithmetic reproduces the 2010 table in binary megabits', () => {
    const k = results.derived.kaazing;
    const polling = k.rows.find((r) => r.source === 'kaazing-2010' && r.bytesPerEvent === 871)!;
    const ws = k.rows.find((r) => r.source === 'kaazing-2010' && r.bytesPerEvent === 2)!;
    assert.deepEqual(polling.rows.map((b) => Number(b.mbpsBinary.toPrecision(2))), [6.6, 66, 660], '871 B: 6.6 / 66 / 665 Mbps (binary)');
    assert.deepEqual(ws.rows.map((b) => Number(b.mbpsBinary.toFixed(3))), [0.015, 0.153, 1.526], '2 B: 0.015 / 0.153 / 1.526 Mbps (binary)');
    assert.equal(polling.rows[0].mbpsSI, 6.968, 'and 6.968 Mbps in SI units');
    for (const id of TRANSPORT_IDS) assert.ok(k.rows.some((r) => r.transport === id), `a measured row for ${id}`);
  });
});
