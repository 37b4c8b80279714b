/**
 * The report writer: from the scenarios' raw figures to the results JSON (one
 * file per run, and the latest run), the figures derived from them (the headline
 * table, one-off costs amortised, the Kaazing table, HTTP/1.1 beside HTTP/2, what
 * TLS costs, the targets), and the Markdown summary. Every number in the summary
 * and on the results page comes from this JSON; none is typed by hand.
 *
 * Schema 2 (the protocol dimension). What schema 1 readers relied on stays where
 * it was and means what it meant: every HTTP/1.1 row sits in the same array as
 * before (`scenarios.overhead.cells`, `scenarios.latency.results`,
 * `scenarios.fanout.runs`, `scenarios.rtt.runs`, `derived.oneOff`,
 * `derived.headline[*]` fields), now with `wire: "h1"`. The other wires' rows have
 * the same shape and sit beside them, in the scenario's `byWire["h1-tls" | "h2"]`
 * (`.cells`, `.results`, `.runs`) and `derived.oneOffByWire`; the Kaazing table's
 * measured HTTP/2 rows have `source: "measured-h2"`. New: `browserHeads.h2`
 * (Chromium's heads over HTTP/2), `derived.protocols` (the side-by-side tables),
 * `derived.headline[*].byWire`, `wireLabels`, `timings`. Added later, same schema:
 * `scenarios.cluster` (scenarios/cluster.ts: several lab processes on one Redis
 * feed; `{ skipped, reason }` without redis-server or nginx), its parameters in
 * `parameters.cluster`, and its figures in `derived.cluster` (null when it did not run).
 *
 * A quick run (`--quick`) goes to <out>/quick/, never over the reference run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import type { H2Heads } from './browser-h2.ts';
import type { BrowserHeads, HeadKind } from './browser-heads.ts';
import type { Environment } from './environment.ts';
import type { Parameters, Profile, ScenarioId } from './options.ts';
import type { AutocannonResult } from './scenarios/autocannon.ts';
import type { CapacityRun } from './scenarios/capacity.ts';
import type { ClusterResult, ClusterSetup } from './scenarios/cluster.ts';
import type { Distribution } from './stats-math.ts';
import type { FanoutResult, LoadRun } from './scenarios/fanout.ts';
import type { LatencyResult, SingleClientLatency } from './scenarios/latency.ts';
import type { OverheadCell, OverheadClient, OverheadGroup, OverheadResult } from './scenarios/overhead.ts';
import type { runReference } from './scenarios/reference.ts';
import type { RttResult, RttRun } from './scenarios/rtt.ts';
import type { GridCell } from './scenarios/short-poll-grid.ts';
import { type OtherWireId, WIRE_IDS, WIRE_LABELS, type WireId } from './wires.ts';

export const SCHEMA = 'wirelab-bench/2';

export interface Scenarios {
  overhead?: OverheadResult;
  shortPollGrid?: { cells: GridCell[]; dataBytes: number; durationMs: number };
  latency?: LatencyResult;
  fanout?: FanoutResult;
  rtt?: RttResult;
  capacity?: { runs: CapacityRun[]; probeEvents: number; probeIntervalMs: number; shortPollIntervalMs: number; dataBytes: number };
  autocannon?: AutocannonResult;
  reference?: Awaited<ReturnType<typeof runReference>>;
  /** Several lab processes on one Redis feed (scenarios/cluster.ts); `{ skipped, reason }` without redis-server or nginx. */
  cluster?: ClusterResult;
}

export interface Target {
  id: string;
  text: string;
  transport: TransportId | null;
  target: string;
  measured: number | null;
  unit: string;
  /** null: not judged in this run (a scenario skipped, a quick run, a ramp too small). */
  met: boolean | null;
  note?: string;
}

export interface Results {
  schema: typeof SCHEMA;
  id: string;
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  /** Seconds each part of the run took (the browser captures, each scenario). */
  timings: Partial<Record<ScenarioId | 'browser' | 'setup', number>>;
  environment: Environment & { clockSkewMaxMs: number };
  parameters: Parameters;
  /** The lab's human labels (server/transports/index.ts), the one map every chart uses. */
  labels: Record<TransportId, string>;
  /** The wires' labels (bench/wires.ts). */
  wireLabels: Record<WireId, string>;
  transports: TransportId[];
  serverSettings: Record<string, string>;
  browserHeads: {
    source: BrowserHeads['source'];
    note: string;
    browser: string;
    userAgent: string;
    capturedAt: string;
    bytes: Record<HeadKind, number>;
    heads: BrowserHeads['heads'];
    /** Chromium's heads over HTTP/2, first and repeated, from the lab's frame meter (browser-h2.ts); null when neither captured nor committed. */
    h2: (H2Heads & { note: string }) | null;
  };
  scenarios: Scenarios;
  derived: ReturnType<typeof derive>;
  errors: { scenario: string; message: string }[];
}

const KAAZING = {
  source: 'Kaazing, "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web" (2010)',
  pollingHeaderBytes: 871,
  webSocketFrameBytes: 2,
  clients: [1_000, 10_000, 100_000],
  /** The published figures, in Mbps, which are binary megabits (2^20 bit) per second. */
  publishedPollingMbps: [6.6, 66, 665],
  publishedWebSocketMbps: [0.015, 0.153, 1.526],
};

/** `value` to `digits` decimals, as a number. */
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
/** a / b, or null when either is missing or b is not positive. */
const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 3) => (a != null && b != null && b > 0 ? round(a / b, digits) : null);

// ---------------------------------------------------------------- reading rows by wire

/** A scenario's rows over one wire: HTTP/1.1 where they always were, the others in byWire. */
export function overheadCells(s: Scenarios, wire: WireId): OverheadCell[] {
  if (!s.overhead) return [];
  return wire === 'h1' ? s.overhead.cells : s.overhead.byWire?.[wire]?.cells ?? [];
}
/** What the overhead groups over a TLS wire shared (TLS counters, HTTP/2's connection frames). */
export function overheadGroups(s: Scenarios, wire: OtherWireId): OverheadGroup[] {
  return s.overhead?.byWire?.[wire]?.groups ?? [];
}
/** The idle clients' latencies over one wire. */
export function latencyResults(s: Scenarios, wire: WireId): SingleClientLatency[] {
  if (!s.latency) return [];
  return wire === 'h1' ? s.latency.results : s.latency.byWire?.[wire]?.results ?? [];
}
/** The fan-out runs over one wire. */
export function fanoutRuns(s: Scenarios, wire: WireId): LoadRun[] {
  if (!s.fanout) return [];
  return wire === 'h1' ? s.fanout.runs : s.fanout.byWire?.[wire]?.runs ?? [];
}
/** The round-trip runs over one wire. */
export function rttRuns(s: Scenarios, wire: WireId): RttRun[] {
  if (!s.rtt) return [];
  return wire === 'h1' ? s.rtt.runs : s.rtt.byWire?.[wire]?.runs ?? [];
}

/** The wires a run measured (any scenario), in the canonical order. */
function wiresIn(s: Scenarios): WireId[] {
  return WIRE_IDS.filter((w) => overheadCells(s, w).length || latencyResults(s, w).length || fanoutRuns(s, w).length || rttRuns(s, w).length);
}

/** The overhead cell for a wire, profile and transport at the smallest payload measured. */
function smallCell(s: Scenarios, profile: Profile, transport: TransportId, wire: WireId = 'h1'): OverheadCell | undefined {
  const cells = overheadCells(s, wire).filter((c) => c.profile === profile && c.transport === transport);
  return [...cells].sort((a, b) => a.dataBytes - b.dataBytes)[0];
}

/** What a connection cost before its first event: heads and framing both ways. */
const oneOffBytes = (cell: OverheadCell) => cell.oneOff.down.headBytes + cell.oneOff.down.framingBytes + cell.oneOff.up.headBytes + cell.oneOff.up.framingBytes;

/** The smallest event data any overhead cell used (the headline's figures are read there). */
const smallestPayload = (s: Scenarios) => {
  const all = WIRE_IDS.flatMap((w) => overheadCells(s, w)).map((c) => c.dataBytes);
  return all.length ? Math.min(...all) : null;
};

// ---------------------------------------------------------------- derived figures

export interface DeriveOptions {
  quick: boolean;
  h2Heads: H2Heads | null;
  /** Chromium's HTTP/1.1 head sizes (browserHeads.bytes). */
  h1HeadBytes: Record<HeadKind, number> | null;
}

