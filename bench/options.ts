/**
 * `npm run bench` options: the help text, and the command line read into the
 * parameters of a run (parameters.ts), every value checked with a message for the user.
 */
import { parseArgs as parseCommandLine } from 'node:util';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { LOSS_MECHANISMS, type Parameters, SCENARIOS, defaultParameters } from './parameters.ts';
import { WIRE_IDS, parseWires } from './wires.ts';

export const HELP = `npm run bench -- [options]

Measures the lab's five transports over HTTP/1.1, HTTP/1.1 over TLS and
HTTP/2 on this machine, and the lab as several processes on one feed kept in
Redis behind nginx, and writes results/ (one JSON per run in results/runs/,
results/latest.json, results/summary.md): the reference run that /results
shows and the lessons quote.

  --quick               a smaller run for CI and a first look (1-2 minutes);
                        written to results/quick/ (latest.json, summary.md,
                        runs/), never over the reference run; /results shows it
                        at /results?run=quick/latest.json
  --transports=LIST     comma-separated transport ids (default: all five)
                        ${TRANSPORT_IDS.join(', ')}
  --wires=LIST          protocols for the overhead, latency, fan-out and rtt
                        scenarios (default all three): ${WIRE_IDS.join(', ')}
                        (HTTP/1.1, HTTP/1.1 over TLS, HTTP/2)
  --clients=LIST        fan-out client counts over HTTP/1.1 (default
                        100,1000,5000; quick 200)
  --tls-clients=LIST    fan-out client counts over HTTP/1.1 over TLS and HTTP/2
                        (default 100,1000; quick 200)
  --library-clients=LIST
                        clients of each example server and the lab in the
                        libraries scenario (default 2000,5000; quick 50)
  --h2-clients=LIST     clients of each transport in the native HTTP/2
                        scenario (default 1000,5000; quick 50, SSE and
                        WebSocket only)
  --duration=SECONDS    measuring time of each fan-out, reference, libraries
                        and native HTTP/2 run (default 2, 3, 3, 3; quick about 1)
  --payloads=LIST       event data sizes in bytes (default 16,256,4096; each >= 8)
  --rtts=LIST           simulated round-trip times in ms (default 0,50,150)
  --max-clients=N       ceiling of the connection ramp (default: the server's
                        descriptor limit)
  --processes=N         lab processes behind nginx in the cluster scenario
                        (default 3; compared with one); it needs redis-server
                        and nginx (installed when missing, as root on Debian;
                        else the scenario is reported as skipped)
  --loss-rates=LIST     packet loss rates in percent for the loss scenario
                        (default 0,1,2,5; quick 0,5)
  --loss-mechanism=M    auto (real loss in a network namespace as root on
                        Linux, else the stall proxy), netns or stand-in
  --only=LIST           scenarios to run (default all):
                        ${SCENARIOS.join(', ')}
  --out=DIR             where to write (default results/; a quick run goes to
                        DIR/quick/)
  --no-browser          use the committed Chromium request heads
                        (bench/browser-heads.json, HTTP/1.1 and HTTP/2) instead
                        of capturing them; the browser profile over HTTP/2 is
                        then Node replaying Chromium's header list
  --help                this text

Other commands:
  npm run bench:png     export the results page's charts as PNG (results/charts/;
                        -- --run=quick/latest.json: the quick run's, marked)
  npm run bench:heads   recapture Chromium's request heads into bench/browser-heads.json

Load goes to 127.0.0.0/8 only, in processes the run starts and stops itself.`;

export interface Cli {
  help: boolean;
  outDir: string;
  parameters: Parameters;
  /** The command line as typed, for the results. */
  argv: string[];
}

const list = (raw: string, name: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const value = Number(s);
      if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes numbers separated by commas, got ${JSON.stringify(s)}`);
      return value;
    });

/** The options of `npm run bench` (node:util parseArgs); HELP says what each does. */
const OPTIONS = {
  quick: { type: 'boolean' },
  transports: { type: 'string' },
  wires: { type: 'string' },
  clients: { type: 'string' },
  'tls-clients': { type: 'string' },
  'library-clients': { type: 'string' },
  'h2-clients': { type: 'string' },
  duration: { type: 'string' },
  payloads: { type: 'string' },
  rtts: { type: 'string' },
  'max-clients': { type: 'string' },
  processes: { type: 'string' },
  'loss-rates': { type: 'string' },
  'loss-mechanism': { type: 'string' },
  only: { type: 'string' },
  out: { type: 'string' },
  'no-browser': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** The flags as given; an unknown option, a missing value or a stray argument throws, naming it. */
function readFlags(argv: string[]) {
  try {
    return parseCommandLine({ args: argv, options: OPTIONS }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message} (see --help)`);
  }
}

