/**
 * The hostile peer of hostile.test.ts: requests, raw bytes and WebSocket frames
 * that no well-behaved client sends, each answer bounded by ANSWER_MS, and the
 * checks that what came back is the coded error the contract promises.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { ERRORS, type ErrorCode } from './errors.ts';
import type { FeedEvent } from './feed.ts';
import { rawExchange, waitFor } from './test-helpers.ts';

/** The lab under attack: aimAt() names it before the first request. */
let target: { port: number } = { port: 0 };

/** Aims every request below at `lab`'s main port. */
export function aimAt(lab: { port: number }): void {
  target = lab;
}

/**
 * Errors are answered at once, so a passing row never waits this long; it only
 * bounds a row whose defense is missing, and is generous because the whole suite
 * shares a few cores.
 */
const ANSWER_MS = 5000;

type HttpOutcome = { kind: 'http'; status: number; headers: http.IncomingHttpHeaders; body: string; closed: boolean };
export type Outcome = HttpOutcome | { kind: 'frame'; frame: unknown } | { kind: 'close'; code: number };

export type Expected =
  /** `closes`: the server also ends the connection (after a parse error nothing on it can be trusted). */
  { status: number; code: ErrorCode; closes?: boolean } | { frame: ErrorCode } | { close: number };

export interface Row {
  name: string;
  send(): Promise<Outcome>;
  expect: Expected;
}

/** One HTTP request on a connection of its own; resolves with whatever came back within ANSWER_MS. */
export function ask(
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string | Buffer | Buffer[] } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    let status = 0;
    let responseHeaders: http.IncomingHttpHeaders = {};
    let text = '';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ kind: 'http', status, headers: responseHeaders, body: text, closed: false });
    };
    const request = http.request({ host: '127.0.0.1', port: target.port, path, method, headers, agent: false }, (response) => {
      status = response.statusCode!;
      responseHeaders = response.headers;
      // Not an error: the status alone fails the row, and a stream would never end.
      if (status < 400) return finish();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', finish);
      response.on('error', finish);
    });
    // A 101 means the upgrade went through where it should have been refused.
    request.on('upgrade', (response, socket) => {
      status = response.statusCode!;
      socket.destroy();
      finish();
    });
    request.on('error', finish);
    const timer = setTimeout(finish, ANSWER_MS);
    if (Array.isArray(body)) {
      for (const chunk of body) request.write(chunk); // no content-length: sent chunked
      request.end();
    } else {
      request.end(body);
    }
  });
}

/** A WebSocket handshake request, refused or not, as an HTTP request. */
export const upgrade = (path: string, headers: http.OutgoingHttpHeaders = {}) =>
  ask(path, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
      ...headers,
    },
  });

export const JSON_TYPE = { 'content-type': 'application/json' };
export const postChat = (body: string | Buffer | Buffer[], headers: http.OutgoingHttpHeaders = JSON_TYPE) =>
  ask('/feed/chat', { method: 'POST', headers, body });

/** Writes bytes no well-behaved client would send on a fresh TCP connection; reads the answer until the server closes it. */
export async function raw(bytes: string | Buffer, port = target.port): Promise<Outcome> {
  const answer = await rawExchange(port, bytes, { timeoutMs: ANSWER_MS });
  // A head named twice reads as its last value (no case's answer has one).
  const heads = Object.entries(answer.headers).map(([name, values]) => [name, values.at(-1)]);
  const headers: http.IncomingHttpHeaders = Object.fromEntries(heads);
  return { kind: 'http', status: answer.status, headers, body: answer.body, closed: answer.closed };
}

/** A request head in raw bytes, with the Host a client would send. */
export const head = (requestLine: string, ...lines: string[]) =>
  `${[requestLine, `Host: 127.0.0.1:${target.port}`, ...lines].join('\r\n')}\r\n\r\n`;

/** A client frame (RFC 6455 section 5.2), masked unless told otherwise; `declaredBytes` may claim more than the payload holds. */
export function clientFrame(opcode: number, payload: Buffer, { fin = true, masked = true, declaredBytes = payload.length } = {}): Buffer {
  const extra = declaredBytes < 126 ? 0 : declaredBytes < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + extra);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (extra === 0) {
    header[1] = declaredBytes;
  } else if (extra === 2) {
    header[1] = 126;
    header.writeUInt16BE(declaredBytes, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(declaredBytes), 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  return Buffer.concat([header, key, payload.map((byte, i) => byte ^ key[i % 4])]);
}

export const TEXT = 0x1;
export const CONTINUATION = 0x0;
export const BINARY = 0x2;

/**
 * Opens /feed/ws by hand and writes `frames` after the 101: the `ws` client will
 * not send invalid UTF-8 split over fragments, unmasked frames or lying lengths.
 * Resolves with the code of the server's close frame (0: none came).
 */
export function rawWs(frames: Buffer[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(target.port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ kind: 'close', code });
    };
    const timer = setTimeout(() => finish(0), ANSWER_MS);
    socket.on('error', () => finish(0));
    socket.on('close', () => finish(0));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buffer.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) return finish(0);
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        for (const frame of frames) socket.write(frame);
      }
      // Server frames are unmasked; events published meanwhile are skipped.
      while (buffer.length >= 2) {
        const opcode = buffer[0] & 0x0f;
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 0x8) return finish(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
      }
    });
    socket.write(
      head(
        'GET /feed/ws HTTP/1.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      ),
    );
  });
}

