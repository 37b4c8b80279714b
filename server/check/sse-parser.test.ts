/** The checker's event-stream parser (sse-parser.ts) reads bytes as EventSource does (WHATWG HTML, interpreting an event stream). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from './sse-parser.ts';

function parse(...pieces: (string | Buffer)[]): SseParser {
  const parser = new SseParser();
  for (const piece of pieces) parser.push(piece);
  return parser;
}

test('an event is its fields up to a blank line; data lines join with LF; one space after the colon is dropped', () => {
  const { events } = parse('id: 7\nevent: tick\ndata: {"a":1}\ndata:  two\n\n');
  assert.deepEqual(events, [{ type: 'tick', data: '{"a":1}\n two', lastEventId: '7', hadId: true, dataLines: 2 }]);
  assert.deepEqual(parse('data\n\n').events[0].data, '', 'a field with no colon has an empty value');
  assert.equal(parse('data: x\n\n').events[0].type, 'message', 'no event field: message');
});

test('CR, LF and CRLF all end lines, even when a CRLF is split across two reads', () => {
  assert.deepEqual(
    parse('data: a\r\rdata: b\r\n\r\ndata: c\n\n').events.map((e) => e.data),
    ['a', 'b', 'c'],
  );
  const split = parse('data: a\r', '\n\r', '\n');
  assert.equal(split.events.length, 1, 'CR then LF in the next read is one line end');
  assert.equal(split.events[0].data, 'a');
});

test('a leading BOM is dropped once; UTF-8 split between reads is decoded whole', () => {
  const bytes = Buffer.from('\ufeffdata: 价\n\n');
  const cut = bytes.indexOf(0xe4) + 1; // inside the three bytes of 价
  assert.equal(parse(bytes.subarray(0, cut), bytes.subarray(cut)).events[0].data, '价');
  assert.equal(parse('data: \ufeffx\n\n').events[0].data, '\ufeffx', 'a BOM later is data');
});

test('comments are kept apart; an event with no data is not dispatched; the id stays in force', () => {
  const parser = parse(': heartbeat\n\nid: 3\n\ndata: later\n\n');
  assert.deepEqual(parser.comments, [' heartbeat']);
  assert.equal(parser.events.length, 1, 'the id-only block dispatched nothing');
  assert.equal(parser.events[0].lastEventId, '3', 'but set the last event id');
  assert.equal(parser.events[0].hadId, false, 'which this event did not set itself');
  assert.equal(parse('id: a\0b\ndata: x\n\n').events[0].lastEventId, '', 'an id with NUL is ignored');
});

test('retry takes ASCII digits only; every value sent is recorded', () => {
  const parser = parse('retry: 2000\nretry: soon\nretry: 1e3\n\n');
  assert.equal(parser.retryMs, 2000);
  assert.deepEqual(parser.retries, ['2000', 'soon', '1e3']);
  assert.equal(parse('data: x\n').events.length, 0, 'an event without its blank line is not dispatched yet');
});
