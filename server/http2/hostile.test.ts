/**
 * Hostile input on the TLS ports (listener.ts): bytes that are not TLS, TLS that
 * never finishes, HTTP/2 frames no client should send, and well-formed HTTP/2 past
 * the lab's limits. Each row asserts exactly what the peer gets back (a TLS alert,
 * the coded 400 `tls_required`, a GOAWAY or RST_STREAM and its error code, an HTTP
 * status with the coded body, a WebSocket close code), that the lab closes the
 * connection when it should, and what /stats counted.
 *
 * The answers are Node's and nghttp2's, found by probing first. Where they differ
 * from RFC 9113 the row says so: nghttp2's own connection errors carry the RFC's
 * code, but an error Node's JavaScript layer ends a session for goes out as
 * INTERNAL_ERROR (Http2Session.destroy), whatever nghttp2 had found.
 *
 * Node's client will not send malformed HTTP/2, so the rows write frames by hand
 * and read whole frames back (raw-h2.ts).
 *
 * Bad input must cost only its sender. Three bystanders follow the feed from
 * before the first row (SSE over HTTP/2 and WebSocket over HTTP/2, RFC 8441, each
 * on its own connection, and a WebSocket over HTTP/1.1 on the TLS port), a ticker
 * publishes all along, and at the end each has every event, in order and once,
 * while the lab holds nothing the rows opened. A fourth connection, HTTP/2, reads
 * /stats after every row: it must stay usable too.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import net from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { DRIVERS } from '../clients/index.ts';
import type { Connection, WireProtocol } from '../clients/common.ts';
import { ERRORS, type ErrorCode } from '../errors.ts';
import type { FeedEvent } from '../feed.ts';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import {
  ACK, ANSWER_MS, CONTINUATION, DATA, END_HEADERS, END_STREAM, H2_ERRORS, type H2Error, HEADERS, PING, RST_STREAM, RawH2, SETTINGS,
  WINDOW_UPDATE, describeFrame, errorName, frame, headerBlock, hpackString, ping, request, requestFields, rstStream, u32,
} from './raw-h2.ts';
import { CLIENT_PREFACE } from './frames.ts';
import { EXPERIMENT_MAX_STREAMS } from './listener.ts';

/** The lab's TLS handshake deadline during this file (TLS_HANDSHAKE_TIMEOUT_MS is 10 s otherwise). */
const HANDSHAKE_TIMEOUT_MS = 1000;

let lab: RunningLab;
const ports = { main: 0, h1: 0, experiment: 0 };

// ------------------------------------------------------------------ TLS and plain bytes by hand

/** Writes `bytes` on a fresh TCP connection and reads until the lab closes it, or `waitMs`. */
async function rawTcp(port: number, bytes: Buffer | undefined, { end = false, waitMs = ANSWER_MS } = {}): Promise<{ received: Buffer; closed: boolean; elapsedMs: number }> {
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
const ALERT = { unexpected_message: 10, protocol_version: 70, no_application_protocol: 120 } as const;

/** The fatal alert in `bytes` (one alert record: 15 03 03 00 02 02 <description>), or undefined. */
function fatalAlert(bytes: Buffer): number | undefined {
  if (bytes.length !== 7 || bytes[0] !== 0x15 || bytes.readUInt16BE(3) !== 2 || bytes[5] !== 2) return undefined;
  return bytes[6];
}

/** A real client's ClientHello offering `alpn`, captured by a listener of our own. */
function clientHello(alpn: string[]): Promise<Buffer> {
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
      const client = tls.connect({ host: '127.0.0.1', port: (catcher.address() as net.AddressInfo).port, ALPNProtocols: alpn, rejectUnauthorized: false });
      client.on('error', () => {});
    });
  });
}

/** A real TLS handshake with `options`: the error code the client got, or the protocol ALPN chose. */
function handshakeWith(port: number, options: tls.ConnectionOptions): Promise<{ error?: string; alpn?: string | false | null }> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: lab.https!.ca, ...options }, () => {
      resolve({ alpn: socket.alpnProtocol });
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
  });
}

// ------------------------------------------------------------------ HTTP/2 through Node's client

/** A Node HTTP/2 session to `url`, once the lab's SETTINGS have arrived (extended CONNECT needs them). */
async function connectH2(url = lab.https!.h2Url): Promise<ClientHttp2Session> {
  const session = http2.connect(url, { ca: lab.https!.ca });
  session.on('error', () => {});
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  return session;
}

interface H2Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  rstCode: number;
}

/**
 * One request on `session`; resolves with what came back within ANSWER_MS. Without
 * `endStream` the request stays open after its body, as if more were coming.
 */
