/**
 * The handshake demo's SHA-1, against FIPS 180-4's own examples, node:crypto at
 * every padding boundary, and RFC 6455's Sec-WebSocket-Accept example.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { sha1, toBase64, toHex } from './sha1.js';

test('the FIPS 180-4 examples: "abc", the two-block message, and the empty string', () => {
  assert.equal(toHex(sha1('abc')), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(toHex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  assert.equal(toHex(sha1('')), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
});

test("every length from 0 to 200 bytes (the padding's one- and two-block cases, 55, 56, 63, 64) equals node:crypto", () => {
  const bytes = Uint8Array.from({ length: 200 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 200; length++) {
    const message = bytes.slice(0, length);
    assert.equal(toHex(sha1(message)), createHash('sha1').update(message).digest('hex'), `${length} bytes`);
  }
});

test('a string is hashed as UTF-8; a million bytes equals node:crypto', () => {
  assert.equal(toHex(sha1('€ 中文')), createHash('sha1').update('€ 中文', 'utf8').digest('hex'));
  const million = new Uint8Array(1_000_000).fill(0x61);
  assert.equal(toHex(sha1(million)), '34aa973cd4c4daa4f61eeb2bdbad27316534016f', 'FIPS 180-2\'s one million "a"');
});

test('RFC 6455 §1.3: the accept value for "dGhlIHNhbXBsZSBub25jZQ==" is "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="', () => {
  const digest = sha1('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  assert.equal(digest.length, 20);
  assert.equal(toBase64(digest), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('toHex pads each byte to two digits; toBase64 pads to a multiple of four', () => {
  assert.equal(toHex(Uint8Array.from([0, 1, 0xab, 0xff])), '0001abff');
  assert.equal(toHex(new Uint8Array(0)), '');
  assert.equal(toBase64(Uint8Array.from([0xff])), '/w==');
  assert.equal(toBase64(Uint8Array.from([0xfb, 0xff])), '+/8=');
});
