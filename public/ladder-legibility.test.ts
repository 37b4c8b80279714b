/**
 * The ladder diagrams (ladder.js) as a class reads them, in Chromium against the real
 * lab: large type enlarges every label to at least 22 px; each byte figure written in
 * its kind's colour keeps WCAG AA's 4.5:1 against the picture's background, in normal
 * and in large type; the pictures' stylesheet is linked by the page itself, as every
 * other sheet is; a reader chooses how far back a replay goes, up to the whole trace.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningLab, delay, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ heartbeatMs: 1000, tlsPort: 'off' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

async function open(path: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript('window.__name = (fn) => fn'); // tsx's keepNames wraps functions handed to page.evaluate
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${lab.baseUrl}${path}`, { waitUntil: 'domcontentloaded' });
  return { context, page, errors };
}

/**
 * Each coloured byte figure of the picture: its kind and its contrast with the first
 * opaque background behind it (WCAG 2's relative luminance), and every label's size.
 */
function legibility(page: Page) {
  return page.evaluate(() => {
    const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const linear = [r, g, b].map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
    };
    const background = (element: Element) => {
      for (let at: Element | null = element; at; at = at.parentElement) {
        const colour = rgb(getComputedStyle(at).backgroundColor);
        if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const parts = [...document.querySelectorAll('.ladder svg tspan.part')].map((part) => {
      const [a, b] = [luminance(rgb(getComputedStyle(part).fill)), luminance(background(part.closest('figure')!))];
      return { kind: part.getAttribute('class')!.replace('part ', ''), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
    });
    const sizes = [...document.querySelectorAll('.ladder svg text')].map((t) => parseFloat(getComputedStyle(t).fontSize));
    return { parts, sizes };
  });
}

test('every byte figure keeps 4.5:1 in its colour, and large type enlarges every label to at least 22 px', async () => {
  const { context, page, errors } = await open('/lessons/sse?lang=en');
  try {
    await page.waitForSelector('.ladder svg g.step text.bytes', { timeout: 10_000 });
    lab.ctx.feed.publish('chat', { name: 'legible', text: 'an event, so that payload is drawn too' });
    await page.waitForSelector('.ladder svg g.step[data-what="event"]', { timeout: 10_000 });
    for (const large of [false, true]) {
      if (large) {
        await page.click('#large-toggle');
        await page.waitForFunction(() => document.documentElement.classList.contains('large'));
        await delay(200);
      }
      const { parts, sizes } = await legibility(page);
      const kinds = new Set(parts.map((part) => part.kind));
      assert.deepEqual([...kinds].sort(), ['framing', 'head', 'payload'], `all three kinds are written (large: ${large})`);
      for (const part of parts)
        assert.ok(part.ratio >= 4.5, `${part.kind} as text: ${part.ratio.toFixed(2)}:1 (large: ${large}), WCAG AA asks 4.5:1`);
      if (large) assert.ok(sizes.length > 3 && sizes.every((px) => px >= 22), `every label at least 22 px: ${sizes}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the pictures' stylesheet is linked by the page, once, before any script ran", async () => {
  const html = await (await fetch(`${lab.baseUrl}/lessons/ws?lang=en`)).text();
  const head = html.slice(0, html.indexOf('</head>'));
  assert.match(head, /<link rel="stylesheet" href="\/assets\/ladder\.css">/, 'the lesson links ladder.css in its head');
  const { context, page, errors } = await open('/lessons/ws?lang=en');
  try {
    await page.waitForSelector('.ladder svg g.step', { timeout: 10_000 });
    assert.equal(await page.locator('link[href="/assets/ladder.css"]').count(), 1, 'no second link added by the picture');
    // The sheet applies: the figure has the frame ladder.css gives it.
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.ladder-svg')!).display), 'block');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('replay: the reader chooses the last 10, 30 or 60 s or the whole trace; the whole trace replays every step', async () => {
  for (const lang of ['en', 'zh'] as const) {
    const { context, page, errors } = await open(`/lessons/long-poll?lang=${lang}`);
    try {
      const figure = '.ladder[data-transport="long-poll"]';
      await page.waitForSelector(`${figure} svg g.step`, { timeout: 10_000 });
      // Three events apart: three answered polls, each with the request after it.
      for (let i = 0; i < 3; i++) {
        lab.ctx.feed.publish('chat', { name: 'replay', text: `${lang} ${i}` });
        await delay(300);
      }
      await page.waitForFunction((f) => Number(document.querySelector(f)!.getAttribute('data-steps')) >= 6, figure, { timeout: 10_000 });
      const options = await page.$$eval(`${figure} select[data-field="replay-window"] option`, (all) =>
        all.map((o) => [(o as HTMLOptionElement).value, o.textContent]),
      );
      assert.deepEqual(
        options.map(([value]) => value),
        ['10', '30', '60', 'all'],
        `the windows offered: ${JSON.stringify(options)}`,
      );
      assert.ok(
        options.every(([, text]) => text && !text.includes('{')),
        `each window named in ${lang}: ${JSON.stringify(options)}`,
      );
      await page.click(`${figure} button[data-action="freeze"]`);
      const steps = Number(await page.getAttribute(figure, 'data-steps'));
      await page.selectOption(`${figure} select[data-field="replay-window"]`, 'all');
      await page.click(`${figure} button[data-action="replay"]`);
      await page.waitForFunction((f) => document.querySelector(f)!.getAttribute('data-state') === 'frozen', figure, { timeout: 30_000 });
      assert.equal(Number(await page.getAttribute(figure, 'data-replayed')), steps, 'the whole trace: every step the picture held');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});
