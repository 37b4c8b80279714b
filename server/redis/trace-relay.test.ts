/**
 * A page's trace across two lab processes on one Redis (trace-relay.ts): the tap is
 * opened on process a, the page's poll is served by process b, and b's steps reach
 * a's tap, named b, with the bytes b's /stats counted; an id nobody minted reaches
 * nobody, and a tap that closes stops listening in Redis.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { type RunningLab, startLab, waitFor } from '../test-helpers.ts';
import type { TraceStep } from '../trace.ts';
import { type RedisServer, startRedis } from './redis-server.ts';

let redis: RedisServer;
let a: RunningLab;
let b: RunningLab;
before(async () => {
  redis = await startRedis();
  const settings = { feedStore: redis.url, tickMs: 0, tlsPort: 'off' as const, extraPorts: false };
  a = await startLab({ ...settings, processName: 'a' });
  b = await startLab({ ...settings, processName: 'b' });
});
after(async () => {
  await a?.close();
  await b?.close();
  await redis?.close();
});

/** Opens a tap on `lab`: its hello, and every step it hears. */
async function openTap(lab: RunningLab): Promise<{ hello: { client: string; process?: string }; steps: TraceStep[]; socket: WebSocket }> {
  const socket = new WebSocket(`${lab.baseUrl.replace(/^http/, 'ws')}/wiretap`);
  const steps: TraceStep[] = [];
  const hello = await new Promise<{ client: string; process?: string }>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'tap') resolve(message);
      else if (message.type === 'step') steps.push(message);
    });
  });
  return { hello, steps, socket };
}

test("a tap on process a hears the steps of its page's poll served by process b, named b, with b's bytes", async () => {
  const tap = await openTap(a);
  try {
    assert.equal(tap.hello.process, 'a', "the hello names the tap's process");
    const before = b.ctx.stats.snapshot()['short-poll'];
    const response = await fetch(`${b.baseUrl}/feed/short-poll?since=0&client=${tap.hello.client}`);
    await response.text();
    await waitFor(() => tap.steps.some((s) => s.dir === 'out' && s.what === 'response'), 'the response step from b', 5000);
    const mine = tap.steps.filter((s) => s.transport === 'short-poll');
    assert.ok(
      mine.every((s) => s.process === 'b'),
      `every step names b: ${JSON.stringify(mine)}`,
    );
    const request = mine.find((s) => s.what === 'request');
    assert.ok(request?.label?.startsWith('GET /feed/short-poll?since=0'), `the request, without the tap's id: ${request?.label}`);
    assert.ok(!request?.label?.includes(tap.hello.client), 'the id is not repeated in the label');
    const now = b.ctx.stats.snapshot()['short-poll'];
    const sum = (dir: 'in' | 'out', kind: 'head' | 'framing' | 'payload') =>
      mine.filter((s) => s.dir === dir).reduce((n, s) => n + s[kind], 0);
    for (const kind of ['head', 'framing', 'payload'] as const) {
      assert.equal(sum('in', kind), now.bytesIn[kind] - before.bytesIn[kind], `in, ${kind}: the steps are what b counted`);
      assert.equal(sum('out', kind), now.bytesOut[kind] - before.bytesOut[kind], `out, ${kind}: the steps are what b counted`);
    }
  } finally {
    tap.socket.close();
  }
});

test('an id nobody minted reaches no tap; a closed tap stops listening in Redis', async () => {
  const tap = await openTap(a);
  const other = await openTap(b);
  const watcher = new Redis(redis.url);
  try {
    await (await fetch(`${b.baseUrl}/feed/short-poll?since=0&client=nobodyMintedThisId0000`)).text();
    await (await fetch(`${a.baseUrl}/feed/short-poll?since=0&client=${other.hello.client}`)).text();
    await waitFor(() => other.steps.some((s) => s.what === 'response' && s.process === 'a'), "b's tap hears its poll on a", 5000);
    assert.deepEqual(tap.steps, [], "a's tap heard nothing of other ids");
    const channel = `wirelab:trace:${tap.hello.client}`;
    assert.deepEqual(await watcher.pubsub('NUMSUB', channel), [channel, 1], 'the open tap listens');
    tap.socket.close();
    const deadline = Date.now() + 5000;
    while (((await watcher.pubsub('NUMSUB', channel)) as [string, number])[1] !== 0) {
      assert.ok(Date.now() < deadline, 'the closed tap stopped listening');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    tap.socket.close();
    other.socket.close();
    watcher.disconnect();
  }
});
