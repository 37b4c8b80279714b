/**
 * Every port on one clock (connections.ts), with IDLE_TIMEOUT_MS short so nothing
 * waits a minute: a connection that says nothing, one that sends half a request head,
 * and a keep-alive connection between requests are closed once they have been idle
 * that long, on the plain ports, HTTP/1.1 over TLS and HTTP/2 alike; a held stream is
 * not idle. And MAX_CONNECTIONS counts a connection from accept: silent TCP
 * connections and unfinished TLS handshakes take places as requests do.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { type RunningLab, startLab, waitFor } from './test-helpers.ts';
import { RawH2, frame, headerBlock, request, requestFields } from './http2/raw-h2.ts';
import { HEADERS } from './http2/frames.ts';

const IDLE_MS = 1000;
/** The clock sweeps every quarter of the timeout; a loaded machine may add a little more. */
const LATE_MS = 1500;

interface Ended {
  received: string;
  /** When the last bytes arrived (or the socket opened, if none did), and when it closed. */
  lastDataAt: number;
  closedAt: number;
}

/** Resolves when `socket` closes: what it received, and when. */
function ended(socket: net.Socket | tls.TLSSocket): Promise<Ended> {
  let received = '';
  let lastDataAt = performance.now();
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    received += chunk;
    lastDataAt = performance.now();
  });
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve({ received, lastDataAt, closedAt: performance.now() })));
}

function assertOnTime(what: string, afterMs: number): void {
  assert.ok(
    afterMs >= IDLE_MS - 50 && afterMs < IDLE_MS + LATE_MS,
    `${what}: closed ${Math.round(afterMs)} ms after it went idle (timeout ${IDLE_MS} ms)`,
  );
}

/** The plain and TLS ways to open an HTTP/1.1 connection to a port, ready to write. */
type Opener = (lab: RunningLab) => Promise<net.Socket | tls.TLSSocket>;

const plain =
  (port: (lab: RunningLab) => number): Opener =>
  async (lab) => {
    const socket = net.connect(port(lab), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  };
const overTls =
  (port: (lab: RunningLab) => number, alpn: string[]): Opener =>
  async (lab) => {
    const socket = tls.connect({ host: '127.0.0.1', port: port(lab), ca: lab.https!.ca, ALPNProtocols: alpn });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    return socket;
  };
const tlsPort = (name: 'main' | 'h1') => (lab: RunningLab) => Number(new URL(name === 'main' ? lab.https!.h2Url : lab.https!.h1Url).port);

const HTTP1_PORTS: [string, Opener][] = [
  ['the main port', plain((lab) => lab.port)],
  ["an extra port (SSE's)", plain((lab) => lab.ctx.ports!.extra.sse!)],
  ['HTTP/1.1 over TLS (its own port)', overTls(tlsPort('h1'), ['http/1.1'])],
  ['HTTP/1.1 over TLS (the main TLS port)', overTls(tlsPort('main'), ['http/1.1'])],
];

describe(`every port closes a connection idle for IDLE_TIMEOUT_MS (${IDLE_MS} ms)`, () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ tlsPort: 0, idleTimeoutMs: IDLE_MS });
  });
  after(() => lab.close());

  for (const [name, open] of HTTP1_PORTS) {
    test(
      `HTTP/1.1 on ${name}: silence is closed without a word, ` +
        `half a head gets 408 request_timeout, an idle keep-alive is closed, a held stream is not`,
      async () => {
        const silent = await open(lab);
        const silentAt = performance.now();
        const silentEnd = ended(silent);
        const half = await open(lab);
        const halfEnd = ended(half);
        half.write('GET /feed/short-poll HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        const halfAt = performance.now();
        const kept = await open(lab);
        const keptEnd = ended(kept);
        kept.write('GET /feed/short-poll HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        const held = await open(lab);
        let heldClosed = false;
        held.on('close', () => (heldClosed = true)).on('error', () => {});
        held.write('GET /feed/sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');

        const s = await silentEnd;
        assert.equal(s.received, '', `${name}: silence gets nothing back`);
        assertOnTime(`${name}, silent`, s.closedAt - silentAt);
        const h = await halfEnd;
        assert.match(h.received, /^HTTP\/1\.1 408 Request Timeout\r\n/, `${name}: a 408 for half a head`);
        assert.match(h.received, /"code":"request_timeout"/, `${name}: with the coded body`);
        assertOnTime(`${name}, half a head`, h.closedAt - halfAt);
        const k = await keptEnd;
        assert.match(k.received, /^HTTP\/1\.1 200 OK\r\n/, `${name}: the request was answered`);
        assert.match(k.received, /keep-alive: timeout=1\r\n/i, `${name}: and the answer announces the same timeout`);
        assertOnTime(`${name}, idle keep-alive`, k.closedAt - k.lastDataAt);
        // The held stream has been open for longer than the timeout by now (the kept connection's answer came after it).
        assert.equal(heldClosed, false, `${name}: a held SSE stream is no idle connection`);
        held.destroy();
      },
    );
  }

  test(
    'HTTP/2: silence and half a request head get GOAWAY NO_ERROR and are closed, ' +
      'so is a connection whose last stream closed; a held stream is not',
    async () => {
      const port = tlsPort('main')(lab);
      const started = performance.now();
      const silent = await RawH2.open(port, { ca: lab.https!.ca, preface: false, ackSettings: false });
      const half = await RawH2.open(port, { ca: lab.https!.ca });
      const block = headerBlock(requestFields('/feed/short-poll'));
      half.send(frame(HEADERS, 0, 1, block.subarray(0, 10))); // no END_HEADERS: the head goes on in a CONTINUATION that never comes
      const halfAt = performance.now();
      const kept = await RawH2.open(port, { ca: lab.https!.ca });
      kept.send(request(1, '/feed/short-poll'));
      await waitFor(() => kept.answered200(1), 'the request on the kept connection is answered');
      const keptAt = performance.now();
      const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
      session.on('error', () => {});
      const sse = session.request({ ':path': '/feed/sse' });
      sse.on('error', () => {});
      await new Promise((resolve) => sse.once('response', resolve));

      for (const [name, raw, since] of [
        ['silent', silent, started],
        ['half a head', half, halfAt],
        ['idle after its stream', kept, keptAt],
      ] as const) {
        await waitFor(() => raw.closed, `${name}: closed`, IDLE_MS + LATE_MS + 1000);
        assertOnTime(`HTTP/2, ${name}`, performance.now() - since);
        assert.equal(raw.goaway()?.code, 'NO_ERROR', `HTTP/2, ${name}: GOAWAY NO_ERROR first (frames: ${raw.answer().join(' ')})`);
      }
      assert.equal(session.closed || session.destroyed, false, 'the session holding an SSE stream is still open');
      session.destroy();
    },
  );
});

