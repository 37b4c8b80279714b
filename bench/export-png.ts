/**
 * `npm run bench:png`: the results page's charts as PNG files for slides.
 *
 * Native canvas packages cannot be installed here, so the charts are drawn by the
 * results page itself in headless Chromium (playwright-core with Debian's
 * chromium), in its export layout (?export=1: each chart a 1600x900 slide), and
 * each figure is photographed. The lab is started in this process on a free port
 * and stopped at the end. A quick run's slides carry its mark, as its page does.
 *
 *   npm run bench:png                               charts of results/latest.json (the reference run)
 *   npm run bench:png -- --run=quick/latest.json    charts of the last quick run (into results/quick/charts)
 *   npm run bench:png -- --run=runs/<id>.json       charts of another run
 *   npm run bench:png -- --out=results/charts       where to write
 *   npm run bench:png -- --scale=2                  pixel density (default 1)
 *   npm run bench:png -- --lang=zh                  the slides in Chinese
 *   npm run bench:png -- --trace=FILE               the ladder slides from a trace recorded before (ladders-trace.json)
 *
 * After the charts, the ladder diagrams (export-ladders.ts): a trace of real traffic
 * recorded in Chromium, written beside the slides, and one slide per transport plus
 * the five side by side, drawn from it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build, listen } from '../server/app.ts';
import { configWith } from '../server/config.ts';
import { launchChromium } from './chromium.ts';
import { exportLadders } from './export-ladders.ts';
import { ROOT } from './ipc.ts';

const USAGE = 'usage: npm run bench:png -- [--run=runs/<id>.json] [--out=DIR] [--scale=N] [--lang=en|zh] [--trace=FILE]';
const options = {
  run: { type: 'string' },
  out: { type: 'string' },
  scale: { type: 'string' },
  lang: { type: 'string' },
  trace: { type: 'string' },
} as const;
let args: { run?: string; out?: string; scale?: string; lang?: string; trace?: string };
try {
  args = parseArgs({ args: process.argv.slice(2), options }).values;
} catch (error) {
  console.error(`${USAGE}\n${(error as Error).message}`);
  process.exit(2);
}
const runFile = args.run ?? 'latest.json';
// A quick run's slides go beside it, never over the reference run's.
const outDir = path.resolve(ROOT, args.out ?? (runFile.startsWith('quick/') ? 'results/quick/charts' : 'results/charts'));
const scale = Number(args.scale ?? 1);
const lang = args.lang === 'zh' ? 'zh' : 'en';

// The transports' own ports on (extra ports): the ladder recording holds three streams besides the intro's board.
const lab = await build(configWith({ tickMs: 0, tlsPort: 'off' }));
await listen(lab, '127.0.0.1', 0);
const base = `http://127.0.0.1:${lab.ctx.ports!.main}`;
const browser = await launchChromium();
const written: string[] = [];
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: scale });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  await page.goto(`${base}/results?export=1&lang=${lang}&run=${encodeURIComponent(runFile)}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => (window as unknown as { resultsReady?: boolean }).resultsReady === true, undefined, { timeout: 30_000 });
  const problem = await page.locator('#problem').textContent();
  if (problems.length || (await page.locator('#problem').isVisible()))
    throw new Error(`the results page reports: ${[problem, ...problems].filter(Boolean).join('; ')}`);
  mkdirSync(outDir, { recursive: true });
  const shoot = async (chart: string, name = chart) => {
    const file = path.join(outDir, `${name}.png`);
    await page.locator(`figure[data-chart="${chart}"]`).screenshot({ path: file });
    written.push(file);
  };
  /** Sets a control the way a reader would, and lets the page redraw. */
  const choose = (selector: string) =>
    page.locator(selector).evaluate((input) => {
      (input as HTMLInputElement).checked = true;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
  const charts = await page
    .locator('figure[data-chart]:not([data-empty])')
    .evaluateAll((figures) => figures.map((f) => (f as HTMLElement).dataset.chart!));
  for (const chart of charts) await shoot(chart);
  if (charts.includes('overhead')) {
    // The overhead charts once more over HTTP/2 (Chromium itself), and with the minimal client's heads:
    // each chart has its own controls (results/blocks.js).
    const inFigure = (chart: string, input: string) => `figure[data-chart="${chart}"] ${input}`;
    const both = async (input: string) => {
      for (const chart of ['overhead', 'amortised'])
        if (await page.locator(inFigure(chart, input)).count()) await choose(inFigure(chart, input));
    };
    const wires = await page
      .locator(inFigure('overhead', 'input[name="wire"]'))
      .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    if (wires.includes('h2')) {
      await both('input[name="wire"][value="h2"]');
      await shoot('overhead', 'overhead-h2');
      await shoot('amortised', 'amortised-h2');
      await both('input[name="wire"][value="h1"]');
    }
    await both('input[name="profile"][value="minimal"]');
    await shoot('overhead', 'overhead-minimal');
    await shoot('amortised', 'amortised-minimal');
  }
  await page.close();
  written.push(...(await exportLadders({ browser, base, outDir, lang, scale, traceFile: args.trace && path.resolve(args.trace) })));
} finally {
  await browser.close();
  await lab.app.close();
}
for (const file of written) console.log(path.relative(process.cwd(), file));
console.log(
  `${written.length} files (the charts of /results/${runFile}, the ladders and their trace) ` +
    `in ${path.relative(process.cwd(), outDir) || '.'}`,
);
