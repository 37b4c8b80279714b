/**
 * /results in Chromium, drawn from the committed reference run (results/latest.json):
 * an ordinary page of the lab (the one header, language rule and protocol switch),
 * laid out for a 1440x900 projector with a table of contents that stays in view,
 * the five charts an instructor projects first. bench/bench.test.ts draws a fresh
 * quick run on the same page, at a phone's width too.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { I18N } from '../server/i18n.ts';
import { PUBLIC_DIR, ROOT } from '../server/paths.ts';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

const WORDS = JSON.parse(readFileSync(path.join(PUBLIC_DIR, 'results-i18n.json'), 'utf8')) as Record<'en' | 'zh', Record<string, string>>;
const LEAD_CHARTS = ['overhead', 'latency-idle', 'latency-fanout', 'wires-overhead', 'connections-held'];

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ tickMs: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

/** Opens /results`query` in a fresh page of `context` and waits until it has drawn; collects page errors. */
async function open(context: BrowserContext, query = ''): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${lab.baseUrl}/results${query}`, { waitUntil: 'domcontentloaded' });
  // A function, not a string: Playwright evals a string predicate at every poll, which the page's Content-Security-Policy refuses.
  await page.waitForFunction(
    () => (window as unknown as { resultsReady?: boolean }).resultsReady === true && document.body.dataset.ready === 'true',
    undefined,
    { timeout: 60_000 },
  );
  return { page, errors };
}

/** What the test reads off the drawn page (a script: tsx would wrap a function's closures in a helper the page lacks). */
const LAYOUT = `(() => {
  const wrap = document.querySelector('#headline .table-wrap');
  const toc = document.getElementById('toc').getBoundingClientRect();
  return {
    problems: window.resultsLayoutProblems(),
    problem: document.getElementById('problem').hidden ? '' : document.getElementById('problem').textContent,
    tableWidth: wrap.scrollWidth, tableRoom: wrap.clientWidth,
    pageWidth: document.documentElement.scrollWidth, screenWidth: innerWidth,
    sections: [...document.querySelectorAll('#sections > section')].map((s) => s.id),
    contents: [...document.querySelectorAll('#toc a')].map((a) => a.getAttribute('href')),
    lead: [...document.querySelectorAll('#lead figure[data-chart]')].map((f) => f.dataset.chart),
    drawn: window.resultsCharts(),
    toc: { top: toc.top, bottom: toc.bottom, left: toc.left, right: toc.right },
    current: document.querySelector('#toc a[aria-current]')?.getAttribute('href') ?? null,
    header: document.querySelectorAll('header.top').length,
    here: document.querySelector('header.top nav a[aria-current="page"]')?.getAttribute('href') ?? null,
  };
})()`;
type Layout = {
  problems: string[];
  problem: string;
  tableWidth: number;
  tableRoom: number;
  pageWidth: number;
  screenWidth: number;
  sections: string[];
  contents: string[];
  lead: string[];
  drawn: string[];
  toc: { top: number; bottom: number; left: number; right: number };
  current: string | null;
  header: number;
  here: string | null;
};

describe('/results in Chromium', () => {
  test("a quick run's labels say what it did: its own clients and ramp, no target drawn over a ramp that stopped short", async () => {
    // The reference run, marked quick and cut down as --quick does (results/runs/tmp/ is ignored by git).
    const run = JSON.parse(readFileSync(path.join(ROOT, 'results', 'latest.json'), 'utf8'));
    run.quick = true;
    run.id = `${run.id}-quick`;
    run.derived.headlineFanoutClients = 500;
    for (const r of run.scenarios.capacity.runs) {
      r.steps = r.steps.filter((s: { clients: number }) => s.clients <= 1000);
      r.maxClientsHeld = Math.min(r.maxClientsHeld, 1000);
    }
    const dir = path.join(ROOT, 'results', 'runs', 'tmp', `results-test-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'quick.json'), JSON.stringify(run));
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const { page, errors } = await open(context, `?run=${encodeURIComponent(`runs/tmp/results-test-${process.pid}/quick.json`)}`);
      const seen = (await page.evaluate(`({
        targets: document.querySelector('#targets table').innerText,
        held: Chart.getChart(document.getElementById('chart-connections-held')).options.plugins.targetLine,
        heldTitle: [].concat(Chart.getChart(document.getElementById('chart-connections-held')).options.plugins.title.text).join(' '),
      })`)) as { targets: string; held: { value?: number }; heldTitle: string };
      assert.match(seen.targets, /500 clients: deliveries per second/, 'the fan-out targets name the clients this run had');
      assert.doesNotMatch(seen.targets, /5,000 clients/, "not the reference run's");
      assert.match(seen.targets, /stated for the reference run/, "and say the aim is the reference run's");
      assert.equal(seen.held.value, undefined, 'no 9,000-client target line over a ramp that stopped at 1,000');
      assert.match(seen.heldTitle, /ramp to 1,000/, 'the chart says where the ramp stopped');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('at 1440x900, normal and large type: headline table fits, five lead charts first, contents stay in view', async () => {
    for (const large of [false, true]) {
      const what = large ? 'large type' : 'normal type';
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      try {
        if (large) await context.addInitScript("localStorage.setItem('wirelab.large', '1')");
        const { page, errors } = await open(context);
        const top = (await page.evaluate(LAYOUT)) as Layout;
        assert.equal(top.problem, '', `${what}: the page reads the reference run`);
        assert.deepEqual(top.problems, [], `${what}: no chart has a title, legend or axis cut`);
        assert.ok(top.tableWidth <= top.tableRoom, `${what}: the headline table fits (${top.tableWidth} px in ${top.tableRoom} px)`);
        assert.ok(top.pageWidth <= top.screenWidth, `${what}: nothing wider than the screen`);
        assert.equal(top.header, 1, `${what}: one header, the lab's`);
        assert.equal(top.here, '/results', `${what}: the header marks the page it is on`);
        assert.deepEqual(top.sections.slice(0, 2), ['headline', 'lead'], `${what}: the headline, then the charts to project`);
        assert.deepEqual(top.lead, LEAD_CHARTS, `${what}: the five lead charts, in order`);
        for (const id of LEAD_CHARTS) assert.ok(top.drawn.includes(id), `${what}: ${id} is drawn`);
        assert.deepEqual(
          top.contents,
          top.sections.map((id) => `#${id}`),
          `${what}: the contents list every section, in order`,
        );
        // Far down the page, the contents are still on screen, beside the section being read.
        await page.evaluate(() => document.getElementById('kaazing')!.scrollIntoView());
        await page.waitForFunction(() => document.querySelector('#toc a[aria-current]')?.getAttribute('href') === '#kaazing', undefined, {
          timeout: 5000,
        });
        const down = (await page.evaluate(LAYOUT)) as Layout;
        assert.ok(
          down.toc.top >= 0 && down.toc.bottom <= 900,
          `${what}: the contents stay in view (${Math.round(down.toc.top)}-${Math.round(down.toc.bottom)} px)`,
        );
        assert.equal(down.current, '#kaazing', `${what}: and mark the section being read`);
        assert.deepEqual(errors, [], `${what}: no page errors`);
      } finally {
        await context.close();
      }
    }
  });

  test("in Chinese: the page's words and the lab's own names for the transports; the language switch keeps the run shown", async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      // A committed run other than the reference: its name must survive the language switch.
      const other = `runs/${
        readdirSync(path.join(ROOT, 'results', 'runs'))
          .filter((f) => f.endsWith('.json'))
          .sort()[0]
      }`;
      const { page, errors } = await open(context, `?lang=zh&run=${encodeURIComponent(other)}`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans');
      assert.equal(await page.textContent('#lead-title'), WORDS.zh['h.lead'], 'the section titles are Chinese');
      const heads = await page.$$eval('#headline thead th', (cells) => cells.map((c) => c.textContent));
      assert.deepEqual(
        heads.slice(1),
        TRANSPORT_IDS.map((id) => I18N.zh[`label.${id}`]),
        'the transports are named as on the board (i18n.json)',
      );
      assert.doesNotMatch(
        // biome-ignore lint/performance/useDomNodeTextContent: the text as shown; textContent would read hidden nodes too
        await page.evaluate(() => document.body.innerText),
        /Server-Sent Events|Short polling|Long polling/,
        'no transport keeps its English name',
      );
      const english = new URL((await page.getAttribute('#lang-switch', 'href'))!, lab.baseUrl);
      assert.deepEqual(
        [english.pathname, english.searchParams.get('run'), english.searchParams.get('lang')],
        ['/results', other, 'en'],
        'the switch keeps the run shown',
      );
      const bogus = await open(context, '?run=../../package.json');
      assert.equal(
        await bogus.page.evaluate(() => JSON.parse(document.getElementById('wirelab-config')!.textContent!).results.runFile),
        'latest.json',
        'a run name the bench could not have written shows the reference run',
      );
      assert.deepEqual([...errors, ...bogus.errors], [], 'no page errors');
    } finally {
      await context.close();
    }
  });
});
