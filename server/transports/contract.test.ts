/**
 * One contract, five transports, three wires: the suite loops over the registry
 * and over HTTP/1.1, HTTP/1.1 over TLS and HTTP/2, so every transport is held to
 * the same promises (the contract in README.md) whatever carries it: in order, no gaps, no
 * duplicates, exact resume, an explicit gap, cleanup, chat from both doors.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { DRIVERS } from '../clients/index.ts';
import type { Connection, DriverOptions } from '../clients/common.ts';
import type { FeedEvent } from '../feed.ts';
import { type RunningLab, WIRES, type Wire, delay, reach, startLab, waitFor } from '../test-helpers.ts';
import { TRANSPORTS } from './index.ts';

const BUFFER = 50;

/**
 * Every client a test opened: closed after each test, passed or failed, since a
 * driver left open reconnects for ever (with backoff) to a lab that is gone, and
 * keeps the test file's process, and so the whole suite, from ever ending.
 */
const opened = new Set<Connection>();
afterEach(async () => {
  await Promise.all([...opened].map((connection) => connection.close()));
  opened.clear();
});

/** A driver connection over `wire` that records what it received. */
function clientOver(lab: RunningLab, wire: Wire, id: keyof typeof DRIVERS, options: Partial<DriverOptions> = {}) {
  const events: FeedEvent[] = [];
  const connection: Connection = DRIVERS[id]({
    ...reach(lab, wire),
    onEvent: (event) => events.push(event),
    intervalMs: 20,
    timeoutMs: 2000,
    ...options,
  });
  opened.add(connection);
  return { events, connection, seqs: () => events.map((e) => e.seq) };
}

