/**
 * The quick run's checks of the results page (bench.test.ts registers them on the
 * run it made): /results draws it in Chromium at a phone's width and a projector's,
 * in both languages and in large type, with nothing clipped and nothing wider than
 * the screen; the reference run still draws; bench:png exports every chart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchChromium } from './chromium.ts';
import { ROOT } from './ipc.ts';

/** Where the quick run wrote: `out` (scratch for the PNGs), `quick` (its latest.json), `results` (the reference run). */
export interface QuickRunFolders {
  out: string;
  quick: string;
  results: string;
}

/** Registers the tests; the run is read when they run. */
export function resultsPageTests({ out: OUT, quick: QUICK, results: RESULTS }: QuickRunFolders): void {
  describe('the results page draws the quick run', () => {
    let lab: RunningLab;
    let browser: Browser;
    const run = () => path.relative(RESULTS, path.join(QUICK, 'latest.json')).split(path.sep).join('/');

    before(async () => {
      lab = await startLab();
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await lab?.close();
    });

    /** Opens /results for `file` at `width`, waits for the drawing, and fails on any page error. */
    async function open(width: number, file: string, extra = ''): Promise<{ page: Page; errors: string[] }> {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${lab.baseUrl}/results?run=${encodeURIComponent(file)}${extra}`, { waitUntil: 'domcontentloaded' });
      // Functions, not strings, as predicates: the page's Content-Security-Policy refuses eval (browser-h2.ts waitFor).
      await page.waitForFunction(() => (window as unknown as { resultsReady?: boolean }).resultsReady === true, undefined, {
        timeout: 30_000,
      });
      await page.waitForTimeout(200);
      return { page, errors };
    }

    /**
     * What a reader could see cut off: layout problems, sideways scrolling, ink touching
     * a canvas's edge. A script, not a function: tsx would name the function's inner
     * closures with a helper the page does not have.
     */
    const INSPECT = `(() => {
      const edges = [];
      for (const canvas of document.querySelectorAll('figure:not([data-empty]) canvas')) {
        const ctx = canvas.getContext('2d');
        const { width, height } = canvas;
        const inked = (x, y, w, h) => {
          const data = ctx.getImageData(x, y, w, h).data;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) return true;
          return false;
        };
        // Text cut off by the canvas leaves ink on its outermost pixels: a drawn chart keeps them blank.
        const left = inked(0, 0, 1, height);
        const right = inked(width - 1, 0, 1, height);
        if (left || right || inked(0, 0, width, 1) || inked(0, height - 1, width, 1)) edges.push(canvas.id);
      }
      const problem = document.getElementById('problem');
      return {
        problems: window.resultsLayoutProblems(),
        charts: window.resultsCharts(),
        edges,
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        empty: [...document.querySelectorAll('figure[data-empty]')].map((f) => f.dataset.chart),
        problem: problem.hidden ? '' : problem.textContent,
        quickBanner: !document.getElementById('quick-banner').hidden,
        text: document.body.innerText,
      };
    })()`;
    const inspect = (page: Page) =>
      page.evaluate(INSPECT) as Promise<{
        problems: string[];
        charts: string[];
        edges: string[];
        scrollWidth: number;
        innerWidth: number;
        empty: (string | undefined)[];
        problem: string;
        quickBanner: boolean;
        text: string;
      }>;

    const PROTOCOL_CHARTS = ['wires-overhead', 'h2-heads', 'wires-latency', 'wires-fanout', 'wires-cpu', 'wires-rtt', 'tls-records'];
    const CLUSTER_CHARTS = ['cluster-latency', 'cluster-cpu', 'cluster-polls'];
    const COST_CHARTS = ['libraries', 'h2-native', 'h2-split'];

    for (const width of [390, 1440]) {
      test(`at ${width} px: every chart drawn, HTTP/1.1 beside HTTP/2, nothing clipped or wider than the screen`, async () => {
        const { page, errors } = await open(width, run());
        try {
          const seen = await inspect(page);
          assert.deepEqual(errors, [], 'no page error');
          assert.equal(seen.problem, '', 'no problem reported');
          assert.deepEqual(seen.empty, [], 'every figure has its chart');
          for (const id of [
            ...PROTOCOL_CHARTS,
            ...CLUSTER_CHARTS,
            ...COST_CHARTS,
            'overhead',
            'latency-idle',
            'latency-fanout',
            'rtt',
            'kaazing',
          ])
            assert.ok(seen.charts.includes(id), `the ${id} chart is drawn`);
          assert.deepEqual(seen.problems, [], 'no title, axis title, legend or axis that does not fit');
          assert.deepEqual(seen.edges, [], 'no ink on any canvas edge (nothing cut off)');
          assert.ok(
            seen.scrollWidth <= seen.innerWidth,
            `no sideways scrolling: the page is ${seen.scrollWidth} px wide in ${seen.innerWidth} px`,
          );
          assert.ok(seen.quickBanner, 'the page says it shows a quick run');
          const marks = await page.evaluate(
            "[...document.querySelectorAll('figcaption')].filter((c) => c.textContent.trim()).every((c) => c.querySelector('.quick-mark'))",
          );
          assert.ok(marks, "every chart's caption carries the quick-run mark");
          // Over HTTP/2, a chart per wire: the overhead chart switches to Chromium's own requests.
          await page.locator('figure[data-chart="overhead"] input[name="wire"][value="h2"]').check();
          await page.waitForTimeout(100);
          assert.match(
            (await page.locator('#chart-overhead').getAttribute('aria-label'))!,
            /HTTP\/2/,
            'the overhead chart redraws over HTTP/2',
          );
          assert.deepEqual(await page.evaluate('window.resultsLayoutProblems()'), [], 'and still fits');
        } finally {
          await page.close();
        }
      });
    }

    test('in Chinese and in large type at 390 px: translated, still nothing clipped', async () => {
      const { page, errors } = await open(390, run(), '&lang=zh');
      try {
        await page.locator('#large-toggle').click();
        await page.waitForFunction(() => document.documentElement.classList.contains('large'));
        await page.waitForTimeout(400);
        await page.waitForFunction(() => (window as unknown as { resultsReady?: boolean }).resultsReady === true);
        const seen = await inspect(page);
        assert.deepEqual(errors, [], 'no page error');
        assert.equal(await page.evaluate("localStorage.getItem('wirelab.large')"), '1', 'large type is remembered as on every page');
        assert.equal(await page.locator('html').getAttribute('lang'), 'zh-Hans', 'the page says its language');
        assert.match(seen.text, /每个送达事件的开销/, 'the words are Chinese');
        assert.match(seen.text, /短轮询/, 'and so are the transport labels');
        assert.doesNotMatch(
          seen.text,
          /\b(col|title|caption|axis|legend|why|env|nav|explain|controls|switch|client|targets|kaazing|targetText)\.[a-z][\w-]*/,
          'no string key left untranslated',
        );
        assert.deepEqual(seen.problems, [], 'no title, axis title, legend or axis that does not fit');
        assert.deepEqual(seen.edges, [], 'no ink on any canvas edge');
        assert.ok(seen.scrollWidth <= seen.innerWidth, `no sideways scrolling: ${seen.scrollWidth} px in ${seen.innerWidth} px`);
        const header = await page.evaluate("[...document.querySelectorAll('header.top nav a')].map((a) => a.getAttribute('href'))");
        assert.deepEqual(header, ['/', '/board', '/results', '/check'], "the lab's header, with its links");
        const other = await page.locator('#lang-switch').getAttribute('href');
        assert.match(other!, /lang=en/, 'the language switch leads to English');
        assert.match(decodeURIComponent(other!), /run=runs\/tmp\//, 'and keeps the run shown');
      } finally {
        await page.evaluate("localStorage.removeItem('wirelab.large')");
        await page.close();
      }
    });

    test('the reference run shows too, whatever schema it was written with', async () => {
      const { page, errors } = await open(1440, 'latest.json');
      try {
        const seen = await inspect(page);
        const committed = JSON.parse(readFileSync(path.join(RESULTS, 'latest.json'), 'utf8')) as { schema: string };
        assert.deepEqual(errors, [], 'no page error');
        assert.equal(seen.problem, '', `the page reads ${committed.schema}`);
        assert.equal(seen.quickBanner, false, 'the reference run is not marked as a quick run');
        assert.deepEqual(seen.problems, [], 'nothing clipped');
        if (committed.schema === 'wirelab-bench/1') {
          assert.deepEqual(
            seen.empty.filter((id) => PROTOCOL_CHARTS.includes(id!)).sort(),
            [...PROTOCOL_CHARTS].sort(),
            'an HTTP/1.1-only run leaves the protocol charts empty',
          );
          assert.match(seen.text, /older bench/, 'and says why');
        }
      } finally {
        await page.close();
      }
    });

    test('bench:png exports every chart of the quick run, marked as quick', async () => {
      const charts = path.join(OUT, 'charts');
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/export-png.ts', `--run=${run()}`, `--out=${charts}`], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, `bench:png exits 0 (the page drew without a problem):\n${text.slice(-2000)}`);
      const files = readdirSync(charts).filter((f) => f.endsWith('.png'));
      for (const chart of [
        'overhead',
        'overhead-h2',
        'latency-idle',
        'latency-fanout',
        'connections-held',
        'kaazing',
        'framework',
        ...PROTOCOL_CHARTS,
        ...CLUSTER_CHARTS,
        ...COST_CHARTS,
      ]) {
        assert.ok(files.includes(`${chart}.png`), `a ${chart} chart among ${files.join(', ')}`);
      }
      for (const file of files) {
        const bytes = readFileSync(path.join(charts, file));
        assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
        assert.ok(bytes.length > 10_000, `${file} has a drawing in it (${bytes.length} B)`);
      }
      // The slide carries the quick-run mark: the export page's subtitle is on, for every chart.
      const { page } = await open(1600, run(), '&export=1');
      try {
        const subtitles = (await page.evaluate(
          "[...document.querySelectorAll('figure:not([data-empty]) canvas')].map((c) => Chart.getChart(c).options.plugins.subtitle)",
        )) as { display: boolean; text: string[] }[];
        assert.ok(subtitles.length >= 19, 'every chart drawn for export');
        for (const subtitle of subtitles)
          assert.ok(subtitle.display && subtitle.text.join(' ').includes('QUICK RUN'), 'each slide says QUICK RUN');
      } finally {
        await page.close();
      }
    });
  });
}
