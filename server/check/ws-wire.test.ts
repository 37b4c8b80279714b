/** The checker's hand-made WebSocket frames (ws-wire.ts): what it sends, and how it reads a server's frames without trusting them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, MAX_FRAME_BYTES, OPCODE, closePayload, describeFrame, encodeFrame } from './ws-wire.ts';

test('an unmasked frame is byte for byte RFC 6455 section 5.2: 7-bit, 16-bit and 64-bit lengths', () => {
  assert.deepEqual(encodeFrame({ opcode: OPCODE.text, payload: 'hi', mask: false }), Buffer.from([0x81, 0x02, 0x68, 0x69]));
  const medium = encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(126), mask: false });
  assert.deepEqual(medium.subarray(0, 4), Buffer.from([0x82, 126, 0x00, 126]));
  const large = encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(0x10000), mask: false });
  assert.deepEqual(large.subarray(0, 10), Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]));
  assert.deepEqual(
    encodeFrame({ fin: false, rsv: 4, opcode: OPCODE.continuation, mask: false }),
    Buffer.from([0x40, 0x00]),
    'fin off, RSV1 on',
  );
  assert.deepEqual(
    encodeFrame({ opcode: OPCODE.ping, mask: false, declaredLength: 2n ** 63n }).subarray(1, 10),
    Buffer.from([127, 0x80, 0, 0, 0, 0, 0, 0, 0]),
    'a lying length',
  );
});

test('a masked frame carries a key and its payload XORed with it; the reader unmasks it', () => {
  const frame = encodeFrame({ opcode: OPCODE.text, payload: 'hello' });
  assert.equal(frame[1], 0x80 | 5, 'mask bit and length');
  assert.equal(frame.length, 2 + 4 + 5);
  const [read] = new FrameReader().push(frame);
  assert.deepEqual([read.masked, read.opcode, read.fin, read.payload.toString()], [true, OPCODE.text, true, 'hello']);
});

test('the reader waits for whole frames across reads and keeps what is pending', () => {
  const bytes = Buffer.concat([
    encodeFrame({ opcode: OPCODE.text, payload: 'a', mask: false }),
    encodeFrame({ opcode: OPCODE.close, payload: closePayload(1000, 'bye'), mask: false }),
  ]);
  const reader = new FrameReader();
  const first = reader.push(bytes.subarray(0, 4)); // the text frame (3 bytes) and the close frame's first byte
  assert.deepEqual(
    first.map((frame) => frame.payload.toString()),
    ['a'],
  );
  assert.equal(reader.pendingBytes, 1, 'the close frame begun');
  assert.deepEqual(reader.push(bytes.subarray(4, 6)), [], 'still not whole');
  const rest = reader.push(bytes.subarray(6));
  assert.equal(rest.length, 1, 'the close frame, once whole');
  assert.equal(describeFrame(rest[0]), 'close 1000 "bye"');
  assert.equal(reader.pendingBytes, 0);
  reader.push(Buffer.from([0x81, 0x05, 0x61]));
  assert.equal(reader.pendingBytes, 3, 'a frame begun, not finished');
});

test('a declared length over the limit is refused before a byte of it is waited for', () => {
  const head = encodeFrame({ opcode: OPCODE.binary, mask: false, declaredLength: BigInt(MAX_FRAME_BYTES + 1) });
  assert.throws(() => new FrameReader().push(head), /declared a frame of \d+ bytes; the checker reads at most/);
  const topBit = encodeFrame({ opcode: OPCODE.binary, mask: false, declaredLength: 2n ** 63n });
  assert.throws(() => new FrameReader().push(topBit), /the top bit of a 64-bit length must be 0/);
});

test('frames read in a report as their kind, flags and size', () => {
  const [text] = new FrameReader().push(encodeFrame({ opcode: OPCODE.text, payload: 'abc', fin: false, rsv: 2, mask: false }));
  assert.equal(describeFrame(text), 'text (not fin) rsv=2 3 B');
  const [odd] = new FrameReader().push(encodeFrame({ opcode: 0x3, mask: true }));
  assert.equal(describeFrame(odd), 'opcode 0x3 MASKED 0 B');
});
