/**
 * Latency through a simulated round-trip time, with events coming faster than
 * one per round trip: where long polling falls behind streaming.
 *
 * A stream just writes, so an event arrives half a round trip after it is
 * published. A long poll has to be answered and asked again: events published
 * while the next request is on its way wait for it, about half a round trip more
 * on average, and arrive in batches (fewer requests per event, but later).
 * Short polling adds its interval on top of its round trip.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, poll, sleep } from '../cluster.ts';
import { startDelayProxy } from '../delay-proxy.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { type RunContext, delta, labStats, round } from './context.ts';

export interface RttRun {
  rttMs: number;
  transport: TransportId;
  events: number;
  received: number;
  requestsPerEvent: number;
  eventsPerRead: number;
  latency: Distribution;
  /** A first-order model: streams rtt/2, long polling rtt, short polling interval/2 + rtt. */
  expectedMeanLatencyMs: number;
}

export function expectedRttLatencyMs(transport: TransportId, rttMs: number, shortPollIntervalMs: number): number {
  if (transport === 'long-poll') return rttMs;
  if (transport === 'short-poll') return shortPollIntervalMs / 2 + rttMs;
  return rttMs / 2;
}

export async function runRtt(context: RunContext): Promise<{ runs: RttRun[]; intervalMs: number; shortPollIntervalMs: number; dataBytes: number }> {
  const { cluster, params, lab, progress } = context;
  const { rttsMs, events, intervalMs, shortPollIntervalMs } = params.rtt;
  const dataBytes = params.payloadBytes[0];
  const runs: RttRun[] = [];
  for (const rttMs of rttsMs) {
    progress.step(`round trip ${rttMs} ms: one client per transport through the delay proxy, an event every ${intervalMs} ms`);
    const proxy = await startDelayProxy(lab.port, rttMs);
    try {
      const s0 = await labStats(lab);
      const sets = new Map<TransportId, ClientSet>();
      for (const transport of params.transports) {
        sets.set(transport, await cluster.open(lab, transport, 1, { workers: 1, since: s0.lastSeq, intervalMs: shortPollIntervalMs, baseUrl: proxy.baseUrl }));
      }
      const held = params.transports.filter((t) => t !== 'short-poll').length;
      await poll(() => labStats(lab), (s) => s.subscribers >= held, 10_000 + 4 * rttMs);
      await sleep(shortPollIntervalMs + 2 * rttMs);
      const s1 = await labStats(lab);
      for (const set of sets.values()) await set.record(s1.lastSeq + 1);
      const published = await lab.child.call('publish', { count: events, intervalMs, dataBytes });
      for (const set of sets.values()) await set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs + 4 * rttMs);
      const s2 = await labStats(lab);
      for (const [transport, set] of sets) {
        const collected = await set.collect();
        const window = delta(s1.transports[transport], s2.transports[transport]);
        runs.push({
          rttMs,
          transport,
          events,
          received: collected.received,
          requestsPerEvent: round(window.requests / Math.max(1, window.eventsDelivered), 3) ?? 0,
          eventsPerRead: collected.batches ? round(collected.received / collected.batches, 2) ?? 0 : 0,
          latency: distribution(collected.samples),
          expectedMeanLatencyMs: expectedRttLatencyMs(transport, rttMs, shortPollIntervalMs),
        });
        await set.record(null);
        await set.close();
      }
    } finally {
      await proxy.close();
    }
    progress.advance((events * intervalMs) / 1000 + 1 + (shortPollIntervalMs + 3 * rttMs) / 1000);
  }
  return { runs, intervalMs, shortPollIntervalMs, dataBytes };
}
