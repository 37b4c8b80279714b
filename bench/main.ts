/**
 * `npm run bench`: reproduces the lab's numbers on this machine.
 *
 * Every scenario has the same shape: warm up, measure, keep the
 * raw figures; this file runs them in order, then writes one JSON per run with
 * the environment inside, results/latest.json and results/summary.md (a quick run:
 * results/quick/, never over the reference run). The lab server and the clients
 * run in child processes, so that the server is what is measured; everything is
 * started here and stopped here, on loopback only.
 *
 * Headless Chromium, when it runs, plays the browser: its HTTP/1.1 heads are
 * captured first, then its HTTP/2 heads against the lab's TLS port, and it stays
 * up for the overhead scenario's browser profile over HTTP/2.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { LABELS } from '../server/transports/registry.ts';
import { type H2Heads, captureH2Heads, committedH2Heads } from './browser-h2.ts';
import { loadHeads } from './browser-heads.ts';
import { launchChromium } from './chromium.ts';
import { ProcessPool, type Server } from './cluster.ts';
import { environment } from './environment.ts';
import { ROOT } from './ipc.ts';
import { BENCH_ENV } from './lab-server-env.ts';
import { HELP, parseArgs } from './options.ts';
import type { Parameters, ScenarioId } from './parameters.ts';
import { Progress } from './progress.ts';
import { derive } from './report/derive.ts';
import { headlineTable, machineLine, targetsTable } from './report/markdown.ts';
import type { Scenarios } from './report/rows.ts';
import { type Results, SCHEMA } from './report/schema.ts';
import { writeResults } from './report/write.ts';
import { runAutocannon } from './scenarios/autocannon.ts';
import { runCapacity } from './scenarios/capacity.ts';
import { clusterSeconds, runCluster } from './scenarios/cluster.ts';
import { type RunContext, labStats } from './scenarios/context.ts';
import { fanoutSeconds, runFanout } from './scenarios/fanout.ts';
import { h2NativeSeconds, runH2Native, subjectsOf } from './scenarios/h2-native.ts';
import { runLatency } from './scenarios/latency.ts';
import { lossSeconds, runLoss } from './scenarios/loss.ts';
import { librarySeconds, runLibraries } from './scenarios/libraries.ts';
import { groupSeconds, runOverhead } from './scenarios/overhead.ts';
import { runReference } from './scenarios/reference.ts';
import { rttSeconds, runRtt } from './scenarios/rtt.ts';
import { runShortPollGrid } from './scenarios/short-poll-grid.ts';
import { WIRE_LABELS } from './wires.ts';

/** Estimated seconds of the browser captures (HTTP/1.1 and HTTP/2), for the progress bar. */
const BROWSER_SECONDS = 8;

