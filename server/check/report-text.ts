/**
 * The terminal's view of a run: one line per case as it ends, then a table of
 * verdicts per transport.
 */
import type { CaseResult, CheckReport, TransportId, Verdict } from './types.ts';
import { TRANSPORTS, VERDICTS } from './types.ts';

const LABEL: Record<Verdict, string> = { pass: 'Pass', 'non-strict': 'Non-Strict', fail: 'Fail', info: 'Info', missing: 'Missing' };
const COLOR: Record<Verdict, string> = { pass: '32', 'non-strict': '33', fail: '31', info: '36', missing: '90' };

function paint(text: string, verdict: Verdict, color: boolean): string {
  return color ? `\x1b[${COLOR[verdict]}m${text}\x1b[0m` : text;
}

/** One progress line: `[ 12/ 97] Pass        sse.fields  id: 4, event: chat (3 ms)`. */
export function progressLine(result: CaseResult, done: number, total: number, color: boolean): string {
  const width = String(total).length;
  const verdict = paint(LABEL[result.verdict].padEnd(10), result.verdict, color);
  const section = result.verdict === 'fail' || result.verdict === 'non-strict' ? ` [${result.section}]` : '';
  return `[${String(done).padStart(width)}/${total}] ${verdict} ${result.id.padEnd(30)} ${result.reason}${section} (${result.timeMs} ms)`;
}

/** The closing table: verdicts per transport, the protocol that carried each, and the totals. */
export function summaryTable(report: CheckReport, color: boolean): string {
  const header = ['transport', 'protocol', ...VERDICTS.map((v) => LABEL[v])];
  const rows = TRANSPORTS.filter((t) => report.cases.some((c) => c.transport === t)).map((t: TransportId) => {
    const cases = report.cases.filter((c) => c.transport === t);
    return [t, report.protocols[t] ?? '-', ...VERDICTS.map((v) => String(cases.filter((c) => c.verdict === v).length))];
  });
  rows.push(['all', '', ...VERDICTS.map((v) => String(report.counts[v]))]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const failing = report.cases.filter((c) => c.verdict === 'fail');
  if (failing.length > 0) {
    out.push('', 'Failed:');
    for (const c of failing) out.push(`  ${paint(c.id, 'fail', color)} [${c.section}] ${c.reason}`);
  }
  out.push('', `${report.url}: ${report.cases.length} cases in ${(report.durationMs / 1000).toFixed(1)} s`);
  return out.join('\n');
}
