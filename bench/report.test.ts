/**
 * The report writer's promises that do not need a run: a quick run never lands on
 * the reference run's files, a quick run judges no target, and schema 2 keeps
 * every HTTP/1.1 row where schema 1 readers (the lessons' figures) find it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LABELS, TRANSPORT_IDS } from '../server/transports/registry.ts';
import { parseArgs } from './options.ts';
import { type Results, SCHEMA, derive, resultsPaths, summaryMarkdown, writeResults } from './report.ts';
import { WIRE_LABELS } from './wires.ts';

/** The smallest Results a writer accepts: no scenario ran. */
function emptyResults(quick: boolean): Results {
  const parameters = parseArgs(quick ? ['--quick'] : []).parameters;
  return {
    schema: SCHEMA,
    id: `2026-01-01T00-00-00Z-test${quick ? '-quick' : ''}`,
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    quick,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    durationSeconds: 1,
    timings: {},
    environment: {
      machine: { cpuModel: 'test', cores: 2, memoryBytes: 2 ** 30, platform: 'linux', osRelease: 'test', arch: 'x64', loadAverage1m: 0 },
      node: process.version, v8: process.versions.v8, packages: {}, lab: '0.0.0', git: { commit: null, ref: null },
      limits: { openFilesPerProcess: null, somaxconn: null, ephemeralPorts: null }, clockSkewMaxMs: 0,
    },
    parameters,
    labels: LABELS,
    wireLabels: WIRE_LABELS,
    transports: [...TRANSPORT_IDS],
    serverSettings: {},
    browserHeads: { source: 'committed', note: 'test', browser: 'none', userAgent: '', capturedAt: '', bytes: {} as Results['browserHeads']['bytes'], heads: {} as Results['browserHeads']['heads'], h2: null },
    scenarios: {},
    derived: derive({}, [...TRANSPORT_IDS], LABELS, { quick, h2Heads: null, h1HeadBytes: null }),
    errors: [],
  };
}

test('a quick run is written under quick/, never over the reference run', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'wirelab-report-'));
  try {
    const quick = writeResults(emptyResults(true), out);
    assert.equal(existsSync(path.join(out, 'latest.json')), false, 'no latest.json at the top: that is the reference run');
    assert.equal(existsSync(path.join(out, 'summary.md')), false, 'no summary.md at the top');
    assert.equal(quick.latestFile, path.join(out, 'quick', 'latest.json'), 'the quick run\'s latest.json is in quick/');
    assert.equal(quick.summaryFile, path.join(out, 'quick', 'summary.md'), 'its summary too');
    assert.equal(path.dirname(quick.runFile), path.join(out, 'quick', 'runs'), 'its run file in quick/runs/');
    assert.match(readFileSync(path.join(out, 'quick', '.gitignore'), 'utf8'), /^\*$/m, 'the quick folder keeps itself out of git');
    assert.match(readFileSync(quick.summaryFile, 'utf8'), /^# Wirelab bench results \(quick run\)/, 'the summary says it is a quick run in its title');

    const full = writeResults(emptyResults(false), out);
    assert.equal(full.latestFile, path.join(out, 'latest.json'), 'a full run is the reference run: latest.json at the top');
    assert.deepEqual(readdirSync(path.join(out, 'quick', 'runs')), ['2026-01-01T00-00-00Z-test-quick.json'], 'the full run did not touch quick/');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the default output of a quick run is results/quick/', () => {
  const root = path.join('somewhere', 'results');
  assert.equal(resultsPaths({ id: 'x', quick: true }, root).latestFile, path.join(root, 'quick', 'latest.json'));
  assert.equal(resultsPaths({ id: 'x', quick: false }, root).latestFile, path.join(root, 'latest.json'));
  assert.equal(parseArgs(['--quick']).outDir, 'results', 'the same --out root: the quick folder is chosen by the writer');
});

test('a quick run judges no target', () => {
  const quick = emptyResults(true);
  assert.ok(quick.derived.targets.length > 5, 'the targets are listed');
  for (const target of quick.derived.targets) {
    assert.equal(target.met, null, `${target.id}: not judged`);
    assert.equal(target.note, 'quick run', `${target.id}: says why`);
  }
  assert.match(summaryMarkdown(quick), /not judged \(quick run\)/, 'the summary says so');
});

test('--wires and --tls-clients are parsed, and nonsense is refused', () => {
  assert.deepEqual(parseArgs(['--wires=h2,h1']).parameters.wires, ['h1', 'h2'], 'known wires, in the canonical order');
  assert.throws(() => parseArgs(['--wires=h3']), /unknown wire "h3"/, 'an unknown wire is named');
  assert.deepEqual(parseArgs(['--tls-clients=50,500']).parameters.fanout.tlsClients, [50, 500], 'the TLS wires\' fan-out');
  assert.deepEqual(parseArgs([]).parameters.wires, ['h1', 'h1-tls', 'h2'], 'all three wires by default');
});

test('a cluster scenario that could not run says so, and why, instead of failing', () => {
  const r = emptyResults(true);
  r.scenarios.cluster = { skipped: true, reason: 'The cluster needs nginx: install it (Debian: sudo apt-get install -y nginx) and run the command again.', processes: 3, problems: [] };
  r.derived = derive(r.scenarios, [...TRANSPORT_IDS], LABELS, { quick: true, h2Heads: null, h1HeadBytes: null });
  assert.deepEqual(r.derived.cluster, { skipped: true, reason: r.scenarios.cluster.reason, processes: 3 }, 'the derived figures carry the reason');
  assert.match(summaryMarkdown(r), /## Several processes on one Redis feed\n\n\*\*Skipped:\*\* The cluster needs nginx/, 'the summary says skipped, and why');
  assert.equal(emptyResults(true).derived.cluster, null, 'a run without the scenario has no cluster figures');
});

test('--processes sets N for the cluster scenario, and nonsense is refused', () => {
  assert.equal(parseArgs([]).parameters.cluster.processes, 3, 'three processes by default');
  assert.equal(parseArgs(['--processes=4']).parameters.cluster.processes, 4, 'as asked');
  assert.throws(() => parseArgs(['--processes=1']), /from 2 to 16/, 'one process is always measured beside N: N is at least 2');
  assert.deepEqual(parseArgs(['--only=cluster']).parameters.scenarios, ['cluster'], '--only=cluster runs it alone');
  assert.deepEqual(parseArgs(['--transports=sse']).parameters.cluster.load.transports, ['sse'], 'the cluster measures only the transports asked for');
});
