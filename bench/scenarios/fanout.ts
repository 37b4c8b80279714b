/**
 * Latency under fan-out: N clients of one transport on one lab server, the same
 * schedule of events for every transport, publish to receipt for every client.
 *
 * A broadcast is a loop over subscribers: the last socket in the loop hears
 * later than the first, so p99 grows with N (FIELD-NOTES.md: ~12 µs per write).
 * Polling transports pay a request per client per answer on top. The server's CPU
 * time over the window, divided by deliveries, is what one delivery costs it.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, type Server, heldBy, poll, sleep } from '../cluster.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { type RunContext, cpuMicros, labStats, round } from './context.ts';

export interface LoadRun {
  subject: string;
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
}

export interface MeasureOptions {
  subject: string;
  server: Server;
  set: ClientSet;
  transport: TransportId;
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  dataBytes: number;
  shortPollIntervalMs: number;
  connectSeconds: number;
}

/** Warm up, then measure one schedule against clients already connected. */
export async function measureLoad(o: MeasureOptions): Promise<LoadRun> {
  const { server, set } = o;
  const held = await heldBy(server, o.transport);
  const intervalMs = 1000 / o.ratePerSecond;
  const warm = await server.child.call('publish', { count: Math.max(1, Math.round(o.warmupMs / intervalMs)), intervalMs, dataBytes: o.dataBytes }, 60_000);
  await set.waitFor(warm.lastSeq, 5000 + o.shortPollIntervalMs);
  await set.record(warm.lastSeq + 1);
  const stats0 = await server.child.call('stats', { instance: server.instance });
  const usage0 = await server.child.call('usage');
  const count = Math.max(1, Math.round(o.durationMs / intervalMs));
  const published = await server.child.call('publish', { count, intervalMs, dataBytes: o.dataBytes }, o.durationMs + 60_000);
  const wait = await set.waitFor(published.lastSeq, 10_000 + (o.transport === 'short-poll' ? o.shortPollIntervalMs : 0));
  const usage1 = await server.child.call('usage');
  const stats1 = await server.child.call('stats', { instance: server.instance });
  const collected = await set.collect();
  await set.record(null);
  const delivered = server.kind === 'lab'
    ? stats1.transports[o.transport].eventsDelivered - stats0.transports[o.transport].eventsDelivered
    : stats1.eventsDelivered - stats0.eventsDelivered;
  const requests = server.kind === 'lab' ? stats1.transports[o.transport].requests - stats0.transports[o.transport].requests : null;
  const spanMs = collected.lastReceivedAt === null ? NaN : collected.lastReceivedAt - published.firstAt;
  return {
    subject: o.subject,
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
    deliveriesPerSecond: Math.round(collected.received / (spanMs / 1000)) || 0,
    offeredDeliveriesPerSecond: Math.round(set.count * o.ratePerSecond),
    serverCpuMicrosPerDelivery: delivered > 0 ? round(cpuMicros(usage0, usage1) / delivered, 2) : null,
    requestsPerDelivery: requests === null || delivered === 0 ? null : round(requests / delivered, 3),
    publishMaxLateMs: round(published.maxLateMs, 2) ?? 0,
    latency: distribution(collected.samples, 0),
    expectedMeanLatencyMs: o.transport === 'short-poll' ? o.shortPollIntervalMs / 2 : null,
  };
}

/** Opens `count` clients and waits until the server holds them; says how long that took. */
export async function connectMany(context: RunContext, server: Server, transport: TransportId, count: number, shortPollIntervalMs: number): Promise<{ set: ClientSet; connectSeconds: number; held: number }> {
  const started = Date.now();
  const since = (await server.child.call('stats', { instance: server.instance })).lastSeq;
  const set = await context.cluster.open(server, transport, count, { since, intervalMs: shortPollIntervalMs, stagger: true });
  const held = await poll(() => heldBy(server, transport), (n) => n >= count, 30_000 + count * 2, 100);
  return { set, connectSeconds: (Date.now() - started) / 1000, held: held.value };
}

/** Closes the clients and waits until the server has let them all go. */
export async function disconnect(server: Server, set: ClientSet, transport: TransportId): Promise<void> {
  await set.close();
  await poll(() => heldBy(server, transport), (n) => n === 0, 30_000, 100);
  await sleep(100);
}

export async function runFanout(context: RunContext): Promise<{ runs: LoadRun[]; ratePerSecond: number; dataBytes: number; shortPollIntervalMs: number }> {
  const { params, lab, progress } = context;
  const { clients, ratePerSecond, warmupMs, durationMs, shortPollIntervalMs } = params.fanout;
  const dataBytes = params.payloadBytes[0];
  const runs: LoadRun[] = [];
  for (const count of clients) {
    for (const transport of params.transports) {
      progress.step(`fan-out: ${count} ${transport} clients, ${ratePerSecond} events/s`);
      const { set, connectSeconds } = await connectMany(context, lab, transport, count, shortPollIntervalMs);
      runs.push(await measureLoad({ subject: 'lab', server: lab, set, transport, ratePerSecond, warmupMs, durationMs, dataBytes, shortPollIntervalMs, connectSeconds }));
      await disconnect(lab, set, transport);
      progress.advance((warmupMs + durationMs) / 1000 + 1 + count / 4000);
    }
  }
  // The lab's counters let the report say whether any slow reader was dropped under load.
  const stats = await labStats(lab);
  if (stats.counters.slowReadersDropped) progress.note(`note: the lab dropped ${stats.counters.slowReadersDropped} slow readers during fan-out`);
  return { runs, ratePerSecond, dataBytes, shortPollIntervalMs };
}
