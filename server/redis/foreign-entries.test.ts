/**
 * Entries in the feed's Redis stream that the lab did not write (feed.ts, "Foreign
 * entries"), with a real redis-server and two lab processes' apps in this one. A
 * local user with the password XADDs to the log: with an id of the clock (far ahead
 * of the seq, which used to stop every later publish), with a seq of the lab's own
 * shape but ahead, between two of the lab's entries, or with a body that looks like
 * an event of another run. Each time the feed goes on at the next seq, every client
 * gets every event once, in order, with no gap and no new epoch, and /stats says
 * what was found. One slipped between two of the lab's entries is passed over and left.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { DRIVERS } from '../clients/index.ts';
import type { Connection } from '../clients/common.ts';
import type { FeedEvent } from '../feed.ts';
import { type RunningLab, startLab, waitFor } from '../test-helpers.ts';
import { PUBLISH, RedisFeedSource } from './feed.ts';
import { type RedisServer, startRedis } from './redis-server.ts';

const LOG = 'wirelab:log';

let redis: RedisServer;
let a: RunningLab;
let b: RunningLab;
/** The local user: a client of its own, with the run's password. */
let intruder: Redis;
before(async () => {
  redis = await startRedis();
  a = await startLab({ feedStore: redis.url, processName: 'lab-a', bufferSize: 50 });
  b = await startLab({ feedStore: redis.url, processName: 'lab-b', bufferSize: 50 });
  intruder = new Redis(redis.url);
});
after(async () => {
  intruder?.disconnect();
  await a?.close();
  await b?.close();
  await redis?.close();
});

/** A driver of `id` on `lab` that records every event and every non-event message (gaps). */
function follow(lab: RunningLab, id: 'sse' | 'ws' | 'long-poll', since: number) {
  const events: FeedEvent[] = [];
  const connection: Connection = DRIVERS[id]({
    baseUrl: lab.baseUrl,
    since,
    intervalMs: 20,
    timeoutMs: 2000,
    onEvent: (event) => events.push(event),
  });
  return { id, events, connection };
}
const clients: ReturnType<typeof follow>[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.connection.close()));
});

async function post(lab: RunningLab, text: string): Promise<{ status: number; seq?: number }> {
  const response = await fetch(`${lab.baseUrl}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ana', text }),
  });
  const body = (await response.json()) as { seq?: number };
  return { status: response.status, seq: body.seq };
}

interface ForeignStats {
  seen: number;
  removed: number;
  last: { ids: string[]; removed: number } | null;
}
const foreignOf = async (lab: RunningLab) =>
  ((await (await fetch(`${lab.baseUrl}/stats`)).json()) as { feed: { foreign: ForeignStats } }).feed.foreign;

/** Clients on both processes from the feed's last seq, and a first post that reaches them all. */
async function followers(): Promise<{ start: number; epoch: string; all: ReturnType<typeof follow>[] }> {
  const first = await post(a, 'before');
  assert.equal(first.status, 201);
  await waitFor(() => a.ctx.feed.lastSeq === first.seq && b.ctx.feed.lastSeq === first.seq, 'both mirrors at the first post');
  const all = [follow(a, 'sse', first.seq!), follow(b, 'ws', first.seq!), follow(b, 'long-poll', first.seq!)];
  clients.push(...all);
  await waitFor(() => a.ctx.feed.subscriberCount >= 1 && b.ctx.feed.subscriberCount >= 1, 'the streams held');
  return { start: first.seq!, epoch: a.ctx.feed.epoch, all };
}

/** Posts `count` messages, alternating processes: every one taken, at consecutive seqs after `after`. */
async function postSeries(after: number, count: number, label: string): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await post(i % 2 ? b : a, `${label} ${i}`);
    assert.equal(answer.status, 201, `${label} ${i}: taken (${answer.status})`);
    seqs.push(answer.seq!);
  }
  assert.deepEqual(
    seqs,
    Array.from({ length: count }, (_, i) => after + 1 + i),
    `${label}: the seqs go on from ${after}, no jump`,
  );
  return seqs;
}

/** Every client has exactly `seqs`, in order, of one epoch: nothing lost, nothing twice, no gap. */
async function everyoneGot(all: ReturnType<typeof follow>[], seqs: number[], epoch: string): Promise<void> {
  for (const c of all) {
    await waitFor(() => c.events.length >= seqs.length, `${c.id}: ${seqs.length} events`, 10_000);
    assert.deepEqual(
      c.events.map((e) => e.seq),
      seqs,
      `${c.id}: every seq once, in order`,
    );
    assert.ok(
      c.events.every((e) => e.epoch === epoch && e.type === 'chat'),
      `${c.id}: no gap, no new epoch, only the lab's events`,
    );
  }
}

