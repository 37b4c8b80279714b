/**
 * The short-poll endpoint's request rate under autocannon: how many "anything
 * new?" questions one lab process answers per second when nothing is new (the
 * common case of a poll). autocannon runs in the bench's parent process, apart
 * from the server.
 *
 * autocannon's own latency histogram counts whole milliseconds (its p50 reads 0
 * on loopback); its `response` event gives each request's time in
 * fractional ms, and the distribution here is built from those.
 */
import autocannon from 'autocannon';
import { type Distribution, distribution } from '../stats-math.ts';
import { type RunContext, cpuMicros, labStats, round } from './context.ts';

export interface AutocannonResult {
  url: string;
  connections: number;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Response bytes per second, as autocannon counted them. */
  responseBytesPerSecond: number;
  /** autocannon's own whole-millisecond percentiles, kept for comparison. */
  autocannonLatencyMs: { p50: number; p99: number; max: number };
  latency: Distribution;
  serverCpuMicrosPerRequest: number | null;
  /** Bytes per answered poll, as the lab's own counters saw them. */
  responseBytesPerRequest: number | null;
  requestBytesPerRequest: number | null;
}

export async function runAutocannon(context: RunContext): Promise<AutocannonResult> {
  const { params, lab, progress } = context;
  const { connections, durationSeconds } = params.autocannon;
  progress.step(`autocannon: ${connections} connections on /feed/short-poll for ${durationSeconds} s`);
  const s0 = await labStats(lab);
  const url = `${lab.baseUrl}/feed/short-poll?since=${s0.lastSeq}`;
  const times: number[] = [];
  const usage0 = await lab.child.call('usage');
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: durationSeconds }, (error, r) => (error ? reject(error) : resolve(r)));
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => times.push(responseTimeMs));
  });
  const usage1 = await lab.child.call('usage');
  const s1 = await labStats(lab);
  const requests = s1.transports['short-poll'].requests - s0.transports['short-poll'].requests;
  const out = s1.transports['short-poll'].bytesOut;
  const outBefore = s0.transports['short-poll'].bytesOut;
  const inNow = s1.transports['short-poll'].bytesIn;
  const inBefore = s0.transports['short-poll'].bytesIn;
  progress.advance(durationSeconds + 1);
  return {
    url: url.replace(lab.baseUrl, ''),
    connections,
    durationSeconds,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.total / result.duration, 0) ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    responseBytesPerSecond: round(result.throughput.average, 0) ?? 0,
    autocannonLatencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    latency: distribution(times, 0),
    serverCpuMicrosPerRequest: requests ? round(cpuMicros(usage0, usage1) / requests, 2) : null,
    responseBytesPerRequest: requests
      ? round((out.head + out.framing + out.payload - outBefore.head - outBefore.framing - outBefore.payload) / requests, 1)
      : null,
    requestBytesPerRequest: requests ? round((inNow.head + inNow.framing - inBefore.head - inBefore.framing) / requests, 1) : null,
  };
}
