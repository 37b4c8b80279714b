/**
 * Slow readers: a client that stops reading must not grow the lab's memory
 * without bound. Past MAX_QUEUED_BYTES of unsent backlog a stream is ended (SSE,
 * iframe) or closed with 1013 (WebSocket), the client resumes with `since`, and
 * after SLOW_READER_GRACE_MS a reader that took neither is cut off.
 *
 * Three hundred stalled clients (a hundred each of WebSocket, SSE and iframe:
 * raw sockets that send their request and stop reading) and one healthy driver
 * per streaming transport follow a fast publisher of 4 KiB events. The bound is
 * on what the cap bounds: the bytes the lab's sockets hold unsent.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { DRIVERS } from './clients/index.ts';
import type { Connection } from './clients/common.ts';
import type { FeedEvent } from './feed.ts';
import { slowReaderDropped } from './limits.ts';
import { type Streaming, kernelQueuedBytes, readAgain, stall } from './stalled-reader.ts';
import { startLab, waitFor } from './test-helpers.ts';

const STREAMING: readonly Streaming[] = ['ws', 'sse', 'iframe'];

const STALLED_PER_TRANSPORT = 100;
const STALLED = STALLED_PER_TRANSPORT * STREAMING.length;
const HEALTHY = STREAMING.length;

/** Small, so that the bound below is tight enough to mean something (the default is 1 MiB). */
const MAX_QUEUED_BYTES = 64 * 1024;
/**
 * The grace a dropped reader gets here (the lab's default is 2 s): 150 prompt readers
 * each read some megabytes from the kernel's buffers before the goodbye, all in this
 * one process, which on two loaded cores takes longer than the default allows.
 */
const SLOW_READER_GRACE_MS = 8000;
/** Each event carries this much data: few events fill a socket. */
const DATA_BYTES = 4 * 1024;
/**
 * The largest frame one event makes on any wire: its JSON (~4.2 KB here) as SSE lines, a `<script>` chunk
 * or a WebSocket frame, plus HTTP chunk framing.
 */
const ONE_FRAME_BYTES = 8 * 1024;
/**
 * The bound on the lab's unsent bytes, summed over its sockets. A stream writes
 * only while its backlog is at most MAX_QUEUED_BYTES, so it holds at most that
 * and one frame; what it writes after the cap (the iframe's epilogue, the end of
 * the chunked body, a close frame) is a few bytes. The healthy clients live under
 * the same cap, so every connection counts. Without the cap a stalled socket's
 * backlog grows by a frame per event, and the sum passes this within a few dozen
 * events of the kernel's buffers filling up.
 */
const QUEUED_BOUND_BYTES = (STALLED + HEALTHY) * (MAX_QUEUED_BYTES + ONE_FRAME_BYTES);
/**
 * What the kernel may still hold for the lab's connections once the stalled ones
 * are cut off and the healthy ones have read everything: nothing, give or take a
 * heartbeat. A stalled connection closed with unsent data would stay behind as
 * an orphan holding its whole send queue (some 4 MB on loopback) for as long as
 * the peer keeps its window shut; the lab resets it instead, which drops the queue.
 */
const KERNEL_LEFT_BOUND_BYTES = 1024 * 1024;

/**
 * A loopback socket takes about 4 MB before Node queues a byte (the server's
 * send buffer grows to tcp_wmem's maximum), so a stalled reader is dropped after
 * some 1,000 events. Past this many the test gives up: something is wrong.
 */
const MAX_EVENTS = 6000;
/** Events per publishing step; a step fans out to every socket, some 1,200 writes. */
const EVENTS_PER_STEP = 4;
/**
 * The healthy clients' p99 delivery latency. They share the process, and so the
 * event loop, with the lab, the publisher and the prompt readers taking their
 * megabytes: an event waits for its step's fan-out to three hundred sockets (p99
 * was about 25 ms on a quiet 2-core box, near 300 ms with other suites running).
 * A healthy client that was dropped is caught by its count of connections, not
 * here; this bound catches one starved behind the stalled ones for seconds.
 */
