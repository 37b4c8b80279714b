/**
 * The lab's targets judged from a run's figures: each bound at its edge (met on
 * it, missed just past it), null (not judged) where a scenario is missing or too
 * small, the notes that say why, and a quick run that judges nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scenarios } from './rows.ts';
import { type Target, targets } from './targets.ts';

const ALL_IDS = [
  'ws-framing',
  'sse-framing',
  'idle-p50-ws',
  'idle-p50-sse',
  'idle-p50-iframe',
  'idle-p50-long-poll',
  'fanout-rate-ws',
  'fanout-p99-ratio-ws',
  'fanout-rate-sse',
  'fanout-p99-ratio-sse',
  'held-sse',
  'memory-sse',
  'held-ws',
  'memory-ws',
  'framework-sse',
  'framework-ws',
];

const byId = (list: Target[]) => Object.fromEntries(list.map((t) => [t.id, t]));
const judge = (s: object, quick = false) => byId(targets(s as Scenarios, quick));

test('with no scenarios every target is listed, unmeasured and not judged', () => {
  const list = targets({}, false);
  assert.deepEqual(
    list.map((t) => t.id),
    ALL_IDS,
  );
  for (const t of list) assert.deepEqual([t.measured, t.met], [null, null], t.id);
});

const framingCell = (transport: string, downFramingBytes: number, floorFramingBytes: number | null) => ({
  profile: 'minimal',
  transport,
  dataBytes: 16,
  floorFramingBytes,
  perEvent: { downFramingBytes },
});
const framing = (...cells: object[]) => judge({ overhead: { cells, byWire: {} } });

test('framing: WebSocket meets 2 B only at a 2 B floor; SSE meets its floor, not a byte over; no floor, no judgement', () => {
  assert.equal(framing(framingCell('ws', 2, 2))['ws-framing'].met, true);
  assert.equal(framing(framingCell('ws', 3, 2))['ws-framing'].met, false);
  assert.equal(framing(framingCell('ws', 4, 4))['ws-framing'].met, false, "a floor other than 2 B is not RFC 6455's");
  const sse = (measured: number, floor: number | null) => framing(framingCell('sse', measured, floor))['sse-framing'];
  assert.deepEqual(
    [sse(21, 21).met, sse(21, 21).measured, sse(21, 21).target],
    [true, 21, '<= 21 B (id/event/data lines + chunk framing)'],
  );
  assert.equal(sse(22, 21).met, false);
  assert.equal(sse(21, null).met, null);
  assert.equal(sse(21, null).target, '<= id/event/data lines + chunk framing');
});

const loadRun = (clients: number, deliveriesPerSecond: number, p99Ms: number) => ({ clients, deliveriesPerSecond, latency: { p99Ms } });

/** A lab and a bare reference run of one transport: their idle p50s, and their loaded runs (every run has one). */
const reference = (transport: string, p50: { lab: number; bare: number }, load = { lab: loadRun(10, 1, 1), bare: loadRun(10, 1, 1) }) => [
  { kind: 'lab', transport, subject: `lab ${transport}`, singleClient: { latency: { p50Ms: p50.lab } }, load: load.lab },
  { kind: `bare-${transport}`, transport, subject: `bare ${transport}`, singleClient: { latency: { p50Ms: p50.bare } }, load: load.bare },
];

test('idle p50: lab over bare up to 1.1x (met at 1.1, missed at 1.11), rounded to 3 decimals, with both figures in the note', () => {
  const idle = judge({
    reference: { runs: [...reference('ws', { lab: 0.11, bare: 0.1 }), ...reference('sse', { lab: 0.111, bare: 0.1 })], ratios: {} },
    libraries: {
      rows: [
        { transport: 'iframe', subject: 'lab', idle: { latency: { p50Ms: 0.2 } } },
        { transport: 'iframe', subject: 'iframe-node', idle: { latency: { p50Ms: 0.3 } } },
        { transport: 'long-poll', subject: 'lab', idle: { latency: { p50Ms: 0.2 } } },
        { transport: 'long-poll', subject: 'long-poll-node', idle: { latency: { p50Ms: 0 } } },
      ],
    },
  });
  assert.deepEqual([idle['idle-p50-ws'].measured, idle['idle-p50-ws'].met], [1.1, true]);
  assert.equal(idle['idle-p50-ws'].note, 'lab 0.110 ms, bare ws 0.100 ms');
  assert.deepEqual([idle['idle-p50-sse'].measured, idle['idle-p50-sse'].met], [1.11, false]);
  assert.deepEqual([idle['idle-p50-iframe'].measured, idle['idle-p50-iframe'].met], [0.667, true]);
  assert.equal(idle['idle-p50-iframe'].note, 'lab 0.200 ms, iframe-node 0.300 ms');
  assert.deepEqual([idle['idle-p50-long-poll'].measured, idle['idle-p50-long-poll'].met], [null, null], 'a bare p50 of 0 divides nothing');
  assert.equal(idle['idle-p50-long-poll'].note, 'the lab or the bare subject was not measured');
});

