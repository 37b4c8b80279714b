/**
 * Limits: past the global connection cap or one client's held-stream cap the lab
 * answers 503 with Retry-After (a WebSocket: close 1013) and keeps serving
 * everyone else; the per-client default is generous (64); chat posts are
 * rate-limited per client over both doors.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, test } from 'node:test';
import WebSocket from 'ws';
import { RETRY_AFTER_S, countersOf } from './limits.ts';
import { type RunningLab, startLab, waitFor } from './test-helpers.ts';

/** An open HTTP request: its status and headers, its body so far, and how to drop it. */
interface Held {
  status: number;
  headers: http.IncomingHttpHeaders;
  body(): string;
  close(): void;
}

/** GETs `path` and resolves once the head arrives, leaving the response open (a stream stays held). */
function hold(lab: RunningLab, path: string, { agent, localAddress }: { agent?: http.Agent; localAddress?: string } = {}): Promise<Held> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${lab.baseUrl}${path}`,
      { agent: agent ?? new http.Agent({ keepAlive: false }), localAddress },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', () => {});
        resolve({ status: response.statusCode!, headers: response.headers, body: () => text, close: () => request.destroy() });
      },
    );
    request.on('error', reject);
  });
}

/** Sends a long poll that the server will hold (no head comes until it answers); returns how to drop it. */
function holdPoll(lab: RunningLab): { close(): void } {
  // types=tick: the tests' chat posts must not answer it.
  const request = http.get(
    `${lab.baseUrl}/feed/long-poll?timeoutMs=30000&types=tick`,
    { agent: new http.Agent({ keepAlive: false }) },
    (response) => response.resume(),
  );
  request.on('error', () => {});
  return { close: () => request.destroy() };
}

/** Resolves once the body has fully arrived (for refusals, which are short and end). */
async function refusal(held: Held): Promise<{ code: string; message: string }> {
  await waitFor(() => held.body().endsWith('}}'), 'the whole error body');
  return (JSON.parse(held.body()) as { error: { code: string; message: string } }).error;
}

/** Opens a WebSocket; resolves with it once open, or with the close code and reason if the server closes it first. */
function openWs(
  lab: RunningLab,
  { localAddress }: { localAddress?: string } = {},
): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${lab.baseUrl.replace('http', 'ws')}/feed/ws`, { localAddress });
    const closed = new Promise<{ code: number; reason: string }>((done) =>
      ws.on('close', (code, reason) => done({ code, reason: reason.toString() })),
    );
    ws.on('open', () => resolve({ ws, closed }));
    ws.on('error', reject);
  });
}

async function expectRefused(held: Held, code: string, what: string) {
  assert.equal(held.status, 503, `${what}: 503`);
  assert.equal(held.headers['retry-after'], String(RETRY_AFTER_S), `${what}: Retry-After`);
  assert.equal((await refusal(held)).code, code, `${what}: coded body`);
}

describe('the per-client cap on held streams', () => {
  let lab: RunningLab;
  const open: { close(): void }[] = [];
  after(async () => {
    for (const o of open) o.close();
    await lab?.close();
  });

  test('past the cap, long-poll, iframe and SSE get 503 with Retry-After and WebSocket gets 1013; others are served', async () => {
    lab = await startLab({ maxStreamsPerClient: 4, extraPorts: false });
    // Four held streams, one of each held transport.
    const sse = await hold(lab, '/feed/sse');
    const iframe = await hold(lab, '/feed/iframe?cb=f');
    const poll = holdPoll(lab);
    const { ws } = await openWs(lab);
    open.push(sse, iframe, poll, { close: () => ws.terminate() });
    assert.equal(sse.status, 200, 'first stream');
    // The held long poll listens without following: three followers, and the poll's wait.
    await waitFor(() => lab.ctx.feed.subscriberCount === 4, 'four held streams');

    await expectRefused(await hold(lab, '/feed/sse'), 'too_many_streams', 'fifth: SSE');
    await expectRefused(await hold(lab, '/feed/iframe?cb=f'), 'too_many_streams', 'fifth: iframe');
    await expectRefused(await hold(lab, '/feed/long-poll?timeoutMs=30000'), 'too_many_streams', 'fifth: long poll');
    const refusedWs = await openWs(lab);
    const { code, reason } = await refusedWs.closed;
    assert.equal(code, 1013, 'fifth: WebSocket closed with 1013 try again later');
    assert.equal(reason, `too_many_streams: retry in ${RETRY_AFTER_S} s`, 'the close reason names the cap and the wait');
    assert.equal(countersOf(lab.ctx).streamsRefused, 4, 'each refusal counted for /stats');

    const shortPoll = await hold(lab, '/feed/short-poll');
    assert.equal(shortPoll.status, 200, 'a short poll holds nothing and is served');
    const chat = await fetch(`${lab.baseUrl}/feed/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"still here"}',
    });
    assert.equal(chat.status, 201, 'chat is served');
    const other = await hold(lab, '/feed/sse', { localAddress: '127.0.0.2' });
    open.push(other);
    assert.equal(other.status, 200, 'another client (127.0.0.2) is served');

    sse.close();
    await waitFor(() => lab.ctx.feed.subscriberCount === 4, 'the closed stream freed its slot');
    const again = await hold(lab, '/feed/sse');
    open.push(again);
    assert.equal(again.status, 200, 'a freed slot is taken again');
    ws.terminate();
    await waitFor(() => lab.ctx.feed.subscriberCount === 4, 'the WebSocket freed its slot');
    const wsAgain = await openWs(lab);
    open.push({ close: () => wsAgain.ws.terminate() });
    await waitFor(() => lab.ctx.feed.subscriberCount === 5, 'the new WebSocket follows the feed');
    assert.equal(countersOf(lab.ctx).streamsRefused, 4, 'a WebSocket took the freed slot, not a refusal');
  });

  test('the default lets one client hold 64 streams (the board and every lesson), and refuses the 65th', async () => {
    const roomy = await startLab({ extraPorts: false });
    const held: { close(): void }[] = [];
    try {
      for (let i = 0; i < 16; i++) {
        for (const path of ['/feed/sse', '/feed/iframe?cb=f']) {
          const stream = await hold(roomy, path);
          held.push(stream);
          assert.equal(stream.status, 200, `${path} #${i + 1} is served`);
        }
        held.push(holdPoll(roomy));
        const { ws } = await openWs(roomy);
        held.push({ close: () => ws.terminate() });
      }
      await waitFor(() => roomy.ctx.feed.subscriberCount === 64, '64 held: 16 each of SSE, iframe, long poll and WebSocket');
      assert.equal(countersOf(roomy.ctx).streamsRefused, 0, 'none of the 64 was refused');
      await expectRefused(await hold(roomy, '/feed/sse'), 'too_many_streams', 'the 65th');
    } finally {
      for (const h of held) h.close();
      await roomy.close();
    }
  });
});

