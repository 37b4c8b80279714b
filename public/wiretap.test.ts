/**
 * What the wire panels print of the tapped bytes (public/wiretap.js's pure part;
 * openTap needs a page and is driven by the browser tests): control bytes made
 * visible, HTTP/1.1 heads as text, a WebSocket's head then its frames however the
 * bytes were cut, HTTP/2 frames by type with padding and priority stripped, and
 * the size of a request's head.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHeadBytes, showBytes, wireReader } from './wiretap.js';

const ascii = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** An HTTP/2 frame: 9-byte header (RFC 9113 §4.1), then the payload. */
const h2Frame = (type: number, flags: number, stream: number, payload: number[] | Uint8Array) =>
  Uint8Array.from([payload.length >> 16, (payload.length >> 8) & 0xff, payload.length & 0xff, type, flags, 0, 0, 0, stream, ...payload]);

test('showBytes: CR and LF shown and kept as line ends, other control bytes as \\xNN, text as it is', () => {
  assert.equal(showBytes(ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 'GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n');
  assert.equal(showBytes(ascii('a\nb\rc')), 'a\\n\nb\\r\nc', 'a bare LF and a bare CR');
  assert.equal(showBytes(Uint8Array.from([0x00, 0x09, 0x1b, 0x7f, 0x41])), '\\x00\\x09\\x1b\\x7fA');
  assert.equal(showBytes(ascii('中文 ok')), '中文 ok', 'UTF-8 text stays text');
  assert.equal(showBytes(new Uint8Array(0)), '');
});

test('wireReader over HTTP/1.1: each record as text, whatever the transport', () => {
  const read = wireReader();
  const record = { connection: 1, dir: 'out', protocol: 'h1', transport: 'sse', bytes: ascii('data: {"seq":1}\n\n') };
  assert.deepEqual(read(record), ['data: {"seq":1}\\n\n\\n\n']);
});

const UPGRADE = 'GET /feed/ws?since=0 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n';
const maskedHello = Uint8Array.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);

test('wireReader over a WebSocket: the upgrade head as text, then frames decoded, a frame cut in two kept until whole', () => {
  const read = wireReader();
  const ws = (bytes: Uint8Array, dir = 'in') => read({ connection: 7, dir, protocol: 'h1', transport: 'ws', bytes });
  assert.deepEqual(ws(concat(ascii(UPGRADE), maskedHello.slice(0, 4))), [showBytes(ascii(UPGRADE))], 'the head, and no frame yet');
  assert.deepEqual(ws(maskedHello.slice(4)), ['[81 85 37 fa 21 3d] FIN text, 5 B, masked with 37 fa 21 3d: Hello']);
  const out = ws(concat(ascii('HTTP/1.1 101 Switching Protocols\r\n\r\n'), Uint8Array.from([0x89, 0x00])), 'out');
  assert.deepEqual(
    out,
    [showBytes(ascii('HTTP/1.1 101 Switching Protocols\r\n\r\n')), '[89 00] FIN ping, 0 B, unmasked'],
    'each direction apart',
  );
});

test('wireReader over a WebSocket: an upgrade head cut anywhere, even inside its blank line, is text to its end, frames after', () => {
  const all = concat(ascii(UPGRADE), maskedHello);
  // From 4: the first record must show the method ('GET '), by which the reader knows a head has begun.
  for (let cut = 4; cut < UPGRADE.length; cut++) {
    const read = wireReader();
    const ws = (bytes: Uint8Array) => read({ connection: 1, dir: 'in', protocol: 'h1', transport: 'ws', bytes });
    const lines = [...ws(all.slice(0, cut)), ...ws(all.slice(cut))];
    const frames = lines.filter((line) => line.startsWith('['));
    assert.deepEqual(frames, ['[81 85 37 fa 21 3d] FIN text, 5 B, masked with 37 fa 21 3d: Hello'], `cut at ${cut}: one frame`);
    const text = lines.filter((line) => !line.startsWith('['));
    assert.deepEqual(
      text,
      [showBytes(ascii(UPGRADE.slice(0, cut))), showBytes(ascii(UPGRADE.slice(cut)))],
      `cut at ${cut}: each piece as text`,
    );
  }
});

test('wireReader over HTTP/2: frames by type, size and flags; padding and priority stripped; error codes named', () => {
  const read = wireReader();
  const h2 = (bytes: Uint8Array, transport = 'sse') => read({ connection: 2, stream: 1, dir: 'out', protocol: 'h2', transport, bytes });
  // HEADERS, PADDED and PRIORITY and END_HEADERS: pad length 2, 5 priority bytes, a 3-byte block, 2 bytes of padding.
  const headers = h2Frame(1, 0x08 | 0x20 | 0x04, 1, [2, 0, 0, 0, 0, 16, 0x88, 0x5f, 0x8b, 0, 0]);
  const data = h2Frame(0, 0x08 | 0x01, 1, [1, ...ascii('hi\n'), 0]);
  const lines = h2(concat(headers, data.slice(0, 5)));
  assert.deepEqual(lines, ['HEADERS · 11 B · END_HEADERS · HPACK 88 5f 8b'], 'the block alone; DATA not whole yet');
  assert.deepEqual(h2(data.slice(5)), ['DATA · 5 B · END_STREAM\nhi\\n\n'], 'the body alone, once whole');
  assert.deepEqual(h2(h2Frame(3, 0, 1, [0, 0, 0, 8])), ['RST_STREAM · 4 B · CANCEL']);
  assert.deepEqual(h2(h2Frame(7, 0, 0, [0, 0, 0, 1, 0, 0, 0, 11])), ['GOAWAY · 8 B · ENHANCE_YOUR_CALM']);
  assert.deepEqual(h2(h2Frame(4, 1, 0, [])), ['SETTINGS · 0 B · END_STREAM'], "flag 0x1 read as END_STREAM (SETTINGS' ACK)");
  assert.deepEqual(h2(h2Frame(0xf0, 0, 0, [1])), ['type 240 · 1 B'], 'an unknown type by number');
});

test("wireReader over HTTP/2: a WebSocket's frames decoded inside DATA (RFC 8441)", () => {
  const read = wireReader();
  const record = { connection: 3, stream: 5, dir: 'in', protocol: 'h2', transport: 'ws', bytes: h2Frame(0, 0, 5, maskedHello) };
  assert.deepEqual(read(record), ['DATA · 11 B', '  [81 85 37 fa 21 3d] FIN text, 5 B, masked with 37 fa 21 3d: Hello']);
});

test('requestHeadBytes: an HTTP/1.1 request head to its blank line; the HPACK blocks of an HTTP/2 request; nothing else', () => {
  const head = 'GET /feed/short-poll?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const h1 = (text: string, dir = 'in') => requestHeadBytes({ dir, protocol: 'h1', bytes: ascii(text) });
  assert.equal(h1(`${head}body`), head.length);
  assert.equal(h1(head, 'out'), undefined, 'a response is no request');
  assert.equal(h1('HTTP/1.1 200 OK\r\n\r\n'), undefined);
  assert.equal(h1('data: x\n\n'), undefined, 'a body record is no request');
  const bytes = concat(h2Frame(1, 0, 1, [0x82, 0x86]), h2Frame(9, 0x04, 1, [0x84]), h2Frame(0, 1, 1, ascii('{}')));
  assert.equal(requestHeadBytes({ dir: 'in', protocol: 'h2', headers: [[':method', 'GET']], bytes }), 3, 'HEADERS and CONTINUATION');
  assert.equal(requestHeadBytes({ dir: 'in', protocol: 'h2', bytes }), undefined, 'bytes the server decoded no request from');
});
