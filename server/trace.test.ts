/**
 * The trace (trace.ts) against /stats: for every transport, over HTTP/1.1 and
 * HTTP/2, the steps a page's wiretap receives add up, head, framing and payload
 * each way, to exactly what /stats counted for that transport, and each step says
 * what it was: a request, a held wait's answer, events with their seqs, heartbeats,
 * pings and pongs, HTTP/2 frames by type, the close.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { TrafficStats } from './stats.ts';
import type { TraceStep } from './trace.ts';
import type { TransportId } from './transports/registry.ts';
import { type RunningLab, delay, startLab, waitFor } from './test-helpers.ts';
import { openWebSocketOverHttp2 } from './http2/websocket.ts';

let lab: RunningLab;
before(async () => {
  lab = await startLab({ tlsPort: 0, heartbeatMs: 150 });
});
after(async () => {
  await lab?.close();
});

/** A page's minted id and the steps its wiretap receives. */
function tracedClient(): { client: string; steps: TraceStep[]; stop: () => void } {
  const steps: TraceStep[] = [];
  const { client, stop } = lab.ctx.wiretap.open((record) => {
    if ('type' in record && record.type === 'step') steps.push(record);
  });
  return { client, steps, stop };
}

type Sums = { in: { head: number; framing: number; payload: number }; out: { head: number; framing: number; payload: number } };

/** The steps of one transport added up per direction (stream 0, the connection's own frames, is not a transport's). */
function sums(steps: TraceStep[], transport: TransportId): Sums {
  const total: Sums = { in: { head: 0, framing: 0, payload: 0 }, out: { head: 0, framing: 0, payload: 0 } };
  for (const step of steps) {
    if (step.transport !== transport || step.stream === 0) continue;
    total[step.dir].head += step.head;
    total[step.dir].framing += step.framing;
    total[step.dir].payload += step.payload;
  }
  return total;
}

const statsSums = (stats: TrafficStats): Sums => ({ in: { ...stats.bytesIn }, out: { ...stats.bytesOut } });

/** Waits until the steps add up to /stats for `transport` over `protocol` (both keep moving until every socket settles). */
async function assertStepsEqualStats(steps: TraceStep[], transport: TransportId, protocol: 'h1' | 'h2'): Promise<void> {
  const stats = () => lab.ctx.stats.snapshot()[transport].protocols[protocol];
  try {
    await waitFor(
      () => JSON.stringify(sums(steps, transport)) === JSON.stringify(statsSums(stats())),
      `${transport} over ${protocol}: the steps add up to /stats`,
      10_000,
    );
  } finally {
    assert.deepEqual(
      sums(steps, transport),
      statsSums(stats()),
      `${transport} over ${protocol}: steps = /stats, both ways, head / framing / payload`,
    );
  }
}

const kinds = (steps: TraceStep[]) => new Set(steps.map((s) => `${s.dir} ${s.what}`));
const seqsOf = (steps: TraceStep[]) => steps.flatMap((s) => s.seqs ?? []);

/** An HTTP/1.1 GET read until `until` says so (then the client closes), or to its end. */
function getH1(url: string, until?: (body: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (until?.(body)) request.destroy();
      });
      response.on('close', () => resolve(body));
    });
    request.on('error', (error) => (until ? undefined : reject(error)));
  });
}

