/**
 * What the lessons say of the figures they quote, borne out by the committed reference
 * run and the focused runs: latency, HTTP/2 and TLS, capacity, the cluster, the
 * libraries, packet loss and the meter's floor. figures.test.ts checks the table's
 * machinery, figures-paths.test.ts that each path reads what its name says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RESULTS_FILE, loadFigures } from './figures.ts';
import { FRAME_HEADER_BYTES } from './http2/frames.ts';
import { ROOT } from './paths.ts';

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));

test('the reference run bears out what the lessons say about latency', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const rttMs = value('rtt.roundTripMs');
  // Long polling's worst case is 1.5 round trips; a stream needs half of one.
  const worst = value('long-poll.rtt150MaxMs') / rttMs;
  assert.ok(
    worst > 1.35 && worst < 2,
    `long polling's slowest event took about 1.5 RTT (${value('long-poll.rtt150MaxMs')} ms at ${rttMs} ms)`,
  );
  assert.ok(Math.abs(value('sse.rtt150MeanMs') / rttMs - 0.5) < 0.1, 'SSE averaged about half a round trip');
  const interval = value('rtt.shortPollIntervalMs');
  assert.ok(
    Math.abs(value('short-poll.rtt150MeanMs') - (interval / 2 + rttMs)) < 0.1 * rttMs,
    'short polling averaged half the interval plus one round trip',
  );
});

test('the reference run bears out what the HTTP/2 lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  // HPACK: a repeated head is smaller than the first on the connection, which is far smaller than HTTP/1.1's text.
  assert.ok(value('h2.pollHeadRepeatedBytes') < value('h2.pollHeadFirstBytes'), 'a repeated poll head is smaller than the first');
  assert.ok(
    value('h2.pollHeadFirstBytes') * 4 < value('short-poll.requestHeadBytes'),
    "even the first poll in a page is a fraction of HTTP/1.1's head",
  );
  assert.ok(value('h2.pollResponseHeadRepeatedBytes') < value('h2.pollResponseHeadFirstBytes'), 'the response head shrinks once indexed');
  assert.ok(value('h2.pollResponseHeadFirstBytes') < value('short-poll.responseHeadBytes'), "and starts below HTTP/1.1's");
  // Framing: every streamed event pays exactly one DATA frame header over its own framing; HTTP/1.1 a small chunk's 6 bytes.
  assert.equal(FRAME_HEADER_BYTES, 9, 'the lesson says 9 bytes');
  assert.equal(
    value('h2.sseOverheadBytesPerEvent') - value('h2.sseOwnFramingBytes'),
    FRAME_HEADER_BYTES,
    'SSE over HTTP/2: its lines plus one frame header',
  );
  assert.equal(
    value('sse.framingBytesPerEvent') - value('h2.sseOwnFramingBytes'),
    6,
    'SSE over HTTP/1.1: its lines plus a two-hex-digit size line and two CRLFs',
  );
  assert.equal(
    value('h2.iframeOverheadBytesPerEvent') - value('iframe.framingBytesPerEvent'),
    FRAME_HEADER_BYTES - 6,
    "the iframe: a frame header instead of a chunk's 6 bytes",
  );
  assert.equal(
    value('h2.wsOverheadBytesPerEvent'),
    value('ws.overheadBytesPerEvent') + FRAME_HEADER_BYTES,
    'WebSocket: its 2-byte header inside a DATA frame',
  );
  // The ranking keeps its order on both protocols, and narrows: from hundreds of WebSocket frames per poll to about ten.
  const order = ['ws', 'sse', 'iframe', 'shortPoll', 'longPoll'];
  const h1 = [
    'ws.overheadBytesPerEvent',
    'sse.overheadBytesPerEvent',
    'iframe.overheadBytesPerEvent',
    'short-poll.overheadBytesPerEvent',
    'long-poll.overheadBytesPerEvent',
  ].map(value);
  const h2 = order.map((name) => value(`h2.${name}OverheadBytesPerEvent`));
  for (let i = 1; i < order.length; i++) {
    assert.ok(h1[i - 1] <= h1[i] && h2[i - 1] <= h2[i], `${order[i - 1]} costs no more than ${order[i]} on either protocol`);
  }
  assert.ok(h1[3] / h1[0] > 100, `over HTTP/1.1 a poll costs hundreds of WebSocket frames (${h1[3] / h1[0]})`);
  assert.ok(h2[3] / h2[0] > 5 && h2[3] / h2[0] < 20, `over HTTP/2 about ten (${h2[3] / h2[0]})`);
  assert.ok(
    value('h2.shortPollUpHeadBytesPerEvent') + value('h2.shortPollDownHeadBytesPerEvent') < value('h2.shortPollOverheadBytesPerEvent') / 2,
    "over HTTP/2 heads are under half of a poll's cost",
  );
  // TLS: one record per streamed event, a TLS 1.3 record's 5-byte header, 1 byte of inner type and a 16-byte tag.
  assert.equal(value('tls.recordBytesPerEventH1'), 5 + 1 + 16, 'one record per SSE event under HTTP/1.1');
  assert.equal(value('tls.recordBytesPerEventH2'), 5 + 1 + 16, 'one record per SSE event under HTTP/2');
  assert.ok(value('tls.recordBytesPerEventH2') > value('ws.overheadBytesPerEvent'), "a record costs more than WebSocket's own framing");
  assert.ok(
    value('tls.chromiumHandshakeUpBytes') > value('tls.chromiumHandshakeDownBytes'),
    "most of Chromium's handshake goes up (its key share)",
  );
  assert.ok(value('h2cost.wsTls') > 1 && value('h2cost.sseTls') > 1, 'TLS costs CPU');
  assert.ok(value('h2cost.wsMeter') > 1 && value('h2cost.sseMeter') > 1, 'the meter costs CPU over native HTTP/2, as the lesson says');
  // What holds on both: long polling's worst case near 1.5 round trips; through a round trip, latency alike.
  const rttMs = value('rtt.roundTripMs');
  const worst = value('h2.longPollRtt150MaxMs') / rttMs;
  assert.ok(
    worst > 1.35 && worst < 2,
    `over HTTP/2 too, long polling's slowest event took about 1.5 RTT (${value('h2.longPollRtt150MaxMs')} ms)`,
  );
  assert.ok(
    Math.abs(value('h2.wsRtt150MeanMs') - value('ws.rtt150MeanMs')) < 0.05 * rttMs,
    "WebSocket's latency through the round trip is alike on both",
  );
  assert.ok(
    value('h2.wsIdleP50Ms') > value('ws.idleP50Ms') && value('h2.wsIdleP50Ms') < 5,
    'on loopback HTTP/2 adds a fraction of a millisecond',
  );
});

test('the reference run bears out what the lessons say about capacity, the cluster and TLS', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const ramp = results.scenarios.capacity.runs.find((r: { transport: string }) => r.transport === 'long-poll');
  const held = ramp.steps.findIndex((step: { clients: number }) => step.clients === ramp.maxClientsHeld);
  assert.equal(held, 0, 'long-poll.heldP99Ms reads steps[0]: the step long polling last passed (move the paths with it)');
  assert.equal(value('long-poll.overBoundClients'), ramp.steps[held + 1].clients, 'the next step is the one after it');
  assert.ok(value('long-poll.heldP99Ms') <= value('long-poll.capacityBoundMs'), 'the held step was within the bound');
  assert.ok(value('long-poll.overBoundP99Ms') > value('long-poll.capacityBoundMs'), 'the next step passed it: the limit lies between');
  const polls = results.scenarios.cluster.polls.find((p: { transport: string }) => p.transport === 'long-poll');
  assert.equal(value('cluster.pollClients'), polls.clients, 'the clients that polled through nginx');
  assert.deepEqual(
    [polls.deliveries, polls.duplicates, polls.gaps, polls.clientErrors],
    [polls.deliveriesExpected, 0, 0, 0],
    'every client got every seq once, in order, as the scale-out lesson says',
  );
  assert.ok(
    value('ws.idleP50Ms') < value('tls.wsIdleP50Ms') && value('tls.wsIdleP50Ms') < value('h2.wsIdleP50Ms'),
    'on loopback TLS adds a little latency, and HTTP/2 with the frame meter a little more, as the http2 lesson says',
  );
});

test('the focused libraries run bears out what the build-your-own lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const framedOnce = 'the lab, framing each event once, spends less per delivery than the ws example';
  assert.ok(value('libraries.labWsCpuUs') < value('libraries.wsCpuUs'), framedOnce);
  assert.ok(value('libraries.socketIoCpuUs') > value('libraries.wsCpuUs'), 'Socket.IO pays for its own protocol on top');
});

test('the focused loss run bears out what the http2 lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  // Real loss in that run; over HTTP/2 the three streams stall together, over HTTP/1.1 each on its own.
  const run = JSON.parse(readFileSync(path.join(ROOT, 'results', 'loss', 'latest.json'), 'utf8'));
  assert.equal(run.scenarios.loss.mechanism, 'netns', 'the lesson says the loss was real');
  const spread = (list: number[]) => Math.max(...list) - Math.min(...list);
  const lossH2 = ['Iframe', 'Sse', 'Ws'].map((t) => value(`loss.h2${t}P99Ms`));
  const lossH1 = ['Iframe', 'Sse', 'Ws'].map((t) => value(`loss.h1${t}P99Ms`));
  assert.ok(spread(lossH2) < 0.05 * Math.max(...lossH2), `over HTTP/2 the streams' p99 are one stall (${lossH2.join(', ')} ms)`);
  assert.ok(spread(lossH1) > spread(lossH2), `over HTTP/1.1 each stream's own (${lossH1.join(', ')} ms)`);
});

test("the focused native HTTP/2 run bears out what the http2 lesson says of the meter's floor", () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  for (const t of ['sse', 'ws']) {
    const meter = value(`h2cost.${t}Meter`);
    const floor = value(`h2cost.${t}PipeFloor`);
    const onFloor = value(`h2cost.${t}OnFloor`);
    assert.ok(floor > onFloor, `${t}: most of the meter's cost is the floor, not the counting (${floor} against ${onFloor})`);
    assert.ok(Math.abs(floor * onFloor - meter) < 0.02, `${t}: floor x counting = the meter's cost (${floor} x ${onFloor} = ${meter})`);
  }
});
