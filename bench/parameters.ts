/**
 * The parameters of a bench run, and their defaults.
 *
 * Every number a scenario uses is here, in one object that is written into the
 * results JSON as `parameters`: a reader can rerun exactly what produced a figure.
 * `--quick` is the same run, smaller, for CI and a first look (about a minute);
 * options.ts reads the command line into it.
 */
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import { WIRE_IDS, type WireId } from './wires.ts';

export const SCENARIOS = [
  'overhead',
  'short-poll',
  'latency',
  'fanout',
  'rtt',
  'capacity',
  'autocannon',
  'reference',
  'libraries',
  'h2-native',
  'cluster',
  'loss',
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
  fanout: {
    clients: number[];
    tlsClients: number[];
    ratePerSecond: number;
    warmupMs: number;
    durationMs: number;
    shortPollIntervalMs: number;
  };
  rtt: { rttsMs: number[]; events: number; intervalMs: number; shortPollIntervalMs: number };
  /** The ramp: `steps`, then (with rampToDescriptorLimit) as many clients as the server's descriptors allow. */
  capacity: {
    steps: number[];
    rampToDescriptorLimit: boolean;
    maxClients: number | null;
    latencyBoundMs: number;
    probeEvents: number;
    probeIntervalMs: number;
    shortPollIntervalMs: number;
  };
  autocannon: { connections: number; durationSeconds: number };
  reference: { clients: number; ratePerSecond: number; warmupMs: number; durationMs: number; singleClientEvents: number };
  /**
   * What a library costs (scenarios/libraries.ts): each example server of lessons/servers and
   * the lab, one idle client (`idleEvents`), then `clients` at `ratePerSecond`, over plain
   * HTTP/1.1; the checker runs against each first, its heartbeat cases waiting `checkHeartbeatMs`.
   */
  libraries: {
    clients: number[];
    ratePerSecond: number;
    warmupMs: number;
    durationMs: number;
    idleEvents: number;
    checkHeartbeatMs: number;
  };
  /**
   * HTTP/2 as Node serves it natively (bench/reference/bare-h2.ts) beside the lab's HTTP/2,
   * HTTP/1.1 over TLS and plain HTTP/1.1 (scenarios/h2-native.ts), `clients` of each transport.
   */
  h2Native: {
    clients: number[];
    transports: TransportId[];
    ratePerSecond: number;
    warmupMs: number;
    durationMs: number;
    shortPollIntervalMs: number;
  };
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
    latency: {
      transports: TransportId[];
      events: number;
      rounds: number;
      intervalMs: number;
      warmupEvents: number;
      shortPollIntervalMs: number;
    };
    load: { transports: TransportId[]; clients: number; ratePerSecond: number; warmupMs: number; durationMs: number };
    polls: { clients: number; events: number; intervalMs: number; shortPollIntervalMs: number };
  };
}

/** The parameters of a full run, or of `--quick`, before any option changes them. */
export function defaultParameters(quick: boolean): Parameters {
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
    latency: quick
      ? { events: 50, intervalMs: 10, warmupEvents: 10, shortPollIntervalMs: 100 }
      : { events: 200, intervalMs: 10, warmupEvents: 20, shortPollIntervalMs: 100 },
    fanout: quick
      ? { clients: [200], tlsClients: [200], ratePerSecond: 4, warmupMs: 250, durationMs: 800, shortPollIntervalMs: 500 }
      : {
          clients: [100, 1000, 5000],
          tlsClients: [100, 1000],
          ratePerSecond: 4,
          warmupMs: 500,
          durationMs: 2000,
          shortPollIntervalMs: 1000,
        },
    rtt: quick
      ? { rttsMs: [0, 150], events: 40, intervalMs: 20, shortPollIntervalMs: 100 }
      : { rttsMs: [0, 50, 150], events: 100, intervalMs: 20, shortPollIntervalMs: 100 },
    capacity: quick
      ? {
          steps: [1000],
          rampToDescriptorLimit: false,
          maxClients: null,
          latencyBoundMs: 1000,
          probeEvents: 5,
          probeIntervalMs: 200,
          shortPollIntervalMs: 1000,
        }
      : {
          steps: [1000, 5000, 9000, 14000],
          rampToDescriptorLimit: true,
          maxClients: null,
          latencyBoundMs: 1000,
          probeEvents: 5,
          probeIntervalMs: 200,
          shortPollIntervalMs: 1000,
        },
    autocannon: quick ? { connections: 50, durationSeconds: 2 } : { connections: 50, durationSeconds: 4 },
    reference: quick
      ? { clients: 500, ratePerSecond: 15, warmupMs: 250, durationMs: 1000, singleClientEvents: 50 }
      : { clients: 5000, ratePerSecond: 15, warmupMs: 500, durationMs: 3000, singleClientEvents: 100 },
    libraries: quick
      ? { clients: [50], ratePerSecond: 10, warmupMs: 250, durationMs: 600, idleEvents: 10, checkHeartbeatMs: 1000 }
      : { clients: [2000, 5000], ratePerSecond: 10, warmupMs: 500, durationMs: 3000, idleEvents: 100, checkHeartbeatMs: 1000 },
    h2Native: quick
      ? { clients: [50], transports: ['sse', 'ws'], ratePerSecond: 5, warmupMs: 200, durationMs: 600, shortPollIntervalMs: 500 }
      : {
          clients: [1000, 5000],
          transports: ['sse', 'short-poll', 'long-poll', 'ws'],
          ratePerSecond: 4,
          warmupMs: 500,
          durationMs: 3000,
          shortPollIntervalMs: 1000,
        },
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
