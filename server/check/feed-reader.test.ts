/**
 * The checker's pure readings of a feed (FeedReader itself drives connections and
 * is exercised by every case): the URL a transport's client opens, what counts as
 * an event, what is wrong with an event's shape, and the first break in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventProblem, feedPath, orderProblem, parseEvent } from './feed-reader.ts';
import type { FeedEventLike } from './ws-conn.ts';

test("feedPath: since when given, the iframe's callback, extra parameters last", () => {
  assert.equal(feedPath('sse', 5), '/feed/sse?since=5');
  assert.equal(feedPath('sse', undefined), '/feed/sse', 'no cursor: only new events');
  assert.equal(feedPath('sse', 0), '/feed/sse?since=0', 'since=0 is a cursor, not none');
  assert.equal(feedPath('iframe', 3, 'types=chat'), '/feed/iframe?since=3&cb=onEvent&types=chat');
  assert.equal(feedPath('long-poll', undefined, 'timeoutMs=100'), '/feed/long-poll?timeoutMs=100');
});

test('parseEvent: a JSON object with a numeric seq, else nothing, never a throw', () => {
  assert.deepEqual(parseEvent('{"seq":1,"type":"tick"}'), { seq: 1, type: 'tick' });
  for (const text of ['', 'not json', 'null', '5', '"x"', '[]', '{"seq":"1"}', '{"type":"hello"}']) {
    assert.equal(parseEvent(text), undefined, text);
  }
});

const event = (fields: Partial<FeedEventLike> & Record<string, unknown> = {}) =>
  ({ seq: 1, epoch: 'e1', type: 'tick', at: 1.5, data: {}, ...fields }) as FeedEventLike;

test("eventProblem: the contract's shape passes; each missing or wrong field is named, with the event's seq", () => {
  assert.equal(eventProblem(event()), undefined);
  assert.equal(eventProblem(event({ type: 'chat', data: { name: 'a', text: 'hi' } })), undefined);
  const problems: [Partial<FeedEventLike> & Record<string, unknown>, string][] = [
    [{ seq: 0 }, 'seq 0 is not a positive integer'],
    [{ seq: 1.5 }, 'seq 1.5 is not a positive integer'],
    [{ seq: 2 ** 53 }, `seq ${2 ** 53} is not a positive integer`],
    [{ epoch: '' }, 'event 1 has no epoch string'],
    [{ epoch: 7 }, 'event 1 has no epoch string'],
    [{ type: undefined }, 'event 1 has no type string'],
    [{ at: '1' }, 'event 1 has no numeric at'],
    [{ at: Number.NaN }, 'event 1 has no numeric at'],
    [{ data: null as never }, 'event 1 has no data object'],
    [{ data: 'x' as never }, 'event 1 has no data object'],
    [{ type: 'chat', data: { text: 'hi' } }, 'chat event 1 lacks data.name or data.text'],
  ];
  for (const [fields, problem] of problems) assert.equal(eventProblem(event(fields)), problem, JSON.stringify(fields));
});

test('eventProblem: an entry that is not an object at all is named, not a crash', () => {
  for (const value of [null, 5, 'x']) {
    assert.equal(eventProblem(value as unknown as FeedEventLike), `an event is ${JSON.stringify(value)}, not an object`);
  }
});

test('orderProblem: each seq one more than the last; the first repeat, step back or hole is named; a gap event may jump', () => {
  const seqs = (...list: number[]) => list.map((seq) => event({ seq }));
  assert.equal(orderProblem(seqs(4, 5, 6)), undefined);
  assert.equal(orderProblem([]), undefined);
  assert.equal(orderProblem(seqs(9)), undefined);
  assert.equal(orderProblem(seqs(1, 2, 2, 3)), 'seq 2 came twice');
  assert.equal(orderProblem(seqs(1, 3, 2)), 'seq 2..2 never came (between 1 and 3)', 'the first break is the hole, before the step back');
  assert.equal(orderProblem(seqs(5, 4)), 'seq 4 came after 5');
  assert.equal(orderProblem(seqs(1, 5)), 'seq 2..4 never came (between 1 and 5)');
  assert.equal(orderProblem([event({ seq: 1 }), event({ seq: 40, type: 'gap' }), event({ seq: 41 })]), undefined, 'the gap event says so');
});
