/**
 * Dead peers and idle middleboxes. A connection whose peer is gone without a FIN
 * or RST (a NAT that forgot it, a peer that vanished) must be found and freed by
 * the heartbeat: WebSocket pings that go unanswered, stream writes that meet a
 * reset. And a middlebox that cuts idle connections must not break a stream that
 * has a heartbeat shorter than its idle timeout; without one, the drivers
 * reconnect and resume with nothing lost.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { DRIVERS } from './clients/index.ts';
import type { Connection } from './clients/common.ts';
import type { FeedEvent } from './feed.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { idleProxy } from './listeners.ts';
import type { TransportStats } from './stats.ts';
import { type RunningLab, delay, startLab, waitFor } from './test-helpers.ts';

/**
 * Short, so that each case takes a second or two. The dead-peer connections ask
 * for it with `?heartbeatMs=`; the drivers, which take no query of their own, get
 * it as the lab's default.
 */
const HEARTBEAT_MS = 200;
/**
 * What a busy shared 2-core machine may add to a timer: generous, because the
 * assertions are about "found and freed, soon" against "never", not about speed.
 */
const SLACK_MS = 1000;
/**
 * A WebSocket peer that vanished is terminated at the second tick after it went:
 * the first tick's ping gets no pong, the second finds it missing. A third
 * interval covers a ping that was already on its way when the peer vanished.
 */
const WS_DEAD_BOUND_MS = 3 * HEARTBEAT_MS + SLACK_MS;
/** A peer a NAT forgot is freed by the lab's next write: the reset comes back at once. */
const RESET_BOUND_MS = 2 * HEARTBEAT_MS + SLACK_MS;
/** How long a quiet connection lasts through the test's idle-cutting proxy (the lab's own uses IDLE_PROXY_MS, 3 s). */
const IDLE_MS = 600;
/** Quiet time in the survival case: five idle timeouts, each of which would have cut a stream without heartbeats. */
const QUIET_MS = 5 * IDLE_MS;

async function transportStats(lab: RunningLab): Promise<Record<string, TransportStats>> {
  const response = await fetch(`${lab.baseUrl}/stats`);
  return ((await response.json()) as { transports: Record<string, TransportStats> }).transports;
}

/** Whether the lab holds nothing for anyone: no subscriber, no stream or socket to close. */
const idle = (lab: RunningLab) => lab.ctx.feed.subscriberCount === 0 && lab.ctx.closers.size === 0;

/** A WebSocket through `port` that asks for the short heartbeat; counts the pings it answers (ws pongs by itself). */
async function openWs(port: number): Promise<{ socket: WebSocket; pings: () => number }> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/feed/ws?heartbeatMs=${HEARTBEAT_MS}`);
  let pings = 0;
  socket.on('ping', () => pings++);
  socket.on('error', () => {}); // the proxy cuts this socket on purpose
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, pings: () => pings };
}

/** A held SSE or iframe stream through `port` with the short heartbeat; its body so far. */
function holdStream(port: number, id: 'sse' | 'iframe'): Promise<{ request: http.ClientRequest; body: () => string }> {
  const url = `http://127.0.0.1:${port}/feed/${id}?${id === 'iframe' ? 'cb=f&' : ''}heartbeatMs=${HEARTBEAT_MS}`;
  return new Promise((resolve, reject) => {
    let text = '';
    const request = http.get(url, { agent: false }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`${id}: the stream did not open (HTTP ${response.statusCode})`));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', () => {}); // the proxy cuts this stream on purpose
      resolve({ request, body: () => text });
    });
    request.on('error', reject);
  });
}

/** The number of heartbeats in a stream's body: SSE comment lines, or the iframe's keep-alive chunks. */
const heartbeats = (body: string) => (body.match(/: heartbeat\n\n|<!-- keep-alive -->/g) ?? []).length;