test('fan-out: 60,000 deliveries/s and p99 no worse than bare, judged only at 5,000 clients', () => {
  const fan = judge({
    reference: {
      runs: [
        ...reference('ws', { lab: 1, bare: 1 }, { lab: loadRun(5000, 60_000, 20), bare: loadRun(5000, 70_000, 20) }),
        ...reference('sse', { lab: 1, bare: 1 }, { lab: loadRun(5000, 59_999, 20.02), bare: loadRun(5000, 70_000, 20) }),
      ],
      ratios: {},
    },
  });
  assert.deepEqual([fan['fanout-rate-ws'].met, fan['fanout-p99-ratio-ws'].measured, fan['fanout-p99-ratio-ws'].met], [true, 1, true]);
  assert.equal(fan['fanout-p99-ratio-ws'].note, 'lab 20.0 ms, bare ws 20.0 ms');
  assert.deepEqual(
    [fan['fanout-rate-sse'].met, fan['fanout-p99-ratio-sse'].measured, fan['fanout-p99-ratio-sse'].met],
    [false, 1.001, false],
  );
  const small = judge({
    reference: { runs: reference('ws', { lab: 1, bare: 1 }, { lab: loadRun(500, 90_000, 1), bare: loadRun(500, 9, 9) }), ratios: {} },
  });
  for (const id of ['fanout-rate-ws', 'fanout-p99-ratio-ws']) {
    assert.equal(small[id].met, null, `${id}: 500 clients are not judged`);
    assert.equal(small[id].note, 'measured with 500 clients; the target is for 5,000');
  }
  assert.equal(small['fanout-rate-ws'].measured, 90_000, 'but shown');
});

const capacityRun = (transport: string, maxClientsHeld: number, reached: number, rssBytesPerConnection: number | null) => ({
  transport,
  maxClientsHeld,
  rssBytesPerConnection,
  steps: [{ clients: 1000 }, { clients: reached }],
});

test('capacity: 9,000 clients held (judged once the ramp reached 9,000) and under 15,000 B per connection', () => {
  const held = judge({ capacity: { runs: [capacityRun('sse', 9000, 9000, 14_999), capacityRun('ws', 8000, 9500, 15_000)] } });
  assert.deepEqual([held['held-sse'].met, held['memory-sse'].met], [true, true]);
  assert.deepEqual(
    [held['held-ws'].met, held['held-ws'].measured, held['memory-ws'].met],
    [false, 8000, false],
    'ramp reached 9,500, held 8,000',
  );
  const short = judge({ capacity: { runs: [capacityRun('sse', 2000, 2000, null)] } });
  assert.equal(short['held-sse'].met, null);
  assert.equal(short['held-sse'].note, 'the ramp went to 2000 clients only');
  assert.deepEqual([short['memory-sse'].measured, short['memory-sse'].met], [null, null], 'no slope, no judgement');
});

test("framework: the lab's throughput at least 0.9x the bare subject's", () => {
  const ratios = { sse: { throughputRatio: 0.9 }, ws: { throughputRatio: 0.899 } };
  const fw = judge({ reference: { runs: [], ratios } });
  assert.deepEqual([fw['framework-sse'].met, fw['framework-ws'].met, fw['framework-ws'].measured], [true, false, 0.899]);
});

test('a quick run keeps what it measured and judges nothing', () => {
  const quick = targets({ capacity: { runs: [capacityRun('sse', 9000, 9000, 100)] } } as unknown as Scenarios, true);
  assert.deepEqual(
    quick.map((t) => t.id),
    ALL_IDS,
  );
  for (const t of quick) assert.deepEqual([t.met, t.note], [null, 'quick run'], t.id);
  assert.equal(byId(quick)['held-sse'].measured, 9000);
});
