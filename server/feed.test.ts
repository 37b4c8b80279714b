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
  assert.ok(a.at >= before - 1 && a.at <= Date.now() + 1, 'at is now, in ms since 1970');
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
  assert.deepEqual(out.map((e) => e.event.type), ['gap', 'tick', 'tick', 'tick'], 'gap first');
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
    assert.deepEqual(kept.map((e) => e.event.data), Array.from({ length: Math.min(i, 7) }, (_, k) => Math.max(1, i - 6) + k), `after ${i}`);
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
