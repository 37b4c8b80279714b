/**
 * `npm run bench` options and the parameters of a run.
 *
 * Every number a scenario uses is here, in one object that is written into the
 * results JSON as `parameters`: a reader can rerun exactly what produced a figure.
 * `--quick` is the same run, smaller, for CI and a first look (about a minute).
 */
import { parseArgs as parseCommandLine } from 'node:util';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import { WIRE_IDS, type WireId, parseWires } from './wires.ts';

export const SCENARIOS = [
  'overhead', 'short-poll', 'latency', 'fanout', 'rtt', 'capacity', 'autocannon', 'reference', 'libraries', 'h2-native', 'cluster', 'loss',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export type Profile = 'minimal' | 'browser';

/** How the loss scenario loses packets: real loss in a namespace where it can (auto), or always one way. */
export const LOSS_MECHANISMS = ['auto', 'netns', 'stand-in'] as const;

export interface Parameters {
  quick: boolean;
  transports: TransportId[];
  /**
   * The protocols the overhead, latency, fan-out and round-trip scenarios run over
   * (bench/wires.ts): HTTP/1.1, HTTP/1.1 over TLS, HTTP/2. The other scenarios
   * (short-poll grid, capacity, autocannon, reference) run over plain HTTP/1.1.
   */
  wires: WireId[];
  scenarios: ScenarioId[];
  /** Sizes of each event's `data` JSON, in bytes (the whole event JSON adds seq, epoch, type and at). */
  payloadBytes: number[];
  profiles: Profile[];
  useBrowser: boolean;
  /** Chromium's request heads over HTTP/2: requests of each kind on one connection (a first one, then repeated). */
  h2Heads: { requestsPerKind: number };
  overhead: { events: number; intervalMs: number };
  shortPollGrid: { intervalsMs: number[]; ratesPerSecond: number[]; clientsPerCell: number; durationMs: number };
  latency: { events: number; intervalMs: number; warmupEvents: number; shortPollIntervalMs: number };
  /**
   * `clients` over plain HTTP/1.1; `tlsClients` over the TLS wires (HTTP/1.1 over TLS,
   * HTTP/2), where every client also costs a TLS handshake: 5,000 of them take the two
   * cores a minute per transport, so the TLS wires stop lower and are compared with
   * HTTP/1.1 at the largest count all wires ran.
   */
  fanout: { clients: number[]; tlsClients: number[]; ratePerSecond: number; warmupMs: number; durationMs: number; shortPollIntervalMs: number };
  rtt: { rttsMs: number[]; events: number; intervalMs: number; shortPollIntervalMs: number };
  /** The ramp: `steps`, then (with rampToDescriptorLimit) as many clients as the server's descriptors allow. */
  capacity: { steps: number[]; rampToDescriptorLimit: boolean; maxClients: number | null; latencyBoundMs: number; probeEvents: number; probeIntervalMs: number; shortPollIntervalMs: number };
  autocannon: { connections: number; durationSeconds: number };
  reference: { clients: number; ratePerSecond: number; warmupMs: number; durationMs: number; singleClientEvents: number };
  /**
   * What a library costs (scenarios/libraries.ts): each example server of lessons/servers and
   * the lab, one idle client (`idleEvents`), then `clients` at `ratePerSecond`, over plain
   * HTTP/1.1; the checker runs against each first, its heartbeat cases waiting `checkHeartbeatMs`.
   */
  libraries: { clients: number[]; ratePerSecond: number; warmupMs: number; durationMs: number; idleEvents: number; checkHeartbeatMs: number };
  /**
   * HTTP/2 as Node serves it natively (bench/reference/bare-h2.ts) beside the lab's HTTP/2,
   * HTTP/1.1 over TLS and plain HTTP/1.1 (scenarios/h2-native.ts), `clients` of each transport.
   */
  h2Native: { clients: number[]; transports: TransportId[]; ratePerSecond: number; warmupMs: number; durationMs: number; shortPollIntervalMs: number };
  /**
   * Several lab processes on one feed kept in Redis (bench/scenarios/cluster.ts), over
   * plain HTTP/1.1: `processes` behind nginx (the deployment), beside one process.
   * `latency`: one idle client per transport, in-process feed against Redis feed (one
   * process each, clients direct), and through nginx to `processes`. `load`: `clients`
   * streaming clients at `ratePerSecond`, on one process with its feed in memory, then
   * through nginx to 1 and to `processes` processes. `polls`: short and long polling
   * through nginx, every client checked for every seq once, in order.
   */
  /**
   * Head-of-line blocking (scenarios/loss.ts): the five transports over HTTP/1.1 over TLS
   * (a connection each) and over HTTP/2 (one connection) at each of `ratesPercent`,
   * `events` events `intervalMs` apart; `mechanism` (LOSS_MECHANISMS); the stand-in's
   * stall per lost segment and its seed.
   */
  loss: {
    ratesPercent: number[];
    events: number;
    intervalMs: number;
    shortPollIntervalMs: number;
    stallMs: number;
    seed: number;
    mechanism: (typeof LOSS_MECHANISMS)[number];
  };
  cluster: {
    processes: number;
    /** `events` per setup, in `rounds` turns taken by the setups in order (a burst of noise hits all three alike). */
    latency: { transports: TransportId[]; events: number; rounds: number; intervalMs: number; warmupEvents: number; shortPollIntervalMs: number };
    load: { transports: TransportId[]; clients: number; ratePerSecond: number; warmupMs: number; durationMs: number };
    polls: { clients: number; events: number; intervalMs: number; shortPollIntervalMs: number };
  };
}

function defaults(quick: boolean): Parameters {
  return {
    quick,
    transports: [...TRANSPORT_IDS],
    wires: [...WIRE_IDS],
    scenarios: [...SCENARIOS],
    payloadBytes: [16, 256, 4096],
    profiles: ['minimal', 'browser'],
    useBrowser: true,
    h2Heads: { requestsPerKind: quick ? 4 : 10 },
    overhead: quick ? { events: 20, intervalMs: 25 } : { events: 40, intervalMs: 50 },
    shortPollGrid: quick
      ? { intervalsMs: [100, 500], ratesPerSecond: [2, 10], clientsPerCell: 5, durationMs: 2000 }
      : { intervalsMs: [100, 300, 1000], ratesPerSecond: [1, 5, 25], clientsPerCell: 10, durationMs: 8000 },
    latency: quick ? { events: 50, intervalMs: 10, warmupEvents: 10, shortPollIntervalMs: 100 } : { events: 200, intervalMs: 10, warmupEvents: 20, shortPollIntervalMs: 100 },
    fanout: quick
      ? { clients: [200], tlsClients: [200], ratePerSecond: 4, warmupMs: 250, durationMs: 800, shortPollIntervalMs: 500 }
      : { clients: [100, 1000, 5000], tlsClients: [100, 1000], ratePerSecond: 4, warmupMs: 500, durationMs: 2000, shortPollIntervalMs: 1000 },
    rtt: quick ? { rttsMs: [0, 150], events: 40, intervalMs: 20, shortPollIntervalMs: 100 } : { rttsMs: [0, 50, 150], events: 100, intervalMs: 20, shortPollIntervalMs: 100 },
    capacity: quick
      ? { steps: [1000], rampToDescriptorLimit: false, maxClients: null, latencyBoundMs: 1000, probeEvents: 5, probeIntervalMs: 200, shortPollIntervalMs: 1000 }
      : { steps: [1000, 5000, 9000, 14000], rampToDescriptorLimit: true, maxClients: null, latencyBoundMs: 1000, probeEvents: 5, probeIntervalMs: 200, shortPollIntervalMs: 1000 },
    autocannon: quick ? { connections: 50, durationSeconds: 2 } : { connections: 50, durationSeconds: 4 },
    reference: quick
      ? { clients: 500, ratePerSecond: 15, warmupMs: 250, durationMs: 1000, singleClientEvents: 50 }
      : { clients: 5000, ratePerSecond: 15, warmupMs: 500, durationMs: 3000, singleClientEvents: 100 },
    libraries: quick
      ? { clients: [50], ratePerSecond: 10, warmupMs: 250, durationMs: 600, idleEvents: 10, checkHeartbeatMs: 1000 }
      : { clients: [2000, 5000], ratePerSecond: 10, warmupMs: 500, durationMs: 3000, idleEvents: 100, checkHeartbeatMs: 1000 },
    h2Native: quick
      ? { clients: [50], transports: ['sse', 'ws'], ratePerSecond: 5, warmupMs: 200, durationMs: 600, shortPollIntervalMs: 500 }
      : { clients: [1000, 5000], transports: ['sse', 'short-poll', 'long-poll', 'ws'], ratePerSecond: 4, warmupMs: 500, durationMs: 3000, shortPollIntervalMs: 1000 },
    loss: quick
      ? { ratesPercent: [0, 5], events: 40, intervalMs: 50, shortPollIntervalMs: 100, stallMs: 200, seed: 1, mechanism: 'auto' }
      : { ratesPercent: [0, 1, 2, 5], events: 300, intervalMs: 50, shortPollIntervalMs: 100, stallMs: 200, seed: 1, mechanism: 'auto' },
    // nginx's one worker has 4,096 connections, two per client (client side and lab side): 1,000 clients leave room.
    cluster: quick
      ? {
          processes: 3,
          latency: { transports: ['sse', 'ws'], events: 50, rounds: 2, intervalMs: 10, warmupEvents: 10, shortPollIntervalMs: 100 },
          load: { transports: ['sse', 'ws'], clients: 200, ratePerSecond: 20, warmupMs: 200, durationMs: 800 },
          polls: { clients: 20, events: 30, intervalMs: 20, shortPollIntervalMs: 100 },
        }
      : {
          processes: 3,
          latency: { transports: [...TRANSPORT_IDS], events: 200, rounds: 4, intervalMs: 10, warmupEvents: 20, shortPollIntervalMs: 100 },
          load: { transports: ['sse', 'ws'], clients: 1000, ratePerSecond: 20, warmupMs: 500, durationMs: 3000 },
          polls: { clients: 50, events: 100, intervalMs: 20, shortPollIntervalMs: 100 },
        },
  };
}

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
  raw.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
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

  const p = defaults(flags.quick === true);
  const transports = value('transports');
  if (transports !== undefined) {
    const ids = transports.split(',').map((s) => s.trim()).filter(Boolean);
    for (const id of ids) if (!(TRANSPORT_IDS as readonly string[]).includes(id)) throw new Error(`--transports: unknown transport ${JSON.stringify(id)}; the ids are ${TRANSPORT_IDS.join(', ')}`);
    p.transports = TRANSPORT_IDS.filter((id) => ids.includes(id));
  }
  const wires = value('wires');
  if (wires !== undefined) {
    p.wires = parseWires(wires);
    if (p.wires.length === 0) throw new Error('--wires: name at least one wire');
  }
  const clients = value('clients');
  if (clients !== undefined) p.fanout.clients = list(clients, 'clients').map(Math.round).filter((n) => n > 0);
  const tlsClients = value('tls-clients');
  if (tlsClients !== undefined) p.fanout.tlsClients = list(tlsClients, 'tls-clients').map(Math.round).filter((n) => n > 0);
  const libraryClients = value('library-clients');
  if (libraryClients !== undefined) p.libraries.clients = list(libraryClients, 'library-clients').map(Math.round).filter((n) => n > 0);
  const h2Clients = value('h2-clients');
  if (h2Clients !== undefined) p.h2Native.clients = list(h2Clients, 'h2-clients').map(Math.round).filter((n) => n > 0);
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
    if (p.payloadBytes.some((n) => n < 8 || n > 1_000_000)) throw new Error('--payloads: each size must be from 8 to 1000000 bytes (the data is {"t":"..."})');
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
    if (!(Number.isInteger(p.cluster.processes) && p.cluster.processes >= 2 && p.cluster.processes <= 16)) throw new Error('--processes takes a whole number from 2 to 16 (one process is always measured beside them)');
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
    const ids = only.split(',').map((s) => s.trim()).filter(Boolean);
    for (const id of ids) if (!(SCENARIOS as readonly string[]).includes(id)) throw new Error(`--only: unknown scenario ${JSON.stringify(id)}; they are ${SCENARIOS.join(', ')}`);
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
