/**
 * The quick run's checks of the loss scenario (bench.test.ts registers them in its
 * describe, on the run it made): every rate, wire and transport measured, every event
 * arriving (TCP retransmits), the mechanism named, five HTTP/1.1 connections against
 * one HTTP/2; never a timing against a threshold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import type { LossRun } from './loss-probe.ts';
import type { Results } from './report/schema.ts';

/** Registers the tests; `results` and `summary` are read when the tests run. */
export function lossTests(results: () => Results, summary: () => string): void {
  test('loss: every rate, wire and transport measured, nothing lost for good, the mechanism named; five connections against one', () => {
    const x = results().scenarios.loss;
    assert.ok(x, 'the loss scenario ran');
    const real = process.platform === 'linux' && process.getuid?.() === 0;
    assert.equal(x.mechanism, real ? 'netns' : 'stand-in', real ? 'as root on Linux (CI), the loss is real' : 'elsewhere, the stand-in');
    assert.match(summary(), new RegExp(`How packets were lost: ${real ? 'real loss' : 'the stand-in'}`), 'the summary says which');
    const p = results().parameters.loss;
    for (const lossPercent of p.ratesPercent) {
      for (const wire of ['h1-tls', 'h2'] as const) {
        for (const transport of TRANSPORT_IDS) {
          const run: LossRun | undefined = x.runs.find(
            (r) => r.lossPercent === lossPercent && r.wire === wire && r.transport === transport,
          );
          assert.ok(run, `${lossPercent} % ${wire} ${transport}: measured`);
          // TCP retransmits: at any loss rate every event arrives, late perhaps.
          assert.equal(run.received, p.events, `${lossPercent} % ${wire} ${transport}: every event arrived`);
          const l = run.latency;
          assert.ok(l.minMs >= 0 && l.p50Ms <= l.p99Ms && l.p99Ms <= l.maxMs, `${lossPercent} % ${wire} ${transport}: ordered percentiles`);
        }
      }
    }
    const clean = x.rates.find((r) => r.lossPercent === 0);
    assert.ok(clean, 'a run without loss to compare with');
    assert.deepEqual(
      clean.connections,
      { 'h1-tls': 5, h2: 1 },
      'five HTTP/1.1 connections, one per transport, against one HTTP/2 connection',
    );
    assert.equal(clean.dropped, 0, 'nothing dropped at 0 %');
    const lossy = x.rates.find((r) => r.lossPercent === Math.max(...p.ratesPercent))!;
    assert.ok(
      lossy.dropped > 0 && lossy.dropped < lossy.packets,
      `at ${lossy.lossPercent} % some packets were dropped (${lossy.dropped} of ${lossy.packets})`,
    );
  });
}
