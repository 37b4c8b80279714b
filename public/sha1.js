// SHA-1 in plain JavaScript, for the handshake demo.
//
// crypto.subtle exists only in secure contexts (https, or http on localhost and
// 127.0.0.1); on a classroom LAN address (http://192.168.x.y:3000) it is undefined.
// The WebSocket accept value needs SHA-1 and nothing else, so here it is, written
// straight from FIPS 180-4 ("Secure Hash Standard", NIST, 2015), sections 5.1.1
// (padding), 5.2.1 (parsing), 6.1.2 (the hash computation) and 4.1.1 / 4.2.1 (the
// functions and constants). SHA-1 is broken for collision resistance; RFC 6455 uses
// it only as a fixed, public mixing function, which it still is.

/** The SHA-1 digest (20 bytes) of `input`: a string (hashed as UTF-8) or bytes. */
export function sha1(input) {
  const message = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  // 5.1.1: append a 1 bit, then zeros, then the length in bits as 64 bits, to a multiple of 512 bits.
  const bitLength = message.length * 8;
  const blocks = Math.ceil((message.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 2 ** 32));
  view.setUint32(padded.length - 4, bitLength >>> 0);

  // 5.3.1: the initial hash value.
  let h0 = 0x67452301,
    h1 = 0xefcdab89,
    h2 = 0x98badcfe,
    h3 = 0x10325476,
    h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));
  for (let block = 0; block < blocks; block++) {
    // 6.1.2 step 1: the message schedule.
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block * 64 + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    // Steps 2-3: eighty rounds; 4.1.1 gives f (Ch, Parity, Maj, Parity), 4.2.1 the constants K.
    let a = h0,
      b = h1,
      c = h2,
      d = h3,
      e = h4;
    for (let t = 0; t < 80; t++) {
      let f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl(a, 5) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    // Step 4: the intermediate hash value.
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const digest = new Uint8Array(20);
  const out = new DataView(digest.buffer);
  [h0, h1, h2, h3, h4].forEach((value, i) => {
    out.setUint32(i * 4, value >>> 0);
  });
  return digest;
}

/** Bytes as lowercase hex, no separators. */
export const toHex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Bytes as standard base64 (with padding), as Sec-WebSocket-Accept carries it. */
export const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
