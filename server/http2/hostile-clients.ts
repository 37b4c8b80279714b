/**
 * The hostile peer of the TLS ports' tests (hostile.test.ts, hostile-limits.test.ts):
 * TLS and plain bytes written by hand, HTTP/2 requests through Node's client,
 * WebSocket frames over HTTP/2 that the `ws` client would never send, and the
 * checks that what came back is the coded answer the lab promises.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { ERRORS, type ErrorCode } from '../errors.ts';
import { waitFor } from '../test-helpers.ts';
import { ANSWER_MS, errorName } from './raw-h2.ts';

/** The lab under attack: aimAt() names it before the first request. */
let target: { ca: string; h2Url: string } = { ca: '', h2Url: '' };

/** Aims the requests below at a lab's TLS ports (its `https`). */
export function aimAt(https: { ca: string; h2Url: string }): void {
  target = https;
}

/** Writes `bytes` on a fresh TCP connection and reads until the lab closes it, or `waitMs`. */
export async function rawTcp(
  port: number,
  bytes: Buffer | undefined,
  { end = false, waitMs = ANSWER_MS } = {},
): Promise<{ received: Buffer; closed: boolean; elapsedMs: number }> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  const start = performance.now();
  if (bytes) socket.write(bytes);
  if (end) socket.end();
  try {
    await waitFor(() => closed, 'the lab closes the connection', waitMs);
  } catch {
    // Not closed: the row's assertion says so.
  }
  socket.destroy();
  return { received: Buffer.concat(chunks), closed, elapsedMs: performance.now() - start };
}

/** TLS alert descriptions (RFC 8446 section 6) the rows expect. */
export const ALERT = { unexpected_message: 10, protocol_version: 70, no_application_protocol: 120 } as const;

/** The fatal alert in `bytes` (one alert record: 15 03 03 00 02 02 <description>), or undefined. */
export function fatalAlert(bytes: Buffer): number | undefined {
  if (bytes.length !== 7 || bytes[0] !== 0x15 || bytes.readUInt16BE(3) !== 2 || bytes[5] !== 2) return undefined;
  return bytes[6];
}

/** A real client's ClientHello offering `alpn`, captured by a listener of our own. */
export function clientHello(alpn: string[]): Promise<Buffer> {
  return new Promise((resolve) => {
    let bytes = Buffer.alloc(0);
    const catcher = net.createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk]);
        if (bytes.length >= 5 && bytes.length >= 5 + bytes.readUInt16BE(3)) {
          socket.destroy();
          catcher.close();
          resolve(bytes);
        }
      });
    });
    catcher.listen(0, '127.0.0.1', () => {
      const client = tls.connect({
        host: '127.0.0.1',
        port: (catcher.address() as net.AddressInfo).port,
        ALPNProtocols: alpn,
        rejectUnauthorized: false,
      });
      client.on('error', () => {});
    });
  });
}

/** A real TLS handshake with `options`: the error code the client got, or the protocol ALPN chose. */
export function handshakeWith(port: number, options: tls.ConnectionOptions): Promise<{ error?: string; alpn?: string | false | null }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: target.ca, ...options }, () => {
      resolve({ alpn: socket.alpnProtocol });
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
  });
}

/** A Node HTTP/2 session to `url`, once the lab's SETTINGS have arrived (extended CONNECT needs them). */
export async function connectH2(url = target.h2Url): Promise<ClientHttp2Session> {
  const session = http2.connect(url, { ca: target.ca });
  session.on('error', () => {});
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  return session;
}

export interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  rstCode: number;
}

/**
 * One request on `session`; resolves with what came back within ANSWER_MS. Without
 * `endStream` the request stays open after its body, as if more were coming.
 */
