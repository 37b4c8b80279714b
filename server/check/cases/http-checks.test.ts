/**
 * The checks made on a plain HTTP answer, on answers written by hand: a poll
 * body's shape (each way it can be wrong named, and a server's oddest JSON a
 * verdict, not the checker's error), caching headers by RFC 9111, and the
 * contract's coded error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpResponse } from '../http.ts';
import { cachingOutcome, codedErrorOutcome, pollProblem, safeEvents } from './http-checks.ts';

const answer = (body: string, headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }, status = 200) =>
  ({ status, headers, text: () => body }) as unknown as HttpResponse;
const EVENT = '{"seq":3,"epoch":"e","type":"tick","at":1,"data":{}}';

test("pollProblem: the contract's body passes, with or without events", () => {
  assert.equal(pollProblem(answer(`{"epoch":"e","lastSeq":3,"events":[${EVENT}]}`)), undefined);
  assert.equal(pollProblem(answer('{"epoch":"e","lastSeq":0,"events":[]}')), undefined);
  assert.equal(pollProblem(answer('{"epoch":"e","lastSeq":0,"events":[]}', { 'content-type': 'Application/JSON' })), undefined);
});

test('pollProblem: status, type, JSON, epoch, lastSeq, events and each event, in that order', () => {
  const cases: [HttpResponse, string][] = [
    [answer('{}', {}, 503), 'answered 503, not 200'],
    [answer('{}', { 'content-type': 'text/plain' }), 'Content-Type is "text/plain", not application/json'],
    [answer('{}', {}), 'Content-Type is null, not application/json'],
    [answer('{"epoch":'), 'the body is not JSON: "{\\"epoch\\":"'],
    [answer('{"lastSeq":1,"events":[]}'), 'the body has no epoch string'],
    [answer('{"epoch":"e","lastSeq":"1","events":[]}'), 'the body has no integer lastSeq'],
    [answer('{"epoch":"e","lastSeq":1,"events":{}}'), 'the body has no events array'],
    [answer('{"epoch":"e","lastSeq":1,"events":[{"seq":0}]}'), 'seq 0 is not a positive integer'],
  ];
  for (const [response, problem] of cases) assert.equal(pollProblem(response), problem);
});

test("pollProblem: JSON that is no object, or an event that is none, is the server's problem, not the checker's error", () => {
  for (const body of ['null', '5', '"text"', '[]']) {
    assert.equal(pollProblem(answer(body)), `the body is ${body}, not a JSON object`, body);
  }
  assert.equal(pollProblem(answer('{"epoch":"e","lastSeq":1,"events":[null]}')), 'an event is null, not an object');
});

test('safeEvents: the events array, or none for any other body', () => {
  assert.deepEqual(safeEvents(answer(`{"events":[${EVENT}]}`)), [JSON.parse(EVENT)]);
  for (const body of ['', 'null', '{"events":5}', '[1]', 'x']) assert.deepEqual(safeEvents(answer(body)), [], body);
});

test('cachingOutcome: no-store, no-cache or max-age=0 pass; explicitly cacheable fails; nothing said is Non-Strict', () => {
  const verdict = (headers: Record<string, string>) => cachingOutcome(answer('', headers)).verdict;
  for (const control of ['no-store', 'No-Cache', 'private, max-age=0', 'no-cache, max-age=600']) {
    assert.equal(verdict({ 'cache-control': control }), 'pass', control);
  }
  for (const control of ['max-age=60', 'public', 's-maxage=0, max-age=10'])
    assert.equal(verdict({ 'cache-control': control }), 'fail', control);
  assert.equal(verdict({ expires: 'Thu, 01 Jan 2099 00:00:00 GMT' }), 'fail', 'Expires alone makes it cacheable');
  assert.equal(verdict({}), 'non-strict');
  assert.equal(verdict({ 'cache-control': 'private' }), 'non-strict', 'private still lets the browser cache it');
  assert.equal(verdict({ 'cache-control': 'max-age=00' }), 'non-strict', 'a zero written 00 is not max-age=0, nor over it');
});

test('codedErrorOutcome: the status and the coded body pass; a bare status is Non-Strict; another status fails', () => {
  const error = '{"error":{"code":"bad_since","message":"since must be a number"}}';
  assert.deepEqual(codedErrorOutcome(answer(error, {}, 400), 400, 'bad_since', 'since=abc'), {
    verdict: 'pass',
    reason: '400 with code bad_since',
  });
  assert.deepEqual(codedErrorOutcome(answer(error, {}, 200), 400, 'bad_since', 'since=abc'), {
    verdict: 'fail',
    reason: 'since=abc was answered 200, not 400',
  });
  assert.equal(codedErrorOutcome(answer('{"error":{"code":"other","message":"x"}}', {}, 400), 400, 'bad_since', 'x').verdict, 'non-strict');
  assert.equal(codedErrorOutcome(answer('{"error":{"code":"bad_since"}}', {}, 400), 400, 'bad_since', 'x').verdict, 'non-strict');
  assert.match(codedErrorOutcome(answer('Bad Request', {}, 400), 400, 'bad_since', 'x').reason, /^400, but the body is not the contract's/);
  assert.match(codedErrorOutcome(answer('null', {}, 400), 400, 'bad_since', 'x').reason, /^400, but the body is not the contract's/);
});
