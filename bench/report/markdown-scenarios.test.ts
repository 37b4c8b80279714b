/**
 * The summary's sections per scenario, from small results written by hand: the
 * framework's cost with its ratios (n/a where a ratio could not be taken, as a
 * quick run's memory slope may leave it), the Kaazing table beside the 2010
 * figures, the autocannon line, and the method's settings and wires.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyResults } from './fixtures.ts';
import { autocannonSection, kaazingSection, methodSection, referenceSection } from './markdown-scenarios.ts';

const subject = (name: string, p50Ms: number, cpu: number, rss: number) => ({
  subject: name,
  kind: name.startsWith('lab') ? 'lab' : 'bare-ws',
  transport: 'ws',
  singleClient: { latency: { p50Ms: p50Ms / 10 } },
  load: { latency: { p50Ms, p99Ms: p50Ms * 3 }, deliveriesPerSecond: 50_000, serverCpuMicrosPerDelivery: cpu },
  rssBytesPerConnection: rss,
});

test("the framework's cost: a row per subject, then the lab against the bare subject in words", () => {
  const r = emptyResults(false);
  r.scenarios.reference = {
    clients: 1000,
    ratePerSecond: 10,
    dataBytes: 64,
    runs: [subject('lab ws', 2, 4.5, 3000), subject('bare ws', 1.5, 4, 2700)],
    ratios: {
      ws: { throughputRatio: 0.889, memoryRatio: 0.9, p99Ratio: 1.2 },
      sse: { throughputRatio: 1.02, memoryRatio: null, p99Ratio: null },
    },
  } as never;
  const md = referenceSection(r);
  assert.match(md, /^## What the framework costs\n\n1,000 clients at 10 events\/s, each subject in a fresh process, HTTP\/1\.1\./);
  assert.match(md, /\| lab ws \| 0\.200 \| 2\.0 \| 6\.0 \| 50,000 \| 4\.50 \| 3,000 \|/);
  assert.match(md, /WebSocket: the lab runs at 0\.89x the bare subject's throughput \(CPU per delivery\), 0\.90x its memory efficiency\./);
  assert.match(
    md,
    /Server-Sent Events: the lab runs at 1\.02x the bare subject's throughput \(CPU per delivery\), n\/a its memory efficiency\./,
  );
  assert.doesNotMatch(md, /n\/ax/);
});

test('the Kaazing table: the published rows in SI and binary megabits, and the 2010 figures they match', () => {
  const md = kaazingSection(emptyResults(false));
  assert.match(md, /871 B of headers per poll against 2 B per WebSocket frame/);
  assert.match(md, /\| Row \| B per event \| 1,000 clients, Mbps \(SI\) \| 1,000 clients, Mibit\/s \| 10,000 clients/);
  assert.match(
    md,
    /\| Polling \(Kaazing 2010, headers only\) \| 871\.0 \| 6\.968 \| 6\.645 \| 69\.680 \| 66\.452 \| 696\.800 \| 664\.520 \|/,
  );
  assert.match(md, /The 2010 table printed 6\.6 \/ 66 \/ 665 and 0\.015 \/ 0\.153 \/ 1\.526 Mbps: the binary columns above\./);
});

test('autocannon: requests per second, latency from fractional times, bytes and CPU per request', () => {
  const r = emptyResults(false);
  r.scenarios.autocannon = {
    url: 'http://127.0.0.1:1/feed/short-poll',
    connections: 10,
    durationSeconds: 5,
    requestsPerSecond: 12345.6,
    latency: { p50Ms: 0.7123, p99Ms: 2.5 },
    autocannonLatencyMs: { p50: 0 },
    serverCpuMicrosPerRequest: 41.25,
    requestBytesPerRequest: 100,
    responseBytesPerRequest: 250,
    non2xx: 0,
    errors: 0,
  } as never;
  assert.equal(
    autocannonSection(r),
    '## Short-poll endpoint under autocannon\n\n`http://127.0.0.1:1/feed/short-poll` (empty answers, HTTP/1.1), 10 connections, 5 s: ' +
      "**12,346 requests/s**, p50 0.712 ms, p99 2.5 ms (from autocannon's fractional response times; its own histogram reads p50 0 ms " +
      'in whole ms), 41.3 µs of server CPU per request, 100 B in and 250 B out per request; 0 non-2xx, 0 errors.',
  );
});

test("the method names the server's settings and the wires the run used", () => {
  const r = emptyResults(true);
  r.serverSettings = { TICK_MS: '0', HEARTBEAT_MS: '3600000' };
  const md = methodSection(r);
  assert.match(md, /with TICK_MS=0, HEARTBEAT_MS=3600000\); clients run in separate worker processes/);
  assert.match(md, new RegExp(`over ${r.parameters.wires.map((w) => r.wireLabels[w]).join(', ')} for the overhead`));
});