export function ask(
  session: ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer | Buffer[],
  { endStream = true } = {},
): Promise<H2Answer> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined && endStream });
    let head: IncomingHttpHeaders = {};
    let text = '';
    stream.on('response', (h) => (head = h));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('error', () => {});
    const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), ANSWER_MS);
    stream.on('close', () => {
      clearTimeout(timer);
      resolve({ status: Number(head[':status'] ?? 0), headers: head, body: text, rstCode: stream.rstCode ?? 0 });
    });
    for (const chunk of body === undefined ? [] : Array.isArray(body) ? body : [body]) stream.write(chunk);
    if (body !== undefined && endStream) stream.end();
  });
}

/** The coded error body of the errors table, and nothing else. */
export function assertCodedError(name: string, answer: H2Answer, code: ErrorCode): void {
  assert.equal(
    answer.status,
    ERRORS[code].status,
    `${name}: status (body: ${answer.body.slice(0, 160)}, RST_STREAM ${errorName(answer.rstCode)})`,
  );
  assert.match(String(answer.headers['content-type']), /^application\/json/, `${name}: a JSON body`);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], `${name}: the body is {"error": ...}`);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], `${name}: error has code and message`);
  assert.equal(body.error.code, code, `${name}: error code`);
  assert.ok(body.error.message.trim().length > 0, `${name}: a message for a person`);
}

export const CONNECT = { ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/feed/ws', 'sec-websocket-version': '13' };

/** A masked client frame (RFC 6455 section 5.2). */
export function wsFrame(opcode: number, payload: Buffer): Buffer {
  const extra = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extra);
  header[0] = 0x80 | opcode;
  if (extra === 0) header[1] = payload.length;
  else if (extra === 2) {
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  header[1] |= 0x80;
  const key = randomBytes(4);
  return Buffer.concat([header, key, payload.map((byte, i) => byte ^ key[i % 4])]);
}

/**
 * Opens /feed/ws over HTTP/2 (extended CONNECT), writes `frames` on the stream and
 * resolves with the code of the lab's close frame (0: none within ANSWER_MS).
 * By hand: the `ws` client will not send invalid UTF-8.
 */
export async function wsOverH2(frames: Buffer[]): Promise<{ status: number; closeCode: number; ended: boolean }> {
  const session = await connectH2();
  try {
    const stream = session.request(CONNECT, { endStream: false });
    stream.on('error', () => {});
    const status = await new Promise<number>((resolve) => {
      stream.once('response', (head) => resolve(Number(head[':status'])));
      stream.once('close', () => resolve(0));
      setTimeout(() => resolve(0), ANSWER_MS);
    });
    let buffer = Buffer.alloc(0);
    let closeCode = 0;
    let ended = false;
    stream.on('end', () => (ended = true));
    stream.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      // Server frames are unmasked; the events published meanwhile are skipped.
      while (buffer.length >= 2) {
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) [length, offset] = [buffer.readUInt16BE(2), 4];
        else if (length === 127) [length, offset] = [Number(buffer.readBigUInt64BE(2)), 10];
        if (buffer.length < offset + length) return;
        if ((buffer[0] & 0x0f) === 0x8) closeCode = buffer.readUInt16BE(offset);
        buffer = buffer.subarray(offset + length);
      }
    });
    for (const f of frames) stream.write(f);
    await waitFor(() => closeCode !== 0 && ended, 'the close frame and the end of the stream', ANSWER_MS).catch(() => {});
    return { status, closeCode, ended };
  } finally {
    session.destroy();
  }
}

/** The coded 400 the listener writes to a TLS port that hears something else, and nothing else. */
export function assertTlsRequired(name: string, text: string, port: number): void {
  const match = /^HTTP\/1\.1 400 Bad Request\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
  assert.ok(match, `${name}: an HTTP/1.1 400 (got ${JSON.stringify(text.slice(0, 80))})`);
  const head = match[1].toLowerCase();
  assert.match(head, /content-type: application\/json/, `${name}: a JSON body`);
  assert.match(head, /connection: close/, `${name}: connection: close`);
  const body = JSON.parse(match[2]) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], `${name}: the body is {"error": ...}`);
  assert.equal(body.error.code, 'tls_required', `${name}: error code`);
  assert.ok(body.error.message.includes(`:${port}/`), `${name}: the message names the port (${body.error.message})`);
}
