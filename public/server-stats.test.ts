/**
 * Bytes per event as every page counts them (server-stats.js perEvent): the bytes
 * that crossed since the page opened, both ways, over the events delivered since,
 * split into head, framing and payload; overhead is all but the payload; and no
 * figure at all before an event was delivered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perEvent } from './server-stats.js';

const split = (head: number, framing: number, payload: number) => ({ head, framing, payload });
const stats = (transport: string, t: { events: number; requests: number; out: number[]; in: number[] }) => ({
  transports: {
    [transport]: {
      eventsDelivered: t.events,
      requests: t.requests,
      bytesOut: split(t.out[0], t.out[1], t.out[2]),
      bytesIn: split(t.in[0], t.in[1], t.in[2]),
    },
  },
});

test('the difference since the page opened, per event delivered, both directions, by kind', () => {
  const then = stats('short-poll', { events: 10, requests: 20, out: [5000, 100, 900], in: [9000, 0, 0] });
  const now = stats('short-poll', { events: 14, requests: 24, out: [5800, 120, 1300], in: [10_600, 0, 40] });
  assert.deepEqual(perEvent(now, then, 'short-poll'), {
    down: { head: 200, framing: 5, payload: 100 },
    up: { head: 400, framing: 0, payload: 10 },
    head: 600,
    framing: 5,
    payload: 110,
    overhead: 605,
    total: 715,
    requestsPerEvent: 1,
  });
});

test('fractions are kept (a poll that brought several events costs each less); the other transports are not read', () => {
  const then = { transports: { ...stats('ws', { events: 0, requests: 1, out: [129, 0, 0], in: [497, 0, 0] }).transports, sse: null } };
  const now = stats('ws', { events: 3, requests: 1, out: [129, 6, 300], in: [497, 0, 0] });
  const ws = perEvent(now, then, 'ws');
  assert.deepEqual([ws?.down.framing, ws?.overhead, ws?.requestsPerEvent], [2, 2, 0], "the upgrade's heads are before the page opened");
  assert.equal(ws?.payload, 100);
  const odd = perEvent(
    stats('ws', { events: 3, requests: 1, out: [0, 7, 0], in: [0, 0, 0] }),
    stats('ws', { events: 0, requests: 0, out: [0, 0, 0], in: [0, 0, 0] }),
    'ws',
  );
  assert.equal(odd?.framing, 7 / 3);
  assert.equal(odd?.requestsPerEvent, 1 / 3);
});

test('no event delivered since the page opened: no figure, not a division by zero', () => {
  const same = stats('sse', { events: 5, requests: 1, out: [100, 50, 500], in: [300, 0, 0] });
  const later = stats('sse', { events: 5, requests: 2, out: [200, 60, 500], in: [600, 0, 0] });
  assert.equal(perEvent(later, same, 'sse'), undefined);
});
