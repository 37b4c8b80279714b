/**
 * The wiretap's guards: its socket passes the Origin check and holds a stream slot
 * as the feed's WebSocket does, over HTTP/1.1 and over HTTP/2 (RFC 8441), and it
 * taps only requests that carry the id the server minted for it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { openWebSocketOverHttp2 } from './http2/websocket.ts';
import { type RunningLab, delay, startLab, waitFor } from './test-helpers.ts';
import type { TapHello, WireRecord } from './wiretap.ts';

/** A wiretap socket: the id the server minted, the records so far, and how it closed. */
interface OpenTap {
  socket: WebSocket;
  client: string;
  records: WireRecord[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Follows a wiretap socket: its first message is the TapHello, then byte records (kept) and trace steps. */
function follow(socket: WebSocket): Promise<OpenTap> {
  const records: WireRecord[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    let client: string | undefined;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as TapHello | WireRecord;
      // Byte records carry `data`; the trace's steps (trace.ts) travel on the same socket.
      if (client !== undefined) return (message as { type?: string }).type === 'step' ? undefined : records.push(message as WireRecord);
      assert.equal((message as TapHello).type, 'tap', 'the first message names the minted id');
      client = (message as TapHello).client;
      resolve({ socket, client, records, closed });
    });
    socket.on('error', reject);
    void closed.then(({ code, reason }) => reject(new Error(`the tap closed before its id came: ${code} ${reason}`)));
  });
}

/** Opens a wiretap over HTTP/1.1. */
function openTap(lab: RunningLab, path = '/wiretap', headers: Record<string, string> = {}): Promise<OpenTap> {
  return follow(new WebSocket(`${lab.baseUrl.replace('http', 'ws')}${path}`, { headers }));
}

