/**
 * The bench's distributions: percentiles between ranks, a summary that says NaN
 * rather than 0 when there is nothing to summarise, log buckets whose edges fall
 * where their doc comment says, and the least-squares fit the capacity runs use.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concat, distribution, histogram, linearFit, percentile, round, summarise } from './stats-math.ts';

test('percentile interpolates linearly between ranks, and is NaN for no samples', () => {
  const sorted = [10, 20, 30, 40];
  assert.equal(percentile(sorted, 0), 10, 'p0 is the smallest');
  assert.equal(percentile(sorted, 100), 40, 'p100 is the largest');
  assert.equal(percentile(sorted, 50), 25, 'p50 of four is halfway between the 2nd and 3rd');
  assert.equal(percentile(sorted, 90), 37, 'p90: rank 2.7, 30 + 0.7 x 10');
  assert.equal(percentile([7], 99), 7, 'one sample is every percentile');
  assert.ok(Number.isNaN(percentile([], 50)), 'no samples: NaN, not 0');
  assert.equal(percentile(Float64Array.from([1, 3]), 50), 2, 'a typed array reads the same');
});

test('summarise sorts numerically, rounds to 4 decimals and counts every sample', () => {
  // Sorted as text, 100 would come before 9: the summary must sort as numbers (p90: rank 2.7, 50.1235 + 0.7 x 49.8765).
  const summary = summarise([100, 9, 1, 50.123456789]);
  assert.deepEqual(summary, { count: 4, minMs: 1, meanMs: 40.0309, p50Ms: 29.5617, p90Ms: 85.037, p99Ms: 98.5037, maxMs: 100 });
  assert.deepEqual(summarise([2.5]), { count: 1, minMs: 2.5, meanMs: 2.5, p50Ms: 2.5, p90Ms: 2.5, p99Ms: 2.5, maxMs: 2.5 });
});

test('summarise of no samples is NaN in every figure, not 0 or undefined', () => {
  const summary = summarise([]);
  assert.equal(summary.count, 0);
  for (const key of ['minMs', 'meanMs', 'p50Ms', 'p90Ms', 'p99Ms', 'maxMs'] as const) {
    assert.ok(Number.isNaN(summary[key]), `${key} is NaN`);
  }
});

test('histogram buckets: 20 per decade from 1 µs, each bucket [low, high), below-range and NaN counted apart', () => {
  const h = histogram([0.001, 0.01, 0.01, 1, 0.0025, 0.0009, Number.NaN, -1]);
  assert.equal(h.fromMs, 0.001);
  assert.equal(h.bucketsPerDecade, 20);
  assert.equal(h.below, 3, '0.0009 ms, NaN and a negative latency are below the range');
  // 1 µs is bucket 0 (its lower edge), 10 µs bucket 20, 1 ms bucket 60; 2.5 µs: log10(2.5) x 20 = 7.96, bucket 7.
  assert.deepEqual(h.counts, [
    [0, 1],
    [7, 1],
    [20, 2],
    [60, 1],
  ]);
  const total = h.below + h.counts.reduce((sum, [, count]) => sum + count, 0);
  assert.equal(total, 8, 'every sample is counted once');
});

test('histogram with its own origin and resolution; none for no samples', () => {
  assert.deepEqual(histogram([1, 9.99, 10, 100], 1, 1), {
    fromMs: 1,
    bucketsPerDecade: 1,
    below: 0,
    counts: [
      [0, 2],
      [1, 1],
      [2, 1],
    ],
  });
  assert.deepEqual(histogram([]), { fromMs: 0.001, bucketsPerDecade: 20, below: 0, counts: [] });
});

test('distribution keeps the samples (rounded to 0.1 µs) up to `keep`, and drops them above', () => {
  const kept = distribution([0.123456, 2], 2);
  assert.deepEqual(kept.samplesMs, [0.1235, 2], 'kept, in their order, 4 decimals');
  assert.equal(kept.count, 2);
  assert.deepEqual(kept.histogram, histogram([0.123456, 2]), 'the histogram of the same samples');
  assert.equal(distribution([1, 2, 3], 2).samplesMs, undefined, 'three samples over a keep of two: none kept');
  assert.deepEqual(distribution([]).samplesMs, [], 'no samples: an empty list');
});

test('concat joins worker arrays in order, empty parts included', () => {
  const joined = concat([Float64Array.from([1, 2]), new Float64Array(0), Float64Array.from([3])]);
  assert.deepEqual(Array.from(joined), [1, 2, 3]);
  assert.equal(concat([]).length, 0);
});

test('linearFit recovers a line exactly, fits noise by least squares, and is NaN under two points', () => {
  const line = linearFit([0, 1, 2, 3].map((x) => ({ x, y: 3 * x + 5 })));
  assert.deepEqual(line, { slope: 3, intercept: 5 });
  // (0,0), (1,1), (2,1): mean x 1, mean y 2/3; sxy = 1, sxx = 2; slope 0.5, intercept 2/3 - 0.5.
  const noisy = linearFit([
    { x: 0, y: 0 },
    { x: 1, y: 1 },
    { x: 2, y: 1 },
  ]);
  assert.equal(noisy.slope, 0.5);
  assert.ok(Math.abs(noisy.intercept - 1 / 6) < 1e-12, `intercept 1/6, got ${noisy.intercept}`);
  const one = linearFit([{ x: 1, y: 1 }]);
  assert.ok(Number.isNaN(one.slope) && Number.isNaN(one.intercept), 'one point fixes no slope');
  assert.ok(Number.isNaN(linearFit([]).slope), 'nor do none');
});

test('round keeps 4 decimals by default and leaves NaN and Infinity as they are', () => {
  assert.equal(round(1.23456), 1.2346);
  assert.equal(round(1.25, 1), 1.3);
  assert.equal(round(2, 3), 2);
  assert.ok(Number.isNaN(round(Number.NaN)));
  assert.equal(round(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY);
});
