/**
 * The wires side by side, recomputed by hand from a small run: overhead per event
 * and HTTP/2 against HTTP/1.1, latency and fan-out rows for every client count any
 * wire ran (null where one did not), TLS compared at the largest count every wire
 * ran, what the overhead groups' TLS and HTTP/2 connection cost, Chromium's heads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TransportId } from '../../server/transports/registry.ts';
import type { H2Heads } from '../browser-h2.ts';
import { protocols } from './protocols.ts';
import type { Scenarios } from './rows.ts';

const options = { quick: false, h2Heads: null, h1HeadBytes: null };
const cell = (transport: string, overheadBytes: number) => ({
  profile: 'browser',
  transport,
  dataBytes: 16,
  client: 'node-replay',
  perEvent: { overheadBytes, requests: 1 },
  requestHeadBytes: 500,
  responseHeadBytes: 170,
});
const fan = (transport: string, clients: number, cpu: number, tls?: object) => ({
  transport,
  clients,
  latency: { p50Ms: clients / 100, p99Ms: clients / 10 },
  serverCpuMicrosPerDelivery: cpu,
  deliveriesPerSecond: clients * 10,
  connectSeconds: 1,
  tls,
});
const tls = (handshake: number) => ({ handshakeBytesPerConnection: handshake, recordBytesPerDelivery: 29, tcpBytesPerDelivery: 100 });

const scenarios = {
  overhead: {
    cells: [cell('ws', 8), cell('short-poll', 700)],
    byWire: {
      h2: {
        cells: [cell('ws', 16), cell('short-poll', 70)],
        groups: [
          {
            wire: 'h2',
            profile: 'browser',
            client: 'chromium',
            dataBytes: 16,
            tls: { oneOff: { connectionsOpened: 3, handshakeBytesIn: 1000, handshakeBytesOut: 4000 }, recordBytesPerDelivery: 22 },
            http2Connection: { oneOff: { bytesIn: 100, bytesOut: 60 }, bytesPerDelivery: 0.5 },
          },
          { wire: 'h2', profile: 'browser', client: 'chromium', dataBytes: 1024, tls: null, http2Connection: null },
        ],
      },
    },
  },
  latency: { results: [{ transport: 'ws', latency: { p50Ms: 0.1, p99Ms: 0.3 } }], byWire: {} },
  fanout: {
    runs: [fan('ws', 100, 10), fan('ws', 1000, 12)],
    byWire: { 'h1-tls': { runs: [fan('ws', 100, 15, tls(5000))] }, h2: { runs: [fan('ws', 100, 20, tls(5100))] } },
  },
  rtt: { runs: [{ transport: 'ws', rttMs: 50, latency: { meanMs: 26, p99Ms: 30 }, requestsPerEvent: 0 }], byWire: {} },
} as unknown as Scenarios;
const transports: TransportId[] = ['short-poll', 'ws'];
const p = protocols(scenarios, transports, options);

test('overhead per event by wire, and HTTP/2 against HTTP/1.1 (below 1: cheaper)', () => {
  assert.deepEqual(p.wires, ['h1', 'h1-tls', 'h2']);
  assert.equal(p.dataBytes, 16);
  const browser = p.overhead.filter((o) => o.profile === 'browser');
  assert.deepEqual(
    browser.map((o) => [o.transport, o.overheadBytesPerEvent, o.h2ToH1]),
    [
      ['short-poll', { h1: 700, 'h1-tls': null, h2: 70 }, 0.1],
      ['ws', { h1: 8, 'h1-tls': null, h2: 16 }, 2],
    ],
  );
  assert.ok(
    p.overhead.filter((o) => o.profile === 'minimal').every((o) => o.h2ToH1 === null),
    'no minimal cells: no ratio',
  );
  assert.deepEqual(p.connection, [{ profile: 'browser', client: 'chromium', oneOffBytes: 160, bytesPerDelivery: 0.5 }], 'at 16 B only');
});

test("fan-out rows for every count any wire ran, each wire's figure or null", () => {
  assert.deepEqual(
    p.fanout.map((f) => [f.clients, f.transport, f.p99Ms]),
    [
      [100, 'short-poll', { h1: null, 'h1-tls': null, h2: null }],
      [100, 'ws', { h1: 10, 'h1-tls': 10, h2: 10 }],
      [1000, 'short-poll', { h1: null, 'h1-tls': null, h2: null }],
      [1000, 'ws', { h1: 100, 'h1-tls': null, h2: null }],
    ],
  );
  assert.deepEqual(p.latency[1], {
    transport: 'ws',
    p50Ms: { h1: 0.1, 'h1-tls': null, h2: null },
    p99Ms: { h1: 0.3, 'h1-tls': null, h2: null },
  });
  assert.deepEqual(p.rtt[1], {
    rttMs: 50,
    transport: 'ws',
    meanMs: { h1: 26, 'h1-tls': null, h2: null },
    p99Ms: { h1: 30, 'h1-tls': null, h2: null },
    requestsPerEvent: { h1: 0, 'h1-tls': null, h2: null },
  });
});

test("TLS at the largest count every wire ran (100, not plain HTTP/1.1's 1,000), CPU against plain HTTP/1.1", () => {
  assert.equal(p.tlsClients, 100);
  const ws = p.tls.find((t) => t.transport === 'ws')!;
  assert.deepEqual(ws.cpuMicrosPerDelivery, { h1: 10, 'h1-tls': 15, h2: 20 });
  assert.deepEqual(ws.cpuRatioToH1, { h1: 1, 'h1-tls': 1.5, h2: 2 });
  assert.deepEqual(ws.handshakeBytesPerConnection, { h1: null, 'h1-tls': 5000, h2: 5100 });
  assert.deepEqual(p.tlsOverhead, [
    { wire: 'h2', profile: 'browser', client: 'chromium', connections: 3, handshakeBytesPerConnection: 1666.7, recordBytesPerDelivery: 22 },
  ]);
});

test('a run without plain HTTP/1.1 claims no ratio to it', () => {
  const h2Only = { fanout: { runs: [], byWire: { h2: { runs: [fan('ws', 100, 20, tls(5100))] } } } } as unknown as Scenarios;
  const only = protocols(h2Only, ['ws'], options);
  assert.deepEqual(only.wires, ['h2']);
  assert.equal(only.tlsClients, 100);
  assert.deepEqual(only.tls[0].cpuRatioToH1, { h1: null, 'h1-tls': null, h2: null }, 'HTTP/1.1 was not measured: not 1');
});

test("no run at all: empty tables, no TLS count; Chromium's heads only when captured", () => {
  const empty = protocols({}, transports, options);
  assert.deepEqual(
    [empty.wires, empty.fanout, empty.tls, empty.tlsClients, empty.heads, empty.chromiumHandshake],
    [[], [], [], null, [], null],
  );
  const h2Heads = {
    heads: { ws: { firstBytes: 60, repeatedBytes: 12, protocol: 'h2', responseFirstBytes: 40, responseRepeatedBytes: 5 } },
    tlsHandshake: { bytes: 2900 },
  } as unknown as H2Heads;
  const heads = protocols({}, transports, { quick: false, h2Heads, h1HeadBytes: { ws: 497 } as never }).heads;
  assert.deepEqual(heads, [
    {
      transport: 'short-poll',
      h1Bytes: null,
      h2FirstBytes: null,
      h2RepeatedBytes: null,
      h2Protocol: null,
      h2ResponseFirstBytes: null,
      h2ResponseRepeatedBytes: null,
    },
    {
      transport: 'ws',
      h1Bytes: 497,
      h2FirstBytes: 60,
      h2RepeatedBytes: 12,
      h2Protocol: 'h2',
      h2ResponseFirstBytes: 40,
      h2ResponseRepeatedBytes: 5,
    },
  ]);
});