/** The figures derived from the scenarios: headline, one-off costs, the Kaazing table, the protocols side by side, the targets. */
export function derive(s: Scenarios, transports: TransportId[], labels: Record<TransportId, string>, options: DeriveOptions = { quick: false, h2Heads: null, h1HeadBytes: null }) {
  // The headline's fan-out column: the largest count plain HTTP/1.1 ran (as in schema 1).
  const h1Counts = fanoutRuns(s, 'h1').map((r) => r.clients);
  const largestFanout = h1Counts.length ? Math.max(...h1Counts) : null;
  const small = smallestPayload(s);

  const headlineWire = (transport: TransportId, wire: WireId) => {
    const minimal = smallCell(s, 'minimal', transport, wire);
    const browser = smallCell(s, 'browser', transport, wire);
    const idle = latencyResults(s, wire).find((r) => r.transport === transport);
    // The largest fan-out this wire ran (the TLS wires stop lower: options.ts tlsClients).
    const runs = fanoutRuns(s, wire).filter((r) => r.transport === transport);
    const fan = runs.length ? runs.reduce((a, b) => (b.clients > a.clients ? b : a)) : undefined;
    return {
      overheadBytesPerEventMinimal: minimal?.perEvent.overheadBytes ?? null,
      overheadBytesPerEventBrowser: browser?.perEvent.overheadBytes ?? null,
      /** Who played the browser: Node replaying Chromium's heads, or (HTTP/2) Chromium itself. */
      browserClient: (browser?.client ?? null) as OverheadClient | null,
      oneOffBytesBrowser: browser ? oneOffBytes(browser) : null,
      requestsPerEvent: minimal?.perEvent.requests ?? null,
      idleP50Ms: idle?.latency.p50Ms ?? null,
      fanoutClients: fan?.clients ?? null,
      fanoutP99Ms: fan?.latency.p99Ms ?? null,
      fanoutCpuMicrosPerDelivery: fan?.serverCpuMicrosPerDelivery ?? null,
    };
  };

  const headline = transports.map((transport) => {
    const cap = s.capacity?.runs.find((r) => r.transport === transport);
    const byWire = Object.fromEntries(WIRE_IDS.map((w) => [w, headlineWire(transport, w)])) as Record<WireId, ReturnType<typeof headlineWire>>;
    const h1 = byWire.h1;
    return {
      transport,
      label: labels[transport],
      // Schema 1's fields: plain HTTP/1.1, as before (= byWire.h1).
      overheadBytesPerEventMinimal: h1.overheadBytesPerEventMinimal,
      overheadBytesPerEventBrowser: h1.overheadBytesPerEventBrowser,
      oneOffBytesBrowser: h1.oneOffBytesBrowser,
      requestsPerEvent: h1.requestsPerEvent,
      idleP50Ms: h1.idleP50Ms,
      fanoutClients: h1.fanoutClients,
      fanoutP99Ms: h1.fanoutP99Ms,
      fanoutCpuMicrosPerDelivery: h1.fanoutCpuMicrosPerDelivery,
      maxClientsHeld: cap?.maxClientsHeld ?? null,
      capacityStopReason: cap?.stopReason ?? null,
      rssBytesPerConnection: cap?.rssBytesPerConnection ?? null,
      byWire,
    };
  });

  // One-off costs, and what they come to per event when a connection carries N events.
  const amortisedEvents = [1, 10, 100, 1000];
  const oneOffRows = (wire: WireId) => overheadCells(s, wire)
    .filter((c) => c.dataBytes === small)
    .map((c) => ({
      wire,
      profile: c.profile,
      transport: c.transport,
      client: c.client,
      oneOffBytes: oneOffBytes(c),
      oneOffDownHeadBytes: c.oneOff.down.headBytes,
      oneOffDownFramingBytes: c.oneOff.down.framingBytes,
      oneOffUpHeadBytes: c.oneOff.up.headBytes,
      perEventOverheadBytes: c.perEvent.overheadBytes,
      amortised: amortisedEvents.map((n) => ({ events: n, overheadBytesPerEvent: round((oneOffBytes(c) + n * c.perEvent.overheadBytes) / n, 1) })),
    }));
  const oneOff = oneOffRows('h1');
  const oneOffByWire = Object.fromEntries(WIRE_IDS.filter((w) => w !== 'h1').map((w) => [w, oneOffRows(w)])) as Record<OtherWireId, ReturnType<typeof oneOffRows>>;

  // The Kaazing table, measured: one event per client per second, overhead only (like the original: no TCP/IP, no payload).
  const bandwidth = (bytes: number, clients: number) => ({ clients, bitsPerSecond: bytes * 8 * clients, mbpsSI: round((bytes * 8 * clients) / 1e6, 3), mbpsBinary: round((bytes * 8 * clients) / 2 ** 20, 3) });
  const measuredRow = (transport: TransportId, wire: WireId) => {
    const cell = smallCell(s, 'browser', transport, wire);
    if (!cell) return [];
    const how = wire === 'h1' ? 'measured, browser heads' : cell.client === 'chromium' ? 'measured, Chromium' : 'measured, browser heads replayed';
    return [{ source: wire === 'h1' ? 'measured' : 'measured-h2', wire, transport, label: `${labels[transport]}${wire === 'h1' ? '' : ` over ${WIRE_LABELS[wire]}`} (${how})`, bytesPerEvent: cell.perEvent.overheadBytes, rows: KAAZING.clients.map((n) => bandwidth(cell.perEvent.overheadBytes, n)) }];
  };
  const kaazingRows = [
    { source: 'kaazing-2010', wire: null as WireId | null, transport: null as TransportId | null, label: 'Polling (Kaazing 2010, headers only)', bytesPerEvent: KAAZING.pollingHeaderBytes, rows: KAAZING.clients.map((n) => bandwidth(KAAZING.pollingHeaderBytes, n)) },
    { source: 'kaazing-2010', wire: null as WireId | null, transport: null as TransportId | null, label: 'WebSocket (Kaazing 2010, frame only)', bytesPerEvent: KAAZING.webSocketFrameBytes, rows: KAAZING.clients.map((n) => bandwidth(KAAZING.webSocketFrameBytes, n)) },
    ...transports.flatMap((transport) => measuredRow(transport, 'h1')),
    // HTTP/2 rows for the transports whose cost per event is a request: polling, and WebSocket to compare.
    ...transports.filter((t) => t === 'short-poll' || t === 'long-poll' || t === 'ws').flatMap((transport) => measuredRow(transport, 'h2')),
  ];
  const kaazing = {
    source: KAAZING.source,
    eventsPerClientPerSecond: 1,
    clients: KAAZING.clients,
    published: { pollingMbps: KAAZING.publishedPollingMbps, webSocketMbps: KAAZING.publishedWebSocketMbps, unit: 'Mbps in the 2010 table = binary megabits (2^20 bit/s); SI Mbps = 10^6 bit/s' },
    dataBytes: small,
    rows: kaazingRows,
  };

  return {
    headline,
    headlineFanoutClients: largestFanout,
    oneOff,
    oneOffByWire,
    kaazing,
    protocols: protocols(s, transports, options),
    cluster: clusterFigures(s.cluster, transports),
    targets: targets(s, options.quick),
  };
}

/** Per wire, the value `pick` reads (null where the wire was not measured). */
const perWire = <T>(pick: (wire: WireId) => T | null | undefined) => Object.fromEntries(WIRE_IDS.map((w) => [w, pick(w) ?? null])) as Record<WireId, T | null>;

/**
 * HTTP/1.1 beside HTTP/1.1 over TLS beside HTTP/2, one row per transport (and
 * client count, round trip or head kind): the side-by-side tables of the report and
 * the results page, and what TLS costs.
 */
