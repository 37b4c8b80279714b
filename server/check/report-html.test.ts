/**
 * The check report as HTML: whatever a checked server sent (its bytes, its status
 * line in a reason) and whatever the command line named is shown as text, never
 * markup; the verdict counts per transport; both languages in the standalone file,
 * English shown first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { I18N } from '../i18n.ts';
import { reportDocument, reportSection } from './report-html.ts';
import type { CaseResult, CheckReport } from './types.ts';

const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';

const result = (fields: Partial<CaseResult>): CaseResult => ({
  id: 'sse.fields',
  transport: 'sse',
  title: 'fields',
  section: 'WHATWG HTML §9.2.6',
  verdict: 'pass',
  reason: 'as the spec asks',
  sent: 'GET /feed/sse HTTP/1.1',
  received: 'HTTP/1.1 200 OK',
  timeMs: 4,
  protocol: 'http/1.1',
  ...fields,
});

const report: CheckReport = {
  url: `http://127.0.0.1:1/?q="${hostile}`,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1500,
  protocols: { sse: 'http/1.1', ws: 'h2' },
  counts: { pass: 1, 'non-strict': 0, fail: 1, info: 0, missing: 0 },
  cases: [result({}), result({ id: 'ws.mask', transport: 'ws', verdict: 'fail', reason: `answered ${hostile}`, received: hostile })],
  checker: { node: 'v20', version: '0' },
};

test('what the checked server sent and what the command line named are text, not markup', () => {
  const text = String(reportDocument(report, `name ${hostile}`));
  assert.doesNotMatch(text, /<script>alert|<img /, 'no markup from the server or the command line');
  assert.ok(text.includes('&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;'), 'the bytes shown, escaped');
  assert.equal(text.match(/<script>/g)?.length, 1, "the one script is the file's own language switch");
});

test('a row per case with its verdict, and the counts per transport that had cases', () => {
  const section = String(reportSection(report, 'en'));
  assert.match(section, /<tr class="verdict-fail" data-case="ws\.mask" data-verdict="fail">/);
  assert.match(section, /<tr class="verdict-pass" data-case="sse\.fields" data-verdict="pass">/);
  assert.match(section, /<tr><th>[^<]+<\/th><td>h2<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>0<\/td><td>0<\/td><\/tr>/, 'ws: one fail');
  assert.equal(section.match(/<tr><th>[^<]+<\/th><td>/g)?.length, 2, 'a count row for each of the two transports that had cases');
  assert.ok(section.includes('1.5 s'), 'the duration');
});

test('the standalone file holds both languages, English shown and Chinese hidden', () => {
  const text = String(reportDocument(report, 'lab'));
  assert.match(text, /<section lang="en" data-lang="en">\n<h1>[^<]+: lab<\/h1>/);
  assert.match(text, new RegExp(`<section lang="zh-Hans" data-lang="zh" hidden>\\n<h1>${I18N.zh['check.reportTitle']}: lab</h1>`));
});
