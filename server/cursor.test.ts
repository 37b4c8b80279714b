/** The query parameters every transport reads (cursor.ts), checked at the edge with a coded error each. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClient, parseFollow, parseHeartbeatMs, parseSince, parseTimeoutMs, parseTypes } from './cursor.ts';
import { LabError } from './errors.ts';
import { MAX_SEQ } from './feed.ts';

/** Asserts that `run` throws the LabError `code`, a 400. */
function refuses(run: () => unknown, code: string, what: string): void {
  assert.throws(run, (error: unknown) => error instanceof LabError && error.code === code && error.status === 400, `${what}: ${code}`);
}

test('since: absent is "new events only", 0 to 2^53 - 1 is a cursor, anything else is bad_since', () => {
  assert.equal(parseSince(undefined), undefined, 'absent');
  assert.equal(parseSince('0'), 0, '0 asks for everything kept');
  assert.equal(parseSince('42'), 42);
  assert.equal(parseSince('007'), 7, 'leading zeros are still a decimal integer');
  assert.equal(parseSince(String(MAX_SEQ)), MAX_SEQ, 'the largest integer a double holds exactly');
  for (const raw of ['', '-1', '+1', '1.5', '1e3', ' 1', '0x10', 'abc', String(MAX_SEQ + 1), '99999999999999999']) {
    refuses(() => parseSince(raw), 'bad_since', JSON.stringify(raw));
  }
  refuses(() => parseSince(['1', '2']), 'bad_since', 'a repeated parameter (an array)');
  assert.throws(() => parseSince('x', 'Last-Event-ID'), /`Last-Event-ID` must be/, 'the message names the parameter it read');
});

test('timeoutMs: absent is the default, a whole number is clamped, anything else is bad_timeout', () => {
  assert.equal(parseTimeoutMs(undefined, 25_000), 25_000);
  assert.equal(parseTimeoutMs('5000', 25_000), 5000);
  assert.equal(parseTimeoutMs('0', 25_000), 100, 'clamped up: no client spins at 0');
  assert.equal(parseTimeoutMs('999999999', 25_000), 60_000, 'clamped down: no client holds a request for an hour');
  assert.equal(parseTimeoutMs('50', 25_000, 10, 1000), 50, "the bounds are the caller's");
  for (const raw of ['', '-5', '1.5', 'soon', '1234567890']) refuses(() => parseTimeoutMs(raw, 25_000), 'bad_timeout', JSON.stringify(raw));
});

test('types: a list of event types, gap always passing; a malformed list is bad_types', () => {
  assert.equal(parseTypes(undefined), undefined, 'absent: every type');
  const chatOnly = parseTypes('chat')!;
  assert.ok(chatOnly('chat') && !chatOnly('tick'), 'only chat');
  assert.ok(chatOnly('gap'), 'gap passes whatever is asked: loss is never silent');
  const two = parseTypes('tick,chat')!;
  assert.ok(two('tick') && two('chat') && !two('process'));
  for (const raw of ['', 'Chat', 'chat,', ',chat', 'a b', 'a,b,c,d,e,f,g,h,i', 'x'.repeat(33)])
    refuses(() => parseTypes(raw), 'bad_types', JSON.stringify(raw));
});

test('heartbeatMs: 0 for none or 100 ms to an hour; anything else is bad_heartbeat', () => {
  assert.equal(parseHeartbeatMs(undefined, 15_000), 15_000);
  assert.equal(parseHeartbeatMs('0', 15_000), 0);
  assert.equal(parseHeartbeatMs('100', 15_000), 100);
  assert.equal(parseHeartbeatMs('3600000', 15_000), 3_600_000);
  for (const raw of ['1', '99', '3600001', '-1', '1.5', ''])
    refuses(() => parseHeartbeatMs(raw, 15_000), 'bad_heartbeat', JSON.stringify(raw));
});

test('client: a wiretap id of 1-40 URL-safe characters; anything else is bad_client', () => {
  assert.equal(parseClient(undefined), undefined);
  assert.equal(parseClient('a-B_9'), 'a-B_9');
  for (const raw of ['', 'a b', 'x'.repeat(41), 'é', '../x']) refuses(() => parseClient(raw), 'bad_client', JSON.stringify(raw));
});

test('parseFollow reads the four together, and the first bad one is the error', () => {
  const follow = parseFollow({ since: '3', types: 'chat', heartbeatMs: '0', client: 'page1' }, 15_000);
  assert.equal(follow.since, 3);
  assert.equal(follow.heartbeatMs, 0);
  assert.equal(follow.client, 'page1');
  assert.ok(follow.accept?.('chat') && !follow.accept('tick'), 'types became a filter');
  assert.deepEqual(parseFollow({}, 15_000), { since: undefined, accept: undefined, heartbeatMs: 15_000, client: undefined }, 'defaults');
  refuses(() => parseFollow({ since: 'x', types: 'chat' }, 15_000), 'bad_since', 'a bad since');
});