function ask(session: ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer | Buffer[], { endStream = true } = {}): Promise<H2Answer> {
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
function assertCodedError(name: string, answer: H2Answer, code: ErrorCode): void {
  assert.equal(answer.status, ERRORS[code].status, `${name}: status (body: ${answer.body.slice(0, 160)}, RST_STREAM ${errorName(answer.rstCode)})`);
  assert.match(String(answer.headers['content-type']), /^application\/json/, `${name}: a JSON body`);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  assert.deepEqual(Object.keys(body), ['error'], `${name}: the body is {"error": ...}`);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], `${name}: error has code and message`);
  assert.equal(body.error.code, code, `${name}: error code`);
  assert.ok(body.error.message.trim().length > 0, `${name}: a message for a person`);
}

const CONNECT = { ':method': 'CONNECT', ':protocol': 'websocket', ':path': '/feed/ws', 'sec-websocket-version': '13' };

/** A masked client frame (RFC 6455 section 5.2). */
function wsFrame(opcode: number, payload: Buffer): Buffer {
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
async function wsOverH2(frames: Buffer[]): Promise<{ status: number; closeCode: number; ended: boolean }> {
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

// ------------------------------------------------------------------ bystanders and the checker

interface Bystander {
  name: string;
  events: FeedEvent[];
  states: string[];
  connection: Connection;
}

/** One of the lab's Node clients following the feed from seq 1, without reconnecting: a drop would show. */
function bystander(name: string, id: 'sse' | 'ws', baseUrl: string, protocol: WireProtocol): Bystander {
  const events: FeedEvent[] = [];
  const states: string[] = [];
  const connection = DRIVERS[id]({
    baseUrl,
    protocol,
    ca: lab.https!.ca,
    since: 0,
    reconnect: false, // a bystander that had to reconnect noticed: it must not
    onEvent: (event) => events.push(event),
    onState: (state, detail) => states.push(detail ? `${state} ${detail}` : state),
  });
  return { name, events, states, connection };
}

/** An HTTP/2 session open all along: it reads /stats after every row. */
let checker: ClientHttp2Session;

interface Stats {
  tls: { handshakesFailed: number; plainHttpRefused: number; h1: { connectionsOpen: number }; h2: { connectionsOpen: number } };
  http2: { sessionErrors: number; sessionsOpen: number };
}

/** GET /stats on the checker's session, which must still answer. */
async function stats(): Promise<Stats> {
  const answer = await ask(checker, { ':path': '/stats' });
  assert.equal(answer.status, 200, 'the checker session still gets /stats');
  return JSON.parse(answer.body) as Stats;
}

/**
 * /stats once `condition` holds, or as it is after ANSWER_MS: the lab counts a
 * connection when its side closes, a moment after the client's may have.
 */
async function statsOnce(condition: (s: Stats) => boolean): Promise<Stats> {
  const deadline = Date.now() + ANSWER_MS;
  for (;;) {
    const now = await stats();
    if (condition(now) || Date.now() > deadline) return now;
    await delay(20);
  }
}

/** Runs `attack` and checks that /stats counted it once in `tls.<counter>`. */
async function counted(counter: 'handshakesFailed' | 'plainHttpRefused', attack: () => Promise<void>): Promise<void> {
  const before = (await stats()).tls[counter];
  await attack();
  const after = await statsOnce((s) => s.tls[counter] > before);
  assert.equal(after.tls[counter], before + 1, `/stats tls.${counter} counts it once`);
}

/** Runs `attack` and checks that /stats counted one more HTTP/2 session ended by an error. */
async function sessionErrorCounted(attack: () => Promise<void>): Promise<void> {
  const before = (await stats()).http2.sessionErrors;
  await attack();
  const after = await statsOnce((s) => s.http2.sessionErrors > before);
  assert.equal(after.http2.sessionErrors, before + 1, '/stats http2.sessionErrors counts the session once');
}

// ------------------------------------------------------------------ the rows

describe('hostile input on the TLS ports: closed connections with the right code, and nobody else notices', () => {
  let bystanders: Bystander[] = [];
  let ticker: NodeJS.Timeout | undefined;

  before(async () => {
    lab = await startLab({ tlsPort: 0, extraPorts: false, tlsHandshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
    const portOf = (url: string) => Number(new URL(url).port);
    Object.assign(ports, { main: portOf(lab.https!.h2Url), h1: portOf(lab.https!.h1Url), experiment: portOf(lab.https!.experimentUrl) });
    checker = await connectH2();
    bystanders = [
      bystander('SSE over HTTP/2', 'sse', lab.https!.h2Url, 'h2'),
      bystander('WebSocket over HTTP/2', 'ws', lab.https!.h2Url, 'h2'),
      bystander('WebSocket over HTTP/1.1 (TLS)', 'ws', lab.https!.h2Url, 'h1'),
    ];
    await waitFor(() => lab.ctx.feed.subscriberCount === bystanders.length, 'the bystanders follow the feed', ANSWER_MS);
    // Published all along, attacks included: every bystander must have each one.
    ticker = setInterval(() => lab.ctx.feed.publish('tick', { price: lab.ctx.feed.lastSeq }), 20);
  });

  afterEach(async () => {
    lab.ctx.feed.publish('tick', { price: -1 });
    await stats(); // the lab is still there, and the checker's session survived the row
  });

  after(async () => {
    clearInterval(ticker);
    checker?.destroy();
    await Promise.all(bystanders.map((b) => b.connection.close()));
    await lab?.close();
  });

  describe('TLS junk', () => {
    test('junk that does not start like TLS: the coded 400 tls_required, then close', () =>
      counted('plainHttpRefused', async () => {
        const junk = randomBytes(512);
        junk[0] = 0x01; // anything but 0x16, a handshake record
        const { received, closed } = await rawTcp(ports.main, junk);
        assertTlsRequired('junk', received.toString('latin1'), ports.main);
        assert.ok(closed, 'junk: the lab closes the connection');
      }));

    for (const [label, port] of [['the main port', () => ports.main], ['the HTTP/1.1 port', () => ports.h1], ['the experiment port', () => ports.experiment]] as const) {
      test(`a plain HTTP/1.1 request to ${label}: 400 tls_required naming the port, then close`, () =>
        counted('plainHttpRefused', async () => {
          const { received, closed } = await rawTcp(port(), Buffer.from(`GET /feed/sse HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n\r\n`));
          assertTlsRequired('plain HTTP', received.toString('latin1'), port());
          assert.ok(closed, 'plain HTTP: the lab closes the connection');
        }));
    }

    test('the HTTP/2 preface in cleartext (h2c with prior knowledge): 400 tls_required, then close', () =>
      counted('plainHttpRefused', async () => {
        const { received, closed } = await rawTcp(ports.main, Buffer.concat([CLIENT_PREFACE, frame(SETTINGS, 0, 0)]));
        assertTlsRequired('h2c', received.toString('latin1'), ports.main);
        assert.ok(closed, 'h2c: the lab closes the connection');
      }));

    test('0x16 then random bytes (no TLS record version): closed without a word', () =>
      counted('handshakesFailed', async () => {
        const junk = randomBytes(512);
        junk[0] = 0x16;
        junk[1] = 0xfe; // not 0x03: no TLS version, so OpenSSL gives up at the record header
        const { received, closed } = await rawTcp(ports.main, junk);
        assert.equal(received.toString('hex'), '', 'nothing comes back, not even an alert');
        assert.ok(closed, 'the lab closes the connection');
      }));

    test('a handshake record of random bytes: fatal alert unexpected_message, then close', () =>
      counted('handshakesFailed', async () => {
        const record = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 200]), randomBytes(200)]);
        record[5] = 0x63; // the handshake message type: no such message
        const { received, closed } = await rawTcp(ports.main, record);
        assert.equal(fatalAlert(received), ALERT.unexpected_message, `a fatal unexpected_message alert (got ${received.toString('hex')})`);
        assert.ok(closed, 'the lab closes the connection');
      }));

    test('a truncated ClientHello, then FIN: closed, counted as a failed handshake', async () => {
      const hello = await clientHello(['h2']);
      for (const cut of [1, 3, 60]) {
        await counted('handshakesFailed', async () => {
          const { received, closed } = await rawTcp(ports.main, hello.subarray(0, cut), { end: true });
          assert.equal(received.length, 0, `cut at ${cut} B: nothing comes back`);
          assert.ok(closed, `cut at ${cut} B: the lab closes the connection`);
        });
      }
    });

    test('a truncated ClientHello, then silence: dropped at the handshake deadline', () =>
      counted('handshakesFailed', async () => {
        const hello = await clientHello(['h2']);
        const { received, closed, elapsedMs } = await rawTcp(ports.main, hello.subarray(0, hello.length - 10), { waitMs: HANDSHAKE_TIMEOUT_MS + ANSWER_MS });
        assert.ok(closed, 'the lab drops the connection');
        assert.equal(received.length, 0, 'without a word');
        assert.ok(elapsedMs >= HANDSHAKE_TIMEOUT_MS - 50, `not before the deadline (${Math.round(elapsedMs)} ms)`);
      }));

    test('a TCP connection that says nothing: dropped at the handshake deadline', () =>
      counted('handshakesFailed', async () => {
        const { closed, elapsedMs } = await rawTcp(ports.h1, undefined, { waitMs: HANDSHAKE_TIMEOUT_MS + ANSWER_MS });
        assert.ok(closed, 'the lab drops the connection');
        assert.ok(elapsedMs >= HANDSHAKE_TIMEOUT_MS - 50, `not before the deadline (${Math.round(elapsedMs)} ms)`);
      }));

    test('a ClientHello offering only spdy/3.1: fatal alert no_application_protocol', () =>
      counted('handshakesFailed', async () => {
        const { received, closed } = await rawTcp(ports.main, await clientHello(['spdy/3.1']));
        assert.equal(fatalAlert(received), ALERT.no_application_protocol, `alert 120 (got ${received.toString('hex')})`);
        assert.ok(closed, 'the lab closes the connection');
      }));

    test('a client offering only h2 to the HTTP/1.1-only port: no_application_protocol, as Node\'s client reports it', () =>
      counted('handshakesFailed', async () => {
        const result = await handshakeWith(ports.h1, { ALPNProtocols: ['h2'] });
        assert.deepEqual(result, { error: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' }, 'the client hears alert 120');
      }));

    test('a client that speaks at most TLS 1.1: fatal alert protocol_version', () =>
      counted('handshakesFailed', async () => {
        // OpenSSL 3.5 (Node 24 on) will not offer TLS 1.1 at its default security level and fails before
        // sending anything (ERR_SSL_NO_PROTOCOLS_AVAILABLE): level 0 makes the client send its hello.
        const result = await handshakeWith(ports.main, {
          ALPNProtocols: ['h2'], minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0',
        });
        assert.deepEqual(result, { error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, 'the client hears alert 70');
      }));
  });

  describe('malformed HTTP/2 after a good handshake: GOAWAY with its code, then close', () => {
    test('a bad client preface: GOAWAY INTERNAL_ERROR (RFC 9113 section 3.4 says PROTOCOL_ERROR; Node ends the session itself)', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.main, { preface: false, ca: lab.https!.ca });
        try {
          h2.send(Buffer.from('PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n'), frame(SETTINGS, 0, 0));
          await h2.closedByLab('bad preface');
          assert.deepEqual(h2.answer(), ['SETTINGS#0', 'GOAWAY(INTERNAL_ERROR, last 0)'], 'the lab\'s SETTINGS, then GOAWAY');
        } finally {
          h2.close();
        }
      }));

    // Each is a connection error (RFC 9113 section 5.4.1): one GOAWAY and nothing else. Where two codes are
    // listed, the first is the RFC's: nghttp2 finds the error and Node 24 on sends its code, while Node 20's
    // session error handler ends the session with INTERNAL_ERROR (section 5.4.1 asks for the code as a SHOULD).
    const PROTOCOL_OR_INTERNAL: [H2Error, H2Error] = ['PROTOCOL_ERROR', 'INTERNAL_ERROR'];
    const CONNECTION_ERRORS: { name: string; send: () => Buffer[]; goaway: H2Error | [H2Error, H2Error]; debug?: string }[] = [
      { name: 'a PING of 16,385 B, over SETTINGS_MAX_FRAME_SIZE', send: () => [frame(PING, 0, 0, Buffer.alloc(16_385))], goaway: 'FRAME_SIZE_ERROR', debug: 'too large frame size' },
      { name: 'a DATA frame of 16,385 B', send: () => [request(1, '/feed/chat', { method: 'POST', endStream: false }), frame(DATA, 0, 1, Buffer.alloc(16_385))], goaway: 'FRAME_SIZE_ERROR', debug: 'too large frame size' },
      { name: 'a HEADERS frame of 20,000 B', send: () => [frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.concat([headerBlock(requestFields('/feed/short-poll')), headerBlock([['x-pad', 'a'.repeat(19_800)]])]))], goaway: 'FRAME_SIZE_ERROR', debug: 'too large frame size' },
      { name: 'DATA on stream 0', send: () => [frame(DATA, 0, 0, Buffer.from('hi'))], goaway: 'PROTOCOL_ERROR', debug: 'DATA: stream_id == 0' },
      { name: 'SETTINGS of 7 B, not a multiple of 6', send: () => [frame(SETTINGS, 0, 0, Buffer.alloc(7))], goaway: 'FRAME_SIZE_ERROR' },
      { name: 'PING of 7 B', send: () => [frame(PING, 0, 0, Buffer.alloc(7))], goaway: 'FRAME_SIZE_ERROR' },
      // RFC 9113 section 6.9.
      { name: 'WINDOW_UPDATE of 0 on the connection', send: () => [frame(WINDOW_UPDATE, 0, 0, u32(0))], goaway: PROTOCOL_OR_INTERNAL },
      // RFC 9113 section 5.1.1.
      { name: 'HEADERS on an even (server-initiated) stream', send: () => [request(2, '/feed/short-poll')], goaway: PROTOCOL_OR_INTERNAL },
      // 0xbf: indexed field 63, the dynamic table's second entry, in a table that is empty.
      { name: 'HEADERS whose HPACK block indexes past both tables', send: () => [frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0xbf, 0x7e]))], goaway: 'COMPRESSION_ERROR' },
      { name: 'HEADERS whose HPACK block is an integer that never ends', send: () => [frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))], goaway: 'COMPRESSION_ERROR' },
    ];
    for (const { name, send, goaway, debug } of CONNECTION_ERRORS) {
      const codes: H2Error[] = typeof goaway === 'string' ? [goaway] : goaway;
      test(`${name}: GOAWAY ${codes.join(' (RFC 9113) or ')}${codes.length > 1 ? ' (Node 20)' : ''}`, () =>
        sessionErrorCounted(async () => {
          const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
          try {
            h2.send(...send());
            await h2.closedByLab(name);
            const answer = h2.answer();
            assert.equal(answer.length, 1, `${name}: one frame back, a GOAWAY (got ${answer.join(' ')})`);
            const code = h2.goaway()?.code;
            assert.ok(code !== undefined && (codes as string[]).includes(code), `${name}: GOAWAY ${codes.join(' or ')} (got ${code})`);
            if (debug !== undefined) assert.equal(h2.goaway()?.debug, debug, `${name}: nghttp2's debug data`);
          } finally {
            h2.close();
          }
        }));
    }
  });

  describe('floods', () => {
    // Rapid reset (CVE-2023-44487) is no matter for the RFC: the lab must stop it early and end the connection.
    // Node 20 (nghttp2 1.61) passes nghttp2's reset limit (a burst of 1,000, then about 33 a second) and sends
    // GOAWAY INTERNAL_ERROR. From Node 24 the streams the flood opens in one read outnumber what the session may
    // hold: Node refuses each one more with RST_STREAM ENHANCE_YOUR_CALM and, past its bound of refusals
    // (maxSessionRejectedStreams), ends the session with no GOAWAY, as a bare http2.createSecureServer does.
    test('rapid reset: 5,000 HEADERS each followed by RST_STREAM: the lab stops before half the flood and closes the connection', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
        try {
          const flood: Buffer[] = [];
          for (let i = 0; i < 5000; i++) flood.push(request(1 + 2 * i, '/feed/short-poll'), rstStream(1 + 2 * i, 'CANCEL'));
          h2.send(...flood);
          await h2.closedByLab('rapid reset');
          const last = h2.answer().at(-1);
          const goaway = h2.goaway();
          if (goaway) {
            // nghttp2's own flood check (INTERNAL_ERROR), or the frame meter's bound on streams seen ahead of
            // Node (ENHANCE_YOUR_CALM), which comes first since what follows each reset reaches Node a turn later.
            const what = `rapid reset: GOAWAY INTERNAL_ERROR or ENHANCE_YOUR_CALM (frames: ${h2.answer().slice(-3).join(' ')})`;
            assert.ok(goaway.code === 'INTERNAL_ERROR' || goaway.code === 'ENHANCE_YOUR_CALM', what);
            assert.ok(goaway.lastStreamId < 5000, `the lab stopped before half the flood (GOAWAY names ${goaway.lastStreamId} of 9,999)`);
            assert.equal(last, `GOAWAY(${goaway.code}, last ${goaway.lastStreamId})`, 'nothing after the GOAWAY');
          } else {
            const calm = h2.answerFrames(RST_STREAM).filter((f) => f.payload.readUInt32BE(0) === H2_ERRORS.indexOf('ENHANCE_YOUR_CALM'));
            const what = `no GOAWAY: the last frame refuses a stream, ENHANCE_YOUR_CALM (frames: ${h2.answer().slice(-3).join(' ')})`;
            assert.ok(calm.length > 0 && last === describeFrame(calm.at(-1)!), what);
          }
          const answered = Math.max(0, ...h2.answer().map((f) => Number(/#(\d+)/.exec(f)?.[1] ?? 0)));
          assert.ok(answered < 5000, `nothing answers a stream in the flood's second half (the last named is ${answered} of 9,999)`);
        } finally {
          h2.close();
        }
      }));

    // nghttp2 calls it a flood when more than 1,000 frames to acknowledge arrive in one read: a 16 KiB TLS
    // record holds 1,820 empty SETTINGS. The same 20,000 sent 900 to a record would all be acknowledged.
    test('a SETTINGS flood (20,000 in one write): nghttp2 detects the flood, GOAWAY INTERNAL_ERROR', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
        try {
          h2.send(...Array.from({ length: 20_000 }, () => frame(SETTINGS, 0, 0)));
          await h2.closedByLab('SETTINGS flood');
          assert.equal(h2.goaway()?.code, 'INTERNAL_ERROR', `GOAWAY INTERNAL_ERROR (frames: ${h2.answer().slice(-3).join(' ')})`);
          assert.equal(h2.answer().at(-1)?.startsWith('GOAWAY('), true, 'nothing after the GOAWAY');
          assert.ok(h2.answerFrames(SETTINGS).length < 2000, `far fewer ACKs than SETTINGS (${h2.answerFrames(SETTINGS).length})`);
        } finally {
          h2.close();
        }
      }));

    // RFC 9113 section 6.7: every PING is acknowledged; section 10.5: a flood may be ended as abuse. Both
    // happen. A 16 KiB TLS record holds 963 PINGs, under nghttp2's 1,000 frames to acknowledge per read; on
    // Node 20 the session stops reading the lab's pipe while a write is pending, so a peer that does not read
    // stalls itself and hears every ACK. A bare http2.createSecureServer (every Node) and the lab from Node 24
    // read on, the unsent ACKs pass nghttp2's bound (1,000) and the session ends ("Flooding was detected").
    test('a PING flood (20,000 in one write, then not reading for a while): each PING acknowledged in order until the end, '
      + 'the connection usable or ended as a flood', async () => {
      const before = (await stats()).http2.sessionErrors;
      const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
      try {
        h2.socket.pause();
        h2.send(...Array.from({ length: 20_000 }, (_, i) => ping(i)));
        await new Promise((resolve) => setTimeout(resolve, 300));
        h2.socket.resume();
        await waitFor(() => h2.answerFrames(PING).length === 20_000 || h2.closed, '20,000 PING ACKs or the end', ANSWER_MS * 2);
        const acks = h2.answerFrames(PING);
        assert.ok(acks.every((f, i) => f.flags === ACK && f.payload.readUInt32BE(4) === i), 'each ACK carries its PING\'s payload, in order');
        if (h2.closed) {
          assert.ok(acks.length < 20_000, `ended as a flood after ${acks.length} ACKs`);
          const goaway = h2.goaway();
          assert.ok(goaway === undefined || goaway.code !== 'NO_ERROR', `no GOAWAY, or one with an error (${JSON.stringify(goaway)})`);
          const after = await statsOnce((s) => s.http2.sessionErrors > before);
          assert.equal(after.http2.sessionErrors, before + 1, '/stats http2.sessionErrors counts the session once');
          return;
        }
        h2.send(request(1, '/feed/short-poll'));
        await waitFor(() => h2.answered200(1), 'an answer on the flooded connection', ANSWER_MS);
        assert.equal(h2.closed, false, 'the connection stays open');
        assert.equal(h2.goaway(), undefined, 'no GOAWAY');
      } finally {
        h2.close();
      }
    });
  });

  describe(`SETTINGS_MAX_CONCURRENT_STREAMS (the experiment port, ${EXPERIMENT_MAX_STREAMS})`, () => {
    // Streams held open by a chat POST whose body never comes: nothing follows the feed, nothing to clean up but the stream.
    const held = (i: number) => request(1 + 2 * i, '/feed/chat', { method: 'POST', endStream: false, fields: [['content-type', 'application/json']] });

    test('a peer that has not acknowledged the limit: REFUSED_STREAM per stream over it, and GOAWAY ENHANCE_YOUR_CALM at the 100th', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.experiment, { ackSettings: false, ca: lab.https!.ca });
        try {
          h2.send(...Array.from({ length: EXPERIMENT_MAX_STREAMS + 2 }, (_, i) => held(i)));
          await waitFor(() => h2.answerFrames(RST_STREAM).length >= 2, 'two refusals', ANSWER_MS);
          await new Promise((resolve) => setTimeout(resolve, 100)); // anything else would come now
          const over = [1 + 2 * EXPERIMENT_MAX_STREAMS, 3 + 2 * EXPERIMENT_MAX_STREAMS];
          assert.deepEqual(h2.answer(), over.map((id) => `RST_STREAM#${id}(REFUSED_STREAM)`), 'the streams past the limit, and only those, are refused');
          assert.equal(h2.closed, false, 'the connection stays open so far');
          // It goes on: 98 more, all refused; at the 100th refusal the lab ends the connection (listener.ts).
          h2.send(...Array.from({ length: 98 }, (_, i) => held(EXPERIMENT_MAX_STREAMS + 2 + i)));
          await h2.closedByLab('a peer that keeps opening refused streams');
          const refused = h2.answerFrames(RST_STREAM).filter((f) => f.payload.readUInt32BE(0) === H2_ERRORS.indexOf('REFUSED_STREAM'));
          assert.equal(refused.length, 100, '100 streams refused');
          assert.equal(h2.goaway()?.code, 'ENHANCE_YOUR_CALM', `then GOAWAY ENHANCE_YOUR_CALM (frames: ${h2.answer().slice(-3).join(' ')})`);
        } finally {
          h2.close();
        }
      }));

    // RFC 9113 section 5.1.2 allows a stream error (PROTOCOL_ERROR or REFUSED_STREAM); nghttp2 makes it a
    // connection error once the limit is acknowledged, and Node's session error handler closes the connection
    // before nghttp2's GOAWAY goes out.
    test('a peer that acknowledged the limit and opens one stream more: the connection is closed', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.experiment, { ca: lab.https!.ca });
        try {
          h2.send(...Array.from({ length: EXPERIMENT_MAX_STREAMS + 1 }, (_, i) => held(i)));
          await h2.closedByLab('one stream over the limit');
          const last = 1 + 2 * EXPERIMENT_MAX_STREAMS;
          assert.ok(!h2.answer().some((f) => f.includes(`#${last}`)), `nothing answers stream ${last} (frames: ${h2.answer().join(' ')})`);
          const goaway = h2.goaway();
          assert.ok(goaway === undefined || goaway.code !== 'NO_ERROR', `no GOAWAY, or one with an error (${JSON.stringify(goaway)})`);
        } finally {
          h2.close();
        }
      }));
  });

  describe('well-formed HTTP/2 past the lab\'s limits', () => {
    test('a header list over 16 KiB (HEADERS + CONTINUATION): RST_STREAM ENHANCE_YOUR_CALM, and the connection goes on', async () => {
      const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
      try {
        const block = headerBlock([...requestFields('/feed/short-poll'), ['x-big', 'a'.repeat(20_000)]]);
        h2.send(frame(HEADERS, END_STREAM, 1, block.subarray(0, 16_000)), frame(CONTINUATION, END_HEADERS, 1, block.subarray(16_000)), request(3, '/feed/short-poll'));
        await waitFor(() => h2.answered200(3), 'the next stream answered', ANSWER_MS);
        assert.deepEqual(h2.answer().filter((f) => f.includes('#1')), ['RST_STREAM#1(ENHANCE_YOUR_CALM)'], 'stream 1 is reset, not answered (HTTP/1.1 gets 431: Node decides this before any route)');
        assert.equal(h2.goaway(), undefined, 'no GOAWAY');
      } finally {
        h2.close();
      }
    });

    test('an HPACK bomb (one 4 KB entry in the dynamic table, referenced 6 times): RST_STREAM ENHANCE_YOUR_CALM', async () => {
      const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
      try {
        // 0x40: literal with incremental indexing, new name (RFC 7541 section 6.2.1); 0xbe: indexed field 62, that entry.
        const entry = Buffer.concat([Buffer.from([0x40]), hpackString('x-bomb'), hpackString('b'.repeat(4000))]);
        const bomb = Buffer.concat([headerBlock(requestFields('/feed/short-poll')), entry, Buffer.alloc(6, 0xbe)]);
        h2.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, bomb), request(3, '/feed/short-poll'));
        await waitFor(() => h2.answered200(3), 'the next stream answered', ANSWER_MS);
        assert.deepEqual(h2.answer().filter((f) => f.includes('#1')), ['RST_STREAM#1(ENHANCE_YOUR_CALM)'], 'stream 1 is reset: its decoded list is 28 KB');
        assert.equal(h2.goaway(), undefined, 'no GOAWAY');
      } finally {
        h2.close();
      }
    });

    test('POST /feed/chat with bodies over 64 KiB: 413 too_large, and nothing published', async () => {
      const session = await connectH2();
      try {
        const post = { ':method': 'POST', ':path': '/feed/chat', 'content-type': 'application/json' };
        const before = lab.ctx.feed.lastSeq;
        const chats = () => lab.ctx.feed.read(before).filter((entry) => entry.event.type === 'chat').length;
        assertCodedError('a 70 KB body', await ask(session, post, Buffer.from(JSON.stringify({ text: 'hi', pad: 'x'.repeat(70_000) }))), 'too_large');
        assertCodedError('a 96 KiB body in 16 KiB writes', await ask(session, post, Array.from({ length: 6 }, () => Buffer.alloc(16 * 1024, 0x20))), 'too_large');
        assertCodedError('content-length: 1000000, 16 KB sent', await ask(session, { ...post, 'content-length': '1000000' }, Buffer.alloc(16_000, 0x20), { endStream: false }), 'too_large');
        assert.equal(chats(), 0, 'no chat reached the feed');
        assert.equal(session.closed || session.destroyed, false, 'the session is still open');
      } finally {
        session.destroy();
      }
    });

    test('extended CONNECT to /feed/ws from a foreign Origin: 403 foreign_origin', async () => {
      const session = await connectH2();
      try {
        assertCodedError('foreign Origin', await ask(session, { ...CONNECT, origin: 'http://evil.example' }, undefined, { endStream: false }), 'foreign_origin');
      } finally {
        session.destroy();
      }
    });

    test('extended CONNECT with sec-websocket-version: 7: 400 bad_request, naming version 13', async () => {
      const session = await connectH2();
      try {
        const answer = await ask(session, { ...CONNECT, 'sec-websocket-version': '7' }, undefined, { endStream: false });
        assertCodedError('version 7', answer, 'bad_request');
        assert.equal(answer.headers['sec-websocket-version'], '13', 'the answer names the version the lab speaks');
      } finally {
        session.destroy();
      }
    });

    test('extended CONNECT with :protocol other than websocket: 400 bad_request', async () => {
      const session = await connectH2();
      try {
        assertCodedError(':protocol chat', await ask(session, { ...CONNECT, ':protocol': 'chat' }, undefined, { endStream: false }), 'bad_request');
      } finally {
        session.destroy();
      }
    });

    test('WebSocket over HTTP/2 sending invalid UTF-8: close 1007', async () => {
      const { status, closeCode, ended } = await wsOverH2([wsFrame(0x1, Buffer.from([0xc3, 0x28]))]);
      assert.equal(status, 200, 'the extended CONNECT is accepted');
      assert.equal(closeCode, 1007, 'close 1007 (0: no close frame)');
      assert.ok(ended, 'and the lab ends its side of the stream');
    });

    test('WebSocket over HTTP/2 sending a 70 KB message: close 1009', async () => {
      const { status, closeCode, ended } = await wsOverH2([wsFrame(0x1, Buffer.from(JSON.stringify({ type: 'chat', text: 'x'.repeat(70_000) })))]);
      assert.equal(status, 200, 'the extended CONNECT is accepted');
      assert.equal(closeCode, 1009, 'close 1009 (0: no close frame)');
      assert.ok(ended, 'and the lab ends its side of the stream');
    });
  });

  describe('afterwards', () => {
    test('the bystanders are still connected and got every event, in order and once', async () => {
      clearInterval(ticker);
      const last = lab.ctx.feed.publish('tick', { price: 0 }).seq;
      await waitFor(() => bystanders.every((b) => b.events.length >= last), `${last} events at every bystander`, ANSWER_MS);
      const all = Array.from({ length: last }, (_, i) => i + 1);
      for (const b of bystanders) {
        assert.deepEqual(b.states, ['connecting', 'open'], `${b.name}: connected once and never dropped`);
        assert.deepEqual(b.events.map((event) => event.seq), all, `${b.name}: every event, in order, once`);
        assert.ok(b.events.every((event) => event.type === 'tick'), `${b.name}: only the ticker's events, nothing a row sent`);
      }
    });

    test('the lab holds nothing a row opened, and answered no 500', async () => {
      // The bystanders' two HTTP/2 sessions and the checker's; one HTTP/1.1 WebSocket.
      await waitFor(() => lab.ctx.feed.subscriberCount === bystanders.length && lab.ctx.closers.size === bystanders.length, 'nothing held but the bystanders', ANSWER_MS);
      const now = await statsOnce((s) => s.http2.sessionsOpen === 3 && s.tls.h2.connectionsOpen === 3 && s.tls.h1.connectionsOpen === 1);
      assert.equal(now.http2.sessionsOpen, 3, 'every attacking HTTP/2 session is gone');
      assert.equal(now.tls.h2.connectionsOpen, 3, 'every attacking TLS connection is gone');
      assert.equal(now.tls.h1.connectionsOpen, 1, 'the HTTP/1.1 bystander\'s connection only');
      assert.equal(lab.ctx.counters.internalErrors, 0, 'no request was answered 500');
    });
  });
});

