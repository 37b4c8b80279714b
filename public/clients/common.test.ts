/**
 * The client cursor, backoff and pause that the browser clients and the Node
 * drivers share: one implementation (the drivers import this very file), and a
 * pause that leaves nothing behind on its abort signal.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import * as drivers from '../../server/clients/common.ts';
import { Cursor, backoffMs, sleep } from './common.js';

test("the Node drivers use the browser clients' cursor, backoff and sleep, not copies", () => {
  assert.equal(drivers.Cursor, Cursor, 'one Cursor');
  assert.equal(drivers.backoffMs, backoffMs, 'one backoff');
  assert.equal(drivers.sleep, sleep, 'one sleep');
});

test("200 polls' pauses on one abort signal leave no listener behind; an abort ends a pause at once", async () => {
  const abort = new AbortController();
  for (let i = 0; i < 200; i++) await sleep(0, abort.signal);
  assert.equal(getEventListeners(abort.signal, 'abort').length, 0, 'every pause removed its abort listener');
  const started = performance.now();
  const pause = sleep(60_000, abort.signal);
  assert.equal(getEventListeners(abort.signal, 'abort').length, 1, 'a pending pause listens');
  abort.abort();
  await pause;
  assert.ok(performance.now() - started < 1000, 'the abort ended the pause');
  await sleep(60_000, abort.signal); // an already aborted signal: no wait at all
});

test("the cursor resumes, starts over on a new epoch, and adopts a poll's lastSeq", () => {
  const cursor = new Cursor(undefined);
  assert.ok(cursor.see({ seq: 5, epoch: 'a' }), 'an event is seen');
  assert.equal(cursor.lastSeq, 5, 'the cursor moves');
  assert.ok(!cursor.see({ hello: 1 }), 'a non-event is not');
  assert.ok(!cursor.see({ seq: 1, epoch: 'b' }), 'the first event of another run is held back');
  assert.ok(cursor.restartPending, 'and the client must start over');
  assert.equal(cursor.lastSeq as number, 0, 'from 0');
  assert.ok(cursor.startOver() && !cursor.restartPending, 'startOver says so once');
  const poll = new Cursor(900);
  assert.ok(!poll.restartIfNewEpoch('a', 10), 'a first envelope is no restart');
  assert.equal(poll.lastSeq, 10, 'a cursor above lastSeq (another run) adopts lastSeq');
  assert.ok(poll.restartIfNewEpoch('b', 3), 'another epoch is a restart');
  assert.equal(poll.lastSeq, 0, 'from 0');
  for (let attempt = 0; attempt < 10; attempt++)
    assert.ok(backoffMs(attempt) <= Math.min(5000, 100 * 2 ** attempt), `backoff ${attempt} within its cap`);
});
