/**
 * A TLS connection's bytes out as flushed, against what the client's kernel handed
 * the client: the lab's own arrangement (a TCP socket, a TLS socket made on it) on
 * loopback, a client whose encrypted bytes pass through JavaScript so that it can
 * send its last bytes and reset the connection in one go, before the server reads
 * either. (The capture test holds the same against a packet capture: http2/capture.test.ts.)
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { test } from 'node:test';
import tls from 'node:tls';
import { FlushedBytes } from './flushed-bytes.ts';
import { createSelfSigned } from './http2/certificate.ts';
import { waitFor } from './test-helpers.ts';

const { certPem, keyPem } = await createSelfSigned(['localhost']);
const secureContext = tls.createSecureContext({ cert: certPem, key: keyPem });

/** The server side of one connection: what its counters said once it closed. */
interface Closed {
  handedOver: number;
  flushed: number;
}

/** A TLS server as the lab's listener makes one; `onData` answers what the client sent. */
async function server(onData: (secure: tls.TLSSocket, chunk: Buffer) => void) {
  const closed: Closed[] = [];
  const listener = net.createServer((tcp) => {
    tcp.on('error', () => tcp.destroy());
    const secure = new tls.TLSSocket(tcp, { isServer: true, secureContext });
    secure.on('error', () => tcp.destroy());
    secure.once('secure', () => {
      const flushed = new FlushedBytes({ tcp, tls: secure });
      tcp.once('close', () => closed.push({ handedOver: tcp.bytesWritten, flushed: flushed.tcp.bytesWritten }));
    });
    secure.on('data', (chunk: Buffer) => onData(secure, chunk));
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  return { port: (listener.address() as net.AddressInfo).port, closed, close: () => listener.close() };
}

/** A client whose next encrypted write goes out with a reset right behind it (`lastWriteThenReset`). */
async function relayedClient(port: number) {
  const tcp = net.connect(port, '127.0.0.1');
  tcp.on('error', () => {});
  let resetAfterWrite = false;
  const relay = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      tcp.write(chunk);
      if (resetAfterWrite) tcp.resetAndDestroy();
      done();
    },
  });
  tcp.on('data', (chunk: Buffer) => relay.push(chunk));
  tcp.on('close', () => relay.destroy());
  const socket = tls.connect({ socket: relay, ca: certPem, servername: 'localhost' });
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { tcp, socket, text: () => text, lastWriteThenReset: () => (resetAfterWrite = true) };
}

test("a client's close_notify and reset at once: the server's answering close_notify is handed over, not flushed", async () => {
  const lab = await server((secure) => secure.write('pong'));
  try {
    const client = await relayedClient(lab.port);
    client.socket.write('ping');
    await waitFor(() => client.text() === 'pong', 'the answer');
    const received = client.tcp.bytesRead;
    client.lastWriteThenReset();
    client.socket.end();
    await waitFor(() => lab.closed.length === 1, 'the server saw the connection close');
    const [{ handedOver, flushed }] = lab.closed;
    assert.equal(flushed, received, 'flushed: what reached the client');
    assert.ok(handedOver > flushed, `Node's count holds the close_notify that failed (${handedOver} against ${flushed})`);
  } finally {
    lab.close();
  }
});

test('a request and a reset at once: the answer written after the reset, and its close_notify, are not flushed', async () => {
  const lab = await server((secure, chunk) => (String(chunk) === 'ping' ? secure.write('pong') : secure.end('x'.repeat(400))));
  try {
    const client = await relayedClient(lab.port);
    client.socket.write('ping');
    await waitFor(() => client.text() === 'pong', 'the answer');
    const received = client.tcp.bytesRead;
    client.lastWriteThenReset();
    client.socket.write('last');
    await waitFor(() => lab.closed.length === 1, 'the server saw the connection close');
    const [{ handedOver, flushed }] = lab.closed;
    assert.equal(flushed, received, 'flushed: what reached the client');
    assert.ok(handedOver >= flushed + 400, `Node's count holds the answer that failed (${handedOver} against ${flushed})`);
  } finally {
    lab.close();
  }
});

test('a connection that ends cleanly: every byte handed over was flushed', async () => {
  const lab = await server((secure) => secure.end('pong'));
  try {
    const client = await relayedClient(lab.port);
    client.socket.write('ping');
    await new Promise((resolve) => client.socket.once('end', resolve));
    client.socket.end();
    await waitFor(() => lab.closed.length === 1, 'the server saw the connection close');
    const [{ handedOver, flushed }] = lab.closed;
    assert.equal(flushed, handedOver);
    await waitFor(() => client.tcp.destroyed || client.tcp.readableEnded, 'the client read to the end');
    assert.equal(flushed, client.tcp.bytesRead, 'and all of it reached the client');
  } finally {
    lab.close();
  }
});
