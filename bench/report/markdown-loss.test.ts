/**
 * The loss section's own edges (markdown.test.ts reads a whole stand-in run through
 * the summary): real loss counted in packets, a fractional rate written with its
 * decimal, and a run missing on one wire written n/a rather than left out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_IDS } from '../../server/transports/registry.ts';
import { emptyResults } from './fixtures.ts';
import { lossSection } from './markdown-loss.ts';

const latency = (p50Ms: number) => ({ p50Ms, p99Ms: p50Ms * 2, maxMs: p50Ms * 3 });

test('real loss in packets, a rate of 2.5 %, and a transport missing over HTTP/2 written n/a', () => {
  const r = emptyResults(true);
  r.scenarios.loss = {
    mechanism: 'netns',
    mechanismNote: 'nftables in a network namespace',
    ratesPercent: [2.5],
    events: 3,
    intervalMs: 100,
    shortPollIntervalMs: 100,
    dataBytes: 16,
    rates: [{ lossPercent: 2.5, connections: { 'h1-tls': 5, h2: 1 }, packets: 1200, dropped: 31 }],
    runs: TRANSPORT_IDS.flatMap((transport) =>
      (['h1-tls', 'h2'] as const)
        .filter((wire) => !(wire === 'h2' && transport === 'iframe'))
        .map((wire) => ({ lossPercent: 2.5, wire, transport, events: 3, received: 3, latency: latency(wire === 'h2' ? 50 : 5) })),
    ),
  } as never;
  const md = lossSection(r);
  assert.match(md, /\*\*How packets were lost: real loss\*\*: nftables in a network namespace\. Dropped: 2\.5 %: 31 of 1,200 packets/);
  assert.match(md, /\(connections held: 5 over HTTP\/1\.1, 1 over HTTP\/2\)\./);
  assert.ok(md.includes(`| 2.5 % | ${r.labels.iframe} | 5.0 | 10.0 | 15.0 | n/a | n/a | n/a | 3 / n/a |`), md);
  assert.ok(md.includes(`| 2.5 % | ${r.labels.ws} | 5.0 | 10.0 | 15.0 | 50.0 | 100 | 150 | 3 / 3 |`));
  assert.equal(md.match(/^\| 2\.5 % \|/gm)?.length, TRANSPORT_IDS.length, 'a row per transport at each rate');
});
