/**
 * The derived figures, recomputed by hand from a small run: the headline reads
 * each transport's smallest cell and its largest fan-out, one-off costs spread
 * over N events, and the Kaazing table, whose 2010 figures its own arithmetic
 * (binary megabits) must reproduce.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABELS, type TransportId } from '../../server/transports/registry.ts';
import type { OverheadCell } from '../scenarios/overhead.ts';
import { AMORTISED_EVENTS, KAAZING, derive } from './derive.ts';
import type { Scenarios } from './rows.ts';

const TRANSPORTS: TransportId[] = ['short-poll', 'sse', 'ws'];

/** A cell: `oneOff` bytes before the first event (heads and framing, both ways), `overhead` per event. */
function cell(wire: string, profile: string, transport: TransportId, dataBytes: number, oneOff: number, overhead: number, client = 'node') {
  return {
    wire,
    profile,
    transport,
    dataBytes,
    client,
    oneOff: { down: { headBytes: oneOff / 2, framingBytes: 0 }, up: { headBytes: oneOff / 2 - 1, framingBytes: 1 } },
    perEvent: { overheadBytes: overhead, requests: transport === 'short-poll' ? 1 : 0 },
  } as unknown as OverheadCell;
}

const h1Cells = TRANSPORTS.flatMap((t, i) => [
  cell('h1', 'minimal', t, 16, 200 + i, 10 + i),
  cell('h1', 'browser', t, 16, 600 + i, 20 + i),
  cell('h1', 'browser', t, 1024, 9999, 9999),
]);
const h2Cells = [cell('h2', 'browser', 'ws', 16, 300, 11, 'chromium'), cell('h2', 'browser', 'short-poll', 16, 400, 40, 'node-replay')];
const run = (transport: TransportId, clients: number, p99Ms: number) => ({
  transport,
  clients,
  latency: { p99Ms },
  serverCpuMicrosPerDelivery: clients / 100,
});
const scenarios = {
  overhead: { cells: h1Cells, eventType: 'tick', byWire: { h2: { cells: h2Cells, groups: [] } } },
  latency: { results: [{ transport: 'ws', latency: { p50Ms: 0.2 } }], byWire: {} },
  fanout: { runs: [run('ws', 100, 1), run('ws', 1000, 5), run('sse', 500, 3)], byWire: { h2: { runs: [run('ws', 2000, 9)] } } },
  capacity: { runs: [{ transport: 'ws', maxClientsHeld: 9500, stopReason: 'last step', rssBytesPerConnection: 4000, steps: [] }] },
} as unknown as Scenarios;

const derived = derive(scenarios, TRANSPORTS, LABELS);

test('the headline: one row per transport, in the order asked, its smallest cells, its largest fan-out over HTTP/1.1', () => {
  assert.deepEqual(
    derived.headline.map((h) => h.transport),
    TRANSPORTS,
  );
  const ws = derived.headline[2];
  assert.equal(ws.label, LABELS.ws);
  assert.deepEqual(
    [ws.overheadBytesPerEventMinimal, ws.overheadBytesPerEventBrowser, ws.oneOffBytesBrowser, ws.requestsPerEvent],
    [12, 22, 602, 0],
    'the 16 B cells, not the 1 KiB ones',
  );
  assert.deepEqual(
    [ws.idleP50Ms, ws.fanoutClients, ws.fanoutP99Ms, ws.fanoutCpuMicrosPerDelivery],
    [0.2, 1000, 5, 10],
    'the 1,000-client run',
  );
  assert.deepEqual([ws.maxClientsHeld, ws.capacityStopReason, ws.rssBytesPerConnection], [9500, 'last step', 4000]);
  assert.deepEqual(
    [ws.byWire.h2.fanoutClients, ws.byWire.h2.overheadBytesPerEventBrowser, ws.byWire.h2.browserClient],
    [2000, 11, 'chromium'],
  );
  const sse = derived.headline[1];
  assert.deepEqual(
    [sse.idleP50Ms, sse.maxClientsHeld, sse.byWire.h2.overheadBytesPerEventBrowser],
    [null, null, null],
    'unmeasured is null',
  );
  assert.equal(derived.headlineFanoutClients, 1000, "the largest HTTP/1.1 count, not HTTP/2's 2,000");
});

