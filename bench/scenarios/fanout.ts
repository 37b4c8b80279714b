/**
 * Latency under fan-out: N clients of one transport on one lab server, the same
 * schedule of events for every transport, publish to receipt for every client.
 *
 * A broadcast is a loop over subscribers: the last socket in the loop hears
 * later than the first, so p99 grows with N (about 12 µs per socket write on these machines).
 * Polling transports pay a request per client per answer on top. The server's CPU
 * time over the window, divided by deliveries, is what one delivery costs it.
 *
 * Once per wire: the same clients and schedule over HTTP/1.1, HTTP/1.1 over TLS
 * and HTTP/2, so that what encryption and HTTP/2 cost the server per delivery is
 * a ratio within one run. Over TLS a run also reads the lab's TLS counters: the
 * handshake bytes of each connection and the record bytes per delivery.
 */
import type { TlsTraffic } from '../../server/tls-stats.ts';
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, type Server, heldBy, poll, sleep } from '../cluster.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { type OtherWireId, type WireId, isTls, protocolOf } from '../wires.ts';
import { type LabStats, type RunContext, cpuMicros, labStats, round, tlsDelta } from './context.ts';

/** What TLS cost one fan-out run, from /stats `tls` (the wire's ALPN protocol). */
export interface LoadTls {
  /** Connections set up while the clients connected, and their handshakes (ClientHello to Finished). */
  connectionsOpened: number;
  handshakeBytesIn: number;
  handshakeBytesOut: number;
  handshakeBytesPerConnection: number | null;
  /** Over the measured window: TCP bytes minus plaintext (record headers, tags, alerts, tickets), per delivery. */
  recordBytesIn: number;
  recordBytesOut: number;
  recordBytesPerDelivery: number | null;
  tcpBytesPerDelivery: number | null;
  plaintextBytesPerDelivery: number | null;
}

export interface LoadRun {
  subject: string;
  wire: WireId;
  transport: TransportId;
  clients: number;
  /** Clients the server held when measuring started (it should be all of them). */
  held: number;
  connectSeconds: number;
  ratePerSecond: number;
  eventsPublished: number;
  deliveriesExpected: number;
  deliveries: number;
  /** Clients that had not received the last event when the wait ended. */
  clientsBehind: number;
  clientErrors: number;
  clientErrorSamples: string[];
  /** What the clients saw that they should not have: an event twice or out of order, a hole in the seqs, a `gap` event. */
  duplicates: number;
  gaps: number;
  gapEvents: number;
  /** Deliveries over the time from the first publish to the last receipt. */
  deliveriesPerSecond: number;
  /** Deliveries per second the schedule offered (clients x rate). */
  offeredDeliveriesPerSecond: number;
  /** Server CPU time (user + system) per delivered event, in µs. */
  serverCpuMicrosPerDelivery: number | null;
  /** HTTP requests the server answered per delivered event (lab only). */
  requestsPerDelivery: number | null;
  /** The latest a scheduled publish left: a busy server shows here first. */
  publishMaxLateMs: number;
  latency: Distribution;
  expectedMeanLatencyMs: number | null;
  /** Over TLS (lab only): the handshakes of the connect phase, the record bytes of the window. */
  tls?: LoadTls | null;
  /**
   * When the server is several processes (the cluster scenario, bench/cluster-agent.ts):
   * the CPU time of each part over the window (each lab process, nginx, redis-server,
   * the publisher), in µs and per delivery; /proc counts in ticks of `tickMicros`.
   */
  cpuParts?: CpuParts;
}

export interface CpuParts {
  windowMs: number;
  tickMicros: number;
  micros: Record<string, number | null>;
  microsPerDelivery: Record<string, number | null>;
}

type PartsUsage = { parts?: Record<string, number | null>; tickMicros?: number };

/** A usage reading with its parts: a cluster's own (cluster-agent.ts), or one process's whole time as `lab`. */
const withParts = (u: PartsUsage & { cpuUserMicros: number; cpuSystemMicros: number }): PartsUsage =>
  u.parts ? u : { parts: { lab: u.cpuUserMicros + u.cpuSystemMicros }, tickMicros: 1 };

/** Each part's CPU over a window, from two usage readings that carry `parts` (cluster-agent.ts); undefined otherwise. */
function cpuParts(a: PartsUsage, b: PartsUsage, windowMs: number, delivered: number): CpuParts | undefined {
  if (!a.parts || !b.parts) return undefined;
  const micros: Record<string, number | null> = {};
  const microsPerDelivery: Record<string, number | null> = {};
  for (const key of Object.keys(b.parts)) {
    const before = a.parts[key];
    const after = b.parts[key];
    micros[key] = before == null || after == null ? null : Math.round(after - before);
    microsPerDelivery[key] = micros[key] === null || delivered <= 0 ? null : round(micros[key]! / delivered, 2);
  }
  return { windowMs: round(windowMs, 1) ?? 0, tickMicros: b.tickMicros ?? 0, micros, microsPerDelivery };
}

