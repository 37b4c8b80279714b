/**
 * The browser's WebSocket frame decoder, on RFC 6455 §5.7's own example frames:
 * each length form (7-bit, 16-bit, 64-bit), masks undone, fragments, control
 * frames, close codes; frames split anywhere kept until whole; and the HTTP head
 * before the frames handed over whole, however it was cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeReason, decodeFrames, describeFrame, frameBuffer, frameStream, hex } from './ws-frames.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (payload: Uint8Array) => new TextDecoder().decode(payload);
const HELLO = [0x48, 0x65, 0x6c, 0x6c, 0x6f];
// RFC 6455 §5.7's examples.
const unmaskedHello = bytes(0x81, 0x05, ...HELLO);
const maskedHello = bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
const fragmentedHello = bytes(0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f);

test('RFC 6455 §5.7: an unmasked and a masked "Hello", each field read', () => {
  const [plain] = decodeFrames(unmaskedHello).frames;
  assert.deepEqual(
    { fin: plain.fin, rsv: plain.rsv, opcode: plain.opcode, name: plain.opcodeName, masked: plain.masked, length: plain.length },
    { fin: true, rsv: 0, opcode: 1, name: 'text', masked: false, length: 5 },
  );
  assert.equal(plain.maskKey, null);
  assert.deepEqual(plain.header, bytes(0x81, 0x05));
  assert.equal(text(plain.payload), 'Hello');
  const [masked] = decodeFrames(maskedHello).frames;
  assert.ok(masked.masked);
  assert.deepEqual(masked.maskKey, bytes(0x37, 0xfa, 0x21, 0x3d));
  assert.deepEqual(masked.header, bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d), 'the header includes the mask key');
  assert.equal(text(masked.payload), 'Hello', 'the mask undone');
  assert.deepEqual(maskedHello.slice(6), bytes(0x7f, 0x9f, 0x4d, 0x51, 0x58), 'the input is left as it was');
});

test('RFC 6455 §5.7: a fragmented message, a ping and a masked pong in one read', () => {
  const ping = [0x89, 0x05, ...HELLO];
  const pong = [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
  const { frames, rest } = decodeFrames(bytes(...fragmentedHello, ...ping, ...pong));
  assert.deepEqual(
    frames.map((f) => [f.fin, f.opcodeName, text(f.payload)]),
    [
      [false, 'text', 'Hel'],
      [true, 'continuation', 'lo'],
      [true, 'ping', 'Hello'],
      [true, 'pong', 'Hello'],
    ],
  );
  assert.equal(rest.length, 0);
});

test('the 16-bit and 64-bit length forms: 256 B and 64 KiB binary frames', () => {
  const medium = bytes(0x82, 0x7e, 0x01, 0x00, ...new Uint8Array(256).fill(7));
  const [m] = decodeFrames(medium).frames;
  assert.equal(m.length, 256);
  assert.equal(m.header.length, 4);
  assert.equal(m.opcodeName, 'binary');
  const large = new Uint8Array(10 + 65536).fill(9);
  large.set([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0]);
  const [l] = decodeFrames(large).frames;
  assert.equal(l.length, 65536);
  assert.equal(l.header.length, 10);
  assert.equal(l.payload.length, 65536);
  assert.equal(l.payload[65535], 9);
});

test('a reserved opcode and RSV bits are reported, not refused', () => {
  const [frame] = decodeFrames(bytes(0xf3, 0x00)).frames;
  assert.deepEqual([frame.fin, frame.rsv, frame.opcode, frame.opcodeName, frame.length], [true, 7, 3, 'reserved', 0]);
});

test('a frame not yet whole stays in rest: at every cut of every length form', () => {
  const medium = bytes(0x82, 0x7e, 0x00, 0x80, ...new Uint8Array(128));
  for (const frame of [unmaskedHello, maskedHello, medium]) {
    for (let cut = 0; cut < frame.length; cut++) {
      const { frames, rest } = decodeFrames(frame.slice(0, cut));
      assert.equal(frames.length, 0, `${cut} of ${frame.length} bytes: no frame yet`);
      assert.equal(rest.length, cut, 'and every byte kept');
    }
  }
});

test('frameBuffer: a stream of frames cut into every piece size yields the same frames', () => {
  const stream = bytes(...maskedHello, ...fragmentedHello, 0x88, 0x02, 0x03, 0xe8);
  const whole = decodeFrames(stream).frames.map(describeFrame);
  assert.equal(whole.length, 4);
  for (let size = 1; size <= stream.length; size++) {
    const read = frameBuffer();
    const seen = [];
    for (let i = 0; i < stream.length; i += size) seen.push(...read(stream.slice(i, i + size)).map(describeFrame));
    assert.deepEqual(seen, whole, `pieces of ${size} B`);
  }
});

test('closeReason: a code and a UTF-8 reason, or no code under two bytes', () => {
  assert.deepEqual(closeReason(bytes(0x03, 0xe8)), { code: 1000, reason: '' });
  assert.deepEqual(closeReason(bytes(0x03, 0xf1, ...new TextEncoder().encode('太大'))), { code: 1009, reason: '太大' });
  assert.deepEqual(closeReason(bytes(0x03)), { code: undefined, reason: '' });
  assert.deepEqual(closeReason(bytes()), { code: undefined, reason: '' });
});

test('describeFrame: one readable line per kind of frame', () => {
  const describe = (...values: number[]) => describeFrame(decodeFrames(bytes(...values)).frames[0]);
  assert.equal(describe(...unmaskedHello), '[81 05] FIN text, 5 B, unmasked: Hello');
  assert.equal(describeFrame(decodeFrames(maskedHello).frames[0]), '[81 85 37 fa 21 3d] FIN text, 5 B, masked with 37 fa 21 3d: Hello');
  assert.equal(describe(0x88, 0x05, 0x03, 0xe9, 0x62, 0x79, 0x65), '[88 05] FIN close, 5 B, unmasked: code 1001 "bye"');
  assert.equal(describe(0x88, 0x00), '[88 00] FIN close, 0 B, unmasked: (no code)');
  assert.equal(describe(0x89, 0x00), '[89 00] FIN ping, 0 B, unmasked', 'an empty ping has no body');
  assert.equal(describe(0x42, 0x02, 0xca, 0xfe), '[42 02] binary RSV=4, 2 B, unmasked: ca fe', 'no FIN, RSV1 shown');
  const long = describe(0x82, 0x28, ...new Uint8Array(40).fill(0xab));
  assert.equal(long, `[82 28] FIN binary, 40 B, unmasked: ${hex(new Uint8Array(32).fill(0xab))}`, 'binary shown up to 32 bytes');
});

const HEAD = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

test('frameStream: the HTTP head goes to onHead, the frames after it in the same bytes are read', () => {
  const heads: string[] = [];
  const read = frameStream((head) => heads.push(head));
  const frames = read(bytes(...new TextEncoder().encode(HEAD), ...unmaskedHello, ...maskedHello.slice(0, 3)));
  assert.deepEqual(heads, [HEAD]);
  assert.deepEqual(
    frames.map((f) => text(f.payload)),
    ['Hello'],
  );
  assert.deepEqual(
    read(maskedHello.slice(3)).map((f) => text(f.payload)),
    ['Hello'],
    'the partial frame completed',
  );
  assert.deepEqual(read(bytes(...new TextEncoder().encode('\r\n\r\n'))).length, 0, 'after the head, CRLFs are frame bytes');
});

test('frameStream: a head cut into pieces, even inside its closing CRLFCRLF, is handed over whole', () => {
  const all = bytes(...new TextEncoder().encode(HEAD), ...unmaskedHello);
  for (let cut = 1; cut < HEAD.length; cut++) {
    const heads: string[] = [];
    const read = frameStream((head) => heads.push(head));
    const frames = [...read(all.slice(0, cut)), ...read(all.slice(cut))];
    assert.deepEqual(heads, [HEAD], `cut at byte ${cut}`);
    assert.equal(frames.length, 1, `cut at byte ${cut}: the frame after the head`);
  }
});