/** The coded 400 the listener writes to a TLS port that hears something else, and nothing else. */
function assertTlsRequired(name: string, text: string, port: number): void {
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

// ------------------------------------------------------------------ a leak the rows above found

/**
 * HEADERS and RST_STREAM in one read: the stream closes before its route runs, so a
 * streaming transport subscribes to the feed on a response whose `close` has already
 * been emitted, and never lets go (stream.ts FeedStream, transports/long-poll.ts).
 * Each reset stream would cost a subscriber, a heartbeat timer and a closer until the
 * lab stops, the connection long gone; so both check that the response is still
 * open (for HTTP/2: `stream.destroyed`) after adding their `close`.
 */
describe('rapid reset on held streams', () => {
  for (const path of ['/feed/sse', '/feed/iframe?cb=f', '/feed/long-poll']) {
    test(`HEADERS + RST_STREAM on ${path}, 20 times in one write: nothing is left held`, async () => {
      const own = await startLab({ tlsPort: 0 });
      try {
        const h2 = await RawH2.open(Number(new URL(own.https!.h2Url).port), { ca: own.https!.ca });
        const flood: Buffer[] = [];
        for (let i = 0; i < 20; i++) flood.push(request(1 + 2 * i, path), rstStream(1 + 2 * i, 'CANCEL'));
        h2.send(...flood);
        await new Promise((resolve) => setTimeout(resolve, 200));
        h2.close();
        await waitFor(() => own.ctx.feed.subscriberCount === 0 && own.ctx.closers.size === 0, 'no subscriber left', 1000).catch(() => {});
        assert.equal(own.ctx.feed.subscriberCount, 0, 'no subscriber left behind');
        assert.equal(own.ctx.closers.size, 0, 'no closer left behind');
      } finally {
        await own.close();
      }
    });
  }
});
