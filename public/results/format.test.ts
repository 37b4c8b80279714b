/**
 * How the results page writes numbers: the same rules as the Markdown summary
 * (bench/report/format.ts), a bytes figure with decimals only where they matter,
 * and 'n/a' for every kind of missing number. The DOM helpers ($, el, table) are
 * checked in a real page by public/results.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, ms, nf } from './format.js';

test('nf: thousands separators and exactly `digits` decimals; n/a for null, undefined, NaN and infinities', () => {
  assert.equal(nf(1234567), '1,234,567');
  assert.equal(nf(2, 2), '2.00');
  assert.equal(nf(0.125, 2), '0.13');
  assert.equal(nf(0), '0', 'zero is a number, not a missing one');
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(nf(value, 1), 'n/a', `${value}`);
  }
});

test('ms: three decimals under 1 ms, one under 100 ms, none from 100 ms', () => {
  assert.equal(ms(0.0424), '0.042');
  assert.equal(ms(1), '1.0');
  assert.equal(ms(99.94), '99.9');
  assert.equal(ms(100), '100');
  assert.equal(ms(12345.6), '12,346');
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(ms(value), 'n/a', `${value}`);
});

test('bytes: two decimals under 10 B, one under 100 B, whole bytes otherwise, and none for a whole number', () => {
  assert.equal(bytes(2), '2 B', 'a WebSocket frame head: no decimals');
  assert.equal(bytes(2.456), '2.46 B');
  assert.equal(bytes(9.999), '10.00 B', 'under 10 before rounding: two decimals');
  assert.equal(bytes(12.34), '12.3 B');
  assert.equal(bytes(99.5), '99.5 B');
  assert.equal(bytes(100.5), '101 B');
  assert.equal(bytes(1234), '1,234 B');
  assert.equal(bytes(0), '0 B');
});

test('bytes: n/a, without a unit, for null, undefined, NaN and infinities', () => {
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(bytes(value), 'n/a', `${value}`);
  }
});
