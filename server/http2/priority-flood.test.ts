/**
 * PRIORITY floods on the HTTP/2 port. A PRIORITY frame may name a stream in any
 * state (RFC 9113 section 5.1), so a million of them are legal; the frame meter
 * once kept an account for every stream id it saw, about 200 B each, until the
 * connection closed. Now an account opens only with a stream's HEADERS
 * (frame-meter.ts): frames naming no open stream are credited to the `connection`
 * line, and a peer naming idle streams by the thousand is told to calm down.
 *
 * Both floods come from a hand-written client over real TLS (raw-h2.ts), written
 * as fast as the lab reads them. An honest SSE client on its own HTTP/2 connection
 * follows a ticker all along and must keep hearing it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DRIVERS } from '../clients/index.ts';
import type { Connection } from '../clients/common.ts';
import { type RunningLab, startLab, waitFor } from '../test-helpers.ts';
import type { Http2Totals } from './frame-meter.ts';
import { MAX_IDLE_STREAM_FRAMES } from './frame-meter.ts';
import { ANSWER_MS, RawH2, priority, request } from './raw-h2.ts';

const FLOOD_FRAMES = 1_000_000;
/** The growth the lab's memory may show over a flood: before, a million frames took it 196 MB up. */
const RSS_BOUND_BYTES = 20 * 1024 * 1024;
/** How late the honest client may hear an event published during a flood (a generous bound for a loaded CI machine). */
const HONEST_LATENCY_BOUND_MS = 1000;
/** PRIORITY frames written per write: 14 KB, about one TLS record. */
const BATCH = 1000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const rssAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};

let lab: RunningLab;
let honest: Connection;
let ticker: NodeJS.Timeout;
const heard: { seq: number; latencyMs: number }[] = [];

before(async () => {
  lab = await startLab({ tlsPort: 0, extraPorts: false });
  honest = DRIVERS.sse({
    baseUrl: lab.https!.h2Url,
    protocol: 'h2',
    ca: lab.https!.ca,
    since: 0,
    reconnect: false,
    onEvent: (event, receivedAt) => heard.push({ seq: event.seq, latencyMs: receivedAt - event.at }),
  });
  await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'the honest client follows the feed');
  ticker = setInterval(() => lab.ctx.feed.publish('tick', { price: lab.ctx.feed.lastSeq }), 20);
});

after(async () => {
  clearInterval(ticker);
  await honest.close();
  await lab.close();
});

/** Resolves when `h2`'s socket takes writes again, or closes. */
function drained(h2: RawH2): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      h2.socket.off('drain', done).off('close', done);
      resolve();
    };
    h2.socket.on('drain', done).on('close', done);
  });
}

/** Writes `count` PRIORITY frames naming `idOf(i)`, a batch at a time, as fast as the lab takes them; stops if it closes. */
async function flood(h2: RawH2, count: number, idOf: (i: number) => number): Promise<number> {
  let sent = 0;
  while (sent < count && !h2.closed) {
    const n = Math.min(BATCH, count - sent);
    const ok = h2.socket.write(Buffer.concat(Array.from({ length: n }, (_, i) => priority(idOf(sent + i)))));
    sent += n;
    if (!ok) await drained(h2);
  }
  return sent;
}

/** The meter's totals and the TLS plaintext read over HTTP/2, as /stats has them. */
function snapshot() {
  const http2 = lab.ctx.stats.streams!.snapshot() as Http2Totals & { pending: { bytesIn: number } };
  const transports = lab.ctx.stats.snapshot();
  const transportsIn = Object.values(transports).reduce(
    (sum, t) => sum + t.protocols.h2.bytesIn.head + t.protocols.h2.bytesIn.framing + t.protocols.h2.bytesIn.payload,
    0,
  );
  const other = http2.other.bytesIn;
  return {
    priorityFrames: http2.frames.in.PRIORITY,
    connectionIn: http2.connection.bytesIn,
    /** Every decrypted byte the meter credited somewhere: the connection line, the transports, other, pending. */
    meteredIn: http2.connection.bytesIn + transportsIn + other.head + other.framing + other.payload + http2.pending.bytesIn,
    plaintextIn: lab.ctx.stats.tls.snapshot().h2.plaintextBytesIn,
    sessionsOpen: http2.sessionsOpen,
  };
}

/** The honest client heard every event up to now, in order, none later than the bound. */
async function honestHeardAll(what: string, fromSeq: number): Promise<void> {
  const last = lab.ctx.feed.publish('tick', { price: -1 }).seq;
  await waitFor(() => heard.length > 0 && heard.at(-1)!.seq >= last, `${what}: the honest client hears seq ${last}`, ANSWER_MS);
  assert.deepEqual(
    heard.map((h) => h.seq),
    Array.from({ length: heard.length }, (_, i) => i + 1),
    `${what}: every event, in order, once`,
  );
  const during = heard.filter((h) => h.seq > fromSeq);
  const worst = Math.max(...during.map((h) => h.latencyMs));
  assert.ok(
    during.length > 0 && worst < HONEST_LATENCY_BOUND_MS,
    `${what}: ${during.length} events during the flood, the latest heard ${Math.round(worst)} ms after it was published`,
  );
}