const LATENCY_P99_MS = 1000;
/** Timers on a busy shared machine slip: how long past the grace the lab may take to cut a socket. */
const SLACK_MS = 3000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const tally = (endings: string[]) => {
  const counts = new Map<string, number>();
  for (const ending of endings) counts.set(ending, (counts.get(ending) ?? 0) + 1);
  return counts;
};

test(
  'three hundred stalled readers are dropped, the lab queues a bounded number of bytes, ' +
    'healthy clients keep every event and their latency',
  async () => {
    const lab = await startLab({
      maxQueuedBytes: MAX_QUEUED_BYTES,
      slowReaderGraceMs: SLOW_READER_GRACE_MS,
      bufferSize: MAX_EVENTS,
      // Every client here comes from 127.0.0.1: the per-client cap (64) is another defense, not this one.
      maxStreamsPerClient: 0,
      // The iframe's byte limit would end a stalled iframe before the cap is reached; here the cap must act.
      iframeMaxBytes: 1 << 30,
      extraPorts: false,
    });
    const { ctx } = lab;
    // The lab's side of every connection: the sockets whose backlog the cap bounds.
    const serverSockets = new Set<net.Socket>();
    lab.app.server.on('connection', (socket: net.Socket) => {
      serverSockets.add(socket);
      socket.once('close', () => serverSockets.delete(socket));
    });
    const queuedBytes = () => {
      let sum = 0;
      for (const socket of serverSockets) sum += socket.writableLength;
      return sum;
    };

    // Half of each transport's stalled clients read again as soon as they are dropped, within the
    // grace; the other half only once the lab has cut them off.
    const stalled: { id: Streaming; socket: net.Socket; prompt: boolean }[] = [];
    const healthy: { id: Streaming; events: FeedEvent[]; latenciesMs: number[]; opens: number; connection: Connection }[] = [];
    try {
      for (const id of STREAMING) {
        const sockets = await Promise.all(Array.from({ length: STALLED_PER_TRANSPORT }, () => stall(lab.port, id)));
        for (const [index, socket] of sockets.entries()) {
          // A stalled socket learns nothing until it reads; an error found then must not throw.
          socket.on('error', () => {});
          stalled.push({ id, socket, prompt: index % 2 === 0 });
        }
      }
      for (const id of STREAMING) {
        const client = {
          id,
          events: [] as FeedEvent[],
          latenciesMs: [] as number[],
          opens: 0,
          connection: undefined as unknown as Connection,
        };
        client.connection = DRIVERS[id]({
          baseUrl: lab.baseUrl,
          since: 0,
          onEvent: (event, receivedAt) => {
            client.events.push(event);
            client.latenciesMs.push(receivedAt - event.at);
          },
          onState: (state) => {
            if (state === 'open') client.opens++;
          },
        });
        healthy.push(client);
      }
      await waitFor(() => ctx.feed.subscriberCount === STALLED + HEALTHY, 'every stalled and healthy client follows the feed', 15_000);

      // A prompt reader reads again the moment the lab drops it, as a reader that is
      // only slow would: its grace is its own and starts then, so on a loaded machine a
      // long publishing loop must not spend it (the channel names the lab's socket; the
      // client's is the one whose local port is its remote port).
      const promptByPort = new Map(stalled.filter((s) => s.prompt).map((s) => [s.socket.localPort, s]));
      const promptReads = new Map<net.Socket, Promise<string>>();
      const onDropped = (message: unknown) => {
        const { carrier } = message as { carrier: unknown };
        const reader = carrier instanceof net.Socket ? promptByPort.get(carrier.remotePort) : undefined;
        if (reader && !promptReads.has(reader.socket)) {
          promptReads.set(
            reader.socket,
            readAgain(reader.id, reader.socket).then((ending) => `${reader.id}: ${ending}`),
          );
        }
      };
      slowReaderDropped.subscribe(onDropped);
      const rssBeforeBytes = process.memoryUsage().rss;
      let peakQueuedBytes = 0;
      let peakRssBytes = rssBeforeBytes;
      const pad = 'x'.repeat(DATA_BYTES);
      const startedAt = Date.now();
      while (ctx.counters.slowReadersDropped < STALLED && ctx.feed.lastSeq < MAX_EVENTS) {
        for (let i = 0; i < EVENTS_PER_STEP; i++) ctx.feed.publish('tick', { pad });
        // Right after a fan-out is when the backlog peaks: measure there.
        const queued = queuedBytes();
        peakQueuedBytes = Math.max(peakQueuedBytes, queued);
        peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
        assert.ok(
          queued <= QUEUED_BOUND_BYTES,
          `after seq ${ctx.feed.lastSeq} the lab holds ${queued} unsent bytes, over the bound of ${QUEUED_BOUND_BYTES} ` +
            `(${STALLED + HEALTHY} connections x (${MAX_QUEUED_BYTES} + ${ONE_FRAME_BYTES}))`,
        );
        // setImmediate, not a timer: the healthy clients read between steps, and the publisher stays fast.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const publishMs = Date.now() - startedAt;
      const lastSeq = ctx.feed.lastSeq;
      assert.equal(
        ctx.counters.slowReadersDropped,
        STALLED,
        `every stalled client was dropped, and no healthy one (after ${lastSeq} events)`,
      );
      await waitFor(() => ctx.feed.subscriberCount === HEALTHY && ctx.closers.size === HEALTHY, 'only the healthy clients follow the feed');

      slowReaderDropped.unsubscribe(onDropped);
      const promptEndings = Promise.all([...promptReads.values()]);
      assert.equal(promptReads.size, stalled.filter((s) => s.prompt).length, 'every prompt reader was told of its own drop');
      await waitFor(
        () => serverSockets.size === HEALTHY,
        `the lab cut off every stalled socket within the grace (${SLOW_READER_GRACE_MS} ms); ${serverSockets.size - HEALTHY} left`,
        SLOW_READER_GRACE_MS + SLACK_MS,
      );
      const lateEndings = Promise.all(
        stalled.filter((s) => !s.prompt).map((s) => readAgain(s.id, s.socket).then((ending) => `${s.id}: ${ending}`)),
      );
      assert.equal(
        ctx.stats.transports.ws.connectionsOpen + ctx.stats.transports.sse.connectionsOpen + ctx.stats.transports.iframe.connectionsOpen,
        HEALTHY,
        '/stats counts only the healthy connections as open',
      );

      await waitFor(() => healthy.every((c) => c.connection.lastSeq === lastSeq), 'every healthy client caught up', 10_000);
      const kernelLeftBytes = kernelQueuedBytes(lab.port);
      if (kernelLeftBytes !== undefined) {
        assert.ok(
          kernelLeftBytes <= KERNEL_LEFT_BOUND_BYTES,
          `the kernel still holds ${kernelLeftBytes} bytes for the lab's connections after the stalled ones were cut off ` +
            `(bound ${KERNEL_LEFT_BOUND_BYTES}): closed without a reset, they linger as orphans with their send queues`,
        );
      }

      // A reader back within the grace hears the documented goodbye: 1013 on a
      // WebSocket, the end of the stream on SSE and iframe. Which ones make it in
      // time depends on the machine's speed; none may hear anything else.
      const prompt = tally(await promptEndings);
      for (const [ending, count] of prompt)
        assert.match(
          ending,
          /^(ws: close 1013|sse: end of stream|iframe: end of stream|\w+: cut)$/,
          `a stalled reader that read again at once ended with ${ending} (${count} times)`,
        );
      for (const [id, goodbye] of [
        ['ws', 'close 1013'],
        ['sse', 'end of stream'],
        ['iframe', 'end of stream'],
      ]) {
        assert.ok(
          (prompt.get(`${id}: ${goodbye}`) ?? 0) > 0,
          `some stalled ${id} readers that read again at once heard "${goodbye}" (${JSON.stringify([...prompt])})`,
        );
      }
      // A reader back after the grace finds its connection cut: its goodbye was queued behind the backlog the lab threw away.
      const late = tally(await lateEndings);
      assert.deepEqual(
        [...late.keys()].sort(),
        ['iframe: cut', 'sse: cut', 'ws: cut'],
        `stalled readers that read again after the grace were cut off (${JSON.stringify([...late])})`,
      );

      const latenciesMs: number[] = [];
      for (const c of healthy) {
        assert.deepEqual(
          c.events.map((e) => e.seq),
          Array.from({ length: lastSeq }, (_, i) => i + 1),
          `${c.id}: every seq once, in order`,
        );
        assert.equal(c.opens, 1, `${c.id}: one connection from start to end, never dropped`);
        latenciesMs.push(...c.latenciesMs);
      }
      const p99Ms = percentile(latenciesMs, 99);
      assert.ok(p99Ms < LATENCY_P99_MS, `healthy p99 latency ${p99Ms.toFixed(1)} ms is under ${LATENCY_P99_MS} ms`);
      console.log(
        `slow readers: ${lastSeq} events of ${DATA_BYTES} B in ${publishMs} ms; ` +
          `peak unsent ${peakQueuedBytes} B (bound ${QUEUED_BOUND_BYTES}); ` +
          `kernel left ${kernelLeftBytes ?? 'n/a'} B; rss ${rssBeforeBytes} -> peak ${peakRssBytes} B; ` +
          `healthy p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms; ` +
          `read again at once: ${JSON.stringify([...prompt])}; after the grace: ${JSON.stringify([...late])}`,
      );
    } finally {
      for (const { socket } of stalled) socket.destroy();
      await Promise.all(healthy.map((c) => c.connection.close()));
      await lab.close();
    }
  },
);

/**
 * The replay itself can outrun the cap: a client that asks for `since=0` on a feed
 * holding megabytes gets them all in one synchronous burst, more than the kernel
 * takes at once. The cap then drops the stream in the middle of its own start
 * (the socket and stream must not be half set up when that happens), and the
 * client, resuming from the last seq it did receive, catches up in a few rounds.
 */
test('a replay bigger than the cap drops the stream mid-start, and the client catches up by resuming', async () => {
  const EVENTS = 1000;
  const lab = await startLab({ bufferSize: EVENTS, maxQueuedBytes: MAX_QUEUED_BYTES, extraPorts: false });
  const clients: { id: Streaming; events: FeedEvent[]; opens: number; closes: string[]; connection?: Connection }[] = [];
  try {
    // 1,000 events of 8 KiB: about 8 MB, twice what a loopback socket's kernel buffers take.
    const data = { t: 'x'.repeat(8 * 1024) };
    for (let i = 0; i < EVENTS; i++) lab.ctx.feed.publish('tick', data);
    for (const id of STREAMING) {
      const client: (typeof clients)[number] = { id, events: [], opens: 0, closes: [] };
      client.connection = DRIVERS[id]({
        baseUrl: lab.baseUrl,
        since: 0,
        onEvent: (event) => client.events.push(event),
        onState: (state, detail) => {
          if (state === 'connecting') client.opens++;
          if (state === 'closed' && detail) client.closes.push(detail);
        },
      });
      clients.push(client);
    }
    await waitFor(() => clients.every((c) => c.connection!.lastSeq === EVENTS), 'every client caught up with the whole buffer', 30_000);
    for (const c of clients) {
      assert.deepEqual(
        c.events.map((e) => e.seq),
        Array.from({ length: EVENTS }, (_, i) => i + 1),
        `${c.id}: every seq once, in order, across its reconnects`,
      );
      assert.ok(c.opens > 1, `${c.id}: the first replay was cut by the cap, so it connected again (${c.opens} connections)`);
    }
    // The documented goodbye, not an accident: a drop that broke the socket's own start would close with 1011.
    const ws = clients.find((c) => c.id === 'ws')!;
    assert.ok(
      ws.closes.length > 0 && ws.closes.every((close) => close.startsWith('1013 ')),
      `ws: every drop was close 1013 (${ws.closes.join(', ')})`,
    );
    assert.ok(lab.ctx.counters.slowReadersDropped >= STREAMING.length, `the cap dropped replays (${lab.ctx.counters.slowReadersDropped})`);
    await Promise.all(clients.map((c) => c.connection!.close()));
    await waitFor(() => lab.ctx.feed.subscriberCount === 0 && lab.ctx.closers.size === 0, 'nothing left held');
  } finally {
    await Promise.all(clients.map((c) => c.connection?.close()));
    await lab.close();
  }
});
