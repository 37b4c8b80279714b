/**
 * `npm run check -- <url> [<url> ...]`: checks servers against the lab's
 * contract and the specs behind it, case by case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR } from '../paths.ts';
import { reportDocument } from './report-html.ts';
import { progressLine, summaryTable } from './report-text.ts';
import { DEFAULT_OPTIONS } from './context.ts';
import { runCheck } from './runner.ts';
import { type CheckReport, TRANSPORTS, type TransportId } from './types.ts';

const HELP =
  `Usage: npm run check -- <url> [<url> ...] [options]

Checks a server's five transports (short-poll, long-poll, iframe, sse, ws) against
the lab's contract (README) and the specs behind it (RFC 6455, WHATWG HTML, RFC 9110/9111),
case by case: Pass, Non-Strict (a SHOULD not met), Fail (a MUST broken, with its section),
Info (left open by the spec), Missing (not served). An https URL is checked over HTTP/2
when the server offers it (ALPN), over HTTP/1.1 otherwise.

Options:
  --only <ids>            only these transports, comma-separated (e.g. sse,ws)
  --json                  print one JSON line per server (a grade sheet) instead of the table
  --report <file>         also write the full JSON report of the (last) server to <file>
  --name <name>           the report's name under results/check/ (default: host-port of the URL)
  --no-save               do not write results/check/<name>.json and .html
` +
  `  --heartbeat-ms <ms>     the heartbeat interval the server states (default ${DEFAULT_OPTIONS.heartbeatMs}); ` +
  `the heartbeat cases wait 1.5 times it
  --publish-budget <n>    the most chat messages published to overrun the buffer ` +
  `for the gap cases (default ${DEFAULT_OPTIONS.publishBudget})
  --help                  this text

Exit status: 0 when no case failed, 1 when one did, 2 for bad arguments.`;

export const CHECK_DIR = path.join(RESULTS_DIR, 'check');

/** A report's file name from its URL: `127.0.0.1-3000`. */
export function reportName(url: string): string {
  try {
    const parsed = new URL(url);
    const tls = parsed.protocol === 'https:';
    return `${parsed.hostname.replace(/[^\w.-]/g, '_')}-${parsed.port || (tls ? 443 : 80)}${tls ? '-tls' : ''}`;
  } catch {
    return 'server';
  }
}

/** Writes results/check/<name>.json and the standalone <name>.html; returns their paths. */
export function saveReport(report: CheckReport, name: string): { json: string; html: string } {
  mkdirSync(CHECK_DIR, { recursive: true });
  const json = path.join(CHECK_DIR, `${name}.json`);
  const html = path.join(CHECK_DIR, `${name}.html`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(html, reportDocument(report, name));
  return { json, html };
}

/** The grade-sheet line of one server. */
export function gradeLine(report: CheckReport): string {
  return JSON.stringify({
    url: report.url,
    counts: report.counts,
    protocols: report.protocols,
    durationMs: report.durationMs,
    verdicts: Object.fromEntries(report.cases.map((c) => [c.id, c.verdict])),
  });
}

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) <= 0) fail(`--${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        only: { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        name: { type: 'string' },
        'no-save': { type: 'boolean' },
        'heartbeat-ms': { type: 'string' },
        'publish-budget': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length === 0) fail('Give the URL of the server to check, e.g. npm run check -- http://127.0.0.1:3000');
  const only = values.only?.split(',').map((t) => t.trim()) as TransportId[] | undefined;
  const unknown = only?.filter((t) => !TRANSPORTS.includes(t));
  if (unknown?.length) fail(`--only: unknown transport ${unknown.join(', ')}; the ids are ${TRANSPORTS.join(', ')}`);
  if (values.name !== undefined && positionals.length > 1) fail('--name names one report: give one URL with it');
  if (values.name !== undefined && !/^[\w.-]{1,80}$/.test(values.name)) fail('--name may hold letters, digits, _, . and - (at most 80)');
  const heartbeatMs = positiveInt(values['heartbeat-ms'], 'heartbeat-ms');
  const publishBudget = positiveInt(values['publish-budget'], 'publish-budget');
  const color = process.stdout.isTTY && !values.json;
  let failed = false;
  for (const url of positionals) {
    const report = await runCheck(url, {
      only,
      heartbeatMs,
      publishBudget,
      onStart: (target) => {
        if (!values.json)
          console.log(
            `Checking ${url}${target ? ` over ${target.protocol}` : ''}` +
              (target?.endpoint.tls ? `, WebSocket over ${target.wsOverH2 ? 'HTTP/2 (RFC 8441)' : 'HTTP/1.1'}` : ''),
          );
      },
      onCase: (result, done, total) => {
        if (!values.json) console.log(progressLine(result, done, total, color));
      },
    });
    failed ||= report.counts.fail > 0;
    if (values.json) console.log(gradeLine(report));
    else console.log(`\n${summaryTable(report, color)}`);
    if (!values['no-save']) {
      const saved = saveReport(report, values.name ?? reportName(url));
      if (!values.json)
        console.log(
          `Reports: ${path.relative(process.cwd(), saved.json)}, ${path.relative(process.cwd(), saved.html)} ` +
            `(the lab shows it at /check/${path.basename(saved.html)})`,
        );
    }
    if (values.report) writeFileSync(values.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exitCode = failed ? 1 : 0;
}

// Run as the command (npm run check), not when the lab imports saveReport from here.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