/** Parses the command line; throws an Error whose message is for the user. */
export function parseArgs(argv: string[]): Cli {
  const flags = readFlags(argv);
  const value = (name: keyof typeof OPTIONS): string | undefined => {
    const v = flags[name];
    return typeof v === 'string' ? v : undefined;
  };

  const p = defaultParameters(flags.quick === true);
  const transports = value('transports');
  if (transports !== undefined) {
    const ids = transports
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids)
      if (!(TRANSPORT_IDS as readonly string[]).includes(id))
        throw new Error(`--transports: unknown transport ${JSON.stringify(id)}; the ids are ${TRANSPORT_IDS.join(', ')}`);
    p.transports = TRANSPORT_IDS.filter((id) => ids.includes(id));
  }
  const wires = value('wires');
  if (wires !== undefined) {
    p.wires = parseWires(wires);
    if (p.wires.length === 0) throw new Error('--wires: name at least one wire');
  }
  const clients = value('clients');
  if (clients !== undefined)
    p.fanout.clients = list(clients, 'clients')
      .map(Math.round)
      .filter((n) => n > 0);
  const tlsClients = value('tls-clients');
  if (tlsClients !== undefined)
    p.fanout.tlsClients = list(tlsClients, 'tls-clients')
      .map(Math.round)
      .filter((n) => n > 0);
  const libraryClients = value('library-clients');
  if (libraryClients !== undefined)
    p.libraries.clients = list(libraryClients, 'library-clients')
      .map(Math.round)
      .filter((n) => n > 0);
  const h2Clients = value('h2-clients');
  if (h2Clients !== undefined)
    p.h2Native.clients = list(h2Clients, 'h2-clients')
      .map(Math.round)
      .filter((n) => n > 0);
  const duration = value('duration');
  if (duration !== undefined) {
    const seconds = Number(duration);
    if (!(seconds > 0 && seconds <= 60)) throw new Error('--duration takes seconds between 0 and 60');
    p.fanout.durationMs = seconds * 1000;
    p.reference.durationMs = seconds * 1000;
    p.libraries.durationMs = seconds * 1000;
    p.h2Native.durationMs = seconds * 1000;
  }
  const payloads = value('payloads');
  if (payloads !== undefined) {
    p.payloadBytes = list(payloads, 'payloads').map(Math.round);
    if (p.payloadBytes.some((n) => n < 8 || n > 1_000_000))
      throw new Error('--payloads: each size must be from 8 to 1000000 bytes (the data is {"t":"..."})');
  }
  const rtts = value('rtts');
  if (rtts !== undefined) p.rtt.rttsMs = list(rtts, 'rtts');
  const max = value('max-clients');
  if (max !== undefined) {
    p.capacity.maxClients = Math.round(Number(max));
    if (!(p.capacity.maxClients > 0)) throw new Error('--max-clients takes a positive number');
    p.capacity.steps = p.capacity.steps.filter((n) => n < p.capacity.maxClients!).concat(p.capacity.maxClients);
    p.capacity.rampToDescriptorLimit = false;
  }
  const processes = value('processes');
  if (processes !== undefined) {
    p.cluster.processes = Number(processes);
    if (!(Number.isInteger(p.cluster.processes) && p.cluster.processes >= 2 && p.cluster.processes <= 16))
      throw new Error('--processes takes a whole number from 2 to 16 (one process is always measured beside them)');
  }
  const lossRates = value('loss-rates');
  if (lossRates !== undefined) {
    p.loss.ratesPercent = list(lossRates, 'loss-rates');
    if (p.loss.ratesPercent.length === 0 || p.loss.ratesPercent.some((r) => r > 50)) {
      throw new Error('--loss-rates: one or more rates from 0 to 50 (percent)');
    }
  }
  const lossMechanism = value('loss-mechanism');
  if (lossMechanism !== undefined) {
    if (!(LOSS_MECHANISMS as readonly string[]).includes(lossMechanism)) {
      throw new Error(`--loss-mechanism: one of ${LOSS_MECHANISMS.join(', ')}, got ${JSON.stringify(lossMechanism)}`);
    }
    p.loss.mechanism = lossMechanism as Parameters['loss']['mechanism'];
  }
  const only = value('only');
  if (only !== undefined) {
    const ids = only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids)
      if (!(SCENARIOS as readonly string[]).includes(id))
        throw new Error(`--only: unknown scenario ${JSON.stringify(id)}; they are ${SCENARIOS.join(', ')}`);
    p.scenarios = SCENARIOS.filter((id) => ids.includes(id));
  }
  if (flags['no-browser']) p.useBrowser = false;
  if (p.transports.length === 0) throw new Error('--transports: name at least one transport');
  // The cluster and native HTTP/2 scenarios measure the transports asked for, among their own.
  p.h2Native.transports = p.h2Native.transports.filter((id) => p.transports.includes(id));
  p.cluster.latency.transports = p.cluster.latency.transports.filter((id) => p.transports.includes(id));
  p.cluster.load.transports = p.cluster.load.transports.filter((id) => p.transports.includes(id));
  return { help: flags.help === true, outDir: value('out') ?? 'results', parameters: p, argv };
}