export interface MeasureOptions {
  subject: string;
  server: Server;
  set: ClientSet;
  wire?: WireId;
  transport: TransportId;
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  dataBytes: number;
  shortPollIntervalMs: number;
  connectSeconds: number;
  /** Keep the window's CPU time in `cpuParts` even for one process (its part is `lab`); a cluster's parts are kept anyway. */
  cpuParts?: boolean;
  /** Called as the measured window opens and as it closes, beside the server's own CPU readings. */
  onWindow?: (edge: 'start' | 'end') => unknown;
}

/** Warm up, then measure one schedule against clients already connected. */
export async function measureLoad(o: MeasureOptions): Promise<LoadRun> {
  const { server, set } = o;
  const held = await heldBy(server, o.transport);
  const intervalMs = 1000 / o.ratePerSecond;
  const warm = await server.child.call(
    'publish',
    { count: Math.max(1, Math.round(o.warmupMs / intervalMs)), intervalMs, dataBytes: o.dataBytes },
    60_000,
  );
  await set.waitFor(warm.lastSeq, 5000 + o.shortPollIntervalMs);
  await set.record(warm.lastSeq + 1);
  const stats0 = await server.child.call('stats', { instance: server.instance });
  const usage0 = await server.child.call('usage');
  await o.onWindow?.('start');
  const window0 = performance.now();
  const count = Math.max(1, Math.round(o.durationMs / intervalMs));
  const published = await server.child.call('publish', { count, intervalMs, dataBytes: o.dataBytes }, o.durationMs + 60_000);
  const wait = await set.waitFor(published.lastSeq, 10_000 + (o.transport === 'short-poll' ? o.shortPollIntervalMs : 0));
  const usage1 = await server.child.call('usage');
  const windowMs = performance.now() - window0;
  await o.onWindow?.('end');
  const stats1 = await server.child.call('stats', { instance: server.instance });
  const collected = await set.collect();
  await set.record(null);
  const delivered =
    server.kind === 'lab'
      ? stats1.transports[o.transport].eventsDelivered - stats0.transports[o.transport].eventsDelivered
      : stats1.eventsDelivered - stats0.eventsDelivered;
  const requests = server.kind === 'lab' ? stats1.transports[o.transport].requests - stats0.transports[o.transport].requests : null;
  const spanMs = collected.lastReceivedAt === null ? NaN : collected.lastReceivedAt - published.firstAt;
  const wire = o.wire ?? 'h1';
  const tlsWindow =
    server.kind === 'lab' && isTls(wire) && stats0.tls && stats1.tls
      ? tlsDelta(stats0.tls[protocolOf(wire)], stats1.tls[protocolOf(wire)])
      : null;
  const perDelivery = (bytes: number) => (delivered > 0 ? round(bytes / delivered, 2) : null);
  return {
    subject: o.subject,
    wire,
    transport: o.transport,
    clients: set.count,
    held,
    connectSeconds: round(o.connectSeconds, 2) ?? 0,
    ratePerSecond: o.ratePerSecond,
    eventsPublished: count,
    deliveriesExpected: count * set.count,
    deliveries: collected.received,
    clientsBehind: wait.behind,
    clientErrors: collected.errors,
    clientErrorSamples: collected.lastErrors,
    duplicates: collected.duplicates,
    gaps: collected.gaps,
    gapEvents: collected.gapEvents,
    deliveriesPerSecond: Math.round(collected.received / (spanMs / 1000)) || 0,
    offeredDeliveriesPerSecond: Math.round(set.count * o.ratePerSecond),
    serverCpuMicrosPerDelivery: delivered > 0 ? round(cpuMicros(usage0, usage1) / delivered, 2) : null,
    requestsPerDelivery: requests === null || delivered === 0 ? null : round(requests / delivered, 3),
    publishMaxLateMs: round(published.maxLateMs, 2) ?? 0,
    latency: distribution(collected.samples, 0),
    expectedMeanLatencyMs: o.transport === 'short-poll' ? o.shortPollIntervalMs / 2 : null,
    tls: tlsWindow
      ? {
          connectionsOpened: 0,
          handshakeBytesIn: 0,
          handshakeBytesOut: 0,
          handshakeBytesPerConnection: null,
          recordBytesIn: tlsWindow.recordBytesIn,
          recordBytesOut: tlsWindow.recordBytesOut,
          recordBytesPerDelivery: perDelivery(tlsWindow.recordBytesIn + tlsWindow.recordBytesOut),
          tcpBytesPerDelivery: perDelivery(tlsWindow.tcpBytesIn + tlsWindow.tcpBytesOut),
          plaintextBytesPerDelivery: perDelivery(tlsWindow.plaintextBytesIn + tlsWindow.plaintextBytesOut),
        }
      : null,
    ...(usage0.parts || o.cpuParts ? { cpuParts: cpuParts(withParts(usage0), withParts(usage1), windowMs, delivered) } : {}),
  };
}

