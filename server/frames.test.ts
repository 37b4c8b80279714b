/** Byte-exact tests of the wire encoders: whole strings, newlines and escapes included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Entry } from './feed.ts';
import {
  escapeJsonForScript,
  iframeKeepAlive,
  iframePreamble,
  iframeScript,
  isCallbackName,
  pollBody,
  sseComment,
  sseEvent,
  sseMessage,
  sseRetry,
  wsTextFrame,
} from './frames.ts';

const entry = (seq: number, type: string, data: unknown): Entry => {
  const event = { seq, epoch: 'e1', type, at: 1.5, data };
  const json = JSON.stringify(event);
  return { event, json, bytes: Buffer.byteLength(json) };
};

test('pollBody wraps the cached JSON of each event', () => {
  assert.equal(pollBody('e1', 7, []), '{"epoch":"e1","lastSeq":7,"events":[]}', 'empty poll');
  assert.equal(
    pollBody('e1', 2, [entry(1, 'tick', { price: 1 }), entry(2, 'chat', { name: 'a', text: 'b' })]),
    '{"epoch":"e1","lastSeq":2,"events":[' +
      '{"seq":1,"epoch":"e1","type":"tick","at":1.5,"data":{"price":1}},' +
      '{"seq":2,"epoch":"e1","type":"chat","at":1.5,"data":{"name":"a","text":"b"}}' +
      ']}',
    'two events, in order',
  );
});

test('sseMessage writes id, event and one data line per line of data', () => {
  assert.equal(sseMessage({ id: 3, event: 'tick', data: '{"a":1}' }), 'id: 3\nevent: tick\ndata: {"a":1}\n\n', 'one-line data');
  assert.equal(
    sseMessage({ data: 'one\ntwo\r\nthree\rfour' }),
    'data: one\ndata: two\ndata: three\ndata: four\n\n',
    'LF, CRLF and CR all split lines',
  );
  assert.equal(sseMessage({ data: '' }), 'data: \n\n', 'empty data is still sent, not dropped');
  assert.equal(sseMessage({ id: 0, data: '0' }), 'id: 0\ndata: 0\n\n', 'id 0 and data "0" are kept');
  assert.equal(sseMessage({ data: 'a\n' }), 'data: a\ndata: \n\n', 'a trailing newline is a last empty line');
});

test('sseMessage refuses ids and event names that would inject fields', () => {
  assert.throws(() => sseMessage({ id: '1\nevent: evil', data: 'x' }), TypeError, 'LF in id');
  assert.throws(() => sseMessage({ id: 'a\0b', data: 'x' }), TypeError, 'NUL in id');
  assert.throws(() => sseMessage({ event: 'tick\r\ndata: x', data: 'x' }), TypeError, 'CRLF in event');
  assert.throws(() => sseComment('a\nb'), TypeError, 'LF in a comment');
});

test('sseEvent frames a feed event with its seq and type', () => {
  const e = entry(42, 'chat', { name: 'n', text: 'line1\nline2' });
  assert.equal(sseEvent(e), `id: 42\nevent: chat\ndata: ${e.json}\n\n`, 'JSON escapes the newline, so one data line');
});

test('sseRetry and sseComment', () => {
  assert.equal(sseRetry(2000), 'retry: 2000\n\n', 'retry');
  assert.equal(sseComment('heartbeat'), ': heartbeat\n\n', 'comment');
  assert.throws(() => sseRetry(-1), RangeError, 'negative retry');
});

test('escapeJsonForScript leaves nothing that can end or derail a script', () => {
  const hostile = JSON.stringify({ text: '</script><script>alert(1)</script><!-- & \u2028\u2029' });
  const escaped = escapeJsonForScript(hostile);
  assert.equal(
    escaped,
    '{"text":"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029"}',
    'every <, >, &, U+2028 and U+2029 becomes a \\u escape',
  );
  assert.deepEqual(JSON.parse(escaped), JSON.parse(hostile), 'the escaped text is the same JSON value');
});

test('iframeScript calls the parent callback with the escaped JSON', () => {
  const e = entry(1, 'chat', { name: 'x', text: '</script>' });
  assert.equal(
    iframeScript('wirelab.onEvent', e.json),
    '<script>parent.wirelab.onEvent(' +
      '{"seq":1,"epoch":"e1","type":"chat","at":1.5,"data":{"name":"x","text":"\\u003c/script\\u003e"}}' +
      ');</script>\n',
    'one script chunk',
  );
  assert.throws(() => iframeScript('alert(1);x', e.json), TypeError, 'an invalid callback is refused even here');
});

test('callback names: identifier paths only, at most 64 characters', () => {
  for (const ok of ['onEvent', '$', '_a.b1.$c', 'a'.repeat(64)]) assert.ok(isCallbackName(ok), `${ok} is allowed`);
  for (const bad of ['', '1a', 'a..b', 'a.', 'a(1)', 'a;b', 'a b', 'a[0]', '<x>', 'a'.repeat(65), undefined, 5, ['a']]) {
    assert.ok(!isCallbackName(bad), `${JSON.stringify(bad)} is refused`);
  }
});

test('the iframe preamble is a padded document of exactly 1 KiB', () => {
  const preamble = iframePreamble();
  assert.equal(Buffer.byteLength(preamble), 1024, 'padded to 1024 bytes, the most any browser waits for');
  assert.ok(preamble.startsWith('<!doctype html>\n<html><head><meta charset="utf-8">'), 'a real HTML document in UTF-8');
  assert.match(preamble, /<!-- {800,}-->\n$/, 'the padding is one comment of spaces');
  assert.equal(iframeKeepAlive(), '<!-- keep-alive -->\n', 'keep-alive chunk');
});

test('wsTextFrame: FIN + text opcode, no mask, and the three length forms', () => {
  assert.deepEqual(wsTextFrame(Buffer.from('hi')), Buffer.from([0x81, 0x02, 0x68, 0x69]), '7-bit length');
  const at125 = wsTextFrame(Buffer.alloc(125, 0x61));
  assert.deepEqual(at125.subarray(0, 2), Buffer.from([0x81, 125]), '125 B still fits the 7-bit length');
  assert.equal(at125.length, 127, '2 B of framing');
  const at126 = wsTextFrame(Buffer.alloc(126, 0x61));
  assert.deepEqual(at126.subarray(0, 4), Buffer.from([0x81, 126, 0x00, 126]), '126 B takes the 16-bit length');
  const at65536 = wsTextFrame(Buffer.alloc(65536, 0x61));
  assert.deepEqual(at65536.subarray(0, 10), Buffer.from([0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0]), '64 KiB takes the 64-bit length');
  assert.equal(at65536.length, 65546, '10 B of framing');
  assert.deepEqual(at65536.subarray(10), Buffer.alloc(65536, 0x61), 'the payload follows unchanged');
});
