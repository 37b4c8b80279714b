/**
 * `npm run bench`: reproduces the lab's numbers on this machine.
 *
 * Every scenario has the same shape (STYLE.md rule 9): warm up, measure, keep the
 * raw figures; this file runs them in order, then writes one JSON per run with
 * the environment inside, results/latest.json and results/summary.md. The lab
 * server and the clients run in child processes, so that the server is what is
 * measured; everything is started here and stopped here, on loopback only.
 */
import path from 'node:path';
import { LABELS } from '../server/transports/registry.ts';
import { loadHeads } from './browser-heads.ts';
import { Cluster } from './cluster.ts';
import { environment } from './environment.ts';
import { ROOT } from './ipc.ts';
import { BENCH_ENV } from './lab-server-env.ts';
import { HELP, type Parameters, type ScenarioId, parseArgs } from './options.ts';
import { Progress } from './progress.ts';
import { type Results, SCHEMA, type Scenarios, derive, headlineTable, machineLine, targetsTable, writeResults } from './report.ts';
import { runAutocannon } from './scenarios/autocannon.ts';
import { runCapacity } from './scenarios/capacity.ts';
import type { RunContext } from './scenarios/context.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runLatency } from './scenarios/latency.ts';
import { runOverhead } from './scenarios/overhead.ts';
import { runReference } from './scenarios/reference.ts';
import { runRtt } from './scenarios/rtt.ts';
import { runShortPollGrid } from './scenarios/short-poll-grid.ts';

/** Estimated seconds per scenario, for the progress bar only. */
function plan(p: Parameters): Record<ScenarioId, number> {
  const t = p.transports.length;
  return {
    overhead: p.profiles.length * p.payloadBytes.length * ((p.overhead.events * p.overhead.intervalMs) / 1000 + 0.8),
    'short-poll': p.shortPollGrid.durationMs / 1000 + 2,
    latency: t * ((p.latency.events * p.latency.intervalMs) / 1000 + 0.6),
    fanout: p.fanout.clients.reduce((sum, n) => sum + t * ((p.fanout.warmupMs + p.fanout.durationMs) / 1000 + 1 + n / 4000), 0),
    rtt: p.rtt.rttsMs.reduce((sum, rtt) => sum + (p.rtt.events * p.rtt.intervalMs) / 1000 + 1 + (p.rtt.shortPollIntervalMs + 3 * rtt) / 1000, 0),
    capacity: t * (3 + (p.capacity.steps.length + 1) * 2 + (p.capacity.rampToDescriptorLimit ? 19_000 : Math.max(...p.capacity.steps)) / 3000),
    autocannon: p.autocannon.durationSeconds + 1,
    reference: 4 * (3 + (p.reference.warmupMs + p.reference.durationMs) / 1000 + p.reference.clients / 3000),
  };
}

const RUNNERS: Record<ScenarioId, { key: keyof Scenarios; run: (context: RunContext) => Promise<unknown> }> = {
  overhead: { key: 'overhead', run: runOverhead },
  'short-poll': { key: 'shortPollGrid', run: runShortPollGrid },
  latency: { key: 'latency', run: runLatency },
  fanout: { key: 'fanout', run: runFanout },
  rtt: { key: 'rtt', run: runRtt },
  capacity: { key: 'capacity', run: runCapacity },
  autocannon: { key: 'autocannon', run: runAutocannon },
  reference: { key: 'reference', run: runReference },
};

/** `2026-11-21T14-39-26Z-1a2b3c4d`: sortable, safe in a file name, names the commit. */
function runId(startedAt: Date, commit: string | null, quick: boolean): string {
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${stamp}-${commit?.slice(0, 8) ?? 'nogit'}${quick ? '-quick' : ''}`;
}

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (cli.help) {
    console.log(HELP);
    return 0;
  }
  const params = cli.parameters;
  const command = ['npm run bench', ...(cli.argv.length ? ['--', ...cli.argv] : [])].join(' ');
  const startedAt = new Date();
  const env = environment();
  const weights = plan(params);
  const progress = new Progress(params.scenarios.reduce((sum, id) => sum + weights[id], 5));
  const cluster = new Cluster();

  // Whatever happens, the children go: a run must stop by itself.
  const limitMs = (params.quick ? 4 : 15) * 60_000;
  const watchdog = setTimeout(() => {
    progress.finish(`bench: still running after ${limitMs / 60_000} minutes; stopping`);
    void cluster.stopAll().finally(() => process.exit(1));
  }, limitMs).unref();
  const interrupt = () => {
    progress.finish('bench: interrupted; stopping the servers and clients it started');
    void cluster.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  progress.step(params.useBrowser ? 'capturing the browser profile from headless Chromium' : 'loading the committed browser profile');
  const { heads, note } = await loadHeads(params.useBrowser);
  progress.note(`browser heads: ${note} (${heads.browser})`);
  progress.step('starting the lab server and client workers');
  const [lab] = await Promise.all([cluster.startServer('lab'), cluster.ensureWorkers(2)]);
  progress.advance(5);

  const context: RunContext = { cluster, params, heads, progress, lab };
  const scenarios: Scenarios = {};
  const errors: Results['errors'] = [];
  for (const id of params.scenarios) {
    try {
      (scenarios as Record<string, unknown>)[RUNNERS[id].key] = await RUNNERS[id].run(context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ scenario: id, message });
      progress.note(`bench: scenario ${id} failed: ${message.split('\n')[0]}`);
    }
  }
  progress.step('stopping servers and clients');
  const skew = cluster.maxSkewMs;
  await cluster.stopAll();
  clearTimeout(watchdog);

  const finishedAt = new Date();
  const transports = params.transports;
  const results: Results = {
    schema: SCHEMA,
    id: runId(startedAt, env.git.commit, params.quick),
    command,
    quick: params.quick,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    environment: { ...env, clockSkewMaxMs: Number(skew.toFixed(6)) },
    parameters: params,
    labels: LABELS,
    transports,
    serverSettings: BENCH_ENV,
    browserHeads: {
      source: heads.source,
      note,
      browser: heads.browser,
      userAgent: heads.userAgent,
      capturedAt: heads.capturedAt,
      bytes: Object.fromEntries(Object.entries(heads.heads).map(([kind, head]) => [kind, head.bytes])) as Results['browserHeads']['bytes'],
      heads: heads.heads,
    },
    scenarios,
    derived: derive(scenarios, transports, LABELS),
    errors,
  };
  const outDir = path.resolve(ROOT, cli.outDir);
  const written = writeResults(results, outDir);
  progress.finish(`bench: done in ${results.durationSeconds} s; wrote ${path.relative(process.cwd(), written.runFile)}, ${path.relative(process.cwd(), written.latestFile)}, ${path.relative(process.cwd(), written.summaryFile)}`);
  console.log(`\n${machineLine(results)}\n\n${headlineTable(results)}\n\n${targetsTable(results)}\n`);
  console.log('Charts: npm start, then open /results; PNG for slides: npm run bench:png');
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
