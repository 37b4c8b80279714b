/**
 * The pages in a real headless Chromium: every lesson in both languages, the
 * board with all five transports and the chat box, and everything open at once in
 * one browser (the six-connection limit must not starve anything).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LANGS, LESSONS } from '../server/lessons.ts';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from './testing/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ tickMs: 250 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

/** Opens `path`, recording console errors and page errors. */
async function open(context: BrowserContext, path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  // tsx compiles these tests with esbuild's keepNames, which wraps functions passed
  // to page.evaluate in a __name(...) helper that only exists in Node.
  await page.addInitScript('window.__name = (fn) => fn');
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${path}: console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`));
  // Forever-frames never fire `load`.
  await page.goto(`${lab.baseUrl}${path}`, { waitUntil: 'domcontentloaded' });
  return { page, errors };
}

/** The number of events a page's panel for `id` has shown (every panel of that transport on the page). */
const eventCounts = (page: Page, id: string) =>
  page.$$eval(`.panel[data-transport="${id}"]`, (panels) => panels.map((p) => Number((p as HTMLElement).dataset.events ?? 0)));

describe('pages in Chromium', () => {
  test('every lesson page, in both languages, loads with no console errors', async () => {
    const context = await browser.newContext();
    const errors: string[] = [];
    try {
      for (const lang of LANGS) {
        for (const name of LESSONS) {
          const opened = await open(context, `/lessons/${name}?lang=${lang}`);
          await opened.page.waitForSelector('main h1');
          assert.equal(await opened.page.getAttribute('html', 'lang'), lang === 'zh' ? 'zh-Hans' : 'en', `${lang}/${name}: the page's language`);
          await opened.page.waitForTimeout(700); // demos connect and run
          const demos = await opened.page.$$eval('.demo', (els) => els.map((el) => el.childElementCount));
          assert.ok(demos.length > 0 && demos.every((n) => n > 0), `${lang}/${name}: every demo mounted`);
          errors.push(...opened.errors);
          await opened.page.close();
        }
      }
      assert.deepEqual(errors, [], 'no console errors on any lesson page');
    } finally {
      await context.close();
    }
  });

  test('the board on a 1440x900 projector: five panels in one row, labels on one line, bytes per event and the timeline drawn, in normal and large type', async () => {
    for (const large of [false, true]) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      try {
        if (large) await context.addInitScript("localStorage.setItem('wirelab.large', '1')");
        const { page, errors } = await open(context, '/board');
        await page.waitForFunction(() => document.querySelectorAll('#byte-bars .row[data-bytes]:not([data-bytes=""])').length === 5, undefined, { timeout: 10_000 });
        const layout = await page.evaluate(() => ({
          tops: [...document.querySelectorAll('#board .panel')].map((p) => Math.round(p.getBoundingClientRect().top)),
          // A label on one line is no taller than its line height.
          wrapped: [...document.querySelectorAll('#board .panel h3 .title, #board .figures dt')].filter((el) => el.getBoundingClientRect().height > parseFloat(getComputedStyle(el).lineHeight) * 1.5).map((el) => el.textContent),
          overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
          bars: [...document.querySelectorAll('#byte-bars .row')].map((row) => ({ id: (row as HTMLElement).dataset.transport, bytes: Number((row as HTMLElement).dataset.bytes), value: row.querySelector('.value')!.textContent })),
          legend: document.querySelector('#byte-bars .legend')!.textContent,
          lanes: document.querySelectorAll('#timeline .lane').length,
          requestsDrawn: document.querySelectorAll('#timeline line.request').length,
          eventsDrawn: document.querySelectorAll('#timeline circle.event').length,
        }));
        const what = large ? 'large type' : 'normal type';
        assert.equal(new Set(layout.tops).size, 1, `${what}: the five panels share one row (tops ${layout.tops.join(', ')})`);
        assert.equal(layout.tops.length, 5, `${what}: five panels`);
        assert.deepEqual(layout.wrapped, [], `${what}: no panel label wraps`);
        assert.equal(layout.overflow, false, `${what}: nothing wider than the screen`);
        for (const bar of layout.bars) assert.match(bar.value ?? '', /^\d+ B = \d+ \+ \d+ \+ \d+$/, `${what}: ${bar.id}'s bar is labelled with its parts`);
        const parts: Record<string, number[]> = Object.fromEntries(layout.bars.map((b) => [b.id, (b.value ?? '').match(/\d+/g)!.map(Number)]));
        for (const [id, [total, head, framing, payload]] of Object.entries(parts)) assert.ok(Math.abs(head + framing + payload - total) <= 2, `${what}: ${id}'s parts add up to its total`);
        assert.ok(parts['short-poll'][1] > 100, `${what}: short polling's bar is mostly head (${parts['short-poll'][1]} B of head per event)`);
        assert.ok(parts.ws[2] <= 10, `${what}: WebSocket's framing is a few bytes per event (${parts.ws[2]} B)`);
        assert.match(layout.legend ?? '', /head.*framing.*JSON/i, `${what}: the legend names head, framing and payload`);
        assert.equal(layout.lanes, 5, `${what}: a timeline lane per transport`);
        assert.ok(layout.requestsDrawn >= 5 && layout.eventsDrawn >= 5, `${what}: requests and arrivals drawn (${layout.requestsDrawn}, ${layout.eventsDrawn})`);
        assert.deepEqual(errors, [], `${what}: no console errors`);
      } finally {
        await context.close();
      }
    }
  });

  test('on a 390 px phone no page scrolls sideways (tables scroll in their own box)', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      for (const path of ['/', '/board', '/lessons/intro', '/lessons/handshake', '/lessons/comparison', '/lessons/frames', '/lessons/short-poll']) {
        for (const lang of LANGS) {
          const { page } = await open(context, `${path}?lang=${lang}`);
          await page.waitForTimeout(400);
          const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          assert.ok(widths[0] <= widths[1], `${lang} ${path}: page width ${widths[0]} fits the screen's ${widths[1]}`);
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
  });

  test('Chinese pages are drawn with Chinese glyphs, not empty boxes', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await open(context, '/lessons/intro?lang=zh');
      await page.waitForSelector('main h1');
      // Without a CJK font every Chinese character is the same "missing glyph" box: draw two
      // different characters in the heading's own font and compare their pixels.
      const differ = await page.evaluate(() => {
        const font = getComputedStyle(document.querySelector('main h1')!).font;
        const pixels = (char: string) => {
          const canvas = document.createElement('canvas');
          canvas.width = canvas.height = 64;
          const g = canvas.getContext('2d')!;
          g.font = font;
          g.textBaseline = 'top';
          g.fillText(char, 4, 4);
          return g.getImageData(0, 0, 64, 64).data.join(',');
        };
        return pixels('汉') !== pixels('字') && pixels('汉') !== pixels('口');
      });
      assert.ok(differ, 'two different Chinese characters draw differently (a CJK font is installed and used)');
    } finally {
      await context.close();
    }
  });

  test('the language switch keeps the reader\'s place; large type is a keyboard toggle', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await open(context, '/lessons/frames?lang=en');
      await page.evaluate(() => document.getElementById('code')!.scrollIntoView());
      await page.click('#lang-switch');
      await page.waitForURL(/lang=zh#code$/, { waitUntil: 'domcontentloaded' });
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-Hans', 'now in Chinese');
      assert.equal(await page.textContent('h2#code'), '代码', 'at the same section');
      await page.focus('#large-toggle');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('#large-toggle', 'aria-pressed'), 'true', 'pressed');
      assert.ok(await page.evaluate(() => document.documentElement.classList.contains('large')), 'large type on');
      assert.deepEqual(errors, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('the board: all five transports receive events, and a typed chat arrives on all five', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await open(context, '/board');
      await page.waitForFunction((ids) => ids.every((id) => Number(document.querySelector<HTMLElement>(`.panel[data-transport="${id}"]`)?.dataset.events ?? 0) >= 3), TRANSPORT_IDS, { timeout: 15_000 });
      await page.fill('#chat input[name="name"]', 'tester');
      const text = `hello five ways ${Date.now()}`;
      await page.fill('#chat input[name="text"]', text);
      await page.press('#chat input[name="text"]', 'Enter');
      await page.waitForFunction((expected) => [...document.querySelectorAll('.panel [data-field="log"]')].every((log) => log.textContent!.includes(expected)), `tester: ${text}`, { timeout: 5000 });
      assert.match(await page.textContent('#chat output') ?? '', /seq \d+|seq 为 \d+/, 'the page says which seq it was published as');
      // Compare two, full width.
      await page.selectOption('#compare select[name="a"]', 'sse');
      await page.selectOption('#compare select[name="b"]', 'ws');
      await page.click('#compare button[type="submit"]');
      const visible = await page.$$eval('#board > [data-transport]', (slots) => slots.filter((s) => getComputedStyle(s).display !== 'none').map((s) => (s as HTMLElement).dataset.transport));
      assert.deepEqual(visible, ['sse', 'ws'], 'only the two chosen transports are shown');
      assert.deepEqual(errors, [], 'no console errors on the board');
    } finally {
      await context.close();
    }
  });

  test('with the board and every lesson open in one browser, every feed flows and a chat post arrives within 1 s', async () => {
    const context = await browser.newContext();
    try {
      const pages: { page: Page; path: string }[] = [];
      for (const name of LESSONS) pages.push({ ...(await open(context, `/lessons/${name}?lang=en`)), path: `/lessons/${name}` });
      const board = await open(context, '/board');
      pages.push({ ...board, path: '/board' });
      await board.page.bringToFront();
      await board.page.waitForFunction((ids) => ids.every((id) => Number(document.querySelector<HTMLElement>(`.panel[data-transport="${id}"]`)?.dataset.events ?? 0) >= 2), TRANSPORT_IDS, { timeout: 20_000 });

      // Every transport panel on every page keeps receiving.
      const before = await Promise.all(pages.map(async ({ page }) => Object.fromEntries(await Promise.all(TRANSPORT_IDS.map(async (id) => [id, await eventCounts(page, id)])))));
      await board.page.waitForTimeout(3000);
      for (const [i, { page, path }] of pages.entries()) {
        for (const id of TRANSPORT_IDS) {
          const now = await eventCounts(page, id);
          now.forEach((count, k) => assert.ok(count > before[i][id][k], `${path}: the ${id} panel #${k + 1} kept receiving (${before[i][id][k]} -> ${count})`));
        }
      }

      // A chat post arrives on the board's five panels within a second.
      const text = `all tabs open ${Date.now()}`;
      const elapsedMs = await board.page.evaluate(async (message) => {
        const started = performance.now();
        const response = await fetch('/feed/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'timer', text: message }) });
        if (response.status !== 201) return -1;
        await new Promise<void>((resolve) => {
          const check = () => ([...document.querySelectorAll('.panel [data-field="log"]')].every((log) => log.textContent!.includes(message)) ? resolve() : requestAnimationFrame(check));
          check();
        });
        return performance.now() - started;
      }, text);
      assert.ok(elapsedMs >= 0, 'the chat post was accepted');
      assert.ok(elapsedMs < 1000, `the chat post reached all five panels in ${elapsedMs.toFixed(0)} ms`);
    } finally {
      await context.close();
    }
  });
});