function protocols(s: Scenarios, transports: TransportId[], options: DeriveOptions) {
  const wires = wiresIn(s);
  const small = smallestPayload(s);
  const overhead = (['browser', 'minimal'] as const).flatMap((profile) => transports.map((transport) => ({
    profile,
    transport,
    overheadBytesPerEvent: perWire((w) => smallCell(s, profile, transport, w)?.perEvent.overheadBytes),
    /** Polls per event: a poll that brought several events costs each of them less (see the file's comment). */
    requestsPerEvent: perWire((w) => smallCell(s, profile, transport, w)?.perEvent.requests),
    requestHeadBytes: perWire((w) => smallCell(s, profile, transport, w)?.requestHeadBytes),
    responseHeadBytes: perWire((w) => smallCell(s, profile, transport, w)?.responseHeadBytes),
    client: perWire((w) => smallCell(s, profile, transport, w)?.client),
    /** HTTP/2 per event against HTTP/1.1 per event (below 1: HTTP/2 is cheaper). */
    h2ToH1: ratio(smallCell(s, profile, transport, 'h2')?.perEvent.overheadBytes, smallCell(s, profile, transport, 'h1')?.perEvent.overheadBytes),
  })));
  // What the connection itself costs over HTTP/2 (preface, SETTINGS, PING, WINDOW_UPDATE on stream 0), shared by the streams.
  const h2Groups = overheadGroups(s, 'h2').filter((g) => g.dataBytes === small);
  const connection = h2Groups.map((g) => ({ profile: g.profile, client: g.client, oneOffBytes: g.http2Connection ? g.http2Connection.oneOff.bytesIn + g.http2Connection.oneOff.bytesOut : null, bytesPerDelivery: g.http2Connection?.bytesPerDelivery ?? null }));

  const latency = transports.map((transport) => ({
    transport,
    p50Ms: perWire((w) => latencyResults(s, w).find((r) => r.transport === transport)?.latency.p50Ms),
    p99Ms: perWire((w) => latencyResults(s, w).find((r) => r.transport === transport)?.latency.p99Ms),
  }));
  const counts = [...new Set(WIRE_IDS.flatMap((w) => fanoutRuns(s, w)).map((r) => r.clients))].sort((a, b) => a - b);
  const fanout = counts.flatMap((clients) => transports.map((transport) => {
    const run = (w: WireId) => fanoutRuns(s, w).find((r) => r.transport === transport && r.clients === clients);
    return {
      clients,
      transport,
      p50Ms: perWire((w) => run(w)?.latency.p50Ms),
      p99Ms: perWire((w) => run(w)?.latency.p99Ms),
      cpuMicrosPerDelivery: perWire((w) => run(w)?.serverCpuMicrosPerDelivery),
      deliveriesPerSecond: perWire((w) => run(w)?.deliveriesPerSecond),
      connectSeconds: perWire((w) => run(w)?.connectSeconds),
    };
  }));
  const rtts = [...new Set(WIRE_IDS.flatMap((w) => rttRuns(s, w)).map((r) => r.rttMs))].sort((a, b) => a - b);
  const rtt = rtts.flatMap((rttMs) => transports.map((transport) => {
    const run = (w: WireId) => rttRuns(s, w).find((r) => r.transport === transport && r.rttMs === rttMs);
    return { rttMs, transport, meanMs: perWire((w) => run(w)?.latency.meanMs), p99Ms: perWire((w) => run(w)?.latency.p99Ms), requestsPerEvent: perWire((w) => run(w)?.requestsPerEvent) };
  }));

  // Chromium's own heads: HTTP/1.1 text against HTTP/2's first and repeated HPACK blocks.
  const h2 = options.h2Heads;
  const heads = h2 ? transports.map((transport) => ({
    transport,
    h1Bytes: options.h1HeadBytes?.[transport] ?? null,
    h2FirstBytes: h2.heads[transport]?.firstBytes ?? null,
    h2RepeatedBytes: h2.heads[transport]?.repeatedBytes ?? null,
    h2Protocol: h2.heads[transport]?.protocol ?? null,
    h2ResponseFirstBytes: h2.heads[transport]?.responseFirstBytes ?? null,
    h2ResponseRepeatedBytes: h2.heads[transport]?.responseRepeatedBytes ?? null,
  })) : [];

  // TLS: at the largest fan-out every wire ran, the same clients and schedule.
  const everyWire = counts.filter((n) => transports.some((t) => WIRE_IDS.filter((w) => wires.includes(w)).every((w) => fanoutRuns(s, w).some((r) => r.clients === n && r.transport === t))));
  const tlsClients = everyWire.length ? Math.max(...everyWire) : counts.length ? Math.max(...counts) : null;
  const tls = tlsClients === null ? [] : transports.map((transport) => {
    const run = (w: WireId) => fanoutRuns(s, w).find((r) => r.transport === transport && r.clients === tlsClients);
    const cpu = perWire((w) => run(w)?.serverCpuMicrosPerDelivery);
    return {
      transport,
      clients: tlsClients,
      cpuMicrosPerDelivery: cpu,
      /** CPU per delivery against plain HTTP/1.1's: what TLS (and HTTP/2) add for the server. */
      cpuRatioToH1: perWire((w) => (w === 'h1' ? 1 : ratio(cpu[w], cpu.h1, 2))),
      handshakeBytesPerConnection: perWire((w) => run(w)?.tls?.handshakeBytesPerConnection),
      recordBytesPerDelivery: perWire((w) => run(w)?.tls?.recordBytesPerDelivery),
      tcpBytesPerDelivery: perWire((w) => run(w)?.tls?.tcpBytesPerDelivery),
    };
  });
  // Record bytes per event with one client per transport (all five at once), from the overhead groups.
  const tlsOverhead = (['h1-tls', 'h2'] as const).flatMap((wire) => overheadGroups(s, wire).filter((g) => g.dataBytes === small && g.tls).map((g) => ({
    wire,
    profile: g.profile,
    client: g.client,
    connections: g.tls!.oneOff.connectionsOpened,
    handshakeBytesPerConnection: g.tls!.oneOff.connectionsOpened ? round((g.tls!.oneOff.handshakeBytesIn + g.tls!.oneOff.handshakeBytesOut) / g.tls!.oneOff.connectionsOpened, 1) : null,
    recordBytesPerDelivery: g.tls!.recordBytesPerDelivery,
  })));
  return {
    wires,
    dataBytes: small,
    overhead,
    connection,
    latency,
    fanout,
    rtt,
    heads,
    tls,
    tlsClients,
    tlsOverhead,
    chromiumHandshake: h2?.tlsHandshake ?? null,
  };
}

/** The cluster scenario's setups, in the order the report and the page show them. */
export const CLUSTER_SETUPS = ['memory', 'redis', 'cluster'] as const;

/**
 * The cluster scenario in figures: per transport, the idle latency of each setup
 * and what the Redis hop (and nginx with N processes) add to it; per load run,
 * CPU per delivery by part and the cores it took; per poll run, who answered.
 * null when the scenario did not run; `{ skipped, reason }` when it could not.
 */
