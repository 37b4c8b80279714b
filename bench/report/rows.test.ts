/**
 * Where each wire's rows sit in a run's scenarios: HTTP/1.1 in the scenario's own
 * array, the TLS wires in `byWire`, nothing (not a throw) for a scenario that did
 * not run; and the small helpers every derivation reads them with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OverheadCell } from '../scenarios/overhead.ts';
import {
  type Scenarios,
  fanoutRuns,
  latencyResults,
  oneOffBytes,
  overheadCells,
  overheadGroups,
  perWire,
  ratio,
  round,
  rttRuns,
  smallCell,
  smallestPayload,
  wiresIn,
} from './rows.ts';

/** An overhead cell with only the fields these helpers read. */
const cell = (fields: Partial<OverheadCell>) => ({ profile: 'minimal', transport: 'sse', dataBytes: 16, ...fields }) as OverheadCell;

const h1Cells = [cell({ dataBytes: 1024 }), cell({ dataBytes: 16 }), cell({ transport: 'ws', dataBytes: 64 })];
const h2Cells = [cell({ dataBytes: 8, profile: 'browser' })];
const scenarios = {
  overhead: { cells: h1Cells, eventType: 'tick', byWire: { h2: { cells: h2Cells, groups: [] } } },
  latency: { results: [], byWire: { 'h1-tls': { results: [{ transport: 'ws' }] } } },
  fanout: { runs: [{ transport: 'sse' }] },
  rtt: { runs: [], byWire: {} },
} as unknown as Scenarios;

test("each reader finds HTTP/1.1 rows in the scenario's array and the other wires' in byWire", () => {
  assert.equal(overheadCells(scenarios, 'h1'), h1Cells);
  assert.equal(overheadCells(scenarios, 'h2'), h2Cells);
  assert.deepEqual(overheadCells(scenarios, 'h1-tls'), [], 'a wire the scenario did not run: no rows');
  assert.deepEqual(overheadGroups(scenarios, 'h2'), []);
  assert.deepEqual(overheadGroups(scenarios, 'h1-tls'), []);
  assert.deepEqual(latencyResults(scenarios, 'h1-tls'), [{ transport: 'ws' }]);
  assert.deepEqual(latencyResults(scenarios, 'h1'), []);
  assert.deepEqual(fanoutRuns(scenarios, 'h1'), [{ transport: 'sse' }]);
  assert.deepEqual(fanoutRuns(scenarios, 'h2'), [], 'no byWire at all: no rows');
  assert.deepEqual(rttRuns(scenarios, 'h2'), []);
});

test('a run with no scenarios gives no rows, no wires and no smallest payload', () => {
  for (const wire of ['h1', 'h1-tls', 'h2'] as const) {
    assert.deepEqual([overheadCells({}, wire), latencyResults({}, wire), fanoutRuns({}, wire), rttRuns({}, wire)], [[], [], [], []]);
  }
  assert.deepEqual(overheadGroups({}, 'h2'), []);
  assert.deepEqual(wiresIn({}), []);
  assert.equal(smallestPayload({}), null);
  assert.equal(smallCell({}, 'minimal', 'sse'), undefined);
});

test('wiresIn: the wires with rows in any scenario, in the canonical order', () => {
  assert.deepEqual(wiresIn(scenarios), ['h1', 'h1-tls', 'h2']);
  assert.deepEqual(wiresIn({ rtt: { runs: [], byWire: { h2: { runs: [{}] } } } } as unknown as Scenarios), ['h2']);
});

test('smallCell: the cell of that profile and transport with the least data, whatever the order; the input left as it was', () => {
  assert.equal(smallCell(scenarios, 'minimal', 'sse'), h1Cells[1]);
  assert.equal(smallCell(scenarios, 'minimal', 'ws'), h1Cells[2]);
  assert.equal(smallCell(scenarios, 'browser', 'sse'), undefined, 'no browser cell over HTTP/1.1');
  assert.equal(smallCell(scenarios, 'browser', 'sse', 'h2'), h2Cells[0]);
  assert.deepEqual(
    h1Cells.map((c) => c.dataBytes),
    [1024, 16, 64],
    'not sorted in place',
  );
});

test('smallestPayload: the least data over every wire', () => {
  assert.equal(smallestPayload(scenarios), 8, "the HTTP/2 cell's 8 B");
});

test('oneOffBytes: heads and framing both ways, payload left out', () => {
  const oneOff = {
    down: { headBytes: 100, framingBytes: 10, payloadBytes: 1000 },
    up: { headBytes: 200, framingBytes: 4, payloadBytes: 2000 },
  };
  assert.equal(oneOffBytes(cell({ oneOff } as unknown as Partial<OverheadCell>)), 314);
});

test('round and ratio: three decimals by default; no ratio when either side is missing or the divisor is not positive', () => {
  assert.equal(round(1.23456), 1.235);
  assert.equal(round(1.25, 1), 1.3);
  assert.equal(round(7, 0), 7);
  assert.equal(ratio(1, 3), 0.333);
  assert.equal(ratio(2, 3, 1), 0.7);
  assert.equal(ratio(0, 5), 0, 'a zero numerator is a ratio');
  for (const [a, b] of [
    [1, 0],
    [1, -2],
    [null, 1],
    [1, null],
    [undefined, 1],
    [1, undefined],
  ]) {
    assert.equal(ratio(a, b), null, `${a} / ${b}`);
  }
});

test('perWire: every wire a key, null where the pick has nothing (undefined or null), zero kept', () => {
  const values = { h1: 3, 'h1-tls': 0 } as Record<string, number | undefined>;
  assert.deepEqual(
    perWire((w) => values[w]),
    { h1: 3, 'h1-tls': 0, h2: null },
  );
});