// RFC 9113 allows PRIORITY on closed streams and lets a server end what it finds abusive (section 10.5).
// Node 20's nghttp2 (1.61) reads them all; from Node 24 nghttp2 (1.70) counts each as a glitch and, past
// its rate (a burst of 1,000, then 33 a second), answers GOAWAY ENHANCE_YOUR_CALM, as a bare
// http2.createSecureServer does. Either way every byte read is credited once and memory stays flat.
test(
  `${FLOOD_FRAMES.toLocaleString('en')} PRIORITY frames naming streams already closed: read in full or ended as a flood, ` +
    'each credited to the connection line, memory flat',
  async () => {
    const h2 = await RawH2.open(Number(new URL(lab.https!.h2Url).port), { ca: lab.https!.ca });
    try {
      // A request on a high stream id: every lower id is closed from then on (RFC 9113 section 5.1.1).
      const high = 2 * FLOOD_FRAMES + 1;
      h2.send(request(high, '/feed/short-poll'));
      await waitFor(() => h2.answered200(high), 'the request on the high stream is answered', ANSWER_MS);
      const fromSeq = lab.ctx.feed.lastSeq;
      const before = snapshot();
      const rss0 = rssAfterGc();
      const sent = await flood(h2, FLOOD_FRAMES, (i) => 1 + 2 * i);
      let read: number;
      if (sent === FLOOD_FRAMES && !h2.closed) {
        const readAll = () => snapshot().priorityFrames - before.priorityFrames === FLOOD_FRAMES;
        await waitFor(readAll, 'the lab has read every PRIORITY frame', 30_000);
        assert.equal(h2.goaway(), undefined, 'no GOAWAY');
        read = FLOOD_FRAMES;
      } else {
        await h2.closedByLab('a PRIORITY flood on closed streams');
        const frames = h2.answer().slice(-3).join(' ');
        assert.equal(h2.goaway()?.code, 'ENHANCE_YOUR_CALM', `ended as a flood: GOAWAY ENHANCE_YOUR_CALM (frames: ${frames})`);
        await waitFor(() => snapshot().sessionsOpen === 1, "the flooding session is gone (the honest client's is left)", ANSWER_MS);
        read = snapshot().priorityFrames - before.priorityFrames;
        assert.ok(read >= 1000, `nghttp2's burst of 1,000 was read first (${read} frames)`);
      }
      const growth = rssAfterGc() - rss0;
      const now = snapshot();
      assert.ok(growth < RSS_BOUND_BYTES, `memory grew ${(growth / 1e6).toFixed(1)} MB over the flood (bound ${RSS_BOUND_BYTES / 1e6} MB)`);
      const grew = now.connectionIn - before.connectionIn;
      assert.ok(grew >= 14 * read, `the connection line took the ${read} frames' ${14 * read} bytes (it grew ${grew})`);
      assert.equal(now.meteredIn, now.plaintextIn, 'every decrypted byte in is credited somewhere, exactly once');
      await honestHeardAll('PRIORITY on closed streams', fromSeq);
    } finally {
      h2.close();
    }
  },
);

test(
  `PRIORITY frames on ever-higher idle stream ids: ` +
    `past ${MAX_IDLE_STREAM_FRAMES} the lab answers GOAWAY ENHANCE_YOUR_CALM and closes; memory flat, every byte credited`,
  async () => {
    const fromSeq = lab.ctx.feed.lastSeq;
    const before = snapshot();
    const rss0 = rssAfterGc();
    const h2 = await RawH2.open(Number(new URL(lab.https!.h2Url).port), { ca: lab.https!.ca });
    try {
      const sent = await flood(h2, FLOOD_FRAMES, (i) => 1 + 2 * i);
      await h2.closedByLab('an idle-stream PRIORITY flood');
      assert.equal(h2.goaway()?.code, 'ENHANCE_YOUR_CALM', `GOAWAY ENHANCE_YOUR_CALM (frames: ${h2.answer().slice(-3).join(' ')})`);
      assert.ok(sent < FLOOD_FRAMES, `the lab closed the connection before the flood ended (${sent.toLocaleString('en')} frames written)`);
    } finally {
      h2.close();
    }
    await waitFor(() => snapshot().sessionsOpen === 1, "the flooding session is gone (the honest client's is left)", ANSWER_MS);
    const growth = rssAfterGc() - rss0;
    const now = snapshot();
    assert.ok(growth < RSS_BOUND_BYTES, `memory grew ${(growth / 1e6).toFixed(1)} MB (bound ${RSS_BOUND_BYTES / 1e6} MB)`);
    const read = now.priorityFrames - before.priorityFrames;
    assert.ok(read > MAX_IDLE_STREAM_FRAMES, `the lab read ${read} PRIORITY frames before it ended the connection`);
    assert.ok(now.connectionIn - before.connectionIn >= 14 * read, 'each PRIORITY frame read is on the connection line');
    assert.equal(now.meteredIn, now.plaintextIn, 'every decrypted byte in is credited somewhere, exactly once');
    await honestHeardAll('PRIORITY on idle streams', fromSeq);
  },
);
