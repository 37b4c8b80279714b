/**
 * Shutdown and restart: when the lab stops, its clients are told (WebSocket 1001,
 * streams ended); when it comes back on the same port, every driver notices the new
 * `epoch` and starts over from seq 1 of the new run, skipping nothing.
 *
 * The hard case is a new run that is already *ahead* of the old cursors: a client
 * that resumed with its old `since` (or SSE's Last-Event-ID) would be served from
 * there and silently miss the new run's first events.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from './clients/common.ts';
import { DRIVERS } from './clients/index.ts';
import type { FeedEvent } from './feed.ts';
import { type RunningLab, delay, startLab, waitFor } from './test-helpers.ts';
import { TRANSPORTS } from './transports/index.ts';

const OLD_RUN = 5;
/** More than OLD_RUN, so that the old cursors point inside the new run. */
const NEW_RUN = 8;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('after a restart on the same port every driver sees the new epoch and gets the new run from seq 1', async () => {
  let lab: RunningLab = await startLab({ extraPorts: false });
  const port = lab.port;
  const clients = TRANSPORTS.map(({ id }) => {
    const events: FeedEvent[] = [];
    const states: string[] = [];
    const connection: Connection = DRIVERS[id]({
      baseUrl: lab.baseUrl,
      since: 0,
      intervalMs: 20,
      timeoutMs: 1000,
      onEvent: (event) => events.push(event),
      onState: (state, detail) => states.push(detail ? `${state} ${detail}` : state),
    });
    return { id, events, states, connection };
  });
  try {
    await waitFor(() => lab.ctx.feed.subscriberCount >= 3, 'the streaming clients subscribed');
    for (let i = 0; i < OLD_RUN; i++) lab.ctx.feed.publish('tick', { run: 'old', i });
    await waitFor(() => clients.every((c) => c.events.length === OLD_RUN), 'every client got the old run');
    const oldEpoch = lab.ctx.feed.epoch;

    await lab.close();
    lab = await startLab({ extraPorts: false }, port);
    // In the same turn as the listen: no client can have reconnected yet, so every
    // old cursor (5) now points inside the new run (8 events).
    for (let i = 0; i < NEW_RUN; i++) lab.ctx.feed.publish('tick', { run: 'new', i });
    const newEpoch = lab.ctx.feed.epoch;
    assert.notEqual(newEpoch, oldEpoch, 'a new run has a new epoch');

    const fromNewRun = (c: (typeof clients)[number]) => c.events.filter((e) => e.epoch === newEpoch);
    await waitFor(() => clients.every((c) => fromNewRun(c).length >= NEW_RUN), 'every client caught up with the new run', 20_000);
    await delay(100); // would a duplicate follow?

    for (const c of clients) {
      const old = c.events.filter((e) => e.epoch === oldEpoch);
      assert.deepEqual(
        old.map((e) => e.seq),
        range(1, OLD_RUN),
        `${c.id}: the old run, in order`,
      );
      assert.deepEqual(c.events.slice(0, OLD_RUN), old, `${c.id}: the old run came first`);
      assert.deepEqual(
        fromNewRun(c).map((e) => e.seq),
        range(1, NEW_RUN),
        `${c.id}: the new run from seq 1, in order, nothing skipped, nothing twice`,
      );
      assert.equal(c.events.length, OLD_RUN + NEW_RUN, `${c.id}: no event of any other run`);
    }
    const ws = clients.find((c) => c.id === 'ws')!;
    assert.ok(
      ws.states.some((s) => s.startsWith('closed 1001')),
      `the WebSocket client was told 1001 going away: ${ws.states.join(', ')}`,
    );
  } finally {
    await Promise.all(clients.map((c) => c.connection.close()));
    await lab.close();
  }
});
