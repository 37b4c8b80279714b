/**
 * The loss scenario's measuring program: a lab server and its clients in one
 * place, so that the scenario can run them inside a network namespace of their own
 * (`ip netns exec NAME node --import tsx bench/loss-probe.ts ARGS`) where real
 * packets are dropped, or on the machine's loopback behind the stall proxy.
 *
 * At each loss rate: the five transports over HTTP/1.1 over TLS, each on its own
 * connection (a browser's page, one per transport), and the same five over HTTP/2,
 * all on one connection, both at once on the same feed; an event every `intervalMs`;
 * the delivery latency of each event at each client. Both wires are encrypted, so
 * what differs is only how many TCP connections the five share.
 *
 * ARGS is the JSON of LossProbeArgs; the result is printed as one line of JSON on
 * stdout, prefixed with RESULT_PREFIX; progress goes to stderr. The probe stops when
 * its parent goes (stdin closed).
 */
import https from 'node:https';
import type { FeedEvent } from '../server/feed.ts';
import { startStallProxy, type StallProxy } from '../server/stall-proxy.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import { ProcessPool, type Server, poll, sleep } from './cluster.ts';
import { type Connection, HttpClient } from '../server/clients/common.ts';
import { DRIVERS } from '../server/clients/index.ts';
import { clockOffsetMs } from './ipc.ts';
import { lossCounters, setLoss } from './loss-namespace.ts';
import { labStats } from './scenarios/context.ts';
import { type Distribution, distribution } from './stats-math.ts';
import { wirePort, wireTarget } from './wires.ts';

export const RESULT_PREFIX = 'LOSS-PROBE-RESULT ';

export const LOSS_WIRES = ['h1-tls', 'h2'] as const;
export type LossWire = (typeof LOSS_WIRES)[number];

export type LossMechanism = 'netns' | 'stand-in';

export interface LossProbeArgs {
  mechanism: LossMechanism;
  ratesPercent: number[];
  events: number;
  intervalMs: number;
  shortPollIntervalMs: number;
  dataBytes: number;
  /** The stand-in's: the stall a lost segment costs, and the seed of its draws. */
  stallMs: number;
  seed: number;
}

export interface LossRun {
  lossPercent: number;
  wire: LossWire;
  transport: TransportId;
  events: number;
  received: number;
  latency: Distribution;
}

export interface LossRate {
  lossPercent: number;
  /** TCP connections the lab held for each wire while the events went out (5 and 1, unless one was lost and remade). */
  connections: Record<LossWire, number>;
  /** What was dropped: real packets (netns), or segments held by the stand-in. */
  packets: number;
  dropped: number;
}

export interface LossProbeResult {
  runs: LossRun[];
  rates: LossRate[];
}

const say = (text: string) => process.stderr.write(`${text}\n`);

/** Opens the five drivers over `wire` against `baseUrl`; their samples go to `record`. */
function openWire(
  server: Server,
  wire: LossWire,
  port: number,
  since: number,
  args: LossProbeArgs,
  record: (transport: TransportId, event: FeedEvent, receivedAt: number) => void,
) {
  const target = wireTarget(server, wire, port);
  const base = { baseUrl: target.baseUrl, protocol: target.protocol, ca: target.ca, since, intervalMs: args.shortPollIntervalMs };
  // HTTP/2: one connection for all five, as a page's. HTTP/1.1: one agent, hence one connection, per transport.
  const shared = wire === 'h2' ? new HttpClient({ ...base, onEvent: () => {} }) : undefined;
  const agents: https.Agent[] = [];
  const connections = new Map<TransportId, Connection>();
  for (const transport of TRANSPORT_IDS) {
    const agent = wire === 'h1-tls' && transport !== 'ws' ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : undefined;
    if (agent) agents.push(agent);
    connections.set(
      transport,
      DRIVERS[transport]({ ...base, agent, sharedH2: shared, onEvent: (event, receivedAt) => record(transport, event, receivedAt) }),
    );
  }
  return {
    connections,
    async close() {
      await Promise.all([...connections.values()].map((c) => c.close()));
      shared?.close();
      for (const agent of agents) agent.destroy();
    },
  };
}