describe('the global connection cap', () => {
  test(
    'past MAX_CONNECTIONS a new connection gets 503 (WebSocket ' + '1013); admitted ones keep working; a freed place is taken again',
    async () => {
      const lab = await startLab({ maxConnections: 3, extraPorts: false });
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const opened: { close(): void }[] = [];
      try {
        const first = await hold(lab, '/feed/sse');
        const second = await hold(lab, '/feed/iframe?cb=f');
        opened.push(first, second);
        const polled = await hold(lab, '/feed/short-poll', { agent: keepAlive }); // the third connection, kept alive
        assert.equal(polled.status, 200, 'third connection');

        const fourth = await hold(lab, '/feed/short-poll');
        await expectRefused(fourth, 'too_many_connections', 'a fourth connection');
        assert.equal(fourth.headers.connection, 'close', 'the refused connection is not kept');
        const ws = await openWs(lab);
        const { code, reason } = await ws.closed;
        assert.equal(code, 1013, 'a WebSocket past the cap closes with 1013');
        assert.match(reason, /^too_many_connections: retry in \d+ s$/, 'and says why');
        assert.equal(countersOf(lab.ctx).connectionsRefused, 2, 'both refusals counted');

        const again = await hold(lab, '/feed/short-poll', { agent: keepAlive });
        assert.equal(again.status, 200, 'an admitted keep-alive connection is still served at the cap');

        first.close();
        await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'the closed stream is gone');
        await waitFor(() => lab.ctx.stats.transports.sse.connectionsOpen === 0, 'its socket closed');
        const later = await hold(lab, '/feed/sse');
        opened.push(later);
        assert.equal(later.status, 200, 'a freed place is taken by a new connection');
      } finally {
        for (const o of opened) o.close();
        keepAlive.destroy();
        await lab.close();
      }
    },
  );
});

describe('chat rate limit over WebSocket', () => {
  test('past CHAT_RATE a WebSocket chat gets a rate_limited error frame and is not published; the socket stays open', async () => {
    const lab = await startLab({ chatRate: 2, extraPorts: false });
    try {
      const { ws } = await openWs(lab);
      const frames: { type: string; error?: { code: string } }[] = [];
      ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
      for (const text of ['one', 'two', 'three']) ws.send(JSON.stringify({ type: 'chat', text }));
      await waitFor(() => frames.length === 3, 'three answers');
      assert.deepEqual(
        frames.map((f) => f.error?.code ?? f.type),
        ['chat', 'chat', 'rate_limited'],
        'the third message is refused',
      );
      assert.equal(lab.ctx.feed.lastSeq, 2, 'the refused message was not published');
      const posted = await fetch(`${lab.baseUrl}/feed/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"text":"four"}',
      });
      assert.equal(posted.status, 429, 'the same client over HTTP shares the limit');
      assert.equal(posted.headers.get('retry-after'), '10', 'with Retry-After');
      assert.equal(ws.readyState, WebSocket.OPEN, 'the socket stays open');
      ws.close();
    } finally {
      await lab.close();
    }
  });
});