describe('dead peers: the heartbeat finds half-open connections and frees them', () => {
  test('WebSocket: a peer that vanished (no pong, no FIN, no RST) is terminated after a missed pong', async () => {
    const lab = await startLab({ extraPorts: false });
    const proxy = await startFaultProxy(lab.port);
    let client: WebSocket | undefined;
    try {
      const ws = await openWs(proxy.port);
      client = ws.socket;
      await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'the WebSocket follows the feed');
      // A live peer answers every ping and is never mistaken for a dead one. Half an
      // interval more, so that the peer vanishes between two pings, not as one leaves.
      await delay(5.5 * HEARTBEAT_MS);
      assert.ok(ws.pings() >= 3, `the lab pinged at the interval the client asked for (${ws.pings()} pings in ${5.5 * HEARTBEAT_MS} ms)`);
      assert.equal(lab.ctx.counters.deadPeersTerminated, 0, 'a peer that answers its pings is alive');

      proxy.blackholeAll();
      const startedAt = Date.now();
      await waitFor(() => idle(lab), `the lab terminated the vanished peer (bound ${WS_DEAD_BOUND_MS} ms)`, WS_DEAD_BOUND_MS);
      const freedMs = Date.now() - startedAt;
      assert.equal(lab.ctx.counters.deadPeersTerminated, 1, 'counted as a dead peer for /stats');
      await waitFor(() => lab.ctx.stats.transports.ws.connectionsOpen === 0, 'the socket closed');
      assert.equal((await transportStats(lab)).ws.connectionsOpen, 0, '/stats shows no WebSocket open');
      console.log(`vanished WebSocket peer freed after ${freedMs} ms (heartbeat ${HEARTBEAT_MS} ms)`);
    } finally {
      client?.terminate();
      await proxy.close();
      await lab.close();
    }
  });

  test('WebSocket: a peer a NAT forgot is freed when the next ping meets a reset', async () => {
    const lab = await startLab({ extraPorts: false });
    const proxy = await startFaultProxy(lab.port);
    let client: WebSocket | undefined;
    try {
      const ws = await openWs(proxy.port);
      client = ws.socket;
      await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'the WebSocket follows the feed');
      // Nothing is published: only the heartbeat writes to this socket.
      proxy.forgetAll();
      const startedAt = Date.now();
      await waitFor(() => idle(lab), `the lab freed the forgotten connection (bound ${RESET_BOUND_MS} ms)`, RESET_BOUND_MS);
      const freedMs = Date.now() - startedAt;
      await waitFor(() => lab.ctx.stats.transports.ws.connectionsOpen === 0, 'the socket closed');
      assert.equal((await transportStats(lab)).ws.connectionsOpen, 0, '/stats shows no WebSocket open');
      console.log(`forgotten WebSocket freed after ${freedMs} ms (heartbeat ${HEARTBEAT_MS} ms)`);
    } finally {
      client?.terminate();
      await proxy.close();
      await lab.close();
    }
  });

  test('SSE and iframe: streams a NAT forgot are freed when the next heartbeat meets a reset', async () => {
    const lab = await startLab({ extraPorts: false });
    const proxy = await startFaultProxy(lab.port);
    const requests: http.ClientRequest[] = [];
    try {
      const streams = await Promise.all((['sse', 'iframe'] as const).map(async (id) => ({ id, ...(await holdStream(proxy.port, id)) })));
      requests.push(...streams.map((s) => s.request));
      await waitFor(() => lab.ctx.feed.subscriberCount === 2, 'both streams follow the feed');
      for (const s of streams)
        await waitFor(() => heartbeats(s.body()) >= 2, `${s.id}: heartbeats arrive at the interval the client asked for`);
      // Nothing is published: only the heartbeat writes to these sockets.
      proxy.forgetAll();
      const startedAt = Date.now();
      await waitFor(() => idle(lab), `the lab freed both forgotten streams (bound ${RESET_BOUND_MS} ms)`, RESET_BOUND_MS);
      const freedMs = Date.now() - startedAt;
      await waitFor(
        () => lab.ctx.stats.transports.sse.connectionsOpen + lab.ctx.stats.transports.iframe.connectionsOpen === 0,
        'the sockets closed',
      );
      const stats = await transportStats(lab);
      assert.equal(stats.sse.connectionsOpen, 0, '/stats shows no SSE stream open');
      assert.equal(stats.iframe.connectionsOpen, 0, '/stats shows no iframe stream open');
      console.log(`forgotten SSE and iframe streams freed after ${freedMs} ms (heartbeat ${HEARTBEAT_MS} ms)`);
    } finally {
      for (const request of requests) request.destroy();
      await proxy.close();
      await lab.close();
    }
  });
});

