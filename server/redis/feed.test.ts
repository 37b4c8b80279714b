/**
 * The feed in Redis, with a real redis-server on a loopback port and two lab
 * processes' worth of apps in this one: one global seq whichever process publishes,
 * every transport of one lab delivering what the other published, a resume on the
 * other lab with no gap and no duplicate, Redis restarted empty (a new epoch, every
 * client starts over) or with its data (nothing to notice), and Redis unreachable
 * (503, held streams stay open and catch up).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DRIVERS } from '../clients/index.ts';
import type { Connection } from '../clients/common.ts';
import type { FeedEvent } from '../feed.ts';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import { TRANSPORT_IDS, type TransportId } from '../transports/registry.ts';
import { type RedisServer, startRedis } from './redis-server.ts';

let redis: RedisServer;
let a: RunningLab;
let b: RunningLab;
before(async () => {
  redis = await startRedis();
  a = await startLab({ feedStore: redis.url, processName: 'lab-a', bufferSize: 50 });
  b = await startLab({ feedStore: redis.url, processName: 'lab-b', bufferSize: 50 });
});
after(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

/** A driver of `id` on `lab` that records every event. */
function follow(lab: RunningLab, id: TransportId, since?: number) {
  const events: FeedEvent[] = [];
  const states: string[] = [];
  const connection: Connection = DRIVERS[id]({
    baseUrl: lab.baseUrl,
    since,
    intervalMs: 20,
    timeoutMs: 2000,
    onEvent: (event) => events.push(event),
    onState: (state, detail) => states.push(`${state} ${detail ?? ''}`),
  });
  return { events, states, connection, seqs: () => events.map((e) => e.seq) };
}

