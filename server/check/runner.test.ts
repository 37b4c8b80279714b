/**
 * The checker against the lab itself: every case passes, over HTTP/1.1 and over
 * HTTP/2 (with WebSocket over RFC 8441) on the lab's TLS port.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningLab, startLab } from '../test-helpers.ts';
import { ALL_CASES } from './cases/index.ts';
import { runCheck } from './runner.ts';
import type { CheckReport } from './types.ts';

let lab: RunningLab;

before(async () => {
  // A heartbeat the cases can wait for in a second, a buffer the gap cases overrun in one batch,
  // and a ticker, so that the cases prove they tolerate events of the server's own.
  lab = await startLab({ tlsPort: 0, heartbeatMs: 1000, bufferSize: 100, tickMs: 1000 });
});
after(() => lab.close());

function assertAllPass(report: CheckReport, expectedCases: number): void {
  const notPassed = report.cases.filter((c) => c.verdict !== 'pass').map((c) => `${c.id}: ${c.verdict}: ${c.reason}`);
  assert.deepEqual(notPassed, [], 'every case passes against the lab');
  assert.equal(report.cases.length, expectedCases, 'every case ran');
  for (const c of report.cases) {
    assert.ok(c.sent.length > 0 || c.id.endsWith('.gap'), `${c.id} records what it sent`);
    assert.ok(c.received.length > 0, `${c.id} records what came back`);
  }
}

test('every case passes against the lab over HTTP/1.1', async () => {
  const seen: string[] = [];
  const report = await runCheck(lab.baseUrl, { heartbeatMs: 1000, onCase: (r) => seen.push(r.id) });
  assert.ok(ALL_CASES.length >= 100, `${ALL_CASES.length} cases in all`);
  assert.ok(ALL_CASES.filter((c) => c.transport === 'ws').length >= 40, 'at least 40 WebSocket cases');
  assertAllPass(report, ALL_CASES.length);
  assert.deepEqual(new Set(seen), new Set(ALL_CASES.map((c) => c.id)), 'progress reported every case');
  for (const c of report.cases) assert.equal(c.protocol, 'http/1.1', `${c.id} ran over HTTP/1.1`);
});

test('every case passes against the lab over HTTP/2, WebSocket included (RFC 8441)', async () => {
  const report = await runCheck(lab.https!.h2Url, { heartbeatMs: 1000 });
  const h1Only = ALL_CASES.filter((c) => c.only === 'http/1.1').length;
  assert.ok(h1Only > 0 && h1Only < 5, 'only the handshake cases of HTTP/1.1 are left out');
  assertAllPass(report, ALL_CASES.length - h1Only);
  for (const c of report.cases) assert.equal(c.protocol, 'h2', `${c.id} ran over HTTP/2`);
});

test('--only checks the transports asked for, over HTTP/1.1 inside TLS where ALPN offers only that', async () => {
  const report = await runCheck(lab.https!.h1Url, { heartbeatMs: 1000, only: ['sse'] });
  assert.ok(report.cases.length > 10 && report.cases.every((c) => c.transport === 'sse'), 'only SSE cases');
  assertAllPass(report, report.cases.length);
  assert.equal(report.protocols.sse, 'http/1.1+tls');
});