/** A driver of each streaming transport through `port`, recording its events and how often it opened. */
function streamingClients(port: number) {
  return (['sse', 'iframe', 'ws'] as const).map((id) => {
    const client = { id, events: [] as FeedEvent[], opens: 0, connection: undefined as unknown as Connection };
    client.connection = DRIVERS[id]({
      baseUrl: `http://127.0.0.1:${port}`,
      since: 0,
      // One socket per client: a reconnect shows up as a new connection at the proxy.
      agent: id === 'ws' ? undefined : new http.Agent({ keepAlive: true, maxSockets: 1 }),
      onEvent: (event) => client.events.push(event),
      onState: (state) => {
        if (state === 'open') client.opens++;
      },
    });
    return client;
  });
}

/** An idle-cutting middlebox (listeners.ts) in front of the lab, counting the connections it carries and cuts. */
async function startIdleProxy(lab: RunningLab) {
  const server = idleProxy('127.0.0.1', lab.port, IDLE_MS);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    sockets,
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

const seqs = (events: readonly FeedEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('an idle-cutting middlebox', () => {
  test('with a heartbeat shorter than its idle timeout, SSE, iframe and WebSocket streams survive long quiet spells', async () => {
    const lab = await startLab({ heartbeatMs: HEARTBEAT_MS, extraPorts: false });
    const proxy = await startIdleProxy(lab);
    const clients = streamingClients(proxy.port);
    try {
      await waitFor(() => lab.ctx.feed.subscriberCount === clients.length, 'every driver follows the feed');
      for (let i = 0; i < 3; i++) lab.ctx.feed.publish('tick', { i });
      await waitFor(() => clients.every((c) => c.connection.lastSeq === 3), 'every driver has the first events');
      await delay(QUIET_MS);
      for (let i = 3; i < 6; i++) lab.ctx.feed.publish('tick', { i });
      await waitFor(() => clients.every((c) => c.connection.lastSeq === 6), 'every driver has the events after the quiet spell');
      for (const c of clients) {
        assert.equal(
          c.opens,
          1,
          `${c.id}: one connection through ${QUIET_MS} ms of quiet (the middlebox cuts after ${IDLE_MS} ms), never cut`,
        );
        assert.deepEqual(seqs(c.events), range(1, 6), `${c.id}: every seq once, in order`);
      }
      assert.equal(proxy.connections(), clients.length, 'the middlebox carried one connection per driver: none was cut and reopened');
    } finally {
      await Promise.all(clients.map((c) => c.connection.close()));
      await proxy.close();
      await lab.close();
    }
  });

  test('without a heartbeat it cuts them, and the drivers reconnect and resume: every seq once, in order', async () => {
    // The drivers ask for no heartbeat of their own, so the lab's default is none: each
    // connection gets what `?heartbeatMs=0` asks for.
    const lab = await startLab({ heartbeatMs: 0, extraPorts: false });
    const proxy = await startIdleProxy(lab);
    // The moment the middlebox cuts a connection, an event is published: the lab may still
    // write it to the dead connection, and the driver must get it back by resuming.
    let published = 0;
    let stopped = false;
    proxy.server.on('connection', (socket: net.Socket) => {
      socket.once('close', () => {
        if (!stopped) lab.ctx.feed.publish('tick', { at: 'cut', n: ++published });
      });
    });
    const clients = streamingClients(proxy.port);
    const ROUNDS = 3;
    try {
      await waitFor(() => lab.ctx.feed.subscriberCount === clients.length, 'every driver follows the feed');
      for (let round = 1; round <= ROUNDS; round++) {
        lab.ctx.feed.publish('tick', { round });
        // Then quiet: the middlebox cuts every connection, and every driver comes back.
        await waitFor(
          () => clients.every((c) => c.opens > round),
          `round ${round}: every driver was cut and reconnected`,
          5 * IDLE_MS + SLACK_MS,
        );
      }
      stopped = true;
      const lastSeq = lab.ctx.feed.lastSeq;
      await waitFor(
        () => clients.every((c) => c.connection.lastSeq === lastSeq),
        'every driver caught up with the last seq',
        5 * IDLE_MS + SLACK_MS,
      );
      assert.ok(published >= ROUNDS * clients.length, `events were published at the cuts (${published})`);
      for (const c of clients)
        assert.deepEqual(seqs(c.events), range(1, lastSeq), `${c.id}: every seq once, in order, across ${c.opens} connections`);
      console.log(
        `idle middlebox without heartbeat: ${lastSeq} events, ${published} published at ` +
          `cuts; connections per driver ${JSON.stringify(clients.map((c) => [c.id, c.opens]))}`,
      );
    } finally {
      stopped = true;
      await Promise.all(clients.map((c) => c.connection.close()));
      await proxy.close();
      await lab.close();
    }
  });
});