function clusterFigures(c: ClusterResult | undefined, transports: TransportId[]) {
  if (!c) return null;
  if (c.skipped) return { skipped: true as const, reason: c.reason, processes: c.processes };
  const N = c.processes;
  const idle = (setup: ClusterSetup, transport: TransportId) => c.latency.results.find((r) => r.setup === setup && r.transport === transport);
  const bySetup = (transport: TransportId, pick: (d: Distribution) => number) => Object.fromEntries(CLUSTER_SETUPS.map((setup) => {
    const r = idle(setup, transport);
    return [setup, r && r.latency.count ? pick(r.latency) : null];
  })) as Record<ClusterSetup, number | null>;
  const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 3));
  const latency = transports.filter((t) => c.latency.results.some((r) => r.transport === t)).map((transport) => {
    const p50Ms = bySetup(transport, (d) => d.p50Ms);
    const p99Ms = bySetup(transport, (d) => d.p99Ms);
    return {
      transport,
      p50Ms,
      p99Ms,
      /** What the Redis hop adds: the Redis feed's figure less the in-process feed's (one process, clients direct). */
      redisAddedP50Ms: minus(p50Ms.redis, p50Ms.memory),
      redisAddedP99Ms: minus(p99Ms.redis, p99Ms.memory),
      /** What a deployment adds: N processes behind nginx on the Redis feed, less the in-process feed. */
      clusterAddedP50Ms: minus(p50Ms.cluster, p50Ms.memory),
      clusterAddedP99Ms: minus(p99Ms.cluster, p99Ms.memory),
    };
  });
  const load = c.load.runs.map((run) => {
    const per = run.cpuParts?.microsPerDelivery ?? null;
    const direct = run.setup !== 'cluster';
    const labs = run.serverCpuMicrosPerDelivery;
    // One process, clients direct: there is no nginx and no redis-server to count (null), and the total is the lab's.
    const nginx = direct ? null : per?.nginx ?? null;
    const redis = direct ? null : per?.redis ?? null;
    const total = labs === null || (!direct && (nginx === null || redis === null)) ? null : round(labs + (nginx ?? 0) + (redis ?? 0), 2);
    const one = c.load.runs.find((r) => r.setup === 'cluster' && r.processes === 1 && r.transport === run.transport);
    // Cores busy over the window: the CPU time of the parts in the total over the window's wall time.
    const micros = run.cpuParts ? Object.entries(run.cpuParts.micros).filter(([part]) => part !== 'publisher').reduce<number>((sum, [, v]) => sum + (v ?? 0), 0) : null;
    return {
      setup: run.setup,
      processes: run.processes,
      transport: run.transport,
      clients: run.clients,
      deliveries: run.deliveries,
      deliveriesExpected: run.deliveriesExpected,
      deliveriesPerSecond: run.deliveriesPerSecond,
      offeredDeliveriesPerSecond: run.offeredDeliveriesPerSecond,
      p50Ms: run.latency.p50Ms,
      p99Ms: run.latency.p99Ms,
      /** µs of CPU per delivery: the lab processes summed, nginx (master and workers), redis-server (null: none in this setup), and the three added. */
      labsCpuMicrosPerDelivery: labs,
      nginxCpuMicrosPerDelivery: nginx,
      redisCpuMicrosPerDelivery: redis,
      totalCpuMicrosPerDelivery: total,
      publisherCpuMicrosPerDelivery: per ? per.publisher ?? null : null,
      /** Deliveries one core could make at this cost (1 s / total CPU per delivery): throughput as capacity, not as load offered. */
      deliveriesPerCoreSecond: total ? Math.round(1e6 / total) : null,
      /** Cores the lab processes, nginx and redis-server kept busy over the window (the publisher and the clients not counted). */
      coresUsed: micros !== null && run.cpuParts && run.cpuParts.windowMs > 0 ? round(micros / 1000 / run.cpuParts.windowMs, 2) : null,
      /** Cores the client workers kept busy over the window: what the servers could not have. */
      clientCoresUsed: run.clientWorkers?.cores ?? null,
      /** The lab processes' CPU per delivery against one process behind nginx (1.0: N processes cost the same per delivery). */
      labsCpuRatioToOne: run.setup === 'cluster' && one ? ratio(labs, one.serverCpuMicrosPerDelivery, 2) : null,
      clientsByProcess: run.clientsByProcess,
    };
  });
  const polls = c.polls.map((run) => ({
    transport: run.transport,
    processes: run.processes,
    clients: run.clients,
    events: run.events,
    processesSeen: run.processesSeen,
    answersByProcess: run.answersByProcess,
    /** Clients whose polls every one of the N processes answered at least once. */
    clientsAnsweredByAll: run.clientsByProcessesSeen[String(N)] ?? 0,
    deliveries: run.deliveries,
    deliveriesExpected: run.deliveriesExpected,
    duplicates: run.duplicates,
    gaps: run.gaps + run.gapEvents,
    p50Ms: run.latency.p50Ms,
    p99Ms: run.latency.p99Ms,
    ok: run.ok,
  }));
  return { skipped: false as const, processes: N, dataBytes: c.dataBytes, latency, load, polls, problems: c.problems, ok: c.problems.length === 0 };
}

/** The lab's targets beside what was measured; a quick run shows the measures and judges none. */
function targets(s: Scenarios, quick: boolean): Target[] {
  const out: Target[] = [];
  const ws = smallCell(s, 'minimal', 'ws');
  out.push({
    id: 'ws-framing', transport: 'ws', text: 'WebSocket framing per small event, server to client', target: '= 2 B (the RFC 6455 floor)',
    measured: ws?.perEvent.downFramingBytes ?? null, unit: 'B',
    met: ws ? ws.perEvent.downFramingBytes <= (ws.floorFramingBytes ?? 2) && (ws.floorFramingBytes ?? 2) === 2 : null,
  });
  const sse = smallCell(s, 'minimal', 'sse');
  out.push({
    id: 'sse-framing', transport: 'sse', text: 'SSE framing per small event', target: sse?.floorFramingBytes != null ? `<= ${sse.floorFramingBytes} B (id/event/data lines + chunk framing)` : '<= id/event/data lines + chunk framing',
    measured: sse?.perEvent.downFramingBytes ?? null, unit: 'B',
    met: sse && sse.floorFramingBytes !== null ? sse.perEvent.downFramingBytes <= sse.floorFramingBytes + 1e-9 : null,
  });
  for (const [transport, boundMs] of [['ws', 0.5], ['sse', 0.5], ['iframe', 0.5], ['long-poll', 1]] as const) {
    const idle = s.latency?.results.find((r) => r.transport === transport);
    out.push({ id: `idle-p50-${transport}`, transport, text: 'One idle client on loopback, p50 latency', target: `< ${boundMs} ms`, measured: idle?.latency.p50Ms ?? null, unit: 'ms', met: idle ? idle.latency.p50Ms < boundMs : null });
  }
  for (const transport of ['ws', 'sse'] as const) {
    const run = s.reference?.runs.find((r) => r.kind === 'lab' && r.transport === transport)?.load;
    const big = run && run.clients >= 5000;
    const note = run && !big ? `measured with ${run.clients} clients; the target is for 5,000` : undefined;
    out.push({ id: `fanout-rate-${transport}`, transport, text: '5,000 clients: deliveries per second', target: '>= 60,000 /s', measured: run?.deliveriesPerSecond ?? null, unit: '/s', met: run && big ? run.deliveriesPerSecond >= 60_000 : null, note });
    out.push({ id: `fanout-p99-${transport}`, transport, text: '5,000 clients: p99 latency', target: '< 150 ms', measured: run?.latency.p99Ms ?? null, unit: 'ms', met: run && big ? run.latency.p99Ms < 150 : null, note });
  }
  for (const transport of ['sse', 'ws'] as const) {
    const cap = s.capacity?.runs.find((r) => r.transport === transport);
    const reached = cap ? Math.max(0, ...cap.steps.map((st) => st.clients)) : 0;
    const judged = cap && (cap.maxClientsHeld >= 9000 || reached >= 9000);
    out.push({ id: `held-${transport}`, transport, text: 'Clients held by one process', target: '>= 9,000', measured: cap?.maxClientsHeld ?? null, unit: 'clients', met: cap ? (judged ? cap.maxClientsHeld >= 9000 : null) : null, note: cap && !judged ? `the ramp went to ${reached} clients only` : undefined });
    out.push({ id: `memory-${transport}`, transport, text: 'Server memory per connection (RSS slope)', target: '< 15 KB (15,000 B)', measured: cap?.rssBytesPerConnection ?? null, unit: 'B', met: cap?.rssBytesPerConnection != null ? cap.rssBytesPerConnection < 15_000 : null });
  }
  for (const transport of ['sse', 'ws'] as const) {
    const r = s.reference?.ratios[transport];
    out.push({ id: `framework-${transport}`, transport, text: 'Lab against the bare reference subject (throughput: bare CPU per delivery / lab CPU per delivery)', target: '>= 0.9x', measured: r?.throughputRatio ?? null, unit: 'x', met: r?.throughputRatio != null ? r.throughputRatio >= 0.9 : null });
  }
  // A quick run's ramp, clients and windows are too small to judge anything: it shows what it measured, no verdicts.
  if (quick) return out.map((t) => ({ ...t, met: null, note: 'quick run' }));
  return out;
}

// ---------------------------------------------------------------- Markdown

const fmt = (value: number | null | undefined, digits = 0): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
/** Milliseconds as the report prints them: three decimals under 1, one under 100, whole above. */
const ms = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : value < 1 ? fmt(value, 3) : value < 100 ? fmt(value, 1) : fmt(value, 0));
/** A Markdown table. */
const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const CLIENT_WORDS: Record<OverheadClient, string> = { node: 'Node driver', chromium: 'Chromium', 'node-replay': 'Node, Chromium\'s header list replayed' };