describe('the trace over HTTP/1.1', () => {
  test("short-poll: a request and a whole response per poll, the events' seqs on it, on one keep-alive connection", async () => {
    const { client, steps, stop } = tracedClient();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    lab.ctx.feed.publish('tick', { price: 1 });
    const first = lab.ctx.feed.lastSeq;
    for (const since of [first - 1, first]) {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${lab.baseUrl}/feed/short-poll?since=${since}&client=${client}`, { agent }, (response) =>
            response.resume().on('end', resolve),
          )
          .on('error', reject);
      });
    }
    agent.destroy();
    await assertStepsEqualStats(steps, 'short-poll', 'h1');
    const mine = steps.filter((s) => s.transport === 'short-poll');
    assert.deepEqual(
      mine.map((s) => `${s.dir} ${s.what}`),
      ['in request', 'out response', 'in request', 'out response'],
    );
    assert.equal(new Set(mine.map((s) => s.connection)).size, 1, 'both polls on one connection');
    assert.equal(mine[0].label, `GET /feed/short-poll?since=${first - 1}`, "the request line, without the page's client id");
    assert.deepEqual(mine[1].seqs, [first], 'the first answer carried the event');
    assert.equal(mine[3].seqs, undefined, 'the second was empty');
    assert.ok(
      mine[1].head > 100 && mine[1].payload > 0 && mine[1].framing > 0,
      'a response has a head, the envelope (framing) and the event (payload)',
    );
    stop();
  });

  test('long-poll: the request step when it arrives, the answer when the event comes: the held wait shows', async () => {
    const { client, steps, stop } = tracedClient();
    const since = lab.ctx.feed.lastSeq;
    const answered = getH1(`${lab.baseUrl}/feed/long-poll?since=${since}&timeoutMs=5000&client=${client}`);
    await waitFor(() => steps.length >= 1, 'the held request is a step');
    await delay(120);
    lab.ctx.feed.publish('chat', { name: 'a', text: 'held' });
    await answered;
    await assertStepsEqualStats(steps, 'long-poll', 'h1');
    const [request, response] = steps;
    assert.equal(request.what, 'request');
    assert.equal(response.what, 'response');
    assert.deepEqual(response.seqs, [since + 1]);
    assert.ok(response.at - request.at >= 100, `held ${(response.at - request.at).toFixed(0)} ms between the two steps`);
    stop();
  });

  test('sse and iframe: the response with its preamble, a step per chunk of events, heartbeats, the end', async () => {
    for (const transport of ['sse', 'iframe'] as const) {
      const { client, steps, stop } = tracedClient();
      const since = lab.ctx.feed.lastSeq;
      const query = transport === 'iframe' ? '&cb=onEvent' : '';
      const body = getH1(`${lab.baseUrl}/feed/${transport}?since=${since}&client=${client}${query}`, (text) =>
        text.includes('"text":"third"'),
      );
      await waitFor(() => steps.some((s) => s.what === 'heartbeat'), `${transport}: a heartbeat`);
      for (const text of ['first', 'second', 'third']) lab.ctx.feed.publish('chat', { name: 'a', text });
      await body;
      await waitFor(() => steps.some((s) => s.what === 'end'), `${transport}: the end of the stream`);
      await assertStepsEqualStats(steps, transport, 'h1');
      assert.deepEqual(seqsOf(steps), [since + 1, since + 2, since + 3], `${transport}: every event once, in order`);
      // Node 20 hands each write to the socket; from Node 24 a chunked response sends the
      // writes of one turn as one chunk, and the trace shows the one chunk it was.
      const eventSteps = steps.filter((s) => s.what === 'event').length;
      assert.ok(eventSteps >= 1 && eventSteps <= 3, `${transport}: three events published in one turn are 1 to 3 steps (${eventSteps})`);
      assert.ok(kinds(steps).has('in request') && kinds(steps).has('out response'), `${transport}: ${[...kinds(steps)]}`);
      const response = steps.find((s) => s.what === 'response')!;
      assert.ok(response.head > 100, `${transport}: the response head is on the first step (${response.head} B)`);
      assert.ok(
        steps.filter((s) => s.what === 'event').every((s) => s.head === 0 && s.payload > 0 && s.framing > 0),
        `${transport}: events are framing + payload`,
      );
      stop();
    }
  });

  test('ws: GET and 101, events, a chat message up, ping and pong, the close handshake', async () => {
    const { client, steps, stop } = tracedClient();
    const since = lab.ctx.feed.lastSeq;
    const socket = new WebSocket(`${lab.baseUrl.replace('http', 'ws')}/feed/ws?since=${since}&client=${client}`);
    const seen: string[] = [];
    socket.on('message', (data) => seen.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'chat', name: 'a', text: 'up the socket' }));
    await waitFor(() => seen.some((m) => m.includes('up the socket')), 'the chat comes back');
    await waitFor(() => kinds(steps).has('in pong'), 'a ping answered');
    socket.close(1000);
    await new Promise((resolve) => socket.once('close', resolve));
    await waitFor(() => steps.some((s) => s.what === 'end'), 'the socket is gone');
    await assertStepsEqualStats(steps, 'ws', 'h1');
    for (const kind of ['in request', 'out upgrade', 'in message', 'out event', 'out ping', 'in pong', 'in close', 'out close'])
      assert.ok(kinds(steps).has(kind), `ws: ${kind} in ${[...kinds(steps)]}`);
    const event = steps.find((s) => s.what === 'event')!;
    assert.equal(event.framing, 2, 'a small event costs 2 B of WebSocket framing');
    assert.deepEqual(event.seqs, [since + 1]);
    stop();
  });
});

describe('the trace over HTTP/2', () => {
  /** A session to the lab's HTTP/2 port, and a GET on it read until `until` (then cancelled) or its end. */
  const connect = () => http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
  const get = (session: http2.ClientHttp2Session, path: string, until?: (body: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
        if (until?.(body)) stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on('close', () => resolve(body));
      stream.on('error', reject);
    });

  test("polls and streams: one step per frame, HEADERS as head, events in DATA as payload, a cancelled stream's RST_STREAM", async () => {
    const session = connect();
    const polls = tracedClient();
    const since = lab.ctx.feed.lastSeq;
    lab.ctx.feed.publish('tick', { price: 2 });
    await get(session, `/feed/short-poll?since=${since}&client=${polls.client}`);
    await get(session, `/feed/short-poll?since=${since + 1}&client=${polls.client}`);
    const sse = tracedClient();
    const streamed = get(session, `/feed/sse?since=${since + 1}&client=${sse.client}`, (text) => text.includes('"text":"h2 two"'));
    await waitFor(() => sse.steps.some((s) => s.what === 'heartbeat'), 'an SSE heartbeat over HTTP/2');
    lab.ctx.feed.publish('chat', { name: 'a', text: 'h2 one' });
    lab.ctx.feed.publish('chat', { name: 'a', text: 'h2 two' });
    await streamed;
    await waitFor(() => sse.steps.some((s) => s.what === 'reset'), "the client's RST_STREAM");
    await assertStepsEqualStats(polls.steps, 'short-poll', 'h2');
    await assertStepsEqualStats(sse.steps, 'sse', 'h2');
    const poll = polls.steps.filter((s) => s.stream !== 0);
    assert.deepEqual(
      poll.slice(0, 4).map((s) => `${s.dir} ${s.what} ${s.frame}`),
      ['in request HEADERS', 'out response HEADERS', 'out response DATA', 'out close DATA END_STREAM'],
    );
    assert.deepEqual(poll[2].seqs, [since + 1]);
    assert.ok(poll[1].head > 0 && poll[1].framing === 9, 'a HEADERS frame: its block is head, its 9-byte header framing');
    assert.ok(
      poll.filter((s) => s.what === 'request')[1].head < poll[0].head,
      'HPACK: the repeated request head is smaller than the first',
    );
    assert.deepEqual(seqsOf(sse.steps), [since + 2, since + 3]);
    assert.ok(
      sse.steps.filter((s) => s.what === 'event').every((s) => s.frame === 'DATA' && s.framing > 9 && s.payload > 0),
      'each SSE event is a DATA frame: its header and the SSE lines are framing, the JSON payload',
    );
    assert.ok(sse.steps.some((s) => s.dir === 'in' && s.what === 'reset' && s.frame === 'RST_STREAM'));
    session.close();
    polls.stop();
    sse.stop();
  });

  test("WebSocket over HTTP/2 (RFC 8441): the extended CONNECT, its 200, frames inside DATA, the connection's GOAWAY", async () => {
    const session = connect();
    const { client, steps, stop } = tracedClient();
    const since = lab.ctx.feed.lastSeq;
    const socket = await openWebSocketOverHttp2(session, lab.https!.h2Url, `/feed/ws?since=${since}&client=${client}`);
    const seen: string[] = [];
    socket.on('message', (data: Buffer) => seen.push(String(data)));
    socket.send(JSON.stringify({ type: 'chat', name: 'a', text: 'inside h2' }));
    await waitFor(() => seen.some((m) => m.includes('inside h2')), 'the chat comes back');
    await waitFor(() => kinds(steps).has('in pong'), 'a ping answered inside DATA');
    socket.close(1000);
    await new Promise((resolve) => socket.once('close', resolve));
    session.close();
    await waitFor(() => steps.some((s) => s.what === 'goaway'), 'the session ends with GOAWAY');
    await assertStepsEqualStats(steps, 'ws', 'h2');
    const request = steps.find((s) => s.what === 'request')!;
    assert.equal(request.label, `CONNECT /feed/ws?since=${since}`);
    assert.ok(
      steps.some((s) => s.dir === 'out' && s.what === 'response' && s.frame === 'HEADERS'),
      'the 200 HEADERS',
    );
    for (const kind of ['out event', 'in message', 'out ping', 'in pong', 'in close', 'out close'])
      assert.ok(kinds(steps).has(kind), `ws over h2: ${kind} in ${[...kinds(steps)]}`);
    const event = steps.find((s) => s.what === 'event')!;
    assert.equal(event.framing, 9 + 2, 'a small event over HTTP/2: a DATA header and a WebSocket header');
    assert.ok(
      steps.some((s) => s.stream === 0 && s.frame === 'GOAWAY'),
      "the connection's own GOAWAY, on stream 0",
    );
    stop();
  });
});

test('a page nobody traces gets no steps, and its meters keep no sink', async () => {
  const seen: unknown[] = [];
  const { stop } = lab.ctx.wiretap.open((record) => seen.push(record));
  await (await fetch(`${lab.baseUrl}/feed/short-poll?client=nobody-listens`)).text();
  await (await fetch(`${lab.baseUrl}/feed/short-poll`)).text();
  stop();
  assert.deepEqual(seen, []);
});