/** Estimated seconds per scenario, for the progress bar only. */
function plan(p: Parameters): Record<ScenarioId, number> {
  const t = p.transports.length;
  const groups = p.wires.flatMap((w) =>
    p.profiles.map((profile) => (w === 'h2' && profile === 'browser' && p.useBrowser ? 'chromium' : 'node') as 'chromium' | 'node'),
  );
  return {
    overhead: p.payloadBytes.length * groups.reduce((sum, client) => sum + groupSeconds(p, client), 0),
    'short-poll': p.shortPollGrid.durationMs / 1000 + 2,
    latency: p.wires.length * t * ((p.latency.events * p.latency.intervalMs) / 1000 + 0.6),
    fanout: p.wires.reduce(
      (sum, w) => sum + (w === 'h1' ? p.fanout.clients : p.fanout.tlsClients).reduce((s2, n) => s2 + t * fanoutSeconds(p, n, w), 0),
      0,
    ),
    rtt: p.rtt.rttsMs.reduce((sum, rtt) => sum + p.wires.length * rttSeconds(p, rtt), 0),
    capacity:
      t * (3 + (p.capacity.steps.length + 1) * 2 + (p.capacity.rampToDescriptorLimit ? 19_000 : Math.max(...p.capacity.steps)) / 3000),
    autocannon: p.autocannon.durationSeconds + 1,
    reference: 4 * (3 + (p.reference.warmupMs + p.reference.durationMs) / 1000 + p.reference.clients / 3000),
    libraries: 40 + 13 * p.libraries.clients.reduce((sum, n) => sum + librarySeconds(p, n), 0),
    'h2-native':
      p.h2Native.transports.reduce((sum, t) => sum + subjectsOf(t).length, 0) *
      p.h2Native.clients.reduce((sum, n) => sum + h2NativeSeconds(p, n), 0),
    cluster: clusterSeconds(p),
    loss: lossSeconds(p),
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
  libraries: { key: 'libraries', run: runLibraries },
  'h2-native': { key: 'h2Native', run: runH2Native },
  cluster: { key: 'cluster', run: runCluster },
  loss: { key: 'loss', run: runLoss },
};

/** `2026-11-21T14-39-26Z-1a2b3c4d`: sortable, safe in a file name, names the commit. */
function runId(startedAt: Date, commit: string | null, quick: boolean): string {
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
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
  const progress = new Progress(params.scenarios.reduce((sum, id) => sum + weights[id], 5 + (params.useBrowser ? BROWSER_SECONDS : 0)));
  const cluster = new ProcessPool();
  let browser: Browser | undefined;
  const closeBrowser = async () => {
    const open = browser;
    browser = undefined;
    await open?.close().catch(() => {});
  };

  // Whatever happens, the children go: a run must stop by itself. The plan is an idle machine's; a shared one
  // takes up to three times as long, so the bound is four times the plan (and never under the old 6 and 15 minutes).
  const plannedSeconds = params.scenarios.reduce((sum, id) => sum + weights[id], 0);
  const limitMs = Math.max((params.quick ? 6 : 15) * 60_000, Math.ceil((4 * plannedSeconds) / 60) * 60_000);
  const watchdog = setTimeout(() => {
    progress.finish(`bench: still running after ${limitMs / 60_000} minutes; stopping`);
    void Promise.all([closeBrowser(), cluster.stopAll()]).finally(() => process.exit(1));
  }, limitMs).unref();
  const interrupt = () => {
    progress.finish('bench: interrupted; stopping the servers, clients and browser it started');
    void Promise.all([closeBrowser(), cluster.stopAll()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const timings: Results['timings'] = {};
  const timed = async <T>(part: keyof Results['timings'], work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings[part] = Math.round((Date.now() - started) / 100) / 10;
    }
  };

  progress.step('starting the lab server and client workers');
  const [lab] = await timed('setup', () => Promise.all([cluster.startServer('lab'), cluster.ensureWorkers(2)]));
  progress.advance(5);

  progress.step(
    params.useBrowser ? "capturing Chromium's request heads, over HTTP/1.1 and over HTTP/2" : 'loading the committed browser profile',
  );
  const captured = await timed('browser', () => browserProfile(params, lab, (b) => (browser = b)));
  const { heads, note, h2Heads } = captured;
  progress.note(`browser heads: ${note} (${heads.browser}); over HTTP/2: ${h2Heads?.note ?? 'none'}`);
  progress.advance(params.useBrowser ? BROWSER_SECONDS : 0);

  const context: RunContext = { cluster, params, heads, progress, lab, browser };
  const scenarios: Scenarios = {};
  const errors: Results['errors'] = [];
  for (const id of params.scenarios) {
    try {
      const result = await timed(id, () => RUNNERS[id].run(context));
      (scenarios as Record<string, unknown>)[RUNNERS[id].key] = result;
      // A scenario that found a broken promise (the cluster's: an event lost, seen twice or out of order)
      // keeps its figures, and the run fails saying why.
      const problems = (result as { problems?: string[] } | undefined)?.problems ?? [];
      if (problems.length) {
        errors.push({
          scenario: id,
          message: `${problems.length} broken promise${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`,
        });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ scenario: id, message });
      progress.note(`bench: scenario ${id} failed: ${message.split('\n')[0]}`);
    }
    // Chromium plays the browser in the overhead scenario only: the later ones get its CPU back.
    if (id === 'overhead') {
      await closeBrowser();
      context.browser = undefined;
    }
  }
  await closeBrowser();
  progress.step('stopping servers and clients');
  const skew = cluster.maxSkewMs;
  await cluster.stopAll();
  clearTimeout(watchdog);

  const finishedAt = new Date();
  const transports = params.transports;
  // Each kind of browser head's size, as the results record it and the derived figures use it.
  const headBytes = Object.fromEntries(
    Object.entries(heads.heads).map(([kind, head]) => [kind, head.bytes]),
  ) as Results['browserHeads']['bytes'];
  const results: Results = {
    schema: SCHEMA,
    id: runId(startedAt, env.git.commit, params.quick),
    command,
    quick: params.quick,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    timings,
    environment: { ...env, clockSkewMaxMs: Number(skew.toFixed(6)) },
    parameters: params,
    labels: LABELS,
    wireLabels: WIRE_LABELS,
    transports,
    serverSettings: BENCH_ENV,
    browserHeads: {
      source: heads.source,
      note,
      browser: heads.browser,
      userAgent: heads.userAgent,
      capturedAt: heads.capturedAt,
      bytes: headBytes,
      heads: heads.heads,
      h2: h2Heads,
    },
    scenarios,
    derived: derive(scenarios, transports, LABELS, { quick: params.quick, h2Heads, h1HeadBytes: headBytes }),
    errors,
  };
  const outDir = path.resolve(ROOT, cli.outDir);
  const written = writeResults(results, outDir);
  const shown = (file: string) => path.relative(process.cwd(), file);
  progress.finish(
    `bench: done in ${results.durationSeconds} s; ` +
      `wrote ${shown(written.runFile)}, ${shown(written.latestFile)}, ${shown(written.summaryFile)}`,
  );
  console.log(`\n${machineLine(results)}\n\n${headlineTable(results)}\n\n${targetsTable(results)}\n`);
  if (params.quick) {
    // Where /results finds it: a path under results/, when the run was written there.
    const underResults = path.relative(path.join(ROOT, 'results'), written.latestFile).split(path.sep).join('/');
    const page = underResults.startsWith('..') ? null : `/results?run=${underResults}`;
    const charts = page ? ` Charts: npm start, then open ${page}; PNG: npm run bench:png -- --run=${underResults}` : '';
    console.log(`A quick run: written apart from the reference run (results/latest.json is untouched), and no target is judged.${charts}`);
  } else {
    console.log('Charts: npm start, then open /results; PNG for slides: npm run bench:png');
  }
  return errors.length ? 1 : 0;
}

/**
 * Chromium's request heads, over HTTP/1.1 and over HTTP/2, captured now when
 * Chromium runs (the browser stays open for the overhead scenario: `keep`), else
 * the committed captures, each with a note saying which.
 */
async function browserProfile(
  params: Parameters,
  lab: Server,
  keep: (browser: Browser) => void,
): Promise<{ heads: Awaited<ReturnType<typeof loadHeads>>['heads']; note: string; h2Heads: (H2Heads & { note: string }) | null }> {
  let browser: Browser | undefined;
  let why = '--no-browser';
  if (params.useBrowser) {
    try {
      browser = await launchChromium(lab.tls?.spkiSha256);
      keep(browser);
    } catch (error) {
      why = `Chromium did not start: ${String(error).split('\n')[0]}`;
    }
  }
  const { heads, note } = await loadHeads(browser, why);
  const committed = (reason: string) => {
    const h2 = committedH2Heads();
    return h2 ? { ...h2, note: `used the committed capture (${reason})` } : null;
  };
  let h2Heads: (H2Heads & { note: string }) | null = null;
  if (!params.wires.includes('h2')) h2Heads = null;
  else if (browser && lab.tls) {
    try {
      const probe = {
        origin: `https://127.0.0.1:${lab.tls.ports.main}`,
        stats: () => labStats(lab),
        publish: async (count: number) => {
          await lab.child.call('publish', { count, intervalMs: 0, dataBytes: params.payloadBytes[0] });
        },
      };
      h2Heads = {
        ...(await captureH2Heads(browser, probe, params.h2Heads.requestsPerKind)),
        note: "measured with headless Chromium against the lab's HTTP/2 port at bench time",
      };
    } catch (error) {
      h2Heads = committed(`Chromium over HTTP/2 failed: ${String(error).split('\n')[0]}`);
    }
  } else h2Heads = committed(why);
  return { heads, note, h2Heads };
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
