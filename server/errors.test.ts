/** The table of coded errors (errors.ts): its rows, the body, the HTTP answer and the raw answer to bytes that are no request. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import Fastify from 'fastify';
import { ERRORS, type ErrorCode, LabError, answerClientError, errorBody, sendError } from './errors.ts';

const CODES = Object.keys(ERRORS) as ErrorCode[];

test('every row has a snake_case code, an error status, a sentence, and a wait only where it is a refusal for now', () => {
  for (const code of CODES) {
    const { status, message, retryAfterS } = ERRORS[code] as { status: number; message: string; retryAfterS?: number };
    assert.match(code, /^[a-z]+(_[a-z0-9]+)*$/, `${code} is snake_case`);
    assert.ok(status >= 400 && status < 600, `${code}: ${status} is an error status`);
    assert.match(message, /^[A-Z`].*[.;:)]$/s, `${code}: the message is a sentence for a person`);
    if (status === 503 || status === 429)
      assert.ok(retryAfterS !== undefined && retryAfterS > 0, `${code}: a ${status} says how long to wait`);
    else assert.equal(retryAfterS, undefined, `${code}: a ${status} has no Retry-After`);
  }
});

test("the body is { error: { code, message } }, with the table's message unless a better one is given", () => {
  assert.deepEqual(errorBody('bad_since'), { error: { code: 'bad_since', message: ERRORS.bad_since.message } });
  assert.deepEqual(errorBody('bad_since', 'since=x is no number.'), { error: { code: 'bad_since', message: 'since=x is no number.' } });
  const error = new LabError('too_large');
  assert.equal(error.status, 413, 'a LabError carries its status');
  assert.equal(error.code, 'too_large');
  assert.equal(error.message, ERRORS.too_large.message);
});

test('sendError answers with the status, the coded body, no-store, and Retry-After for a refusal', async () => {
  const app = Fastify();
  app.get('/refuse', (_request, reply) => sendError(reply, 'too_many_streams'));
  app.get('/bad', (_request, reply) => sendError(reply, 'bad_request', 'Say it again.'));
  try {
    const refused = await app.inject('/refuse');
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], String(ERRORS.too_many_streams.retryAfterS));
    assert.equal(refused.headers['cache-control'], 'no-store');
    assert.deepEqual(refused.json(), errorBody('too_many_streams'));
    const bad = await app.inject('/bad');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.headers['retry-after'], undefined, 'no wait for bad input');
    assert.deepEqual(bad.json(), { error: { code: 'bad_request', message: 'Say it again.' } });
  } finally {
    await app.close();
  }
});

/** What a server using answerClientError sends back to `bytes`, read until it closes. */
async function rawAnswer(bytes: string, error: NodeJS.ErrnoException): Promise<string> {
  const server = net.createServer((socket) => socket.once('data', () => answerClientError(error, socket)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const chunks: Buffer[] = [];
    client.on('data', (chunk) => chunks.push(chunk));
    client.write(bytes);
    await once(client, 'close');
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    server.close();
  }
}

test('bytes that are no request get a coded 400 (or 431 for a head too large) and the connection closes', async () => {
  const bad = await rawAnswer('NOT HTTP\r\n\r\n', Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }));
  assert.match(bad, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(bad, /\r\nconnection: close\r\n/);
  assert.match(bad, /\r\nx-content-type-options: nosniff\r\n/);
  const body = bad.slice(bad.indexOf('\r\n\r\n') + 4);
  assert.deepEqual(JSON.parse(body), errorBody('bad_request'));
  assert.match(bad, new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(body)}\\r\\n`), "content-length is the body's");
  const big = await rawAnswer('GET / HTTP/1.1\r\n', Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }));
  assert.match(big, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  assert.ok(big.includes('"code":"headers_too_large"'));
});