/** Resolves when the asynchronous `condition` holds, asking every 20 ms; rejects with `what` after `timeoutMs`. */
async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The log's ids now: the lab's alone are `<seq>-1`. */
const logIds = async () => ((await intruder.xrange(LOG, '-', '+')) as [string, string[]][]).map(([id]) => id);

describe("foreign entries in the feed's Redis stream", () => {
  test(
    "an XADD with the clock's id, far ahead of the seq: removed by whoever meets it first, " +
      'the next publish takes the next seq, nobody loses an event',
    async () => {
      const { start, epoch, all } = await followers();
      const before = { a: (await foreignOf(a)).removed, b: (await foreignOf(b)).removed };
      // Published at once, as in a busy class: the publish or a reader meets it first (the next test takes each apart).
      const [id] = await Promise.all([
        intruder.xadd(LOG, '*', 'hello', 'world'),
        post(a, 'right after').then((answer) => {
          assert.equal(answer.status, 201, 'the publish that meets it is taken');
          assert.equal(answer.seq, start + 1, 'at the next seq');
        }),
      ]);
      assert.match(id!, /^\d{13}-\d+$/, "the foreign id is the clock's");
      const seqs = [start + 1, ...(await postSeries(start + 1, 6, 'after'))];
      await everyoneGot(all, seqs, epoch);
      assert.ok(!(await logIds()).includes(id!), 'the foreign entry is gone from the log');
      assert.ok(
        (await logIds()).every((logId) => /^\d+-1$/.test(logId)),
        "the log holds the lab's entries alone",
      );
      const found = [await foreignOf(a), await foreignOf(b)];
      assert.equal(
        found[0].removed + found[1].removed - before.a - before.b,
        1,
        `/stats says one entry was removed: ${JSON.stringify(found)}`,
      );
      assert.ok(
        found.some((f) => f.last?.ids.includes(id!)),
        '/stats names it',
      );
    },
  );

  test(
    'on a quiet feed the readers remove it before anyone publishes; ' + "ids of the lab's own shape ahead, and many at once, too",
    async () => {
      const { start, epoch, all } = await followers();
      const removedBefore = (await foreignOf(a)).removed + (await foreignOf(b)).removed;
      const forged = `{"seq":${start + 500},"epoch":"not-this-run","type":"chat","at":0,"data":{"name":"x","text":"forged"}}`;
      const ids = [
        await intruder.xadd(LOG, `${start + 500}-0`, 'e', forged),
        await intruder.xadd(LOG, `${start + 600}-1`, 'e', 'not json'),
        ...(await Promise.all(Array.from({ length: 30 }, () => intruder.xadd(LOG, '*', 'x', '1')))),
      ];
      await waitUntil(async () => (await logIds()).at(-1) === `${start}-1`, 'the readers removed every foreign entry', 10_000);
      const seqs = await postSeries(start, 5, 'quiet');
      await everyoneGot(all, seqs, epoch);
      assert.equal(a.ctx.feed.epoch, epoch, 'the forged event of another run started nothing');
      const found = [await foreignOf(a), await foreignOf(b)];
      assert.ok(
        found.every((f) => f.seen >= 1),
        `each process met them: ${JSON.stringify(found)}`,
      );
      assert.equal(
        found[0].removed + found[1].removed - removedBefore,
        ids.length,
        `/stats: all ${ids.length} removed: ${JSON.stringify(found)}`,
      );
    },
  );

  test(
    'the publish script meets it first: its XADD refused, it removes the entry, ' +
      'writes the event at the seq it took, and says what it removed',
    async () => {
      // In one transaction, so that no reader can see the foreign entry before the script does.
      const prefix = 'publish:';
      const source = await RedisFeedSource.open({ url: redis.url, bufferSize: 50, processName: 'publish', prefix });
      try {
        const first = await source.publish('chat', { name: 'ana', text: '1' });
        await waitFor(() => source.feed.lastSeq === first.seq, 'the first event read');
        const keys = [`${prefix}seq`, `${prefix}epoch`, `${prefix}log`];
        const results = await intruder
          .multi()
          .xadd(keys[2], '*', 'hello', 'world')
          .eval(PUBLISH, 3, ...keys, 'chat', '{"name":"ana","text":"2"}', '0', '50', 'unused')
          .exec();
        const foreignId = results![0][1] as string;
        const [seq, epoch, removed, ids] = results![1][1] as [number, string, number, string[]];
        assert.deepEqual(
          [seq, epoch, removed, ids],
          [first.seq + 1, first.epoch, 1, [foreignId]],
          'the next seq, the same epoch, the foreign entry named',
        );
        await waitFor(() => source.feed.lastSeq === first.seq + 1, 'the event read', 5000);
        assert.equal(source.foreign.seen, 0, 'no reader ever saw the foreign entry');
        assert.deepEqual(
          (await intruder.xrange(keys[2], '-', '+')).map(([id]) => id),
          ['1-1', '2-1'],
          "the log holds the lab's entries alone",
        );
        assert.equal(await intruder.xadd(keys[2], '2-2', 'x', 'y'), '2-2', "the stream's last id is the lab's again (2-2 is taken)");
      } finally {
        await source.close();
      }
    },
  );

  test("an entry slipped between two of the lab's (below its last id) stops nothing: passed over, left in place, reported", async () => {
    // A feed of its own (its own keys), its log written by hand as the lab's script writes it, so that the
    // foreign entries sit between two of the lab's before any reader sees them: read on opening, and in one read.
    const prefix = 'between:';
    const event = (seq: number) => `{"seq":${seq},"epoch":"e1","type":"chat","at":0,"data":{"name":"ana","text":"${seq}"}}`;
    await intruder
      .multi()
      .set(`${prefix}epoch`, 'e1')
      .set(`${prefix}seq`, 2)
      .xadd(`${prefix}log`, '1-1', 'e', event(1))
      .xadd(`${prefix}log`, '1-7', 'x', 'y')
      .xadd(`${prefix}log`, '2-1', 'e', event(2))
      .exec();
    const source = await RedisFeedSource.open({ url: redis.url, bufferSize: 50, processName: 'between', prefix });
    try {
      assert.deepEqual(
        source.feed.read(0).map((e) => e.event.seq),
        [1, 2],
        "the lab's entries mirrored on opening",
      );
      assert.equal(source.foreign.seen, 1, 'the one between them passed over');
      await intruder.multi().xadd(`${prefix}log`, '2-3', 'x', 'y').incr(`${prefix}seq`).xadd(`${prefix}log`, '3-1', 'e', event(3)).exec();
      await waitFor(() => source.feed.lastSeq === 3, 'the next entry read past the foreign one', 5000);
      const published = await source.publish('chat', { name: 'ana', text: '4' });
      assert.equal(published.seq, 4, 'the next publish takes the next seq');
      await waitFor(() => source.feed.lastSeq === 4, 'and is read', 5000);
      assert.deepEqual(
        source.feed.read(0).map((e) => e.event.seq),
        [1, 2, 3, 4],
        "every event of the lab's once, in order, no gap",
      );
      assert.equal(source.foreign.seen, 2, 'both foreign entries met');
      assert.equal(source.foreign.removed, 0, 'none removed: they stopped nothing');
      assert.deepEqual(
        (await intruder.xrange(`${prefix}log`, '-', '+')).map(([id]) => id),
        ['1-1', '1-7', '2-1', '2-3', '3-1', '4-1'],
      );
      assert.deepEqual((source.describe().foreign as { seen: number }).seen, 2, '/stats says so');
    } finally {
      await source.close();
    }
  });
});
