/**
 * Delivery latency of one idle client per transport, publish to receipt, on
 * loopback: the floor each transport can reach when nothing else is going on.
 * One transport at a time, so that no other client shares the server's turn;
 * once per wire (HTTP/1.1, HTTP/1.1 over TLS, HTTP/2), so encryption and HTTP/2's
 * framing show in the same figure.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type Server, heldBy, poll } from '../cluster.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import type { OtherWireId, WireId } from '../wires.ts';
import type { RunContext } from './context.ts';

export interface SingleClientLatency {
  wire: WireId;
  transport: TransportId;
  events: number;
  received: number;
  /** Events that arrived together in one read (a poll answer, a chunk): 1.0 = one read per event. */
  eventsPerRead: number;
  latency: Distribution;
  /** For short polling: half the interval, what a random phase predicts on average. */
  expectedMeanLatencyMs: number | null;
}

/** Measures one client of `transport` against `server` (the lab or a reference subject) over `wire`. */
export async function singleClient(
  context: RunContext,
  server: Server,
  transport: TransportId,
  events: number,
  wire: WireId = 'h1',
  extra: { socketIo?: boolean } = {},
): Promise<SingleClientLatency> {
  const { cluster, params } = context;
  const { intervalMs, warmupEvents, shortPollIntervalMs } = params.latency;
  const stats = await server.child.call('stats', { instance: server.instance });
  const set = await cluster.open(server, transport, 1, {
    workers: 1,
    since: stats.lastSeq,
    intervalMs: shortPollIntervalMs,
    wire,
    ...extra,
  });
  await poll(
    () => heldBy(server, transport),
    (n) => n >= 1,
    10_000,
  );
  // Warm up: the first events of a connection pay for JIT compilation and lazy setup.
  const warm = await server.child.call('publish', { count: warmupEvents, intervalMs, dataBytes: params.payloadBytes[0] });
  await set.waitFor(warm.lastSeq, 5000);
  await set.record(warm.lastSeq + 1);
  const published = await server.child.call('publish', { count: events, intervalMs, dataBytes: params.payloadBytes[0] });
  await set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs);
  const collected = await set.collect();
  await set.record(null);
  await set.close();
  return {
    wire,
    transport,
    events,
    received: collected.received,
    eventsPerRead: collected.batches ? Number((collected.received / collected.batches).toFixed(3)) : 0,
    latency: distribution(collected.samples),
    expectedMeanLatencyMs: transport === 'short-poll' ? shortPollIntervalMs / 2 : null,
  };
}

/** HTTP/1.1 results where they always were; the other wires' in `byWire`, same shape. */
export interface LatencyResult {
  results: SingleClientLatency[];
  intervalMs: number;
  dataBytes: number;
  byWire: Partial<Record<OtherWireId, { results: SingleClientLatency[] }>>;
}

/** Every wire, one transport at a time. */
export async function runLatency(context: RunContext): Promise<LatencyResult> {
  const { params, lab, progress } = context;
  const out: LatencyResult = { results: [], intervalMs: params.latency.intervalMs, dataBytes: params.payloadBytes[0], byWire: {} };
  for (const wire of params.wires) {
    for (const transport of params.transports) {
      progress.step(
        `latency over ${wire}: one idle client, ${transport}, ${params.latency.events} events ${params.latency.intervalMs} ms apart`,
      );
      const result = await singleClient(context, lab, transport, params.latency.events, wire);
      if (wire === 'h1') out.results.push(result);
      else (out.byWire[wire] ??= { results: [] }).results.push(result);
      progress.advance((params.latency.events * params.latency.intervalMs) / 1000 + 0.6);
    }
  }
  return out;
}
