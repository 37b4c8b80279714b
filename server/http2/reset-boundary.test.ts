/** Where ResetBoundary cuts a client's plaintext: after each RST_STREAM frame, wherever chunks begin and end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_PREFACE, HEADERS, PING, RST_STREAM, SETTINGS, encodeFrame } from './frames.ts';
import { ResetBoundary } from './reset-boundary.ts';

const settings = encodeFrame(SETTINGS, 0, 0);
const reset = encodeFrame(RST_STREAM, 0, 1, Buffer.from([0, 0, 0, 8]));
const headers = encodeFrame(HEADERS, 0x5, 21, Buffer.from([0x82, 0x87, 0x84]));
const ping = encodeFrame(PING, 0, 0, Buffer.alloc(8));

/** The pieces of `chunks`, as [length, endsReset], joined back into what was sent. */
function cut(chunks: Buffer[]): { pieces: [number, boolean][]; joined: Buffer } {
  const boundary = new ResetBoundary();
  const all = chunks.flatMap((chunk) => boundary.split(chunk));
  return { pieces: all.map((p) => [p.bytes.length, p.endsReset]), joined: Buffer.concat(all.map((p) => p.bytes)) };
}

test('a chunk with no reset comes back whole, the preface included', () => {
  const chunk = Buffer.concat([CLIENT_PREFACE, settings, headers]);
  assert.deepEqual(cut([chunk]).pieces, [[chunk.length, false]]);
});

test('a reset followed by HEADERS in one chunk is cut right after the reset', () => {
  const sent = Buffer.concat([CLIENT_PREFACE, settings, ping, reset, headers]);
  const { pieces, joined } = cut([sent]);
  assert.deepEqual(pieces, [
    [sent.length - headers.length, true],
    [headers.length, false],
  ]);
  assert.deepEqual(joined, sent, 'nothing is changed, lost or reordered');
});

test('two resets in a row, and a reset that ends its chunk', () => {
  const sent = Buffer.concat([CLIENT_PREFACE, settings, reset, reset, headers]);
  const before = CLIENT_PREFACE.length + settings.length + reset.length;
  assert.deepEqual(cut([sent]).pieces, [
    [before, true],
    [reset.length, true],
    [headers.length, false],
  ]);
  const apart = cut([sent.subarray(0, before), sent.subarray(before)]).pieces;
  assert.deepEqual(apart, [
    [before, true],
    [reset.length, true],
    [headers.length, false],
  ]);
});

test('a reset cut across chunks, byte by byte, ends where its last byte is', () => {
  const sent = Buffer.concat([CLIENT_PREFACE, reset, headers]);
  const bytes = [...sent].map((b) => Buffer.from([b]));
  const { pieces, joined } = cut(bytes);
  const resetEnd = CLIENT_PREFACE.length + reset.length - 1;
  assert.deepEqual(
    pieces.map(([, ends], i) => (ends ? i : -1)).filter((i) => i >= 0),
    [resetEnd],
  );
  assert.deepEqual(joined, sent);
});
