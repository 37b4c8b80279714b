/**
 * Servers that misbehave on purpose: each case meets them, ends in Fail with the
 * reason within its bound, and the run goes on to the end. The checker never hangs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import type { AddressInfo } from 'node:net';
import { runCheck } from './runner.ts';
import type { CheckReport } from './types.ts';

/** A TCP server on a loopback port that does `onSocket` with each connection; closed after the test. */
async function hostile(onSocket: (socket: net.Socket, request: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    const onData = (data: Buffer) => {
      head += data.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      onSocket(socket, head);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Accepts a WebSocket handshake the way RFC 6455 says, then hands over the socket. */
function accept(socket: net.Socket, request: string): void {
  const key = /sec-websocket-key: *(\S+)/i.exec(request)?.[1] ?? '';
  const acceptKey = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey}\r\n\r\n`,
  );
}

function assertAllFail(report: CheckReport, reason: RegExp, what: string): void {
  assert.ok(report.cases.length > 0, `${what}: cases ran`);
  for (const c of report.cases) {
    assert.equal(c.verdict, 'fail', `${what}: ${c.id} fails (${c.reason})`);
    assert.match(c.reason, reason, `${what}: ${c.id} says why`);
  }
}

test('a silent server, one that answers garbage, and one whose head never ends: every case fails, saying why', async () => {
  const silent = await hostile(() => {});
  const garbage = await hostile((socket) => socket.write('\x00\xffSSH-2.0-nonsense\r\n'.repeat(20)));
  const endless = await hostile((socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    const timer = setInterval(() => socket.write(`X-Padding: ${'a'.repeat(1000)}\r\n`), 5);
    socket.on('close', () => clearInterval(timer));
  });
  try {
    const started = performance.now();
    const [quiet, noise, headers] = await Promise.all([
      runCheck(silent.url, { only: ['sse', 'short-poll'] }),
      runCheck(garbage.url, { only: ['sse', 'ws'] }),
      runCheck(endless.url, { only: ['iframe', 'long-poll'] }),
    ]);
    assertAllFail(quiet, /no complete response head within \d+ ms/, 'silent');
    assertAllFail(noise, /not HTTP/, 'garbage');
    assertAllFail(headers, /head passed 16384 bytes without ending/, 'endless headers');
    assert.ok(performance.now() - started < 30_000, 'over in well under a case bound each');
  } finally {
    await Promise.all([silent.close(), garbage.close(), endless.close()]);
  }
});

test('a WebSocket server that declares a 4 GiB frame, and one that closes mid-frame: the cases fail with the reason', async () => {
  const huge = await hostile((socket, request) => {
    accept(socket, request);
    const head = Buffer.from([0x81, 127, 0, 0, 0, 1, 0, 0, 0, 0]); // text, 64-bit length 2^32
    socket.write(head);
  });
  const cut = await hostile((socket, request) => {
    accept(socket, request);
    socket.end(Buffer.from([0x81, 20, 0x7b, 0x22])); // a 20-byte frame, 2 bytes of it, then FIN
  });
  try {
    const [big, torn] = await Promise.all([runCheck(huge.url, { only: ['ws'] }), runCheck(cut.url, { only: ['ws'] })]);
    const bigFails = big.cases.filter((c) => /declared a frame of 4294967296 bytes/.test(c.reason));
    assert.ok(bigFails.length >= 10, `the 4 GiB frame fails many cases by name (${bigFails.length})`);
    assert.ok(
      big.cases.every(
        (c) => c.verdict !== 'pass' || c.id.startsWith('ws.handshake') || /refused|accepted|chose|taken|Origin/.test(c.reason),
      ),
      'nothing that needs a frame passes',
    );
    const tornFails = torn.cases.filter((c) => /in the middle of a frame/.test(c.reason));
    assert.ok(tornFails.length >= 5, `closing mid-frame fails cases by name (${tornFails.length})`);
    for (const c of [...big.cases, ...torn.cases]) assert.ok(c.timeMs < 12_000, `${c.id} ended within its bound (${c.timeMs} ms)`);
  } finally {
    await Promise.all([huge.close(), cut.close()]);
  }
});
