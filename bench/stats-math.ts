/**
 * Distributions: exact percentiles from every sample, and a log-bucketed
 * histogram that keeps the whole shape in a few hundred bytes of JSON (the
 * results page draws its latency curves from it).
 */

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface Histogram {
  /** Bucket i holds samples in [fromMs * 10^(i/perDecade), fromMs * 10^((i+1)/perDecade)). */
  fromMs: number;
  bucketsPerDecade: number;
  /** Samples below fromMs (a negative latency would be a clock error; none are expected). */
  below: number;
  /** [bucket index, count], for the buckets that are not empty. */
  counts: [number, number][];
}

export interface Distribution extends LatencySummary {
  histogram: Histogram;
  /** Every sample, when there are few enough to keep (single-client runs). */
  samplesMs?: number[];
}

/** The value below which `p` percent of the sorted samples fall (linear between ranks). */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

const round = (value: number, digits = 4) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);

export function summarise(samples: Float64Array | number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    minMs: round(sorted[0] ?? NaN),
    meanMs: round(sorted.length ? sum / sorted.length : NaN),
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function histogram(samples: Float64Array | number[], fromMs = 0.001, bucketsPerDecade = 20): Histogram {
  const counts = new Map<number, number>();
  let below = 0;
  for (const value of samples) {
    if (!(value >= fromMs)) {
      below++;
      continue;
    }
    const index = Math.floor(Math.log10(value / fromMs) * bucketsPerDecade);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return { fromMs, bucketsPerDecade, below, counts: [...counts.entries()].sort((a, b) => a[0] - b[0]) };
}

/** Summary, histogram and, up to `keep` samples, the samples themselves (rounded to 0.1 µs). */
export function distribution(samples: Float64Array | number[], keep = 2000): Distribution {
  const out: Distribution = { ...summarise(samples), histogram: histogram(samples) };
  if (samples.length <= keep) out.samplesMs = Array.from(samples, (value) => round(value));
  return out;
}

/** Joins typed arrays (samples from several worker processes). */
export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Least-squares slope and intercept of y on x. */
export function linearFit(points: { x: number; y: number }[]): { slope: number; intercept: number } {
  const n = points.length;
  if (n < 2) return { slope: NaN, intercept: NaN };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export { round };