describe('MAX_CONNECTIONS counts a connection from accept', () => {
  test(
    'silent TCP connections to the TLS port (no handshake yet) fill the cap for plain HTTP/1.1, ' +
      'and silent plain ones for HTTP/2; closing them frees it',
    async () => {
      const lab = await startLab({ tlsPort: 0, extraPorts: false, maxConnections: 3 });
      const tlsMain = tlsPort('main')(lab);
      const connect = async (port: number) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => {});
        await new Promise((resolve) => socket.once('connect', resolve));
        return socket;
      };
      // One request on a connection of its own, closed after the answer: it holds no place afterwards.
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http
            .get(`${lab.baseUrl}${path}`, { agent: false }, (response) => {
              let body = '';
              response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
              response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
            })
            .on('error', reject);
        });
      try {
        let silent = await Promise.all([1, 2, 3].map(() => connect(tlsMain)));
        await waitFor(() => lab.ctx.connections.open === 3, 'three handshakes not begun hold three places');
        const refused = await get('/feed/short-poll');
        assert.equal(refused.status, 503, 'a plain request past the cap is refused');
        assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'too_many_connections', 'with the coded body');
        for (const socket of silent) socket.destroy();
        await waitFor(() => lab.ctx.connections.open === 0, 'their places are free once they close');
        assert.equal((await get('/feed/short-poll')).status, 200, 'a plain request is served again');

        silent = await Promise.all([1, 2, 3].map(() => connect(lab.port)));
        await waitFor(() => lab.ctx.connections.open === 3, 'three silent plain connections hold three places');
        const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
        session.on('error', () => {});
        const answer = await new Promise<number>((resolve) => {
          const stream = session.request({ ':path': '/feed/short-poll' });
          stream.on('response', (head) => resolve(Number(head[':status'])));
          stream.on('error', () => resolve(0));
        });
        assert.equal(answer, 503, 'an HTTP/2 request past the cap is refused');
        session.destroy();
        for (const socket of silent) socket.destroy();
        await waitFor(() => lab.ctx.connections.open === 0, 'every place is free again');
      } finally {
        await lab.close();
      }
    },
  );
});
