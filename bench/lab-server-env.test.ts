/**
 * The bench lab's settings are settings the lab accepts (server/config.ts reads
 * them as `npm start` would) and mean what lab-server-env.ts says they mean: no
 * ticker, no chat limit, no extra ports, a deep buffer, heartbeats never inside a
 * window, no connection cap, free ports for plain and TLS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../server/config.ts';
import { BENCH_ENV } from './lab-server-env.ts';

test('the lab reads every bench setting without refusing one, as documented', () => {
  const config = loadConfig(BENCH_ENV);
  assert.deepEqual(
    {
      host: config.host,
      port: config.port,
      tickMs: config.tickMs,
      chatRate: config.chatRate,
      bufferSize: config.bufferSize,
      heartbeatMs: config.heartbeatMs,
      extraPorts: config.extraPorts,
      maxConnections: config.maxConnections,
      tlsPort: config.tlsPort,
    },
    {
      host: '127.0.0.1',
      port: 0,
      tickMs: 0,
      chatRate: 0,
      bufferSize: 20_000,
      heartbeatMs: 3_600_000,
      extraPorts: false,
      maxConnections: 0,
      tlsPort: 0,
    },
  );
});

test("every bench setting but HOST (pinned to loopback) changes one of the lab's defaults", () => {
  const defaults = loadConfig({});
  const bench = loadConfig(BENCH_ENV);
  for (const key of ['port', 'tickMs', 'chatRate', 'bufferSize', 'heartbeatMs', 'extraPorts', 'maxConnections', 'tlsPort'] as const) {
    assert.notDeepEqual(bench[key], defaults[key], key);
  }
});
