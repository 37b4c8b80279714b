/**
 * The loss probe with the stand-in (what runs where the machine cannot drop real
 * packets): both wires measured at each rate, every event delivered, five HTTP/1.1
 * connections against one HTTP/2 connection, segments held at a loss rate and none
 * without. The real-loss path runs in the bench's quick test (bench/loss-checks.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { runLossProbe } from './loss-probe.ts';

test('the stand-in: every transport over both wires, every event, five connections against one', { timeout: 120_000 }, async () => {
  const args = {
    mechanism: 'stand-in' as const,
    ratesPercent: [0, 20],
    events: 20,
    intervalMs: 50,
    shortPollIntervalMs: 100,
    dataBytes: 16,
    stallMs: 200,
    seed: 3,
  };
  const result = await runLossProbe(args);
  for (const lossPercent of args.ratesPercent) {
    const rate = result.rates.find((r) => r.lossPercent === lossPercent)!;
    assert.deepEqual(
      rate.connections,
      { 'h1-tls': 5, h2: 1 },
      `${lossPercent} %: a connection per transport over HTTP/1.1, one over HTTP/2`,
    );
    assert.ok(rate.packets > 0, `${lossPercent} %: segments relayed`);
    if (lossPercent === 0) assert.equal(rate.dropped, 0, 'none held at 0 %');
    else assert.ok(rate.dropped > 0, `some held at ${lossPercent} % (${rate.dropped} of ${rate.packets})`);
    for (const wire of ['h1-tls', 'h2'] as const) {
      for (const transport of TRANSPORT_IDS) {
        const run = result.runs.find((r) => r.lossPercent === lossPercent && r.wire === wire && r.transport === transport);
        assert.equal(run?.received, args.events, `${lossPercent} % ${wire} ${transport}: every event arrived`);
      }
    }
  }
});
