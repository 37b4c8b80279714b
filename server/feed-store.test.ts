/** The feed in this process (feed-store.ts): publishing, the ticker, the price walk, and the check before serving. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabError } from './errors.ts';
import { Feed } from './feed.ts';
import { type FeedSource, LocalFeedSource, priceWalk, readyToServe } from './feed-store.ts';

test('publishing resolves with the event, in the feed at once', async () => {
  const source = new LocalFeedSource(new Feed(10));
  const event = await source.publish('chat', { name: 'a', text: 'hi' });
  assert.equal(event.seq, 1);
  assert.equal(source.feed.lastSeq, 1, 'the same feed the transports read');
  assert.deepEqual(source.describe(), { store: 'memory' });
  await source.catchUp(); // nothing to wait for in one process
  await source.close();
});

test('the ticker publishes ticks at its interval until stopped; 0 is no ticker', async () => {
  const source = new LocalFeedSource(new Feed(10));
  assert.equal(typeof source.startTicker(0), 'function');
  const stop = source.startTicker(10);
  const deadline = Date.now() + 5000;
  while (source.feed.lastSeq < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  stop();
  const seen = source.feed.lastSeq;
  assert.ok(seen >= 3, `three ticks came (${seen})`);
  const [first] = source.feed.read(0);
  assert.equal(first.event.type, 'tick');
  assert.equal(typeof (first.event.data as { price: number }).price, 'number');
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(source.feed.lastSeq, seen, 'no tick after the stop');
});

test('the price walks from 100 in steps under 0.5, to the cent, never below 1', () => {
  const next = priceWalk();
  let previous = 100;
  for (let i = 0; i < 1000; i++) {
    const price = next();
    assert.ok(Math.abs(price - previous) <= 0.51, `a small step (${previous} to ${price})`);
    assert.equal(Math.round(price * 100) / 100, price, 'to the cent');
    assert.ok(price >= 1);
    previous = price;
  }
});

test('a source that cannot serve truthfully refuses with feed_unavailable; one that can waits for the cursor', async () => {
  const waited: (number | undefined)[] = [];
  const source = { available: true, catchUp: async (since: number | undefined) => void waited.push(since) } as unknown as FeedSource;
  await readyToServe(source, 7);
  assert.deepEqual(waited, [7], "caught up to the client's cursor");
  const lost = { available: false, catchUp: async () => assert.fail('no wait for a feed that is gone') } as unknown as FeedSource;
  await assert.rejects(
    readyToServe(lost, 7),
    (error: unknown) => error instanceof LabError && error.code === 'feed_unavailable' && error.status === 503,
  );
});
