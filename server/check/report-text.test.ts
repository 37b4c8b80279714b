/**
 * The checker's terminal report, character for character: the progress line's
 * padding, where the section is shown, the colours only when asked for, and the
 * closing table's columns, rows and totals.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressLine, summaryTable } from './report-text.ts';
import type { CaseResult, CheckReport, Verdict } from './types.ts';

const result = (id: string, verdict: Verdict, extra: Partial<CaseResult> = {}): CaseResult => ({
  id,
  transport: id.split('.')[0] as CaseResult['transport'],
  title: id,
  section: 'RFC 6455 §5.1',
  verdict,
  reason: `reason of ${id}`,
  sent: '',
  received: '',
  timeMs: 3,
  protocol: 'http/1.1',
  ...extra,
});

test("progressLine: the count padded to the total's width, the verdict to 10, the id to 30", () => {
  assert.equal(
    progressLine(result('sse.fields', 'pass'), 7, 120, false),
    `[  7/120] Pass       ${'sse.fields'.padEnd(30)} reason of sse.fields (3 ms)`,
  );
  assert.equal(progressLine(result('ws.ping', 'info'), 1, 9, false), `[1/9] Info       ${'ws.ping'.padEnd(30)} reason of ws.ping (3 ms)`);
});

test('progressLine: the section only for Fail and Non-Strict', () => {
  assert.match(
    progressLine(result('ws.mask', 'fail'), 1, 1, false),
    /^\[1\/1\] Fail {7}ws\.mask {23} reason of ws\.mask \[RFC 6455 §5\.1\] \(3 ms\)$/,
  );
  assert.match(progressLine(result('ws.mask', 'non-strict'), 1, 1, false), / \[RFC 6455 §5\.1\] \(3 ms\)$/);
  for (const verdict of ['pass', 'info', 'missing'] as const) {
    assert.doesNotMatch(progressLine(result('ws.mask', verdict), 1, 1, false), /RFC/, verdict);
  }
});

test('progressLine: the verdict coloured (green, yellow, red, cyan, grey) only when asked, the padding inside the colour', () => {
  const colours = { pass: 32, 'non-strict': 33, fail: 31, info: 36, missing: 90 };
  for (const [verdict, code] of Object.entries(colours)) {
    const line = progressLine(result('sse.x', verdict as Verdict), 1, 1, true);
    assert.ok(line.startsWith(`[1/1] \x1b[${code}m`), `${verdict}: ${JSON.stringify(line)}`);
    assert.match(line, /^\[1\/1\] \x1b\[\d+m.{10}\x1b\[0m sse\.x/, `${verdict}: ten characters painted, then reset`);
  }
  assert.doesNotMatch(progressLine(result('sse.x', 'fail'), 1, 1, false), /\x1b/, 'no escape codes without colour');
});

const report = (cases: CaseResult[], counts: Record<Verdict, number>): CheckReport => ({
  url: 'http://127.0.0.1:3000',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 12345,
  protocols: { sse: 'http/1.1', ws: 'h2' },
  counts,
  cases,
  checker: { node: 'v20', version: '0' },
});

test("summaryTable: one row per transport with cases, in the registry's order, its protocol or -, then the totals", () => {
  const cases = [
    result('ws.a', 'pass'),
    result('sse.a', 'pass'),
    result('sse.b', 'non-strict'),
    result('ws.b', 'fail', { reason: 'no close frame' }),
    result('long-poll.a', 'info'),
  ];
  const text = summaryTable(report(cases, { pass: 2, 'non-strict': 1, fail: 1, info: 1, missing: 0 }), false);
  assert.equal(
    text,
    [
      'transport  protocol  Pass  Non-Strict  Fail  Info  Missing',
      '---------  --------  ----  ----------  ----  ----  -------',
      'long-poll  -            0           0     0     1        0',
      'sse        http/1.1     1           1     0     0        0',
      'ws         h2           1           0     1     0        0',
      'all                     2           1     1     1        0',
      '',
      'Failed:',
      '  ws.b [RFC 6455 §5.1] no close frame',
      '',
      'http://127.0.0.1:3000: 5 cases in 12.3 s',
    ].join('\n'),
  );
});

test('summaryTable: no Failed list when nothing failed; no cases at all is the totals row alone', () => {
  const text = summaryTable(report([result('sse.a', 'pass')], { pass: 1, 'non-strict': 0, fail: 0, info: 0, missing: 0 }), false);
  assert.doesNotMatch(text, /Failed/);
  const empty = summaryTable(report([], { pass: 0, 'non-strict': 0, fail: 0, info: 0, missing: 0 }), false).split('\n');
  assert.equal(empty.length, 5, 'header, rule, totals, a blank line, the run line');
  assert.match(empty[2], /^all/);
  assert.equal(empty[4], 'http://127.0.0.1:3000: 0 cases in 12.3 s');
});

test('summaryTable: failed ids painted red when colour is asked for', () => {
  const text = summaryTable(report([result('ws.b', 'fail')], { pass: 0, 'non-strict': 0, fail: 1, info: 0, missing: 0 }), true);
  assert.ok(text.includes('  \x1b[31mws.b\x1b[0m [RFC 6455 §5.1] reason of ws.b'), text);
});
