/**
 * The three-way split of HTTP/2's cost: each ratio reads the subjects it names, and the
 * three multiply back to the one figure the lab showed before (its HTTP/2 over its plain
 * HTTP/1.1). A subject missing from a run leaves its ratios null, never a guess.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type H2NativeRun, type H2Subject, costSplit } from './h2-native.ts';

const run = (subject: H2Subject, cpu: number, rss = 1000, transport: 'sse' | 'ws' = 'sse'): H2NativeRun => ({
  subject,
  wire: subject === 'lab-h1' ? 'h1' : subject === 'lab-h1-tls' ? 'h1-tls' : 'h2',
  transport,
  clients: 1000,
  load: { serverCpuMicrosPerDelivery: cpu } as H2NativeRun['load'],
  rssBytesPerConnection: rss,
  heapBytesPerConnection: 0,
});

test("HTTP/2's, TLS's and the meter's costs, each from the subjects it names, multiply to the whole", () => {
  const [split] = costSplit([run('lab-h1', 10), run('lab-h1-tls', 15), run('native-h2', 24, 70_000), run('lab-h2', 48, 84_000)]);
  assert.deepEqual(split, {
    transport: 'sse',
    clients: 1000,
    http2: 1.6,
    tls: 1.5,
    meter: 2,
    pipe: null,
    meterOnPipe: null,
    whole: 4.8,
    meterMemory: 1.2,
  });
  assert.ok(Math.abs(split.http2! * split.tls! * split.meter! - split.whole!) < 1e-9, 'the three multiply to the whole');
});

test('a subject not measured leaves the ratios that need it null; transports stay apart', () => {
  const splits = costSplit([run('lab-h1', 10), run('lab-h2', 30), run('native-h2', 20, 1000, 'ws')]);
  const sse = splits.find((s) => s.transport === 'sse')!;
  assert.equal(sse.http2, null, 'no native run for SSE: no HTTP/2 figure');
  assert.equal(sse.meter, null, 'nor a meter figure');
  assert.equal(sse.whole, 3, "the whole needs only the lab's two");
  assert.equal(splits.find((s) => s.transport === 'ws')!.meter, null, "WebSocket's native run is not paired with SSE's lab run");
});

test("the meter's cost splits into the piped floor and what the lab adds on it, which multiply back to it", () => {
  const [split] = costSplit([run('native-h2', 20), run('piped-h2', 30), run('lab-h2', 36)]);
  assert.equal(split.meter, 1.8, 'the lab over native');
  assert.equal(split.pipe, 1.5, 'the pipe alone over native');
  assert.equal(split.meterOnPipe, 1.2, 'the lab over the pipe alone');
  assert.ok(Math.abs(split.pipe! * split.meterOnPipe! - split.meter!) < 1e-9, "the two multiply to the meter's");
});
