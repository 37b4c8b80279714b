/** What a case keeps of its traffic (record.ts): the first RECORD_BYTES each way, escaped, and a count of the rest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECORD_BYTES, Tape, escapeBytes } from './record.ts';

test('bytes print as ASCII, with CR, LF, tab, backslash and the rest escaped', () => {
  assert.equal(escapeBytes(Buffer.from('GET / HTTP/1.1\r\n\tx\\\0\xff', 'latin1')), 'GET / HTTP/1.1\\r\\n\n\\tx\\\\\\x00\\xff');
});

test('a tape keeps the first RECORD_BYTES, counts everything, and says how much it left out', () => {
  const tape = new Tape();
  tape.add('a'.repeat(RECORD_BYTES - 2));
  tape.note('x');
  tape.add(Buffer.alloc(1000, 0x62));
  assert.equal(tape.totalBytes, RECORD_BYTES - 2 + 4 + 1000);
  const text = tape.text();
  assert.ok(text.startsWith(`${'a'.repeat(RECORD_BYTES - 2)}[x`), 'the start, note included, as it came');
  assert.ok(text.endsWith(`\n… ${tape.totalBytes - RECORD_BYTES} more bytes`), 'and what was left out');
  assert.equal(new Tape().text(), '', 'an empty tape is empty');
});
