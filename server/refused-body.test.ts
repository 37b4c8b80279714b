/**
 * A body refused for its size: the 413 comes first, the rest of the body is read
 * and dropped (a sender still writing it gets no broken pipe, which behind nginx
 * was a 502 page instead of the coded 413), and the connection carries the next
 * request. Within bounds: a body that declares more than the drain allows is
 * closed on, as before.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { DRAIN_MAX_BYTES } from './refused-body.ts';
import { type RunningLab, startLab, waitFor } from './test-helpers.ts';

let lab: RunningLab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

/** A raw connection to the lab that collects what it hears and notes how it ended. */
async function connect() {
  const socket = net.connect(lab.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const heard = { text: '', closed: false, error: undefined as string | undefined };
  socket.on('data', (chunk) => (heard.text += chunk.toString('latin1')));
  socket.on('close', () => (heard.closed = true));
  socket.on('error', (error: NodeJS.ErrnoException) => (heard.error = error.code));
  return { socket, heard };
}

const chatHead = (length: number) =>
  `POST /feed/chat HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

test(
  'the 413 arrives while the body is still coming; the rest is ' + 'read and dropped, and the connection carries the next request',
  async () => {
    const { socket, heard } = await connect();
    const length = 100_000;
    socket.write(chatHead(length) + 'x'.repeat(1000));
    await waitFor(() => heard.text.includes('\r\n\r\n{'), 'the answer to the first part');
    assert.match(heard.text, /^HTTP\/1\.1 413 /, 'a 413 before the body is whole');
    assert.match(heard.text, /"code":"too_large"/, 'with the coded body');
    assert.doesNotMatch(heard.text, /connection: close/i, 'and the connection is kept');
    // The rest of the body, in pieces, as a proxy streaming it on would send it.
    for (let sent = 1000; sent < length; sent += 9000) {
      socket.write('x'.repeat(Math.min(9000, length - sent)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const before = heard.text.length;
    socket.write(`GET /feed/short-poll HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\n\r\n`);
    await waitFor(() => heard.text.slice(before).includes('"lastSeq"') || heard.closed, 'the answer to the next request');
    socket.destroy();
    assert.equal(heard.error, undefined, 'no broken pipe or reset while the body was sent');
    assert.match(heard.text.slice(before), /^HTTP\/1\.1 200 /, 'the same connection answers the next request');
  },
);

test('a body that declares more than the drain reads is closed on at once, as before', async () => {
  const { socket, heard } = await connect();
  socket.write(`${chatHead(DRAIN_MAX_BYTES + 1)}{"text":"hi"}`);
  await waitFor(() => heard.closed, 'the connection closed');
  assert.match(heard.text, /^HTTP\/1\.1 413 [\s\S]*connection: close[\s\S]*"code":"too_large"/i);
});

test('a body sent without a length is read up to the bound and no further', async () => {
  const { socket, heard } = await connect();
  socket.write(
    `POST /feed/chat HTTP/1.1\r\nHost: 127.0.0.1:${lab.port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const chunk = 'x'.repeat(64 * 1024);
  const frame = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
  for (let i = 0; i < 40 && !heard.closed; i++) {
    socket.write(frame);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await waitFor(() => heard.closed, 'the connection cut past the bound', 5000);
  assert.match(heard.text, /^HTTP\/1\.1 413 [\s\S]*"code":"too_large"/, 'after its 413');
});
