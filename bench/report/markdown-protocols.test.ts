/**
 * The summary's "HTTP/1.1 and HTTP/2 side by side" from derived figures: one
 * column per wire the run measured, 'n/a' where a wire has no figure (never a
 * unit glued to it), and the TLS table only when a TLS wire ran.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyResults } from './fixtures.ts';
import { protocolsMarkdown } from './markdown-protocols.ts';
import { protocols } from './protocols.ts';
import type { Scenarios } from './rows.ts';

const fan = (transport: string, clients: number, cpu: number, handshake?: number) => ({
  transport,
  clients,
  latency: { p50Ms: 1, p99Ms: 4.25 },
  serverCpuMicrosPerDelivery: cpu,
  tls:
    handshake === undefined ? undefined : { handshakeBytesPerConnection: handshake, recordBytesPerDelivery: 29, tcpBytesPerDelivery: 100 },
});

/** A run's results with `scenarios` and the side-by-side figures derived from them. */
function resultsOf(scenarios: object) {
  const r = emptyResults(false);
  r.scenarios = scenarios as Scenarios;
  r.derived.protocols = protocols(r.scenarios, ['ws'], { quick: false, h2Heads: null, h1HeadBytes: null });
  return r;
}

test('a column per wire; TLS costs with the ratio to plain HTTP/1.1 as 1.50x', () => {
  const md = protocolsMarkdown(
    resultsOf({
      fanout: {
        runs: [fan('ws', 100, 10)],
        byWire: { 'h1-tls': { runs: [fan('ws', 100, 15, 5000)] }, h2: { runs: [fan('ws', 100, 20, 5100)] } },
      },
    }),
  );
  assert.match(md, /^## HTTP\/1\.1 and HTTP\/2 side by side\n/);
  assert.match(md, /\| Clients \| Transport \| p99, HTTP\/1\.1 \| p99, HTTP\/1\.1 over TLS \| p99, HTTP\/2 \| CPU, HTTP\/1\.1 \|/);
  assert.match(md, /\| 100 \| WebSocket \| 4\.3 \| 4\.3 \| 4\.3 \| 10\.0 \| 15\.0 \| 20\.0 \|/);
  assert.match(md, /### What TLS costs\n\n100 clients per transport/);
  assert.match(md, /\| WebSocket \| 5,000 \| 5,100 \| 29\.0 \| 29\.0 \| 10\.0 \| 15\.0 \| 20\.0 \| 1\.50x \| 2\.00x \|/);
});

test("a wire without a figure reads n/a in every column, the ratio's included", () => {
  const md = protocolsMarkdown(resultsOf({ fanout: { runs: [], byWire: { h2: { runs: [fan('ws', 100, 20, 5100)] } } } }));
  assert.match(md, /\| 100 \| WebSocket \| 4\.3 \| 20\.0 \|/, 'the HTTP/2 run alone: one column each');
  assert.match(md, /\| WebSocket \| 5,100 \| 29\.0 \| 20\.0 \| n\/a \|$/m, 'no HTTP/1.1 to divide by: n/a, not n/ax');
  assert.doesNotMatch(md, /n\/ax/);
});

test('plain HTTP/1.1 alone: no TLS table; a scenario that did not run leaves out its table, not a table of n/a', () => {
  const md = protocolsMarkdown(resultsOf({ fanout: { runs: [fan('ws', 100, 10)] } }));
  assert.match(md, /### Fan-out by wire/);
  assert.doesNotMatch(md, /What TLS costs/);
  assert.doesNotMatch(md, /### Overhead per delivered event/, 'no overhead scenario: no "n/a B of data"');
  assert.doesNotMatch(md, /### One idle client/, 'no latency scenario');
  const idle = protocolsMarkdown(resultsOf({ latency: { results: [{ transport: 'ws', latency: { p50Ms: 0.1, p99Ms: 0.25 } }] } }));
  assert.ok(
    idle.includes(
      '### One idle client, p50 / p99 latency by wire (ms)\n\n| Transport | HTTP/1.1 |\n|---|---|\n| WebSocket | 0.100 / 0.250 |',
    ),
  );
});