/** The answer to a refused HTTP/1.1 upgrade, or 101 when it was accepted. */
function upgradeStatus(lab: RunningLab, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${lab.baseUrl.replace('http', 'ws')}/wiretap`, { headers });
    socket.on('open', () => {
      socket.close();
      resolve({ status: 101 });
    });
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, code: (JSON.parse(body) as { error: { code: string } }).error.code }),
      );
    });
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** A short poll carrying `client`, answered. */
async function poll(lab: RunningLab, client: string, marker: string): Promise<void> {
  const response = await fetch(`${lab.baseUrl}/feed/short-poll?client=${client}&marker=${marker}`);
  assert.equal(response.status, 200, `the poll ${marker} is answered`);
  await response.arrayBuffer();
}

/** How the server closes `socket`; rejects when it stays open (an admitted tap would). */
function closeOf(socket: WebSocket, timeoutMs = 5000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`the server kept the tap open for ${timeoutMs} ms: it was not counted against the cap`));
    }, timeoutMs);
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** Asks for an SSE stream until one is admitted (a slot is given back when a socket's close is seen); drops it. */
async function sseStatusOnceAdmitted(lab: RunningLab, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const abort = new AbortController();
    const response = await fetch(`${lab.baseUrl}/feed/sse`, { signal: abort.signal });
    if (response.status === 200 || Date.now() > deadline) {
      abort.abort();
      return response.status;
    }
    await response.arrayBuffer();
    await delay(20);
  }
}

/** The request lines of the requests a tap saw (the first record of each request is its head, in). */
function requestLines(records: WireRecord[]): string[] {
  return records.filter((r) => r.dir === 'in').map((r) => Buffer.from(r.data, 'base64').toString('latin1').split('\r\n')[0]);
}

describe('the wiretap', () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ tlsPort: 0, extraPorts: false, maxStreamsPerClient: 3 });
  });
  after(async () => {
    await lab?.close();
  });

  test("a foreign Origin is refused before the upgrade over HTTP/1.1, as on the feed's socket; the lab's own is accepted", async () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:1']) {
      assert.deepEqual(await upgradeStatus(lab, { origin }), { status: 403, code: 'foreign_origin' }, `Origin ${origin}`);
    }
    assert.deepEqual(await upgradeStatus(lab, { origin: lab.baseUrl }), { status: 101 }, "the lab's own origin");
    assert.deepEqual(await upgradeStatus(lab, {}), { status: 101 }, 'no Origin (a Node client)');
  });

  test("a foreign Origin is refused over HTTP/2 (RFC 8441); the lab's own is accepted and minted an id", async () => {
    const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
    try {
      await assert.rejects(
        openWebSocketOverHttp2(session, lab.https!.h2Url, '/wiretap', { origin: 'http://evil.example' }),
        /refused with HTTP 403/,
      );
      const socket = await openWebSocketOverHttp2(session, lab.https!.h2Url, '/wiretap', { origin: lab.https!.h2Url });
      const tap = await follow(socket);
      assert.match(tap.client, /^[A-Za-z0-9_-]{22}$/, 'an id of 128 random bits');
      socket.close(1000);
      await tap.closed;
    } finally {
      await new Promise<void>((resolve) => session.close(resolve));
    }
  });

  test('wiretap sockets hold stream slots: past MAX_STREAMS_PER_CLIENT a tap is closed with 1013, and taps crowd out streams', async () => {
    const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
    const taps = [
      await openTap(lab),
      await openTap(lab),
      await follow(await openWebSocketOverHttp2(session, lab.https!.h2Url, '/wiretap')),
    ];
    try {
      // The fourth, over either protocol, is accepted and closed at once with 1013, as the feed's socket is.
      const closeH1 = await closeOf(new WebSocket(`${lab.baseUrl.replace('http', 'ws')}/wiretap`));
      assert.equal(closeH1.code, 1013, 'an HTTP/1.1 tap past the cap');
      assert.match(closeH1.reason, /^too_many_streams/);
      const closeH2 = await closeOf(await openWebSocketOverHttp2(session, lab.https!.h2Url, '/wiretap'));
      assert.equal(closeH2.code, 1013, 'an HTTP/2 tap past the cap');
      // A held stream of the same client is refused too: the taps hold its slots.
      const sse = await fetch(`${lab.baseUrl}/feed/sse`);
      assert.equal(sse.status, 503, 'SSE past the cap');
      assert.equal(((await sse.json()) as { error: { code: string } }).error.code, 'too_many_streams');
      // A closed tap gives its slot back.
      taps[0].socket.close(1000);
      await taps[0].closed;
      assert.equal(await sseStatusOnceAdmitted(lab), 200, 'an SSE stream is admitted once a tap closed');
    } finally {
      for (const tap of taps) tap.socket.close(1000);
      await new Promise<void>((resolve) => session.close(resolve));
    }
  });

  test('only the id the server minted taps, only for the socket it was minted for, and only while that socket is open', async () => {
    const a = await openTap(lab);
    // An id asked for in the URL is not taken: the server mints its own.
    const b = await openTap(lab, '/wiretap?client=chosenbypage');
    try {
      assert.notEqual(a.client, b.client, 'each socket gets its own id');
      assert.notEqual(b.client, 'chosenbypage', 'a page cannot choose its id');
      assert.match(a.client, /^[A-Za-z0-9_-]{22}$/);

      // An id the server never minted taps nothing; a minted one taps for its own socket only.
      await poll(lab, 'chosenbypage', 'guessed');
      await poll(lab, a.client, 'a');
      await poll(lab, b.client, 'b');
      await waitFor(() => a.records.some((r) => r.dir === 'out') && b.records.some((r) => r.dir === 'out'), 'both taps saw their answers');
      assert.deepEqual(
        requestLines(a.records),
        [`GET /feed/short-poll?client=${a.client}&marker=a HTTP/1.1`],
        'tap a saw its own request, and nothing else',
      );
      assert.deepEqual(
        requestLines(b.records),
        [`GET /feed/short-poll?client=${b.client}&marker=b HTTP/1.1`],
        'tap b saw its own request, and nothing else',
      );

      // Once a's socket closes its id is dead: a request carrying it is served and tapped by nobody.
      const seenByA = a.records.length;
      a.socket.close(1000);
      await a.closed;
      await waitFor(() => lab.ctx.wiretap.listening === 1, 'the closed tap is forgotten');
      await poll(lab, a.client, 'a-after-close');
      await poll(lab, b.client, 'b-again');
      await waitFor(() => requestLines(b.records).length === 2, 'tap b saw its second request');
      assert.deepEqual(
        requestLines(b.records)[1],
        `GET /feed/short-poll?client=${b.client}&marker=b-again HTTP/1.1`,
        "the dead id's request reached no tap",
      );
      assert.equal(a.records.length, seenByA, 'the closed tap got nothing more');
    } finally {
      a.socket.close(1000);
      b.socket.close(1000);
      await Promise.all([a.closed, b.closed]);
    }
  });

  test('a plain GET on /wiretap is told to upgrade', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${lab.baseUrl}/wiretap`, (response) => {
          response.resume();
          resolve(response.statusCode!);
        })
        .on('error', reject);
    });
    assert.equal(status, 426);
  });
});
