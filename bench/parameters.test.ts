/**
 * The bench's default parameters hold together: the TLS wires' fan-out counts
 * are counts plain HTTP/1.1 also runs (so that the TLS table compares at one),
 * the cluster's clients fit nginx's one worker, `--quick` is the same run, no
 * larger anywhere, and every scenario, transport and wire is asked for.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { SCENARIOS, defaultParameters } from './parameters.ts';
import { WIRE_IDS } from './wires.ts';

const full = defaultParameters(false);
const quick = defaultParameters(true);

test('every scenario, transport and wire is asked for, full or quick', () => {
  for (const p of [full, quick]) {
    assert.deepEqual(p.scenarios, [...SCENARIOS]);
    assert.deepEqual(p.transports, [...TRANSPORT_IDS]);
    assert.deepEqual(p.wires, [...WIRE_IDS]);
  }
  assert.deepEqual([full.quick, quick.quick], [false, true]);
});

test('the TLS wires fan out to counts plain HTTP/1.1 also runs, so TLS is compared at one count', () => {
  for (const p of [full, quick]) {
    for (const n of p.fanout.tlsClients) assert.ok(p.fanout.clients.includes(n), `${n} TLS clients: also over plain HTTP/1.1`);
  }
});

test("the cluster's load fits nginx's one worker: 4,096 connections, two per client", () => {
  for (const p of [full, quick]) assert.ok(p.cluster.load.clients * 2 < 4096, `${p.cluster.load.clients} clients`);
});

test('--quick is the same run, no larger: no more clients, events or time in any scenario', () => {
  /** Every number in `value` by its path; a list of numbers by its largest. */
  const numbers = (value: unknown, path = ''): [string, number][] => {
    if (typeof value === 'number') return [[path, value]];
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number')) return [[path, Math.max(...value)]];
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, v]) => numbers(v, `${path}.${key}`));
  };
  const fullNumbers = new Map(numbers(full));
  const sizes = /clients|events|durationMs|warmupMs|durationSeconds|requestsPerKind|steps|rttsMs|ratesPercent|payloadBytes/i;
  let compared = 0;
  for (const [path, value] of numbers(quick)) {
    const whole = fullNumbers.get(path);
    if (whole === undefined || !sizes.test(path)) continue;
    assert.ok(value <= whole, `${path}: quick ${value}, full ${whole}`);
    compared++;
  }
  assert.ok(compared > 25, `the sizes were compared (${compared})`);
});