/** One loss rate: both wires at once, `events` events, every receipt's latency. */
async function measureRate(lab: Server, lossPercent: number, args: LossProbeArgs): Promise<{ runs: LossRun[]; rate: LossRate }> {
  const proxies: Partial<Record<LossWire, StallProxy>> = {};
  const labPorts = { 'h1-tls': wirePort(lab, 'h1-tls'), h2: wirePort(lab, 'h2') };
  if (args.mechanism === 'netns') setLoss(lossPercent, Object.values(labPorts));
  else {
    for (const [i, wire] of LOSS_WIRES.entries()) {
      // A seed per rate and wire: the same run draws the same losses.
      proxies[wire] = await startStallProxy(labPorts[wire], {
        lossPercent,
        stallMs: args.stallMs,
        seed: args.seed + 1000 * Math.round(lossPercent * 100) + 100 * i,
      });
    }
  }
  const samples = new Map<string, number[]>();
  let fromSeq = Number.POSITIVE_INFINITY;
  // Receipt times on the lab's clock: the two processes' clocks differ by their offsets (ipc.ts).
  const correctionMs = clockOffsetMs() - lab.offsetMs;
  const s0 = await labStats(lab);
  const opened = LOSS_WIRES.map((wire) =>
    openWire(lab, wire, proxies[wire]?.port ?? labPorts[wire], s0.lastSeq, args, (transport, event, receivedAt) => {
      if (event.seq < fromSeq) return;
      const key = `${wire}|${transport}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key)!.push(receivedAt - correctionMs - event.at);
    }),
  );
  try {
    // Every stream held (four per wire; short polls hold none), then a poll interval for the polls to settle.
    const held = 2 * (TRANSPORT_IDS.length - 1);
    const ready = await poll(
      () => labStats(lab),
      (s) => s.subscribers >= held,
      30_000,
      100,
    );
    if (!ready.ok) throw new Error(`at ${lossPercent} % loss only ${ready.value.subscribers} of ${held} streams opened within 30 s`);
    await sleep(args.shortPollIntervalMs + 200);
    const before = await labStats(lab);
    fromSeq = before.lastSeq + 1;
    const connections = { 'h1-tls': before.tls?.h1.connectionsOpen ?? 0, h2: before.tls?.h2.connectionsOpen ?? 0 };
    const published = await lab.child.call<{ lastSeq: number }>(
      'publish',
      { count: args.events, intervalMs: args.intervalMs, dataBytes: args.dataBytes },
      60_000 + args.events * args.intervalMs,
    );
    // Whatever is still held up arrives within a few stalls; a client that never catches up is counted short.
    await poll(
      async () => [...opened.flatMap((o) => [...o.connections.values()])].every((c) => (c.lastSeq ?? 0) >= published.lastSeq),
      Boolean,
      15_000,
      50,
    );
    const runs: LossRun[] = LOSS_WIRES.flatMap((wire) =>
      TRANSPORT_IDS.map((transport) => {
        const list = samples.get(`${wire}|${transport}`) ?? [];
        return { lossPercent, wire, transport, events: args.events, received: list.length, latency: distribution(list) };
      }),
    );
    const counted =
      args.mechanism === 'netns'
        ? lossCounters()
        : {
            packets: (proxies.h2?.segments ?? 0) + (proxies['h1-tls']?.segments ?? 0),
            dropped: (proxies.h2?.lost ?? 0) + (proxies['h1-tls']?.lost ?? 0),
          };
    return { runs, rate: { lossPercent, connections, ...counted } };
  } finally {
    await Promise.all(opened.map((o) => o.close()));
    for (const proxy of Object.values(proxies)) await proxy.close();
  }
}

/** Every rate in turn, against one lab server started here (inside the namespace, when the probe is). */
export async function runLossProbe(args: LossProbeArgs): Promise<LossProbeResult> {
  const pool = new ProcessPool();
  try {
    const lab = await pool.startServer('lab');
    const out: LossProbeResult = { runs: [], rates: [] };
    for (const lossPercent of args.ratesPercent) {
      say(
        `loss ${lossPercent} % (${args.mechanism}): ${args.events} events ${args.intervalMs} ms apart, ` +
          'five transports over HTTP/1.1 and over HTTP/2',
      );
      const { runs, rate } = await measureRate(lab, lossPercent, args);
      out.runs.push(...runs);
      out.rates.push(rate);
    }
    return out;
  } finally {
    if (args.mechanism === 'netns') setLoss(0, [1]);
    await pool.stopAll();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The parent gone (Ctrl-C, a crash): stop, and the lab with us.
  process.stdin.on('end', () => process.exit(1)).resume();
  runLossProbe(JSON.parse(process.argv[2] ?? '{}') as LossProbeArgs).then(
    (result) => {
      process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      say(`loss probe failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(1);
    },
  );
}
