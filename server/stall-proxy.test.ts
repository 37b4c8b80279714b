/**
 * The stall proxy: its schedule is deterministic for a seed, holds a lost segment's
 * chunk one stall and everything behind it, never reorders; through real sockets a
 * stalled connection waits while another, drawing apart, does not.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { type LossModel, StallSchedule, seededRandom, startStallProxy } from './stall-proxy.ts';

const model =
  (lossPercent: number, stallMs = 200, segmentBytes = 1448): (() => LossModel) =>
  () => ({ lossPercent, stallMs, segmentBytes });

test('the same seed draws the same numbers; another seed draws others', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const first = Array.from({ length: 5 }, () => a());
  assert.deepEqual(
    Array.from({ length: 5 }, () => b()),
    first,
    'seed 42 twice: the same draws',
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => c()),
    first,
    'seed 43: other draws',
  );
  assert.ok(
    first.every((x) => x >= 0 && x < 1),
    'in [0, 1)',
  );
});

test('a schedule is deterministic for a seed, in order, and stalls one stall per lost chunk', () => {
  const arrivals = Array.from({ length: 2000 }, (_, i) => ({ at: i * 10, bytes: 100 + ((i * 37) % 3000) }));
  const run = (seed: number, percent: number) => {
    const schedule = new StallSchedule(model(percent), seededRandom(seed));
    return { due: arrivals.map(({ at, bytes }) => schedule.dueMs(at, bytes)), schedule };
  };
  const one = run(7, 5);
  assert.deepEqual(run(7, 5).due, one.due, 'the same seed and rate: the same schedule');
  assert.notDeepEqual(run(8, 5).due, one.due, 'another seed: another schedule');
  for (let i = 1; i < one.due.length; i++) assert.ok(one.due[i] >= one.due[i - 1], `chunk ${i} is never due before the one ahead of it`);
  for (let i = 0; i < one.due.length; i++) {
    const wait = one.due[i] - arrivals[i].at;
    assert.ok(wait === 0 || (wait > 0 && wait <= 200), `chunk ${i} waits 0 or at most one stall (${wait} ms)`);
  }
  const share = one.schedule.lost / one.schedule.segments;
  assert.ok(share > 0.035 && share < 0.065, `about 5 % of segments lost (${(share * 100).toFixed(2)} %)`);
  const none = run(7, 0);
  assert.deepEqual(
    none.due,
    arrivals.map((a) => a.at),
    'at 0 % nothing waits',
  );
  assert.equal(none.schedule.lost, 0, 'and nothing is lost');
  const all = run(7, 100);
  assert.equal(all.due[0], 200, 'at 100 % the first chunk waits one stall');
  // Arrivals 10 ms apart, each lost: each is due 200 ms after it arrived.
  assert.deepEqual(all.due.slice(0, 3), [200, 210, 220], 'each lost chunk waits its own stall, in order');
});

test('a chunk of several segments is lost if any of its segments is', () => {
  const schedule = new StallSchedule(model(50, 100, 1000), () => 0.99);
  assert.equal(schedule.dueMs(0, 10_000), 0, 'ten segments, none drawn under 50 %: not held');
  assert.equal(schedule.segments, 10, 'ten segments counted');
  let n = 0;
  const once = new StallSchedule(model(50, 100, 1000), () => (n++ === 3 ? 0.1 : 0.99));
  assert.equal(once.dueMs(0, 10_000), 100, 'the fourth segment lost: the whole chunk waits one stall');
  assert.equal(once.lost, 1, 'one segment lost');
});

/** A server that writes `hello` to each connection at once; returns its port. */
async function greeter(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Connects, and resolves with what arrived and when (ms after connecting). */
function read(port: number): Promise<{ text: string; afterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let text = '';
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve({ text, afterMs: performance.now() - started }));
    socket.on('error', reject);
  });
}

test('through real sockets: a connection whose segment is lost waits one stall, another does not', async (t) => {
  const server = await greeter();
  t.after(() => server.close());
  // A seed whose first connection loses its first segment back and whose second does not.
  let seed = 1;
  while (!(seededRandom(seed + 1)() < 0.5 && seededRandom(seed + 3)() >= 0.5)) seed++;
  const proxy = await startStallProxy((server.address() as net.AddressInfo).port, { lossPercent: 50, stallMs: 300, seed });
  t.after(() => proxy.close());
  const stalled = await read(proxy.port);
  const clear = await read(proxy.port);
  assert.equal(stalled.text, 'hello', 'the stalled connection gets every byte');
  assert.ok(stalled.afterMs >= 290, `the stalled connection waited a stall (${stalled.afterMs.toFixed(0)} ms)`);
  assert.equal(clear.text, 'hello', 'the other gets every byte');
  assert.ok(clear.afterMs < stalled.afterMs - 100, `the other did not wait as long (${clear.afterMs.toFixed(0)} ms)`);
  assert.equal(proxy.lost, 1, 'one segment lost in all');
  proxy.setLossPercent(0);
  assert.equal(proxy.lossPercent, 0, 'the rate can be changed');
  assert.throws(() => proxy.setLossPercent(101), /from 0 to 100/, 'a rate over 100 % is refused, with a message');
});