const post = (lab: RunningLab, text: string) =>
  fetch(`${lab.baseUrl}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'redis', text }),
  });

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('one feed in Redis, two lab processes', () => {
  test('one global seq: posts to either process take the next seq, and both mirrors hold the same events', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await post(i % 2 ? b : a, `message ${i}`);
      assert.equal(response.status, 201, 'the post is taken');
      seqs.push(((await response.json()) as { seq: number }).seq);
    }
    assert.deepEqual(seqs, range(seqs[0], seqs[0] + 5), 'consecutive seqs, whichever process published');
    await waitFor(() => a.ctx.feed.lastSeq === seqs[5] && b.ctx.feed.lastSeq === seqs[5], 'both mirrors reached the last seq');
    assert.deepEqual(
      a.ctx.feed.read(seqs[0] - 1).map((e) => e.json),
      b.ctx.feed.read(seqs[0] - 1).map((e) => e.json),
      'byte-identical events in both mirrors',
    );
    assert.equal(a.ctx.feed.epoch, b.ctx.feed.epoch, 'one epoch');
  });

  test('every transport on one process delivers, in order, what the other process published', async () => {
    const start = b.ctx.feed.lastSeq;
    const clients = TRANSPORT_IDS.map((id) => ({ id, ...follow(b, id, start) }));
    await waitFor(() => b.ctx.feed.subscriberCount >= 3, 'the streams follow process b');
    for (let i = 0; i < 10; i++) assert.equal((await post(a, `via a ${i}`)).status, 201, 'posted to a');
    for (const c of clients) await waitFor(() => c.events.length >= 10, `${c.id}: ten events from a, through b`);
    await delay(50);
    for (const c of clients) {
      assert.deepEqual(c.seqs(), range(start + 1, start + 10), `${c.id}: every seq once, in order`);
      await c.connection.close();
    }
  });

  test('a client that read from one process resumes on the other with no gap and no duplicate', async () => {
    for (const id of TRANSPORT_IDS) {
      const first = follow(a, id, a.ctx.feed.lastSeq);
      await delay(100);
      for (let i = 0; i < 3; i++) await post(a, `${id} before`);
      await waitFor(() => first.events.length >= 3, `${id}: three events from a`);
      await first.connection.close();
      const cursor = first.connection.lastSeq!;
      for (let i = 0; i < 4; i++) await post(b, `${id} while away`);
      // Straight to b, which may not have read the newest events from Redis yet: it waits until it has.
      const second = follow(b, id, cursor);
      await waitFor(() => second.events.length >= 4, `${id}: the four missed events from b`);
      await delay(50);
      await second.connection.close();
      assert.deepEqual(second.seqs(), range(cursor + 1, cursor + 4), `${id}: resumed on b exactly after its cursor from a`);
    }
  });

  test('each answer names the process that gave it: a header on every response, and in-band first on streams and sockets', async () => {
    const poll = await fetch(`${b.baseUrl}/feed/short-poll`);
    assert.equal(poll.headers.get('x-wirelab-process'), 'lab-b', 'polls carry the header');
    const hello = JSON.stringify({ type: 'process', process: 'lab-a' });
    const first = async (path: string) => {
      const controller = new AbortController();
      const response = await fetch(`${a.baseUrl}${path}`, { signal: controller.signal });
      const reader = response.body!.getReader();
      let text = '';
      while (!text.includes('lab-a')) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return text;
    };
    assert.match(
      await first('/feed/sse'),
      new RegExp(`^retry: \\d+\\n\\nevent: process\\ndata: ${hello.replace(/[{}]/g, '\\$&')}\\n\\n`),
      'SSE: a process message after retry:, with no id',
    );
    assert.ok(
      (await first('/feed/iframe?cb=f')).includes(`<script>parent.f(${hello});</script>`),
      'iframe: a script call with the message',
    );
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`${a.baseUrl.replace('http', 'ws')}/feed/ws`);
    const upgraded = new Promise<string | undefined>((resolve) =>
      socket.once('upgrade', (response) => resolve(response.headers['x-wirelab-process'] as string | undefined)),
    );
    const frame = await new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    assert.equal(await upgraded, 'lab-a', 'WebSocket: the 101 names the process too');
    socket.close();
    assert.equal(frame, hello, 'WebSocket: the first frame');
  });

  test('Redis restarted with its data: clients notice nothing', async () => {
    const sse = follow(a, 'sse', a.ctx.feed.lastSeq);
    await delay(100);
    await post(a, 'before the restart');
    await waitFor(() => sse.events.length === 1, 'one event');
    const epoch = a.ctx.feed.epoch;
    await redis.stop({ keepData: true });
    await redis.start();
    await waitFor(() => a.ctx.source.available && b.ctx.source.available, 'both processes reconnected', 10_000);
    const response = await post(b, 'after the restart');
    assert.equal(response.status, 201, 'publishing works again');
    await waitFor(() => sse.events.length === 2, 'the next event reaches the held stream');
    assert.deepEqual(sse.seqs(), [sse.events[0].seq, sse.events[0].seq + 1], 'the seq goes on');
    assert.equal(sse.events[1].epoch, epoch, 'the same epoch: nothing restarted');
    await sse.connection.close();
  });

  test('Redis restarted empty: a new epoch, and every client starts over from seq 1', async () => {
    const clients = TRANSPORT_IDS.map((id) => ({ id, ...follow(a, id, a.ctx.feed.lastSeq) }));
    await waitFor(() => a.ctx.feed.subscriberCount >= 3, 'the streams follow a');
    const oldEpoch = a.ctx.feed.epoch;
    await redis.stop();
    await redis.start();
    await waitFor(() => a.ctx.source.available && b.ctx.source.available, 'both processes reconnected', 10_000);
    assert.equal((await post(b, 'first of the new run')).status, 201, 'publishing starts a new run');
    await waitFor(() => a.ctx.feed.epoch !== oldEpoch, 'a sees the new epoch');
    for (const c of clients) {
      await waitFor(() => c.events.some((e) => e.epoch !== oldEpoch), `${c.id}: an event of the new run`, 10_000);
      const fresh = c.events.filter((e) => e.epoch !== oldEpoch);
      assert.equal(fresh[0].seq, 1, `${c.id}: the new run starts at seq 1`);
      await c.connection.close();
    }
  });

  test('Redis unreachable: posts answer 503, new requests are refused, held streams stay open and catch up', async () => {
    const sse = follow(a, 'sse', a.ctx.feed.lastSeq);
    const ws = follow(b, 'ws', b.ctx.feed.lastSeq);
    await waitFor(() => a.ctx.feed.subscriberCount >= 1 && b.ctx.feed.subscriberCount >= 1, 'held streams');
    await redis.stop({ keepData: true });
    await waitFor(() => !a.ctx.source.available && !b.ctx.source.available, 'both processes noticed', 10_000);
    const refused = await post(a, 'while Redis is away');
    assert.equal(refused.status, 503, 'a post is refused');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'feed_unavailable', 'coded feed_unavailable');
    assert.ok(refused.headers.get('retry-after'), 'with Retry-After');
    const poll = await fetch(`${b.baseUrl}/feed/short-poll?since=0`);
    assert.equal(poll.status, 503, 'a new poll is refused rather than served stale');
    assert.equal(a.ctx.feed.subscriberCount, 1, 'the held SSE stream is still open on a');
    await redis.start();
    await waitFor(() => a.ctx.source.available && b.ctx.source.available, 'both processes reconnected', 10_000);
    const before = { sse: sse.events.length, ws: ws.events.length };
    for (let i = 0; i < 3; i++) assert.equal((await post(a, `back ${i}`)).status, 201, 'posts are taken again');
    await waitFor(() => sse.events.length === before.sse + 3 && ws.events.length === before.ws + 3, 'both held streams catch up');
    assert.ok(!sse.states.some((s) => s.startsWith('waiting')), 'the SSE stream never dropped');
    await sse.connection.close();
    await ws.connection.close();
  });
});
