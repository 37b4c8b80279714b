/**
 * The client's TLS handshake bytes, counted by its records: the ClientHello's
 * length read from its first bytes (a real one from Node's TLS client, and ones
 * built by hand: over 16 KiB, cut short, not a ClientHello), the change_cipher_spec
 * of compatibility mode, and the Finished record's size per cipher suite.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import tls, { type TLSSocket } from 'node:tls';
import { clientHandshakeBytes, clientHelloFacts } from './handshake-bytes.ts';

/** A ClientHello of `bodyBytes` after its 4-byte handshake header, in records of at most 16 KiB, its session id `sessionIdBytes` long. */
function clientHello(bodyBytes: number, sessionIdBytes: number): Uint8Array {
  const message = new Uint8Array(4 + bodyBytes);
  message.set([0x01, bodyBytes >> 16, (bodyBytes >> 8) & 0xff, bodyBytes & 0xff, 0x03, 0x03]);
  message[4 + 2 + 32] = sessionIdBytes;
  const records: number[] = [];
  for (let at = 0; at < message.length; at += 16384) {
    const part = message.subarray(at, at + 16384);
    records.push(0x16, 0x03, 0x01, part.length >> 8, part.length & 0xff, ...part);
  }
  return Uint8Array.from(records);
}

test("a ClientHello built by hand: its records' bytes, headers included, and whether a session id asks for compatibility mode", () => {
  assert.deepEqual(clientHelloFacts(clientHello(508, 32)), { helloBytes: 517, compatibilityMode: true });
  assert.deepEqual(clientHelloFacts(clientHello(508, 0)), { helloBytes: 517, compatibilityMode: false });
  const big = clientHello(20_000, 32);
  assert.deepEqual(clientHelloFacts(big), { helloBytes: 20_004 + 2 * 5, compatibilityMode: true }, 'two records, two headers');
  assert.equal(big.length, 20_014);
});

test('bytes that do not start with a whole ClientHello give no facts', () => {
  const hello = clientHello(508, 32);
  assert.equal(clientHelloFacts(hello.slice(0, 516)), undefined, 'one byte short');
  assert.equal(clientHelloFacts(hello.slice(0, 43)), undefined, 'not even the session id');
  assert.equal(clientHelloFacts(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(600, 'x'))), undefined, 'plain HTTP');
  const serverHello = hello.slice();
  serverHello[5] = 0x02;
  assert.equal(clientHelloFacts(serverHello), undefined, 'another handshake message');
  assert.equal(clientHelloFacts(new Uint8Array(0)), undefined);
  assert.deepEqual(
    clientHelloFacts(new Uint8Array([...hello, 0x17, 0x03, 0x03])),
    { helloBytes: 517, compatibilityMode: true },
    'more after it',
  );
});

test("Node's own ClientHello: one record, read whole, in compatibility mode", async () => {
  const first = await new Promise<Buffer>((resolve, reject) => {
    const server = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        resolve(chunk);
        socket.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }).on('error', () => {});
    });
    server.on('error', reject);
  });
  const recordBytes = 5 + first.readUInt16BE(3);
  assert.deepEqual(clientHelloFacts(first), { helloBytes: recordBytes, compatibilityMode: true });
});

/** A TLS socket as clientHandshakeBytes reads it. */
const secured = (protocol: string, finishedBytes: number | null, suite: string | null) =>
  ({
    getProtocol: () => protocol,
    getPeerFinished: () => (finishedBytes === null ? undefined : Buffer.alloc(finishedBytes)),
    getCipher: () => (suite === null ? undefined : { standardName: suite }),
  }) as unknown as TLSSocket;

test('the handshake: the ClientHello, change_cipher_spec in compatibility mode, and a Finished sized by its hash and AEAD tag', () => {
  const facts = { helloBytes: 517, compatibilityMode: true };
  // Finished: 5 (record header) + 4 (handshake header) + verify data + 1 (content type) + tag.
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.3', 32, 'TLS_AES_128_GCM_SHA256')), 517 + 6 + (5 + 4 + 32 + 1 + 16));
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.3', 48, 'TLS_AES_256_GCM_SHA384')), 517 + 6 + (5 + 4 + 48 + 1 + 16));
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.3', 32, 'TLS_AES_128_CCM_8_SHA256')), 517 + 6 + (5 + 4 + 32 + 1 + 8));
  assert.equal(
    clientHandshakeBytes({ helloBytes: 517, compatibilityMode: false }, secured('TLSv1.3', 32, 'TLS_CHACHA20_POLY1305_SHA256')),
    517 + 58,
    'no change_cipher_spec without a session id',
  );
});

test('no count where the records cannot be known: no facts, TLS 1.2, no Finished or cipher yet', () => {
  const facts = { helloBytes: 517, compatibilityMode: true };
  assert.equal(clientHandshakeBytes(undefined, secured('TLSv1.3', 32, 'TLS_AES_128_GCM_SHA256')), undefined);
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.2', 12, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256')), undefined);
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.3', null, 'TLS_AES_128_GCM_SHA256')), undefined);
  assert.equal(clientHandshakeBytes(facts, secured('TLSv1.3', 32, null)), undefined);
});