/** A WebSocket that follows the feed and keeps events (numeric `seq`) apart from answers (the rest). */
export interface WsFollower {
  ws: WebSocket;
  events: FeedEvent[];
  answers: unknown[];
  closeCode?: number;
}

export function followWs(): Promise<WsFollower> {
  return new Promise((resolve, reject) => {
    const follower: WsFollower = { ws: new WebSocket(`ws://127.0.0.1:${target.port}/feed/ws`), events: [], answers: [] };
    follower.ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { seq?: unknown };
      if (typeof message.seq === 'number') follower.events.push(message as FeedEvent);
      else follower.answers.push(message);
    });
    follower.ws.on('close', (code) => (follower.closeCode = code));
    follower.ws.on('open', () => resolve(follower));
    follower.ws.on('error', reject);
  });
}

/** Sends one message and resolves with the answer it gets (undefined: none within ANSWER_MS). */
export async function askWs(follower: WsFollower, data: string | Buffer, binary: boolean): Promise<Outcome> {
  const answered = follower.answers.length;
  follower.ws.send(data, { binary });
  try {
    await waitFor(() => follower.answers.length > answered, 'an answer', ANSWER_MS);
  } catch {
    return { kind: 'frame', frame: undefined };
  }
  return { kind: 'frame', frame: follower.answers[answered] };
}

/** An SSE stream that follows the feed and collects its events. */
export interface SseFollower {
  events: FeedEvent[];
  ended: boolean;
  close(): void;
}

export function followSse(): Promise<SseFollower> {
  return new Promise((resolve, reject) => {
    const follower: SseFollower = { events: [], ended: false, close: () => request.destroy() };
    let pending = '';
    const request = http.get({ host: '127.0.0.1', port: target.port, path: '/feed/sse', agent: false }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        pending += chunk;
        const blocks = pending.split('\n\n');
        pending = blocks.pop()!;
        for (const block of blocks) {
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data) follower.events.push(JSON.parse(data.slice('data: '.length)) as FeedEvent);
        }
      });
      response.on('close', () => (follower.ended = true));
      resolve(follower);
    });
    request.on('error', reject);
  });
}

/** Checks one row's outcome against what it expects, with the row's name in every message. */
export function check(name: string, expect: Expected, outcome: Outcome): void {
  if ('status' in expect) {
    if (outcome.kind !== 'http') assert.fail(`${name}: an HTTP answer`);
    const { status, headers, body, closed } = outcome;
    assert.equal(ERRORS[expect.code].status, expect.status, `${name}: the row agrees with the errors table`);
    assert.equal(status, expect.status, `${name}: status (body: ${body.slice(0, 160)})`);
    assert.match(String(headers['content-type']), /^application\/json/, `${name}: a JSON body`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      assert.fail(`${name}: the body is JSON, got ${JSON.stringify(body.slice(0, 160))}`);
    }
    assertErrorBody(name, parsed, expect.code);
    if (expect.closes) assert.equal(closed, true, `${name}: the server closed the connection after answering`);
  } else if ('frame' in expect) {
    if (outcome.kind !== 'frame') assert.fail(`${name}: a WebSocket frame`);
    const frame = outcome.frame as { type?: unknown; error?: unknown } | undefined;
    assert.ok(frame, `${name}: an answer within ${ANSWER_MS} ms`);
    assert.deepEqual(Object.keys(frame).sort(), ['error', 'type'], `${name}: an error frame is {type, error}, with no seq`);
    assert.equal(frame.type, 'error', `${name}: type "error"`);
    assertErrorBody(name, { error: frame.error }, expect.frame);
  } else {
    if (outcome.kind !== 'close') assert.fail(`${name}: a WebSocket close`);
    assert.equal(outcome.code, expect.close, `${name}: close code (0: no close frame within ${ANSWER_MS} ms)`);
  }
}

/** `{ "error": { "code", "message" } }` and nothing else, with the expected code and a sentence for a person. */
function assertErrorBody(name: string, body: unknown, code: ErrorCode): void {
  assert.ok(body !== null && typeof body === 'object', `${name}: the body is an object`);
  assert.deepEqual(Object.keys(body).sort(), ['error'], `${name}: the body is {"error": ...}`);
  const error = (body as { error: unknown }).error as { code?: unknown; message?: unknown };
  assert.ok(error !== null && typeof error === 'object', `${name}: error is an object`);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], `${name}: error has code and message, nothing else`);
  assert.equal(error.code, code, `${name}: error code`);
  assert.ok(typeof error.message === 'string' && error.message.trim().length > 0, `${name}: a non-empty message`);
}
