/** Adding up the processes' /stats: counts summed, names kept when they agree, a gone process's connections closed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addUp, retire, sumStats } from './stats-sum.ts';

const traffic = (n: number) => ({ requests: n, connectionsOpen: 1, bytesOut: { head: 10 * n, framing: n, payload: 100 * n } });

test('addUp sums numbers field by field, recursively, and keeps a text only where every answer agrees', () => {
  assert.deepEqual(
    addUp([
      { a: 1, b: { c: 2 }, name: 'x', epoch: 'e' },
      { a: 3, b: { c: 4, d: 5 }, name: 'y', epoch: 'e' },
    ]),
    { a: 4, b: { c: 6, d: 5 }, name: null, epoch: 'e' },
  );
  assert.deepEqual(addUp([]), {});
});

test('sumStats: traffic and counters summed, lastSeq the furthest, one epoch or none', () => {
  const a = { epoch: 'e1', lastSeq: 7, subscribers: 2, transports: { sse: traffic(1) }, counters: { internalErrors: 0 } };
  const b = { epoch: 'e1', lastSeq: 9, subscribers: 3, transports: { sse: traffic(2) }, counters: { internalErrors: 1 } };
  assert.deepEqual(sumStats([a, b]), {
    epoch: 'e1',
    lastSeq: 9,
    transports: { sse: { requests: 3, connectionsOpen: 2, bytesOut: { head: 30, framing: 3, payload: 300 } } },
    counters: { internalErrors: 1 },
    subscribers: 5,
  });
  assert.equal(sumStats([a, { ...b, epoch: 'e2' }]).epoch, null, 'mirrors that disagree for a moment: no single epoch');
  assert.deepEqual(sumStats([]), { epoch: null, lastSeq: 0, transports: {}, counters: {}, subscribers: 0 });
});

test('retire keeps every count of a gone process but closes what it held', () => {
  assert.deepEqual(retire({ sse: { ...traffic(2), protocols: { h1: traffic(2) } } }), {
    sse: {
      requests: 2,
      connectionsOpen: 0,
      bytesOut: { head: 20, framing: 2, payload: 200 },
      protocols: { h1: { requests: 2, connectionsOpen: 0, bytesOut: { head: 20, framing: 2, payload: 200 } } },
    },
  });
});
