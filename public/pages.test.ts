/**
 * The pages in a real headless Chromium: every lesson in both languages, the
 * board with all five transports and the chat box, and everything open at once in
 * one browser (the six-connection limit must not starve anything).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PORTS } from '../server/lab-addresses.ts';
import { LANGS, LESSONS } from '../server/lessons.ts';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser, pagePredicate } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  // TLS on, so that every port a lesson names (the TLS ones too) is a real one of this lab.
  lab = await startLab({ tickMs: 250, tlsPort: 0 });
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

/** The board has drawn what the projector test reads: every bar, requests and arrivals, every key figure. */
const BOARD_SETTLED = `document.querySelectorAll('#byte-bars .row[data-bytes]:not([data-bytes=""])').length === 5
  && document.querySelectorAll('#timeline line.request').length >= 5 && document.querySelectorAll('#timeline circle.event').length >= 5
  && [...document.querySelectorAll('#board .figures.key dd')].filter((dd) => dd.checkVisibility())
    .every((dd) => !dd.textContent.includes('–'))`;

/** Visible panel fields (and byte bars) that still say "–". A script: tsx would rename a function's closures. */
const EMPTY_FIELDS = `() => [...document.querySelectorAll('.panel [data-field], .panel .part, #byte-bars .value')]
  .filter((el) => el.checkVisibility() && el.children.length === 0 && el.textContent.trim() === '–')
  .map((el) => (el.closest('[data-transport]')?.dataset.transport ?? '') + ' ' + (el.dataset.field ?? el.className))`;

/** What the projector test measures on the board. */
const BOARD_LAYOUT = `(() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const inView = (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  };
  const svg = document.querySelector('#timeline svg');
  const svgScale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const live = [...document.querySelectorAll('#board .figures dt, #board .figures dd, #board .log, #board .wire')]
    .concat([...document.querySelectorAll('#byte-bars .name, #byte-bars .value')]);
  return {
    tops: [...document.querySelectorAll('#board .panel')].map((p) => Math.round(p.getBoundingClientRect().top)),
    // A label on one line is no taller than its line height.
    wrapped: [...document.querySelectorAll('#board .panel h3 .title, #board .figures dt:not(.wide), #byte-bars .name')]
      .filter((el) => el.getBoundingClientRect().height > parseFloat(getComputedStyle(el).lineHeight) * 1.5).map((el) => el.textContent),
    cut: [...document.querySelectorAll('#board .panel h3 .title, #board .figures dt, #byte-bars .name')].filter((el) => {
      const box = el.getBoundingClientRect();
      const panel = (el.closest('.panel') ?? el.closest('.chart')).getBoundingClientRect();
      return el.scrollWidth > el.clientWidth + 1 || box.right > panel.right + 1 || el.textContent.includes('…');
    }).map((el) => el.textContent),
    overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    bars: [...document.querySelectorAll('#byte-bars .row')]
      .map((row) => ({ id: row.dataset.transport, bytes: Number(row.dataset.bytes), value: row.querySelector('.value').textContent })),
    panelTotals: Object.fromEntries([...document.querySelectorAll('#board .panel')]
      .map((p) => [p.dataset.transport, parseInt(p.querySelector('[data-field="per-event"]').textContent, 10)])),
    legend: document.querySelector('#byte-bars .legend').textContent,
    lanes: document.querySelectorAll('#timeline .lane').length,
    offScreen: [...document.querySelectorAll('#board .panel h3 .title, #board .figures.key dt, #board .figures.key dd')]
      .filter((el) => el.checkVisibility() && !inView(el))
      .map((el) => el.closest('.panel').dataset.transport + ': ' + el.textContent),
    small: [
      ...live.filter((el) => px(el) < 22).map((el) => (el.dataset.field ?? el.className ?? el.tagName) + ' ' + px(el) + ' px'),
      ...[...svg.querySelectorAll('text')].filter((el) => px(el) * svgScale < 22)
        .map((el) => 'timeline ' + el.textContent + ' ' + (px(el) * svgScale).toFixed(1) + ' px'),
    ],
  };
})()`;
type BoardLayout = {
  tops: number[];
  wrapped: string[];
  cut: string[];
  overflow: boolean;
  bars: { id: string; bytes: number; value: string | null }[];
  panelTotals: Record<string, number>;
  legend: string | null;
  lanes: number;
  offScreen: string[];
  small: string[];
};