/** Puts the handshakes of a connect phase (`before` to `after`) into a run's TLS figures. */
function addHandshakes(run: LoadRun, before: LabStats, after: LabStats): void {
  if (!run.tls || !before.tls || !after.tls) return;
  const d: TlsTraffic = tlsDelta(before.tls[protocolOf(run.wire)], after.tls[protocolOf(run.wire)]);
  run.tls.connectionsOpened = d.connectionsOpened;
  run.tls.handshakeBytesIn = d.handshakeBytesIn;
  run.tls.handshakeBytesOut = d.handshakeBytesOut;
  run.tls.handshakeBytesPerConnection =
    d.connectionsOpened > 0 ? round((d.handshakeBytesIn + d.handshakeBytesOut) / d.connectionsOpened, 1) : null;
}

/** Opens `count` clients (over `wire`) and waits until the server holds them; says how long that took. */
export async function connectMany(
  context: RunContext,
  server: Server,
  transport: TransportId,
  count: number,
  shortPollIntervalMs: number,
  wire: WireId = 'h1',
  extra: { socketIo?: boolean } = {},
): Promise<{ set: ClientSet; connectSeconds: number; held: number }> {
  const started = Date.now();
  const since = (await server.child.call('stats', { instance: server.instance })).lastSeq;
  const set = await context.cluster.open(server, transport, count, {
    since,
    intervalMs: shortPollIntervalMs,
    stagger: true,
    wire,
    ...extra,
  });
  const held = await poll(
    () => heldBy(server, transport),
    (n) => n >= count,
    30_000 + count * 2,
    100,
  );
  return { set, connectSeconds: (Date.now() - started) / 1000, held: held.value };
}

/** Closes the clients and waits until the server has let them all go. */
export async function disconnect(server: Server, set: ClientSet, transport: TransportId): Promise<void> {
  await set.close();
  await poll(
    () => heldBy(server, transport),
    (n) => n === 0,
    30_000,
    100,
  );
  await sleep(100);
}

/** HTTP/1.1 runs where they always were; the other wires' in `byWire`, same shape. */
export interface FanoutResult {
  runs: LoadRun[];
  ratePerSecond: number;
  dataBytes: number;
  shortPollIntervalMs: number;
  byWire: Partial<Record<OtherWireId, { runs: LoadRun[] }>>;
}

/** Estimated seconds of one fan-out run, for the progress bar (TLS handshakes cost the two cores more). */
export const fanoutSeconds = (p: { fanout: { warmupMs: number; durationMs: number } }, count: number, wire: WireId) =>
  (p.fanout.warmupMs + p.fanout.durationMs) / 1000 + 1 + count / (wire === 'h1' ? 4000 : 1500);

/** Every client count, transport and wire (the TLS wires up to tlsClients), one run at a time on the shared lab. */
export async function runFanout(context: RunContext): Promise<FanoutResult> {
  const { params, lab, progress } = context;
  const { clients, tlsClients, ratePerSecond, warmupMs, durationMs, shortPollIntervalMs } = params.fanout;
  const dataBytes = params.payloadBytes[0];
  const out: FanoutResult = { runs: [], ratePerSecond, dataBytes, shortPollIntervalMs, byWire: {} };
  const countsOf = (wire: WireId) => (wire === 'h1' ? clients : tlsClients);
  for (const count of [...new Set(params.wires.flatMap(countsOf))].sort((a, b) => a - b)) {
    // The wires one after the other at each size: the closest in time, the fairest ratio.
    for (const transport of params.transports) {
      for (const wire of params.wires.filter((w) => countsOf(w).includes(count))) {
        progress.step(`fan-out over ${wire}: ${count} ${transport} clients, ${ratePerSecond} events/s`);
        const before = await labStats(lab);
        const { set, connectSeconds } = await connectMany(context, lab, transport, count, shortPollIntervalMs, wire);
        const run = await measureLoad({
          subject: 'lab',
          server: lab,
          set,
          wire,
          transport,
          ratePerSecond,
          warmupMs,
          durationMs,
          dataBytes,
          shortPollIntervalMs,
          connectSeconds,
        });
        addHandshakes(run, before, await labStats(lab));
        await disconnect(lab, set, transport);
        if (wire === 'h1') out.runs.push(run);
        else (out.byWire[wire] ??= { runs: [] }).runs.push(run);
        progress.advance(fanoutSeconds(params, count, wire));
      }
    }
  }
  // The lab's counters let the report say whether any slow reader was dropped under load.
  const stats = await labStats(lab);
  if (stats.counters.slowReadersDropped)
    progress.note(`note: the lab dropped ${stats.counters.slowReadersDropped} slow readers during fan-out`);
  return out;
}
