/** What the summary says of a run whose figures cannot be judged or whose scenario could not run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABELS, TRANSPORT_IDS } from '../../server/transports/registry.ts';
import { derive } from './derive.ts';
import { emptyResults } from './fixtures.ts';
import { summaryMarkdown } from './markdown.ts';

test('a quick run judges no target', () => {
  const quick = emptyResults(true);
  assert.ok(quick.derived.targets.length > 5, 'the targets are listed');
  for (const target of quick.derived.targets) {
    assert.equal(target.met, null, `${target.id}: not judged`);
    assert.equal(target.note, 'quick run', `${target.id}: says why`);
  }
  assert.match(summaryMarkdown(quick), /not judged \(quick run\)/, 'the summary says so');
});

test('a cluster scenario that could not run says so, and why, instead of failing', () => {
  const r = emptyResults(true);
  const reason = 'The cluster needs nginx: install it (Debian: sudo apt-get install -y nginx) and run the command again.';
  r.scenarios.cluster = { skipped: true, reason, processes: 3, problems: [] };
  r.derived = derive(r.scenarios, [...TRANSPORT_IDS], LABELS, { quick: true, h2Heads: null, h1HeadBytes: null });
  assert.deepEqual(r.derived.cluster, { skipped: true, reason, processes: 3 }, 'the derived figures carry the reason');
  assert.match(
    summaryMarkdown(r),
    /## Several processes on one Redis feed\n\n\*\*Skipped:\*\* The cluster needs nginx/,
    'the summary says skipped, and why',
  );
  assert.equal(emptyResults(true).derived.cluster, null, 'a run without the scenario has no cluster figures');
});

test('the loss section says which mechanism lost the packets, and gives both wires per rate and transport', () => {
  const r = emptyResults(true);
  const latency = (p50Ms: number) => ({
    count: 2,
    minMs: 1,
    meanMs: p50Ms,
    p50Ms,
    p90Ms: p50Ms,
    p99Ms: p50Ms * 2,
    maxMs: p50Ms * 3,
    histogram: { fromMs: 0.001, bucketsPerDecade: 20, below: 0, counts: [] },
  });
  r.scenarios.loss = {
    mechanism: 'stand-in',
    mechanismNote: 'the stall proxy standing in for loss (200 ms per lost 1448-byte segment, seeded): not root',
    ratesPercent: [0, 5],
    events: 2,
    intervalMs: 50,
    shortPollIntervalMs: 100,
    dataBytes: 16,
    stallMs: 200,
    seed: 1,
    rates: [0, 5].map((lossPercent) => ({ lossPercent, connections: { 'h1-tls': 5, h2: 1 }, packets: 100, dropped: lossPercent })),
    runs: [0, 5].flatMap((lossPercent) =>
      (['h1-tls', 'h2'] as const).flatMap((wire) =>
        TRANSPORT_IDS.map((transport) => ({
          lossPercent,
          wire,
          transport,
          events: 2,
          received: 2,
          latency: latency(wire === 'h2' ? 40 : 4),
        })),
      ),
    ),
  };
  const md = summaryMarkdown(r);
  assert.match(md, /## Head-of-line blocking under loss/, 'the section is there');
  assert.match(md, /\*\*How packets were lost: the stand-in\*\*: the stall proxy .*not root/, 'it says the stand-in ran, and why');
  const row = /\| 5 % \| WebSocket \| 4\.0 \| 8\.0 \| 12\.0 \| 40\.0 \| 80\.0 \| 120 \| 2 \/ 2 \|/;
  assert.match(md, row, 'a row per rate and transport, HTTP/1.1 beside HTTP/2');
  assert.match(md, /5 %: 5 of 100 segments \(connections held: 5 over HTTP\/1\.1, 1 over HTTP\/2\)/, 'what was dropped');
});
