/**
 * One HTTP/2 stream's account, fed by hand as the frame meter would feed it:
 * bytes held until a transport claims the stream, then credited as they cross;
 * event JSON moved from framing to payload only once the DATA that carries it
 * has crossed (a flow-control window may hold it back); and the transport's
 * meter for the bytes it reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type TrafficStats, emptyTraffic } from '../stats.ts';
import { StreamAccount, StreamMeter } from './stream-account.ts';

const none = new Uint8Array(0);
const split = (stats: TrafficStats) => ({ in: { ...stats.bytesIn }, out: { ...stats.bytesOut } });

test('bytes before a claim are held, head apart from the rest, then handed over whole; after it, credited as they cross', () => {
  const account = new StreamAccount();
  account.count('in', 'head', 40, none, 0);
  account.count('in', 'frame', 9, none, 0);
  account.count('out', 'head', 30, none, 0);
  account.count('out', 'control', 13, none, 0);
  assert.deepEqual([account.inHead, account.inOther, account.outHead, account.outOther], [40, 9, 30, 13]);
  const stats = emptyTraffic();
  account.claim(stats);
  assert.deepEqual(split(stats), { in: { head: 40, framing: 9, payload: 0 }, out: { head: 30, framing: 13, payload: 0 } });
  assert.deepEqual([account.inHead, account.inOther, account.outHead, account.outOther], [0, 0, 0, 0], 'nothing held twice');
  account.count('out', 'frame', 9, none, 0);
  account.count('in', 'data', 5, none, 0);
  assert.deepEqual(split(stats), { in: { head: 40, framing: 14, payload: 0 }, out: { head: 30, framing: 22, payload: 0 } });
});

test("payload moves out of framing only once the DATA carrying its chunk's end has crossed", () => {
  const account = new StreamAccount();
  const stats = emptyTraffic();
  account.claim(stats);
  const meter = new StreamMeter(account, stats);
  // Two SSE events: a 30-byte chunk with 20 bytes of JSON, then a 25-byte chunk with 15.
  meter.event(20, 'x'.repeat(30), 1);
  meter.event(15, new Uint8Array(25), 2);
  assert.equal(stats.eventsDelivered, 2);
  assert.deepEqual(split(stats).out, { head: 0, framing: 0, payload: 0 }, 'nothing crossed yet: nothing moved');
  account.count('out', 'data', 29, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 29, payload: 0 }, "one byte short of the first chunk's end");
  account.count('out', 'data', 1, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 10, payload: 20 }, 'the first chunk crossed');
  account.count('out', 'data', 25, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 20, payload: 35 }, 'both crossed: 55 DATA bytes, 35 of them JSON');
});

test('a body written without payload moves the offsets on; a chunk that crossed in several DATA frames settles once', () => {
  const account = new StreamAccount();
  const stats = emptyTraffic();
  account.claim(stats);
  const meter = new StreamMeter(account, stats);
  meter.out({ body: '{"events":[]}' }); // 13 bytes, no payload: an empty poll
  meter.out({ body: 'abcdefghij', payloadBytes: 8, events: 1 });
  for (let i = 0; i < 23; i++) account.count('out', 'data', 1, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 15, payload: 8 });
  assert.equal(stats.eventsDelivered, 1);
  account.count('out', 'data', 100, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 115, payload: 8 }, 'settled once, not again');
});

test('DATA that crossed before the payload was reported settles it at once', () => {
  const account = new StreamAccount();
  const stats = emptyTraffic();
  account.claim(stats);
  account.count('out', 'data', 50, none, 0);
  new StreamMeter(account, stats).event(40, 'y'.repeat(50));
  assert.deepEqual(split(stats).out, { head: 0, framing: 10, payload: 40 });
});

test('what the transport reads: payload moved from framing (a WebSocket chat inside DATA), nothing else touched', () => {
  const account = new StreamAccount();
  const stats = emptyTraffic();
  account.claim(stats);
  const meter = new StreamMeter(account, stats);
  meter.event(10, 'z'.repeat(10));
  account.count('in', 'data', 30, none, 0);
  assert.deepEqual(split(stats).out, { head: 0, framing: 0, payload: 0 }, 'DATA read is not DATA sent: no payload settled');
  meter.in({ payloadBytes: 22 });
  meter.in();
  meter.finish();
  assert.deepEqual(split(stats), { in: { head: 0, framing: 8, payload: 22 }, out: { head: 0, framing: 0, payload: 0 } });
  assert.equal(stats.eventsDelivered, 1, 'the event written, not the chat read');
});
