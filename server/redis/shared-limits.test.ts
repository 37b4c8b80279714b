/**
 * Per-client limits across a cluster's processes, against a real redis-server:
 * a client that spreads its chat posts and its streams over two processes gets no
 * more than one process would give it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import { type RedisServer, startRedis } from './redis-server.ts';

let redis: RedisServer;
let a: RunningLab;
let b: RunningLab;
before(async () => {
  redis = await startRedis();
  // The config loader insists on at least 64 streams per client; a test may ask for 2.
  const settings = { feedStore: redis.url, chatRate: 3, maxStreamsPerClient: 2 };
  a = await startLab({ ...settings, processName: 'lab-a' });
  b = await startLab({ ...settings, processName: 'lab-b' });
});
after(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

const post = (lab: RunningLab, text: string) =>
  fetch(`${lab.baseUrl}/feed/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'limits', text }) });

test('the chat rate counts a client\'s posts on every process together', async () => {
  const statuses = [];
  for (const lab of [a, b, a, b, a]) statuses.push((await post(lab, 'spread')).status);
  assert.deepEqual(statuses, [201, 201, 201, 429, 429], 'three posts in the window, wherever they land, then 429 from either process');
});

test('the stream cap counts a client\'s held streams on every process together', async () => {
  const controllers: AbortController[] = [];
  const open = async (lab: RunningLab) => {
    const controller = new AbortController();
    controllers.push(controller);
    const response = await fetch(`${lab.baseUrl}/feed/sse?types=chat`, { signal: controller.signal });
    return response.status;
  };
  try {
    assert.equal(await open(a), 200, 'one stream on a');
    assert.equal(await open(b), 200, 'one stream on b');
    await delay(1300); // each process tells the others its counts every second
    assert.equal(await open(a), 503, 'a third stream is refused on a: the client holds two, one of them on b');
    assert.equal(await open(b), 503, 'and on b');
    controllers[0].abort();
    await waitFor(() => a.ctx.feed.subscriberCount === 0, 'the stream on a closed');
    await delay(1300);
    assert.equal(await open(b), 200, 'with one closed, the client may open one again, on either process');
  } finally {
    for (const controller of controllers) controller.abort();
  }
});