/** Publishes `count` ticks in small bursts, so polls see several at once and streams see them live. */
async function publish(lab: RunningLab, count: number, burst = 5): Promise<void> {
  for (let i = 0; i < count; i++) {
    lab.ctx.feed.publish('tick', { price: i });
    if (i % burst === burst - 1) await delay(2);
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Whether the lab holds nothing for any client: no subscriber, no held request or stream. */
const idle = (lab: RunningLab) => lab.ctx.feed.subscriberCount === 0 && lab.ctx.closers.size === 0;

for (const wire of WIRES)
  for (const { id } of TRANSPORTS) {
    describe(`transport ${id} over ${wire.name}`, () => {
      let lab: RunningLab;
      const client = (lab: RunningLab, id: keyof typeof DRIVERS, options: Partial<DriverOptions> = {}) =>
        clientOver(lab, wire, id, options);
      before(async () => {
        lab = await startLab({ bufferSize: BUFFER, tlsPort: 0 });
      });
      after(async () => {
        await lab.close();
      });

      test('delivers every event in order, with no gaps and no duplicates', async () => {
        const start = lab.ctx.feed.lastSeq;
        const c = client(lab, id, { since: start });
        await delay(50); // connected and waiting
        await publish(lab, 40);
        await waitFor(() => c.events.length >= 40, `${id}: 40 events`);
        await delay(50); // would a duplicate or a stray event follow?
        await c.connection.close();
        assert.deepEqual(c.seqs(), range(start + 1, start + 40), `${id} received seqs in order, each once`);
        assert.ok(
          c.events.every((e) => e.type === 'tick' && e.epoch === lab.ctx.feed.epoch),
          `${id} events carry the type and epoch`,
        );
        await waitFor(() => idle(lab), `${id}: the lab frees the closed client`);
      });

      test('resumes from since with exactly what was missed', async () => {
        await publish(lab, 10);
        const first = client(lab, id, { since: lab.ctx.feed.lastSeq - 3 });
        await waitFor(() => first.events.length >= 3, `${id}: 3 replayed events`);
        await first.connection.close();
        const cursor = first.connection.lastSeq!;
        assert.equal(cursor, lab.ctx.feed.lastSeq, `${id} replayed up to the newest event`);
        await publish(lab, 7); // published while nobody listens
        const second = client(lab, id, { since: cursor });
        await waitFor(() => second.events.length >= 7, `${id}: 7 missed events`);
        await delay(50);
        await second.connection.close();
        assert.deepEqual(second.seqs(), range(cursor + 1, cursor + 7), `${id} resumed with exactly the missed events`);
      });

      test('a cursor older than the buffer gets one gap event first', async () => {
        await publish(lab, BUFFER + 20);
        const last = lab.ctx.feed.lastSeq;
        const oldest = last - BUFFER + 1;
        const since = oldest - 20;
        const c = client(lab, id, { since });
        await waitFor(() => c.events.length >= BUFFER + 1, `${id}: gap + ${BUFFER} events`);
        await delay(50);
        await c.connection.close();
        const [gap, ...rest] = c.events;
        assert.equal(gap.type, 'gap', `${id} starts with a gap event`);
        assert.deepEqual(gap.data, { from: since + 1, to: oldest - 1 }, `${id} gap names the missing range`);
        assert.equal(gap.seq, oldest - 1, `${id} gap's seq is the last missing seq`);
        assert.deepEqual(
          rest.map((e) => e.seq),
          range(oldest, last),
          `${id} then everything kept`,
        );
      });

      test('a cursor from another run (above lastSeq) is served as from now', async () => {
        const start = lab.ctx.feed.lastSeq;
        const c = client(lab, id, { since: start + 1000 });
        // An event published before the client's request arrives is history to a cursor "from now":
        // publish until one gets through, then everything after it must follow, and nothing older.
        const published: number[] = [];
        const deadline = Date.now() + 15_000;
        while (c.events.length === 0) {
          assert.ok(Date.now() < deadline, `${id}: one of ${published.length} events published after it connected arrived`);
          published.push(lab.ctx.feed.publish('tick', { price: 1 }).seq);
          await delay(50);
        }
        await delay(50); // would a duplicate or a stray event follow?
        await c.connection.close();
        const first = published.indexOf(c.seqs()[0]);
        assert.ok(first >= 0, `${id} got a new event (${c.seqs()[0]}), not one from before it connected (up to ${start})`);
        assert.deepEqual(c.seqs(), published.slice(first), `${id} then every event published after it, once, in order`);
      });

      test('a disconnect frees the subscriber, held request and timers', async () => {
        const c = client(lab, id, {});
        await waitFor(() => lab.ctx.feed.subscriberCount > 0 || id === 'short-poll', `${id}: subscribed`);
        await c.connection.close();
        await waitFor(() => idle(lab), `${id}: nothing held after the client left`);
        await waitFor(() => lab.ctx.stats.transports[id].connectionsOpen === 0 || id.endsWith('poll'), `${id}: connection count back to 0`);
      });
    });
  }

for (const wire of WIRES)
  describe(`chat reaches every transport over ${wire.name}`, () => {
    test('a message posted over HTTP and one sent over WebSocket arrive on all five', async () => {
      const lab = await startLab({ tlsPort: 0 });
      try {
        const clients = TRANSPORTS.map(({ id }) => ({ id, ...clientOver(lab, wire, id, { since: 0 }) }));
        const sender = clients.find((c) => c.id === 'ws')!;
        await waitFor(() => lab.ctx.feed.subscriberCount >= 3, 'streaming clients subscribed');
        await delay(50);
        const response = await fetch(`${lab.baseUrl}/feed/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ana', text: 'over http' }),
        });
        assert.equal(response.status, 201, 'chat post accepted');
        assert.deepEqual(await response.json(), { seq: 1 }, 'the answer names the seq');
        sender.connection.send!({ type: 'chat', name: 'bo', text: 'over ws' });
        const chats = (c: (typeof clients)[number]) => c.events.filter((e) => e.type === 'chat').map((e) => e.data);
        for (const c of clients) {
          await waitFor(() => chats(c).length >= 2, `${c.id}: both chat messages`);
          assert.deepEqual(
            chats(c),
            [
              { name: 'ana', text: 'over http' },
              { name: 'bo', text: 'over ws' },
            ],
            `${c.id} got both messages`,
          );
        }
        await Promise.all(clients.map((c) => c.connection.close()));
      } finally {
        await lab.close();
      }
    });
  });