describe('pages in Chromium', () => {
  test("every lesson page, in both languages, loads with no console errors, and its commands name the lab's real ports", async () => {
    const ports = lab.ctx.ports!;
    const DEFAULTS = new Set<number>(Object.values(DEFAULT_PORTS));
    const labPorts = new Set([
      ports.main,
      ...Object.values(ports.extra),
      ...(ports.tls ? [ports.tls.main, ports.tls.h1, ports.tls.experiment] : []),
    ]);
    const context = await browser.newContext();
    const errors: string[] = [];
    try {
      for (const lang of LANGS) {
        for (const name of LESSONS) {
          const opened = await open(context, `/lessons/${name}?lang=${lang}`);
          await opened.page.waitForSelector('main h1');
          assert.equal(
            await opened.page.getAttribute('html', 'lang'),
            lang === 'zh' ? 'zh-Hans' : 'en',
            `${lang}/${name}: the page's language`,
          );
          await opened.page.waitForTimeout(700); // demos connect and run
          const demos = await opened.page.$$eval('.demo', (els) => els.map((el) => el.childElementCount));
          assert.ok(demos.length > 0 && demos.every((n) => n > 0), `${lang}/${name}: every demo mounted`);
          // The commands a student copies name this lab's real address, not the default 127.0.0.1:3000.
          const named = await opened.page.$$eval('main pre, main code', (els) =>
            els.flatMap((el) => [...el.textContent!.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) => Number(m[1]))),
          );
          for (const port of named.filter((p) => DEFAULTS.has(p)))
            assert.ok(
              labPorts.has(port),
              `${lang}/${name}: a command names the default port ${port}, not this lab's (${[...labPorts].join(', ')})`,
            );
          if (name === 'short-poll') assert.ok(named.includes(lab.port), `${lang}/${name}: its curl lines name the lab's port ${lab.port}`);
          errors.push(...opened.errors);
          await opened.page.close();
        }
      }
      assert.deepEqual(errors, [], 'no console errors on any lesson page');
    } finally {
      await context.close();
    }
  });

  // Five panels in one row, no label wrapped or cut, bytes per event and the timeline drawn; in large type every key
  // figure on screen at 22 px or more.
  test('the board on a 1440x900 projector, in normal and large type', async () => {
    for (const large of [false, true]) {
      const what = large ? 'large type' : 'normal type';
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      try {
        if (large) await context.addInitScript("localStorage.setItem('wirelab.large', '1')");
        const { page, errors } = await open(context, '/board');
        // The state the assertions read: every bar labelled, five requests and five arrivals on the
        // timeline, every key figure filled (on a loaded machine this takes a while: wait for it).
        await page.waitForFunction(pagePredicate(BOARD_SETTLED), undefined, { timeout: 30_000 });
        const layout = (await page.evaluate(BOARD_LAYOUT)) as BoardLayout;
        assert.equal(new Set(layout.tops).size, 1, `${what}: the five panels share one row (tops ${layout.tops.join(', ')})`);
        assert.equal(layout.tops.length, 5, `${what}: five panels`);
        assert.deepEqual(layout.wrapped, [], `${what}: no panel label wraps`);
        assert.deepEqual(layout.cut, [], `${what}: no title or label is cut`);
        assert.equal(layout.overflow, false, `${what}: nothing wider than the screen`);
        for (const bar of layout.bars)
          assert.match(bar.value ?? '', /^\d+ B = \d+ \+ \d+ \+ \d+$/, `${what}: ${bar.id}'s bar is labelled with its parts`);
        const parts: Record<string, number[]> = Object.fromEntries(
          layout.bars.map((b) => [b.id, (b.value ?? '').match(/\d+/g)!.map(Number)]),
        );
        for (const [id, [total, head, framing, payload]] of Object.entries(parts))
          assert.ok(Math.abs(head + framing + payload - total) <= 2, `${what}: ${id}'s parts add up to its total`);
        assert.ok(
          parts['short-poll'][1] > 100,
          `${what}: short polling's bar is mostly head (${parts['short-poll'][1]} B of head per event)`,
        );
        assert.ok(parts.ws[2] <= 10, `${what}: WebSocket's framing is a few bytes per event (${parts.ws[2]} B)`);
        for (const [id, panel] of Object.entries(layout.panelTotals))
          assert.equal(panel, parts[id][0], `${what}: ${id}'s panel and bar give the same bytes per event`);
        assert.match(layout.legend ?? '', /head.*framing.*JSON/i, `${what}: the legend names head, framing and payload`);
        assert.equal(layout.lanes, 5, `${what}: a timeline lane per transport`);
        if (large) {
          assert.deepEqual(layout.offScreen, [], `${what}: every panel's key figures on screen without scrolling`);
          assert.deepEqual(layout.small, [], `${what}: figures, logs, byte bars and timeline labels at 22 px or more`);
        }
        assert.deepEqual(errors, [], `${what}: no console errors`);
      } finally {
        await context.close();
      }
    }
  });

  test('no field of the board or of the intro\'s small board shows "–" once traffic flows', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const opened = await Promise.all(['/board', '/lessons/intro'].map(async (path) => ({ path, ...(await open(context, path)) })));
      for (const { page } of opened)
        await page.waitForFunction(() => document.querySelectorAll('.panel[data-transport]').length >= 5, undefined, { timeout: 10_000 });
      // Ten seconds of traffic (the lab ticks every 250 ms), then every field shown has a value.
      await opened[0].page.waitForTimeout(10_000);
      for (const { path, page, errors } of opened) {
        await page
          .waitForFunction(pagePredicate(`(${EMPTY_FIELDS})().length === 0`), undefined, { timeout: 20_000 })
          .catch(() => undefined);
        assert.deepEqual(await page.evaluate(`(${EMPTY_FIELDS})()`), [], `${path}: every field shown has a value`);
        assert.deepEqual(errors, [], `${path}: no console errors`);
      }
      // The intro's small board puts the bench's idle p50 beside each live one.
      const bench = await opened[1].page.$$eval('.panel [data-field="bench-p50"]', (dds) =>
        dds.filter((dd) => dd.checkVisibility()).map((dd) => dd.textContent),
      );
      assert.equal(bench.length, 5, "the intro shows the bench's p50 in all five panels");
      for (const text of bench) assert.match(text ?? '', /^\d+(\.\d+)? ms$/, `a bench figure: ${text}`);
    } finally {
      await context.close();
    }
  });

  test('on a 390 px phone no page scrolls sideways (tables scroll in their own box)', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      for (const path of [
        '/',
        '/board',
        '/lessons/intro',
        '/lessons/handshake',
        '/lessons/comparison',
        '/lessons/frames',
        '/lessons/short-poll',
      ]) {
        for (const lang of LANGS) {
          const { page } = await open(context, `${path}?lang=${lang}`);
          await page.waitForTimeout(400);
          const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
          assert.ok(widths[0] <= widths[1], `${lang} ${path}: page width ${widths[0]} fits the screen's ${widths[1]}`);
          // The sticky header leaves the page the screen: two short rows at most, and "中文" on one line.
          const header = await page.evaluate(() => {
            const other = document.getElementById('lang-switch')!;
            return {
              height: document.querySelector('header.top')!.getBoundingClientRect().height,
              lines: other.getClientRects().length,
              tall: other.getBoundingClientRect().height / parseFloat(getComputedStyle(other).lineHeight),
            };
          });
          assert.ok(header.height <= 90, `${lang} ${path}: the header takes ${header.height.toFixed(0)} px of 844`);
          assert.ok(header.lines === 1 && header.tall < 1.5, `${lang} ${path}: the language link is on one line`);
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

  test("the language switch keeps the reader's place; large type is a keyboard toggle", async () => {
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
      await page.waitForFunction(
        (ids) => ids.every((id) => Number(document.querySelector<HTMLElement>(`.panel[data-transport="${id}"]`)?.dataset.events ?? 0) >= 3),
        TRANSPORT_IDS,
        { timeout: 15_000 },
      );
      await page.fill('#chat input[name="name"]', 'tester');
      const text = `hello five ways ${Date.now()}`;
      await page.fill('#chat input[name="text"]', text);
      await page.press('#chat input[name="text"]', 'Enter');
      await page.waitForFunction(
        (expected) => [...document.querySelectorAll('.panel [data-field="log"]')].every((log) => log.textContent!.includes(expected)),
        `tester: ${text}`,
        { timeout: 5000 },
      );
      assert.match((await page.textContent('#chat output')) ?? '', /seq \d+|seq 为 \d+/, 'the page says which seq it was published as');
      // Compare two, full width.
      await page.selectOption('#compare select[name="a"]', 'sse');
      await page.selectOption('#compare select[name="b"]', 'ws');
      await page.click('#compare button[type="submit"]');
      const visible = await page.$$eval('#board > [data-transport]', (slots) =>
        slots.filter((s) => getComputedStyle(s).display !== 'none').map((s) => (s as HTMLElement).dataset.transport),
      );
      assert.deepEqual(visible, ['sse', 'ws'], 'only the two chosen transports are shown');
      assert.deepEqual(errors, [], 'no console errors on the board');
    } finally {
      await context.close();
    }
  });

  test('with the board and every lesson open in one browser, every feed flows and a chat post arrives in seconds', async () => {
    const context = await browser.newContext();
    try {
      const pages: { page: Page; path: string }[] = [];
      for (const name of LESSONS) pages.push({ ...(await open(context, `/lessons/${name}?lang=en`)), path: `/lessons/${name}` });
      const board = await open(context, '/board');
      pages.push({ ...board, path: '/board' });
      await board.page.bringToFront();
      await board.page.waitForFunction(
        (ids) => ids.every((id) => Number(document.querySelector<HTMLElement>(`.panel[data-transport="${id}"]`)?.dataset.events ?? 0) >= 2),
        TRANSPORT_IDS,
        { timeout: 20_000 },
      );

      // Every transport panel on every page keeps receiving.
      const before = await Promise.all(
        pages.map(async ({ page }) =>
          Object.fromEntries(await Promise.all(TRANSPORT_IDS.map(async (id) => [id, await eventCounts(page, id)]))),
        ),
      );
      await board.page.waitForTimeout(3000);
      for (const [i, { page, path }] of pages.entries()) {
        for (const id of TRANSPORT_IDS) {
          const now = await eventCounts(page, id);
          now.forEach((count, k) => {
            assert.ok(count > before[i][id][k], `${path}: the ${id} panel #${k + 1} kept receiving (${before[i][id][k]} -> ${count})`);
          });
        }
      }

      // A chat post arrives on the board's five panels within a second.
      const text = `all tabs open ${Date.now()}`;
      const elapsedMs = await board.page.evaluate(async (message) => {
        const started = performance.now();
        const response = await fetch('/feed/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'timer', text: message }),
        });
        if (response.status !== 201) return -1;
        await new Promise<void>((resolve) => {
          const check = () =>
            [...document.querySelectorAll('.panel [data-field="log"]')].every((log) => log.textContent!.includes(message))
              ? resolve()
              : requestAnimationFrame(check);
          check();
        });
        return performance.now() - started;
      }, text);
      assert.ok(elapsedMs >= 0, 'the chat post was accepted');
      // On an origin out of connections the post would wait for a held request to end (a long poll
      // holds 25 s); on a busy 2-core machine a healthy post still takes a poll interval and more
      // (7 s seen with other suites running), so the bound sits between the two.
      assert.ok(elapsedMs < 15_000, `the chat post reached all five panels in ${elapsedMs.toFixed(0)} ms`);
    } finally {
      await context.close();
    }
  });
});