/** The machine, Node, the packages and the commit, on one line. */
export function machineLine(r: Results): string {
  const m = r.environment.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryBytes / 2 ** 30, 0)} GiB, ${m.platform} ${m.osRelease}; Node ${r.environment.node}; fastify ${r.environment.packages.fastify}, ws ${r.environment.packages.ws}; commit ${r.environment.git.commit?.slice(0, 10) ?? 'unknown'}`;
}

/** The headline table: one row per transport, HTTP/2 columns beside HTTP/1.1's when the run had HTTP/2. */
export function headlineTable(r: Results): string {
  const n = r.derived.headlineFanoutClients;
  const h2 = r.parameters.wires.includes('h2');
  const n2 = r.derived.headline.find((h) => h.byWire.h2.fanoutClients !== null)?.byWire.h2.fanoutClients ?? null;
  return table(
    ['Transport', 'Overhead per event, Node client (B)', 'Overhead per event, browser heads (B)', ...(h2 ? ['Overhead per event, browser over HTTP/2 (B)'] : []), 'One-off, browser (B)', 'Requests per event', 'Idle p50 (ms)', ...(h2 ? ['Idle p50, HTTP/2 (ms)'] : []), `p99, ${fmt(n)} clients (ms)`, ...(h2 ? [`p99, ${fmt(n2)} clients, HTTP/2 (ms)`] : []), 'Clients held by one process', 'Server memory per connection (B)'],
    r.derived.headline.map((h) => [
      h.label,
      fmt(h.overheadBytesPerEventMinimal, 1),
      fmt(h.overheadBytesPerEventBrowser, 1),
      ...(h2 ? [fmt(h.byWire.h2.overheadBytesPerEventBrowser, 1)] : []),
      fmt(h.oneOffBytesBrowser),
      fmt(h.requestsPerEvent, 2),
      ms(h.idleP50Ms),
      ...(h2 ? [ms(h.byWire.h2.idleP50Ms)] : []),
      ms(h.fanoutP99Ms),
      ...(h2 ? [ms(h.byWire.h2.fanoutP99Ms)] : []),
      h.maxClientsHeld === null ? 'n/a' : `${fmt(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`,
      fmt(h.rssBytesPerConnection),
    ]),
  );
}

/** The targets table. */
export function targetsTable(r: Results): string {
  return table(['Target', 'Transport', 'Target value', 'Measured', 'Met'], r.derived.targets.map((t) => [
    t.text,
    t.transport ? r.labels[t.transport] : '',
    t.target,
    t.measured === null ? 'n/a' : `${t.unit === 'ms' ? ms(t.measured) : fmt(t.measured, t.unit === 'x' ? 2 : t.unit === 'B' && t.measured % 1 ? 2 : 0)} ${t.unit}`,
    t.met === null ? `not judged${t.note ? ` (${t.note})` : ''}` : t.met ? 'yes' : `**no**${t.note ? ` (${t.note})` : ''}`,
  ]));
}

/** The side-by-side section: every figure per wire, the wires as columns. */
function protocolsMarkdown(r: Results): string {
  const p = r.derived.protocols;
  const L = (id: TransportId) => r.labels[id];
  const W = p.wires;
  const head = W.map((w) => r.wireLabels[w]);
  const parts: string[] = [];
  parts.push(`## HTTP/1.1 and HTTP/2 side by side\n\nThe same scenarios over ${W.map((w) => r.wireLabels[w]).join(', ')}, one after the other on one lab process: ratios within this run compare. HTTP/1.1 over TLS uses the lab's HTTP/1.1-only TLS port, so TLS is compared with TLS. Over HTTP/2 a head is an HPACK block: the first request on a connection spells its headers out, a repeated one mostly names table entries. Bytes are the plaintext inside TLS, as the server's frame meter and socket counters saw them; what TLS itself adds is in the last table.`);
  if (p.overhead.length) {
    const rows = p.overhead.map((o) => [o.profile === 'browser' ? 'browser' : 'Node client', L(o.transport), ...W.map((w) => fmt(o.overheadBytesPerEvent[w], 1)), fmt(o.h2ToH1, 2), W.map((w) => fmt(o.requestsPerEvent[w], 2)).join(' / '), o.client.h2 ? CLIENT_WORDS[o.client.h2] : 'n/a']);
    const conn = p.connection.map((c) => `${c.profile === 'browser' ? 'browser' : 'Node client'}: ${fmt(c.oneOffBytes)} B to set the connection up (preface, SETTINGS), then ${fmt(c.bytesPerDelivery, 2)} B per delivery of stream-0 frames`).join('; ');
    parts.push(`### Overhead per delivered event, by wire (B)\n\n${fmt(p.dataBytes)} B of data, one client per transport, short polling at the event spacing. The browser profile over HTTP/2 is Chromium itself, measured at the lab's frame meter (bench/browser-h2.ts); over HTTP/1.1 it is Chromium's captured heads, replayed byte for byte. A poll whose answer carries several events costs each less: the requests per event beside the bytes say how many polls each event took on each wire. HTTP/2's connection-level frames belong to no transport and are not in these figures${conn ? ` (${conn})` : ''}.\n\n` + table(['Client', 'Transport', ...head, 'HTTP/2 / HTTP/1.1', `Requests per event (${W.map((w) => r.wireLabels[w]).join(' / ')})`, 'HTTP/2 measured with'], rows));
  }
  if (p.heads.length) {
    const h2 = r.browserHeads.h2!;
    parts.push(`### Chromium's request heads, HTTP/1.1 against HTTP/2 (B)\n\n${h2.browser}, ${h2.requestsPerKind} requests of each kind on one connection after loading \`${h2.page}\` (${h2.note}). HTTP/1.1: the whole head as text. HTTP/2: the HPACK block of the first request of its kind, and the median of the repeated ones; the lab's response head beside it (Node's HPACK encoder).\n\n` + table(['Request', 'HTTP/1.1 head', 'HTTP/2 first', 'HTTP/2 repeated', 'Carried over', 'Response head, HTTP/2 first', 'Response head, HTTP/2 repeated'], p.heads.map((h) => [`${L(h.transport)}: ${h2.heads[h.transport].request}`, fmt(h.h1Bytes), fmt(h.h2FirstBytes), fmt(h.h2RepeatedBytes, 1), h.h2Protocol === 'h2' ? 'HTTP/2' : String(h.h2Protocol), fmt(h.h2ResponseFirstBytes), fmt(h.h2ResponseRepeatedBytes, 1)])));
  }
  if (p.latency.length) {
    parts.push(`### One idle client, p50 / p99 latency by wire (ms)\n\n` + table(['Transport', ...head], p.latency.map((l) => [L(l.transport), ...W.map((w) => `${ms(l.p50Ms[w])} / ${ms(l.p99Ms[w])}`)])));
  }
  if (p.fanout.length) {
    parts.push(`### Fan-out by wire: p99 latency (ms) and server CPU per delivery (µs)\n\n` + table(['Clients', 'Transport', ...W.map((w) => `p99, ${r.wireLabels[w]}`), ...W.map((w) => `CPU, ${r.wireLabels[w]}`)], p.fanout.map((f) => [fmt(f.clients), L(f.transport), ...W.map((w) => ms(f.p99Ms[w])), ...W.map((w) => fmt(f.cpuMicrosPerDelivery[w], 1))])));
  }
  if (p.rtt.length) {
    parts.push(`### Through the delay proxy: mean latency by wire (ms)\n\n` + table(['RTT (ms)', 'Transport', ...head], p.rtt.map((x) => [fmt(x.rttMs), L(x.transport), ...W.map((w) => ms(x.meanMs[w]))])));
  }
  if (p.tls.length && W.some((w) => w !== 'h1')) {
    const tw = W.filter((w) => w !== 'h1');
    const chromium = p.chromiumHandshake;
    const tlsOne = p.tlsOverhead.filter((t) => t.profile === 'minimal').map((t) => `${r.wireLabels[t.wire]}: ${fmt(t.recordBytesPerDelivery, 1)} B of records per delivery`).join(', ');
    parts.push(`### What TLS costs\n\n${fmt(p.tlsClients)} clients per transport (the fan-out above). Handshake: bytes on the TCP socket from ClientHello to Finished, both ways, per connection (Node's TLS client${chromium ? `; Chromium's handshake is ${fmt(chromium.bytesIn)} B up and ${fmt(chromium.bytesOut)} B down, ${fmt(chromium.bytesIn + chromium.bytesOut)} B per connection, most of it its post-quantum key share` : ''}). Records: TCP bytes minus plaintext over the measured window (record headers and authentication tags), per delivery${tlsOne ? `; with one client per transport: ${tlsOne}` : ''}. CPU: the lab process's user + system time per delivery, and its ratio to plain HTTP/1.1.\n\n` + table(
      ['Transport', ...tw.map((w) => `Handshake per connection, ${r.wireLabels[w]} (B)`), ...tw.map((w) => `Records per delivery, ${r.wireLabels[w]} (B)`), ...W.map((w) => `CPU per delivery, ${r.wireLabels[w]} (µs)`), ...tw.map((w) => `CPU ${r.wireLabels[w]} / HTTP/1.1`)],
      p.tls.map((t) => [L(t.transport), ...tw.map((w) => fmt(t.handshakeBytesPerConnection[w])), ...tw.map((w) => fmt(t.recordBytesPerDelivery[w], 1)), ...W.map((w) => fmt(t.cpuMicrosPerDelivery[w], 1)), ...tw.map((w) => `${fmt(t.cpuRatioToH1[w], 2)}x`)]),
    ));
  }
  return parts.join('\n\n');
}

/** results/summary.md: every table of the run, each with the sentence that says how it was measured. */
export function summaryMarkdown(r: Results): string {
  const s = r.scenarios;
  const L = (id: TransportId) => r.labels[id];
  const W = (w: WireId | undefined) => r.wireLabels[w ?? 'h1'];
  const multiWire = r.parameters.wires.length > 1 || r.parameters.wires[0] !== 'h1';
  const parts: string[] = [];
  parts.push(`# Wirelab bench results${r.quick ? ' (quick run)' : ''}`);
  if (r.quick) parts.push('**A quick run** (`npm run bench -- --quick`): fewer clients, events and steps than the reference run, for CI and a first look. Its figures are not the reference run\'s, and no target is judged on it. The reference run is `results/latest.json`, written by `npm run bench`.');
  parts.push(`Run \`${r.id}\`, ${r.startedAt}, ${fmt(r.durationSeconds)} s, produced by \`${r.command}\`.\n\nMachine: ${machineLine(r)}. Browser heads: ${r.browserHeads.note} (${r.browserHeads.browser}, captured ${r.browserHeads.capturedAt}).${r.browserHeads.h2 ? ` Over HTTP/2: ${r.browserHeads.h2.note} (${r.browserHeads.h2.browser}).` : ''} Largest clock disagreement between processes: ${fmt(r.environment.clockSkewMaxMs * 1000, 1)} µs (corrected). Time per part: ${Object.entries(r.timings).map(([k, v]) => `${k} ${fmt(v)} s`).join(', ')}.`);
  if (r.errors.length) parts.push(`**Scenarios that failed:** ${r.errors.map((e) => `${e.scenario}: ${e.message.split('\n')[0]}`).join('; ')}`);
  parts.push('## Headline\n\nOverhead = every byte on the socket that is not event payload (HTTP heads, framing, envelopes), both directions, per delivered event, smallest payload; short polling polls once per event. One-off = what a connection costs before its first event (handshake or response head, preamble). Memory is the slope of the server\'s RSS over held connections. Columns without a protocol are plain HTTP/1.1.\n\n' + headlineTable(r) + clusterHeadlineNote(r));
  parts.push('## Targets\n\n' + targetsTable(r));
  if (multiWire) parts.push(protocolsMarkdown(r));

  if (s.overhead) {
    const cells = WIRE_IDS.flatMap((w) => overheadCells(s, w));
    const rows = cells.map((c) => [W(c.wire), c.client === 'chromium' ? 'Chromium' : c.profile, fmt(c.dataBytes), L(c.transport), fmt(c.eventJsonBytes, 0), fmt(c.perEvent.downHeadBytes, 1), fmt(c.perEvent.downFramingBytes, 2), fmt(c.perEvent.upHeadBytes, 1), fmt(c.perEvent.upFramingBytes, 1), fmt(c.perEvent.overheadBytes, 1), c.floorFramingBytes === null ? '' : fmt(c.floorFramingBytes, 2), fmt(c.requestsPerEvent, 3), fmt(c.connectionsPerEvent, 3)]);
    parts.push(`## Overhead per delivered event\n\n${cells[0]?.eventsPublished ?? ''} events per cell, ${r.parameters.overhead.intervalMs} ms apart; bytes counted by the server on its sockets (/stats; over HTTP/2 its frame meter, over TLS the plaintext). Payload = the event JSON. Over HTTP/2 the framing floor is the transport's own (no chunk framing); each DATA frame adds 9 B, and a frame may carry two events queued together.\n\n` + table(['Wire', 'Client', 'Data (B)', 'Transport', 'Event JSON (B)', 'Down head', 'Down framing', 'Up head', 'Up framing', 'Overhead', 'Framing floor', 'Requests/event', 'Connections/event'], rows));
    const oneOffAll = [...r.derived.oneOff.map((o) => ({ ...o, wire: 'h1' as WireId })), ...Object.values(r.derived.oneOffByWire).flat()];
    parts.push('### One-off costs, amortised\n\nOver TLS a connection also pays its TLS handshake, and over HTTP/2 the connection preface and SETTINGS, shared by all its streams (see "What TLS costs"); they are not in these figures.\n\n' + table(['Wire', 'Client', 'Transport', 'One-off (B)', 'Per event (B)', ...[1, 10, 100, 1000].map((n) => `Per event over ${fmt(n)} events (B)`)], oneOffAll.map((o) => [W(o.wire), o.client === 'chromium' ? 'Chromium' : o.profile, L(o.transport), fmt(o.oneOffBytes), fmt(o.perEventOverheadBytes, 1), ...o.amortised.map((a) => fmt(a.overheadBytesPerEvent, 1))])));
  }
  if (s.shortPollGrid) {
    parts.push(`## Short polling: interval against event rate\n\n${s.shortPollGrid.cells[0]?.clients ?? ''} clients per cell at random phases, ${fmt(s.shortPollGrid.durationMs / 1000, 0)} s, ${s.shortPollGrid.dataBytes} B data, HTTP/1.1.\n\n` + table(['Interval (ms)', 'Events/s', 'Polls', 'Empty polls', 'Empty share', 'Polls per event', 'Overhead per event (B)', 'Mean latency (ms)', 'Half interval (ms)', 'p50 (ms)', 'p99 (ms)'], s.shortPollGrid.cells.map((c) => [fmt(c.intervalMs), fmt(c.ratePerSecond), fmt(c.polls), fmt(c.emptyPolls), `${fmt(c.emptyPollShare * 100, 0)}%`, fmt(c.pollsPerEvent, 2), fmt(c.overheadBytesPerEvent, 0), ms(c.latency.meanMs), ms(c.expectedMeanLatencyMs), ms(c.latency.p50Ms), ms(c.latency.p99Ms)])));
  }
  if (s.latency) {
    const all = WIRE_IDS.flatMap((w) => latencyResults(s, w));
    parts.push(`## Latency, one idle client\n\n${r.parameters.latency.events} events ${s.latency.intervalMs} ms apart; publish (\`at\`) to receipt in a separate client process.\n\n` + table(['Wire', 'Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Expected mean (ms)'], all.map((x) => [W(x.wire), L(x.transport), ms(x.latency.p50Ms), ms(x.latency.p90Ms), ms(x.latency.p99Ms), ms(x.latency.maxMs), ms(x.expectedMeanLatencyMs)])));
  }
  if (s.fanout) {
    const all = WIRE_IDS.flatMap((w) => fanoutRuns(s, w)).sort((a, b) => a.clients - b.clients || TRANSPORT_IDS.indexOf(a.transport) - TRANSPORT_IDS.indexOf(b.transport) || WIRE_IDS.indexOf(a.wire ?? 'h1') - WIRE_IDS.indexOf(b.wire ?? 'h1'));
    parts.push(`## Latency under fan-out\n\n${s.fanout.ratePerSecond} events/s to every client; short polling every ${fmt(s.fanout.shortPollIntervalMs)} ms.\n\n` + table(['Clients', 'Transport', 'Wire', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Deliveries', 'Deliveries/s', 'Server CPU per delivery (µs)', 'Requests per delivery', 'Connect (s)', 'Errors'], all.map((x) => [fmt(x.clients), L(x.transport), W(x.wire), ms(x.latency.p50Ms), ms(x.latency.p90Ms), ms(x.latency.p99Ms), ms(x.latency.maxMs), `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`, fmt(x.deliveriesPerSecond), fmt(x.serverCpuMicrosPerDelivery, 1), fmt(x.requestsPerDelivery, 2), fmt(x.connectSeconds, 2), fmt(x.clientErrors)])));
  }
  if (s.rtt) {
    const all = WIRE_IDS.flatMap((w) => rttRuns(s, w)).sort((a, b) => a.rttMs - b.rttMs || TRANSPORT_IDS.indexOf(a.transport) - TRANSPORT_IDS.indexOf(b.transport) || WIRE_IDS.indexOf(a.wire ?? 'h1') - WIRE_IDS.indexOf(b.wire ?? 'h1'));
    parts.push(`## Through a simulated round trip\n\nAn event every ${s.rtt.intervalMs} ms, faster than one per round trip; short polling every ${s.rtt.shortPollIntervalMs} ms.\n\n` + table(['RTT (ms)', 'Transport', 'Wire', 'p50 (ms)', 'mean (ms)', 'p99 (ms)', 'Expected mean (ms)', 'Requests per event', 'Events per read'], all.map((x) => [fmt(x.rttMs), L(x.transport), W(x.wire), ms(x.latency.p50Ms), ms(x.latency.meanMs), ms(x.latency.p99Ms), ms(x.expectedMeanLatencyMs), fmt(x.requestsPerEvent, 2), fmt(x.eventsPerRead, 2)])));
  }
  if (s.capacity) {
    parts.push(`## Connections held by one server process\n\nA ramp on a fresh lab process per transport, HTTP/1.1; at each step ${s.capacity.probeEvents} probe events measure latency.\n\n` + table(['Transport', 'Held', 'Stopped by', 'RSS per connection (B)', 'Heap per connection (B)', 'Steps (clients: p99 ms)'], s.capacity.runs.map((x) => [L(x.transport), fmt(x.maxClientsHeld), x.stopReason, fmt(x.rssBytesPerConnection), fmt(x.heapBytesPerConnection), x.steps.map((st) => `${fmt(st.clients)}: ${ms(st.latency.p99Ms)}`).join(', ')])));
  }
  if (s.autocannon) {
    const a = s.autocannon;
    parts.push(`## Short-poll endpoint under autocannon\n\n\`${a.url}\` (empty answers, HTTP/1.1), ${a.connections} connections, ${a.durationSeconds} s: **${fmt(a.requestsPerSecond)} requests/s**, p50 ${ms(a.latency.p50Ms)} ms, p99 ${ms(a.latency.p99Ms)} ms (from autocannon's fractional response times; its own histogram reads p50 ${a.autocannonLatencyMs.p50} ms in whole ms), ${fmt(a.serverCpuMicrosPerRequest, 1)} µs of server CPU per request, ${fmt(a.requestBytesPerRequest)} B in and ${fmt(a.responseBytesPerRequest)} B out per request; ${a.non2xx} non-2xx, ${a.errors} errors.`);
  }
  if (s.reference) {
    const x = s.reference;
    parts.push(`## What the framework costs\n\n${fmt(x.clients)} clients at ${x.ratePerSecond} events/s, each subject in a fresh process, HTTP/1.1.\n\n` + table(['Subject', 'Idle p50 (ms)', 'p50 (ms)', 'p99 (ms)', 'Deliveries/s', 'Server CPU per delivery (µs)', 'RSS per connection (B)'], x.runs.map((run) => [run.subject, ms(run.singleClient.latency.p50Ms), ms(run.load.latency.p50Ms), ms(run.load.latency.p99Ms), fmt(run.load.deliveriesPerSecond), fmt(run.load.serverCpuMicrosPerDelivery, 2), fmt(run.rssBytesPerConnection)])) + '\n\n' + Object.entries(x.ratios).map(([t, v]) => `${L(t as TransportId)}: the lab runs at ${fmt(v.throughputRatio, 2)}x the bare subject's throughput (CPU per delivery), ${fmt(v.memoryRatio, 2)}x its memory efficiency.`).join(' '));
  }
  const cluster = clusterMarkdown(r);
  if (cluster) parts.push(cluster);
  const k = r.derived.kaazing;
  if (k.rows.length > 2) {
    parts.push(`## The Kaazing table, measured\n\n${k.source}: ${KAAZING.pollingHeaderBytes} B of headers per poll against ${KAAZING.webSocketFrameBytes} B per WebSocket frame, every client receiving one event per second. Overhead only, as in the original (no TCP/IP headers, no TLS records, no payload); measured rows use Chromium's request heads (over HTTP/2, Chromium itself) and ${k.dataBytes} B of data. Mbps (SI) = 10^6 bit/s; Mibit/s (binary) = 2^20 bit/s, the unit the 2010 table called "Mbps".\n\n` + table(['Row', 'B per event', ...k.clients.flatMap((n) => [`${fmt(n)} clients, Mbps (SI)`, `${fmt(n)} clients, Mibit/s`])], k.rows.map((row) => [row.label, fmt(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [fmt(b.mbpsSI, 3), fmt(b.mbpsBinary, 3)])])) + `\n\nThe 2010 table printed ${k.published.pollingMbps.join(' / ')} and ${k.published.webSocketMbps.join(' / ')} Mbps: the binary columns above.`);
  }
  parts.push(`## Method\n\nThe lab runs as its own process (\`bench/lab-server.ts\`, the app from \`server/app.ts\` with ${Object.entries(r.serverSettings).map(([k2, v]) => `${k2}=${v}`).join(', ')}); clients run in ${r.parameters.quick ? 'separate' : 'several separate'} worker processes through the lab's drivers (\`bench/drivers\`), from 127.x.y.z source addresses, over ${r.parameters.wires.map((w) => r.wireLabels[w]).join(', ')} for the overhead, latency, fan-out and round-trip scenarios (the others over HTTP/1.1). Bytes come from the server's own counters (/stats: socket counters over HTTP/1.1, the plaintext inside TLS, the frame meter over HTTP/2); latency is the event's \`at\` (publish time) to the client's receipt, with each process's clock offset measured against the shared monotonic clock and subtracted. Heartbeats are off inside measured windows. TCP/IP headers are not counted (neither does Kaazing's table).`);
  return parts.join('\n\n') + '\n';
}

/** A sentence under the headline table: what several processes on one Redis feed add (see the cluster section). */
function clusterHeadlineNote(r: Results): string {
  const c = r.derived.cluster;
  if (!c || c.skipped) return '';
  const row = (id: TransportId) => c.latency.find((l) => l.transport === id);
  const said = (['sse', 'ws'] as const).map(row).filter((l) => l !== undefined).map((l) => `${r.labels[l!.transport]} ${ms(l!.p50Ms.memory)} ms with the feed in the process, ${ms(l!.p50Ms.redis)} ms with it in Redis, ${ms(l!.p50Ms.cluster)} ms through nginx to ${c.processes} processes`);
  if (!said.length) return '';
  return `\n\nSeveral processes on one feed kept in Redis ("Several processes on one Redis feed" below): one idle client's p50, ${said.join('; ')}.${c.ok ? '' : ' **The cluster scenario found broken promises: see its section.**'}`;
}

const SETUP_WORDS: Record<ClusterSetup, string> = { memory: 'one process, feed in memory, direct', redis: 'one process, feed in Redis, direct', cluster: 'behind nginx, feed in Redis' };

/** results/summary.md's "Several processes on one Redis feed". */
function clusterMarkdown(r: Results): string {
  const c = r.derived.cluster;
  const raw = r.scenarios.cluster;
  if (!c || !raw) return '';
  const title = '## Several processes on one Redis feed';
  if (c.skipped) return `${title}\n\n**Skipped:** ${c.reason}`;
  if (raw.skipped) return '';
  const L = (id: TransportId) => r.labels[id];
  const N = c.processes;
  const p = r.parameters.cluster;
  const parts: string[] = [];
  parts.push(`${title}\n\nThe lab as \`npm run cluster\` runs it: a redis-server, lab processes that keep the feed there (FEED_STORE=redis://..., a Lua script takes the next seq and XADDs the event; every process mirrors the stream with a blocking XREAD and serves from memory) and nginx in front, round robin, no sticky session. Plain HTTP/1.1 on loopback; ${fmt(c.dataBytes)} B of data. ${raw.programs.redis ?? 'redis-server'}; ${raw.programs.nginx ?? 'nginx'}. **On ${r.environment.machine.cores} cores** the lab processes, redis-server, nginx, the publisher and the client workers all compete for the same cores: compare ratios within this run, not absolute throughput.`);
  if (c.problems.length) parts.push(`**Broken promises found:** ${c.problems.join('; ')}`);
  if (c.latency.length) {
    parts.push(`### What the Redis hop adds to a delivery\n\nOne idle client per transport in each setup, all three connected throughout; ${fmt(p.latency.events)} events per setup, ${p.latency.intervalMs} ms apart, after ${p.latency.warmupEvents} to warm up, the setups taking turns (${p.latency.rounds} turns each) so that noise on a shared machine falls on all three alike; publish (\`at\`, stamped before the trip to Redis) to receipt. In memory and Redis: one lab process each (\`bench/lab-server.ts\`), the same settings, clients direct, so only the Redis hop differs; the process publishes its own events (through Redis in the second). Behind nginx: ${N} lab processes (\`npm start\`'s server), the events published into their Redis by the bench (the lab's own RedisFeedSource), the client sent wherever nginx sends it. Short polling polls every ${fmt(p.latency.shortPollIntervalMs)} ms: its figures are the interval's, not the hop's.\n\n` + table(
      ['Transport', 'Feed in memory, p50 / p99 (ms)', 'Feed in Redis, p50 / p99 (ms)', 'Added by Redis, p50 / p99 (ms)', `${N} processes behind nginx, p50 / p99 (ms)`, 'Added by nginx and Redis, p50 / p99 (ms)'],
      c.latency.map((l) => [L(l.transport), `${ms(l.p50Ms.memory)} / ${ms(l.p99Ms.memory)}`, `${ms(l.p50Ms.redis)} / ${ms(l.p99Ms.redis)}`, `${ms(l.redisAddedP50Ms)} / ${ms(l.redisAddedP99Ms)}`, `${ms(l.p50Ms.cluster)} / ${ms(l.p99Ms.cluster)}`, `${ms(l.clusterAddedP50Ms)} / ${ms(l.clusterAddedP99Ms)}`]),
    ));
  }
  if (c.load.length) {
    const tick = raw.cpuTickMicros ? ` /proc counts CPU time in ticks of ${fmt(raw.cpuTickMicros / 1000)} ms: over a ${fmt(p.load.durationMs / 1000, 1)} s window a part's figure is good to a tick.` : '';
    parts.push(`### Deliveries and CPU per delivery, 1 and ${N} processes\n\n${fmt(p.load.clients)} clients at ${p.load.ratePerSecond} events/s (${fmt(p.load.clients * p.load.ratePerSecond)} deliveries/s offered), ${fmt(p.load.warmupMs)} ms to warm up, ${fmt(p.load.durationMs / 1000, 1)} s measured. CPU per delivery: user + system time over the window divided by deliveries; the lab processes summed (the one bench lab process's own count in memory; /proc/<pid>/stat behind nginx), nginx (master and worker) and redis-server apart, from /proc/<pid>/stat; the publisher (the bench's, standing in for the process that takes a chat post) is left out of the total.${tick} Per core: the deliveries one core could make at that total cost, the throughput to compare (deliveries/s is what the schedule asked for, met or not). Cores busy: the CPU time of the lab processes, nginx and redis-server over the window's wall time, then the client workers' (from /proc too), out of the machine's ${r.environment.machine.cores}.\n\n` + table(
      ['Setup', 'Transport', 'Deliveries', 'Deliveries/s (offered)', 'p50 (ms)', 'p99 (ms)', 'Labs (µs)', 'nginx (µs)', 'Redis (µs)', 'Total (µs)', 'Per core (deliveries/s)', 'Labs / 1 process', 'Cores busy: servers / clients', 'Publisher (µs)', 'Clients per process'],
      c.load.map((x) => [x.setup === 'cluster' ? `${x.processes} process${x.processes > 1 ? 'es' : ''}, ${SETUP_WORDS.cluster}` : SETUP_WORDS[x.setup], L(x.transport), `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`, `${fmt(x.deliveriesPerSecond)} (${fmt(x.offeredDeliveriesPerSecond)})`, ms(x.p50Ms), ms(x.p99Ms), fmt(x.labsCpuMicrosPerDelivery, 1), x.setup === 'cluster' ? fmt(x.nginxCpuMicrosPerDelivery, 1) : 'none', x.setup === 'cluster' ? fmt(x.redisCpuMicrosPerDelivery, 1) : 'none', fmt(x.totalCpuMicrosPerDelivery, 1), fmt(x.deliveriesPerCoreSecond), x.labsCpuRatioToOne === null ? '' : `${fmt(x.labsCpuRatioToOne, 2)}x`, `${fmt(x.coresUsed, 2)} / ${fmt(x.clientCoresUsed, 2)}`, x.setup === 'cluster' ? fmt(x.publisherCpuMicrosPerDelivery, 1) : 'in the lab', x.clientsByProcess ? Object.entries(x.clientsByProcess).map(([name, n]) => `${name} ${fmt(n)}`).join(', ') : '']),
    ));
    // What N processes did for the cost of a delivery, against one, in this run's own figures.
    const pair = (transport: TransportId) => [c.load.find((x) => x.setup === 'cluster' && x.processes === 1 && x.transport === transport), c.load.find((x) => x.setup === 'cluster' && x.processes === N && x.transport === transport)] as const;
    const verdict = c.load.filter((x) => x.setup === 'cluster' && x.processes === N).map((x) => {
      const [one, many] = pair(x.transport);
      if (!one?.totalCpuMicrosPerDelivery || !many?.totalCpuMicrosPerDelivery) return '';
      const more = many.totalCpuMicrosPerDelivery >= one.totalCpuMicrosPerDelivery;
      return ` ${L(x.transport)}: ${N} processes cost ${fmt(many.totalCpuMicrosPerDelivery, 1)} µs per delivery against one process's ${fmt(one.totalCpuMicrosPerDelivery, 1)} µs (${fmt(many.deliveriesPerCoreSecond)} against ${fmt(one.deliveriesPerCoreSecond)} deliveries per core-second)${more ? ': on this machine more processes buy no throughput, they share the same cores and each keeps its own mirror of the feed' : ''}.`;
    }).join('');
    const busiest = [...c.load].filter((x) => x.coresUsed !== null).sort((a, b) => (b.coresUsed ?? 0) + (b.clientCoresUsed ?? 0) - (a.coresUsed ?? 0) - (a.clientCoresUsed ?? 0))[0];
    if (busiest) parts.push(`What ${r.environment.machine.cores} cores limit: the busiest run (${L(busiest.transport)}, ${busiest.setup === 'cluster' ? `${busiest.processes} process${busiest.processes > 1 ? 'es' : ''} behind nginx` : 'one process, feed in memory'}) kept ${fmt(busiest.coresUsed, 2)} cores busy with the servers and ${fmt(busiest.clientCoresUsed, 2)} with the client workers, while the schedule asked for ${fmt(busiest.offeredDeliveriesPerSecond)} deliveries/s and got ${fmt(busiest.deliveriesPerSecond)}.${verdict}`);
  }
  if (c.polls.length) {
    parts.push(`### Polling spread over every process\n\nThrough nginx to ${N} processes, no sticky session: ${fmt(p.polls.clients)} clients per transport, ${fmt(p.polls.events)} events ${p.polls.intervalMs} ms apart, short polls every ${fmt(p.polls.shortPollIntervalMs)} ms. Each answer names its process (\`x-wirelab-process\`); each client's seqs are checked as they arrive: every seq once, in order, none skipped, no \`gap\` event.\n\n` + table(
      ['Transport', 'Processes that answered', 'Answers per process', `Clients answered by all ${N}`, 'Deliveries', 'Seen twice or out of order', 'Holes and gap events', 'p50 (ms)', 'p99 (ms)', 'Every seq once, in order'],
      c.polls.map((x) => [L(x.transport), `${fmt(x.processesSeen)} of ${fmt(x.processes)}`, Object.entries(x.answersByProcess).sort().map(([name, n]) => `${name} ${fmt(n)}`).join(', '), `${fmt(x.clientsAnsweredByAll)} of ${fmt(x.clients)}`, `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`, fmt(x.duplicates), fmt(x.gaps), ms(x.p50Ms), ms(x.p99Ms), x.ok ? 'yes' : '**no**']),
    ));
  }
  return parts.join('\n\n');
}

/** Where a run is written: the reference files under `outDir`, a quick run's under `outDir`/quick. */
export function resultsPaths(results: Pick<Results, 'id' | 'quick'>, outDir: string): { dir: string; runFile: string; latestFile: string; summaryFile: string } {
  const dir = results.quick ? path.join(outDir, 'quick') : outDir;
  return { dir, runFile: path.join(dir, 'runs', `${results.id}.json`), latestFile: path.join(dir, 'latest.json'), summaryFile: path.join(dir, 'summary.md') };
}

/**
 * Writes runs/<id>.json, latest.json and summary.md: under `outDir` for a full run
 * (the reference run), under `outDir`/quick for a quick one, which never replaces
 * the reference. The quick folder ignores itself in git (its own .gitignore).
 */
export function writeResults(results: Results, outDir: string): { runFile: string; latestFile: string; summaryFile: string } {
  const paths = resultsPaths(results, outDir);
  mkdirSync(path.join(paths.dir, 'runs'), { recursive: true });
  if (results.quick) writeFileSync(path.join(paths.dir, '.gitignore'), '# Quick runs (npm run bench -- --quick): not the reference run, never committed.\n*\n');
  const json = `${JSON.stringify(results)}\n`;
  writeFileSync(paths.runFile, json);
  writeFileSync(paths.latestFile, json);
  writeFileSync(paths.summaryFile, summaryMarkdown(results));
  return { runFile: paths.runFile, latestFile: paths.latestFile, summaryFile: paths.summaryFile };
}

export { TRANSPORT_IDS };
