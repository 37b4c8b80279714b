/**
 * Delivery latency of one idle client per transport, publish to receipt, on
 * loopback: the floor each transport can reach when nothing else is going on.
 * One transport at a time, so that no other client shares the server's turn.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type Server, heldBy, poll } from '../cluster.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import type { RunContext } from './context.ts';

export interface SingleClientLatency {
  transport: TransportId;
  events: number;
  received: number;
  /** Events that arrived together in one read (a poll answer, a chunk): 1.0 = one read per event. */
  eventsPerRead: number;
  latency: Distribution;
  /** For short polling: half the interval, what a random phase predicts on average. */
  expectedMeanLatencyMs: number | null;
}

/** Measures one client of `transport` against `server` (the lab or a reference subject). */
export async function singleClient(context: RunContext, server: Server, transport: TransportId, events: number): Promise<SingleClientLatency> {
  const { cluster, params } = context;
  const { intervalMs, warmupEvents, shortPollIntervalMs } = params.latency;
  const stats = await server.child.call('stats', { instance: server.instance });
  const set = await cluster.open(server, transport, 1, { workers: 1, since: stats.lastSeq, intervalMs: shortPollIntervalMs });
  await poll(() => heldBy(server, transport), (n) => n >= 1, 10_000);
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
    transport,
    events,
    received: collected.received,
    eventsPerRead: collected.batches ? Number((collected.received / collected.batches).toFixed(3)) : 0,
    latency: distribution(collected.samples),
    expectedMeanLatencyMs: transport === 'short-poll' ? shortPollIntervalMs / 2 : null,
  };
}

export async function runLatency(context: RunContext): Promise<{ results: SingleClientLatency[]; intervalMs: number; dataBytes: number }> {
  const { params, lab, progress } = context;
  const results: SingleClientLatency[] = [];
  for (const transport of params.transports) {
    progress.step(`latency: one idle client, ${transport}, ${params.latency.events} events ${params.latency.intervalMs} ms apart`);
    results.push(await singleClient(context, lab, transport, params.latency.events));
    progress.advance((params.latency.events * params.latency.intervalMs) / 1000 + 0.6);
  }
  return { results, intervalMs: params.latency.intervalMs, dataBytes: params.payloadBytes[0] };
}