test("one-off costs: the smallest payload's cells, spread over 1, 10, 100 and 1,000 events", () => {
  assert.equal(derived.oneOff.length, 6, 'three transports, two profiles, at 16 B only');
  const browserWs = derived.oneOff.find((r) => r.profile === 'browser' && r.transport === 'ws')!;
  assert.deepEqual([browserWs.oneOffBytes, browserWs.perEventOverheadBytes], [602, 22]);
  assert.deepEqual(
    browserWs.amortised,
    AMORTISED_EVENTS.map((events) => ({ events, overheadBytesPerEvent: Math.round(((602 + events * 22) / events) * 10) / 10 })),
  );
  assert.deepEqual(
    browserWs.amortised.map((a) => a.overheadBytesPerEvent),
    [624, 82.2, 28, 22.6],
  );
  assert.deepEqual(
    derived.oneOffByWire.h2.map((r) => [r.transport, r.client, r.oneOffBytes]),
    [
      ['ws', 'chromium', 300],
      ['short-poll', 'node-replay', 400],
    ],
  );
  assert.deepEqual(derived.oneOffByWire['h1-tls'], []);
});

test("the Kaazing table's arithmetic reproduces the 2010 figures: binary megabits of overhead per second", () => {
  const [polling, webSocket] = derived.kaazing.rows;
  assert.deepEqual([polling.source, polling.bytesPerEvent, webSocket.bytesPerEvent], ['kaazing-2010', 871, 2]);
  polling.rows.forEach((row, i) => {
    const published = KAAZING.publishedPollingMbps[i];
    assert.ok(Math.abs(row.mbpsBinary - published) / published < 0.01, `${row.clients} clients: ${row.mbpsBinary} ~ ${published}`);
  });
  assert.deepEqual(
    webSocket.rows.map((r) => r.mbpsBinary),
    KAAZING.publishedWebSocketMbps,
  );
  assert.deepEqual(polling.rows[0], { clients: 1000, bitsPerSecond: 6_968_000, mbpsSI: 6.968, mbpsBinary: 6.645 });
});

test("the Kaazing table, measured: every transport's browser cell over HTTP/1.1, over HTTP/2 only the polls and WebSocket", () => {
  const measured = derived.kaazing.rows.slice(2);
  assert.deepEqual(
    measured.map((r) => [r.source, r.transport, r.bytesPerEvent, r.label]),
    [
      ['measured', 'short-poll', 20, `${LABELS['short-poll']} (measured, browser heads)`],
      ['measured', 'sse', 21, `${LABELS.sse} (measured, browser heads)`],
      ['measured', 'ws', 22, `${LABELS.ws} (measured, browser heads)`],
      ['measured-h2', 'short-poll', 40, `${LABELS['short-poll']} over HTTP/2 (measured, browser heads replayed)`],
      ['measured-h2', 'ws', 11, `${LABELS.ws} over HTTP/2 (measured, Chromium)`],
    ],
  );
  assert.equal(derived.kaazing.dataBytes, 16);
  assert.deepEqual(measured[4].rows[2], { clients: 100_000, bitsPerSecond: 8_800_000, mbpsSI: 8.8, mbpsBinary: 8.392 });
});

test('a run with no scenarios derives nulls and empty tables, not zeros', () => {
  const empty = derive({}, TRANSPORTS, LABELS);
  assert.equal(empty.headlineFanoutClients, null);
  assert.deepEqual(empty.oneOff, []);
  assert.equal(empty.kaazing.rows.length, 2, 'the published rows alone');
  assert.equal(empty.kaazing.dataBytes, null);
  for (const row of empty.headline) {
    assert.deepEqual([row.overheadBytesPerEventMinimal, row.fanoutClients, row.maxClientsHeld], [null, null, null], row.transport);
  }
});
