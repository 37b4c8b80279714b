/**
 * Per-client limits across a cluster's processes, against a real redis-server:
 * a client that spreads its chat posts and its streams over two processes gets no
 * more than one process would give it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import { type RedisServer, startRedis } from './redis-server.ts';
import { LEASE_MS, SharedLimits } from './shared-limits.ts';

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

/**
 * Opens an SSE stream on `lab` with node:http, whose socket close() really closes (an
 * aborted fetch may leave its connection open, and the lab's close then waits for it).
 */
function openStream(lab: RunningLab): Promise<{ status: number; close: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${lab.baseUrl}/feed/sse?types=chat`, { agent: false }, (response) => {
      if (response.statusCode !== 200) response.resume();
      resolve({ status: response.statusCode!, close: () => request.destroy() });
    });
    request.on('error', reject);
  });
}

const post = (lab: RunningLab, text: string) =>
  fetch(`${lab.baseUrl}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'limits', text }),
  });

test("the chat rate counts a client's posts on every process together", async () => {
  const statuses = [];
  for (const lab of [a, b, a, b, a]) {
    const response = await post(lab, 'spread');
    await response.text(); // read whole: a body left unread keeps its connection, and the lab's close waits for it
    statuses.push(response.status);
  }
  assert.deepEqual(statuses, [201, 201, 201, 429, 429], 'three posts in the window, wherever they land, then 429 from either process');
});

test("the stream cap counts a client's held streams on every process together", async () => {
  const streams: { close: () => void }[] = [];
  const open = async (lab: RunningLab) => {
    const stream = await openStream(lab);
    streams.push(stream);
    return stream.status;
  };
  try {
    assert.equal(await open(a), 200, 'one stream on a');
    assert.equal(await open(b), 200, 'one stream on b');
    assert.equal(await open(a), 503, 'a third stream is refused on a: the client holds two, one of them on b');
    assert.equal(await open(b), 503, 'and on b');
    streams[0].close();
    await waitFor(() => a.ctx.feed.subscriberCount === 0, 'the stream on a closed');
    assert.equal(await open(b), 200, 'with one closed, the client may open one again, on either process');
  } finally {
    for (const stream of streams) stream.close();
  }
});

test('a burst of streams opened at once on both processes gets the cap and no more', async () => {
  await waitFor(() => a.ctx.feed.subscriberCount === 0 && b.ctx.feed.subscriberCount === 0, "the last test's streams closed");
  const streams = await Promise.all(Array.from({ length: 12 }, (_, i) => openStream(i % 2 ? b : a)));
  for (const stream of streams) stream.close();
  const statuses = streams.map((stream) => stream.status);
  assert.equal(statuses.filter((s) => s === 200).length, 2, `two admitted of twelve at once: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((s) => s === 503).length, 10, 'the rest refused');
  await waitFor(() => a.ctx.feed.subscriberCount === 0 && b.ctx.feed.subscriberCount === 0, 'every stream closed');
});

test('a process that dies without giving its reservations back: they expire with its lease', async () => {
  // A third process's limits on a connection of its own, which then goes away without a word (as a SIGKILL would).
  const connection = new Redis(redis.url, { lazyConnect: true });
  await connection.connect();
  /** Slots 127.0.0.1 holds in Redis, over every process's table. */
  const held = async () => {
    let sum = 0;
    for (const name of await connection.smembers('wirelab:tables'))
      sum += Number((await connection.hget(`wirelab:streams:${name}`, '127.0.0.1')) ?? 0);
    return sum;
  };
  // The last test's streams given back.
  for (const deadline = Date.now() + 5000; (await held()) > 0 && Date.now() < deadline; ) await delay(20);
  const ghost = new SharedLimits(connection, { processName: 'lab-ghost', chatRate: 0, maxStreamsPerClient: 2 });
  const streams: { close: () => void }[] = [];
  try {
    assert.equal(await ghost.reserve('127.0.0.1'), true);
    assert.equal(await ghost.reserve('127.0.0.1'), true);
    assert.equal(await ghost.reserve('127.0.0.1'), false, 'the ghost itself is at the cap');
    clearInterval((ghost as unknown as { timer: NodeJS.Timeout }).timer);
    connection.disconnect();
    const first = await openStream(a);
    assert.equal(first.status, 503, "while its lease runs, the dead process's two slots count");
    const diedAt = Date.now();
    let status = 503;
    while (status === 503 && Date.now() - diedAt < LEASE_MS + 3000) {
      await delay(100);
      const stream = await openStream(a);
      streams.push(stream);
      status = stream.status;
    }
    assert.equal(status, 200, 'once its lease ran out, the client may open streams again');
  } finally {
    clearInterval((ghost as unknown as { timer: NodeJS.Timeout }).timer);
    connection.disconnect();
    for (const stream of streams) stream.close();
  }
});
