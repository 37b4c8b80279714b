/** The Feed: numbering, the ring buffer, resume, the gap signal and subscriptions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Feed, MAX_SEQ } from './feed.ts';

const seqs = (entries: { event: { seq: number } }[]) => entries.map((e) => e.event.seq);

test('publish numbers events from 1, with the epoch and a precise time', () => {
  const feed = new Feed(10, 'ep');
  const before = Date.now();
  const a = feed.publish('tick', { price: 1 });
  const b = feed.publish('chat', { name: 'n', text: 't' });
  assert.equal(a.seq, 1, 'first seq is 1');
  assert.equal(b.seq, 2, 'then +1');
  assert.equal(a.epoch, 'ep', 'epoch');
  // `at` is the monotonic clock from the process's start (performance.timeOrigin + now()), which
  // drifts from Date.now() by a few ms over a long process (seen: more than 1 ms in a 20-minute suite).
  assert.ok(Math.abs(a.at - before) < 50, `at is now, in ms since 1970 (${a.at - before} ms from Date.now())`);
  assert.equal(feed.lastSeq, 2, 'lastSeq');
});

test('read: undefined means new only, 0 means everything kept', () => {
  const feed = new Feed(10);
  for (let i = 0; i < 5; i++) feed.publish('tick', i);
  assert.deepEqual(seqs(feed.read(undefined)), [], 'no cursor: nothing old');
  assert.deepEqual(seqs(feed.read(0)), [1, 2, 3, 4, 5], 'since=0: all');
  assert.deepEqual(seqs(feed.read(3)), [4, 5], 'since=3: the rest');
  assert.deepEqual(seqs(feed.read(5)), [], 'up to date');
  assert.deepEqual(seqs(feed.read(MAX_SEQ)), [], 'a cursor from another run: from now');
});

test('read: a cursor older than the buffer gets one gap event, then everything kept', () => {
  const feed = new Feed(3);
  for (let i = 0; i < 10; i++) feed.publish('tick', i);
  const out = feed.read(2);
  assert.deepEqual(
    out.map((e) => e.event.type),
    ['gap', 'tick', 'tick', 'tick'],
    'gap first',
  );
  assert.deepEqual(out[0].event.data, { from: 3, to: 7 }, 'the missing range');
  assert.equal(out[0].event.seq, 7, 'gap seq = last missing seq');
  assert.equal(out[0].json, JSON.stringify(out[0].event), 'gap JSON is cached like any event');
  assert.deepEqual(seqs(out.slice(1)), [8, 9, 10], 'then what is kept');
  assert.deepEqual(feed.read(0)[0].event.data, { from: 1, to: 7 }, 'since=0 with seq 1 gone: a gap too');
  assert.deepEqual(seqs(feed.read(7)), [8, 9, 10], 'the gap seq is a valid cursor: nothing twice');
});

test('the ring wraps many times and keeps exactly the last N', () => {
  const feed = new Feed(7);
  for (let i = 1; i <= 1000; i++) {
    feed.publish('tick', i);
    const kept = feed.read(Math.max(0, i - 7)).filter((e) => e.event.type !== 'gap');
    assert.deepEqual(
      kept.map((e) => e.event.data),
      Array.from({ length: Math.min(i, 7) }, (_, k) => Math.max(1, i - 6) + k),
      `after ${i}`,
    );
  }
});

test('follow replays, then delivers live, and unsubscribes', () => {
  const feed = new Feed(10);
  feed.publish('tick', 1);
  const got: number[] = [];
  const follower = { deliver: (e: { event: { seq: number } }) => void got.push(e.event.seq) };
  feed.follow(0, follower);
  feed.publish('tick', 2);
  assert.equal(feed.subscriberCount, 1, 'subscribed');
  feed.unfollow(follower);
  feed.publish('tick', 3);
  assert.deepEqual(got, [1, 2], 'replayed then live, nothing after stop');
  assert.equal(feed.subscriberCount, 0, 'unsubscribed');
});

test('JSON is serialised once and its byte length kept', () => {
  const feed = new Feed(2);
  feed.publish('chat', { name: 'é', text: '中' });
  const [entry] = feed.read(0);
  assert.equal(entry.json, JSON.stringify(entry.event), 'cached JSON');
  assert.equal(entry.bytes, Buffer.byteLength(entry.json), 'UTF-8 byte length');
});

test(
  'a mirror (a feed kept elsewhere): events in order, duplicates ignored, ' +
    'a jump says gap to followers and readers, a new epoch starts over',
  () => {
    const source = new Feed(10, 'aaaa');
    const mirror = new Feed(10, 'unknown');
    const got: { seq: number; type: string }[] = [];
    mirror.follow(undefined, { deliver: (e) => void got.push({ seq: e.event.seq, type: e.event.type }) });
    const events = Array.from({ length: 8 }, (_, i) => JSON.stringify(source.publish('tick', { i })));
    mirror.mirror(events[0]);
    mirror.mirror(events[1]);
    mirror.mirror(events[1]); // read twice: ignored
    assert.equal(mirror.epoch, 'aaaa', 'the mirror takes the epoch of what it mirrors');
    mirror.mirror(events[5]); // 3, 4, 5 never arrived here
    assert.deepEqual(
      got,
      [
        { seq: 1, type: 'tick' },
        { seq: 2, type: 'tick' },
        { seq: 5, type: 'gap' },
        { seq: 6, type: 'tick' },
      ],
      'followers get a gap for 3-5 before 6',
    );
    assert.deepEqual(
      mirror.read(2).map((e) => [e.event.seq, e.event.type]),
      [
        [5, 'gap'],
        [6, 'tick'],
      ],
      'a reader behind the jump gets the gap too',
    );
    assert.equal(
      mirror
        .read(5)
        .map((e) => e.json)
        .join(),
      events[5],
      'the mirrored JSON is kept byte for byte',
    );
    mirror.mirror(JSON.stringify({ seq: 1, epoch: 'bbbb', type: 'tick', at: 1, data: {} }));
    assert.equal(mirror.epoch, 'bbbb', 'another epoch: a new run');
    assert.equal(mirror.lastSeq, 1, 'from its seq 1');
    assert.deepEqual(got.at(-1), { seq: 1, type: 'tick' }, 'delivered to the same followers, who see the new epoch');
  },
);
