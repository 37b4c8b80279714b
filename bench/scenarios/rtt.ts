/**
 * Latency through a simulated round-trip time, with events coming faster than
 * one per round trip: where long polling falls behind streaming.
 *
 * A stream just writes, so an event arrives half a round trip after it is
 * published. A long poll has to be answered and asked again: events published
 * while the next request is on its way wait for it, about half a round trip more
 * on average, and arrive in batches (fewer requests per event, but later).
 * Short polling adds its interval on top of its round trip.
 *
 * Once per wire: the proxy relays TCP, so over TLS it delays the encrypted bytes,
 * and the TLS handshake pays its own round trip before the first request, as on a
 * real path. Once connected, a long poll over HTTP/2 is a new stream on the open
 * connection: no new handshake, but still a request and an answer per round trip.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, poll, sleep } from '../cluster.ts';
import { startDelayProxy } from '../delay-proxy.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { type OtherWireId, type WireId, trafficOf, wirePort } from '../wires.ts';
import { type RunContext, delta, labStats, round } from './context.ts';

export interface RttRun {
  rttMs: number;
  wire: WireId;
  transport: TransportId;
  events: number;
  received: number;
  requestsPerEvent: number;
  eventsPerRead: number;
  latency: Distribution;
  /** A first-order model: streams rtt/2, long polling rtt, short polling interval/2 + rtt. */
  expectedMeanLatencyMs: number;
}

/** The first-order model's mean latency, printed beside the measure. */
export function expectedRttLatencyMs(transport: TransportId, rttMs: number, shortPollIntervalMs: number): number {
  if (transport === 'long-poll') return rttMs;
  if (transport === 'short-poll') return shortPollIntervalMs / 2 + rttMs;
  return rttMs / 2;
}

/** HTTP/1.1 runs where they always were; the other wires' in `byWire`, same shape. */
export interface RttResult {
  runs: RttRun[];
  intervalMs: number;
  shortPollIntervalMs: number;
  dataBytes: number;
  byWire: Partial<Record<OtherWireId, { runs: RttRun[] }>>;
}

/** Estimated seconds of one round-trip run, for the progress bar. */
export const rttSeconds = (p: { rtt: { events: number; intervalMs: number; shortPollIntervalMs: number } }, rttMs: number) =>
  (p.rtt.events * p.rtt.intervalMs) / 1000 + 1 + (p.rtt.shortPollIntervalMs + 4 * rttMs) / 1000;

/** Every round trip and wire: one client per transport through a fresh delay proxy. */
export async function runRtt(context: RunContext): Promise<RttResult> {
  const { cluster, params, lab, progress } = context;
  const { rttsMs, events, intervalMs, shortPollIntervalMs } = params.rtt;
  const dataBytes = params.payloadBytes[0];
  const out: RttResult = { runs: [], intervalMs, shortPollIntervalMs, dataBytes, byWire: {} };
  for (const rttMs of rttsMs) {
    for (const wire of params.wires) {
      progress.step(
        `round trip ${rttMs} ms over ${wire}: one client per transport through the delay proxy, an event every ${intervalMs} ms`,
      );
      const proxy = await startDelayProxy(wirePort(lab, wire), rttMs);
      try {
        const s0 = await labStats(lab);
        const sets = new Map<TransportId, ClientSet>();
        for (const transport of params.transports) {
          sets.set(
            transport,
            await cluster.open(lab, transport, 1, {
              workers: 1,
              since: s0.lastSeq,
              intervalMs: shortPollIntervalMs,
              wire,
              port: proxy.port,
            }),
          );
        }
        const held = params.transports.filter((t) => t !== 'short-poll').length;
        // A TLS handshake through the proxy costs one more round trip before the request.
        await poll(
          () => labStats(lab),
          (s) => s.subscribers >= held,
          10_000 + 6 * rttMs,
        );
        await sleep(shortPollIntervalMs + 3 * rttMs);
        const s1 = await labStats(lab);
        for (const set of sets.values()) await set.record(s1.lastSeq + 1);
        const published = await lab.child.call('publish', { count: events, intervalMs, dataBytes });
        for (const set of sets.values()) await set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs + 4 * rttMs);
        const s2 = await labStats(lab);
        for (const [transport, set] of sets) {
          const collected = await set.collect();
          const window = delta(trafficOf(s1.transports[transport], wire), trafficOf(s2.transports[transport], wire));
          const run: RttRun = {
            rttMs,
            wire,
            transport,
            events,
            received: collected.received,
            requestsPerEvent: round(window.requests / Math.max(1, window.eventsDelivered), 3) ?? 0,
            eventsPerRead: collected.batches ? (round(collected.received / collected.batches, 2) ?? 0) : 0,
            latency: distribution(collected.samples),
            expectedMeanLatencyMs: expectedRttLatencyMs(transport, rttMs, shortPollIntervalMs),
          };
          if (wire === 'h1') out.runs.push(run);
          else (out.byWire[wire] ??= { runs: [] }).runs.push(run);
          await set.record(null);
          await set.close();
        }
      } finally {
        await proxy.close();
      }
      progress.advance(rttSeconds(params, rttMs));
    }
  }
  return out;
}
