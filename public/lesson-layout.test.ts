/**
 * The lessons' layout in a real headless Chromium: on a 1440x900 screen the contents list
 * stays in view and every picture and live demo sits beside the text, the intro fits in
 * 4,000 px; on a 390 px phone, and in large type, nothing is wider than the screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LANGS, LESSONS } from '../server/lessons.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser, pagePredicate } from '../server/clients/browser.ts';

/** The intro, a student's first page, is at most this tall at 1440x900 in normal type. */
const INTRO_MAX_HEIGHT_PX = 4000;

const LARGE_TYPE_LESSONS = ['intro', 'sse', 'frames', 'http2', 'comparison', 'scale-out'];

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ tickMs: 500 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

/** Opens a lesson and waits until every demo has mounted (the page's height is then the one a student sees). */
async function openLesson(context: BrowserContext, name: string, lang: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`${lang}/${name}: ${error.message}`));
  // Forever-frames never fire `load`.
  await page.goto(`${lab.baseUrl}/lessons/${name}?lang=${lang}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(
    pagePredicate(`[...document.querySelectorAll('.lesson-body .demo')].every((d) => d.childElementCount > 0)
    && [...document.querySelectorAll('.demo[data-demo="board"]')].every((d) => d.querySelectorAll('.panel').length === 5)`),
    undefined,
    { timeout: 20_000 },
  );
  await page.waitForTimeout(500); // the panels fill their first figures
  return { page, errors };
}

/** Where the contents list is, against the window and the site's header. */
const CONTENTS_BOX = `(() => {
  const box = document.querySelector('nav.contents').getBoundingClientRect();
  const body = document.querySelector('.lesson-body').getBoundingClientRect();
  const header = document.querySelector('header.top').getBoundingClientRect();
  return { top: box.top, bottom: box.bottom, left: box.left, right: box.right, width: box.width, bodyLeft: body.left,
    headerBottom: header.bottom, innerHeight, current: document.querySelector('.contents a[aria-current="location"]')?.hash ?? null };
})()`;
type ContentsBox = {
  top: number;
  bottom: number;
  left: number;
  right: number;
  width: number;
  bodyLeft: number;
  headerBottom: number;
  innerHeight: number;
  current: string | null;
};

/** A row of several pictures side by side (the intro's five ladders): it takes the text's whole width. */
const ROW = '.ladders';

/**
 * Every picture and demo of the lesson's body, with the lines of text (paragraphs, list items,
 * headings, tables, code) that share its rows and end left of it: text beside it. Lines, not
 * blocks: a paragraph's box runs under a float, its lines stop at the float's edge. A row of
 * pictures says so, with its share of the text's width.
 */
const BESIDE = `[...document.querySelectorAll('.lesson-body > .demo, .lesson-body > figure')].map((figure) => {
  const box = figure.getBoundingClientRect();
  const lines = [...document.querySelectorAll('.lesson-body :is(p, li, h2, h3, table, pre)')].filter((el) => !figure.contains(el))
    .flatMap((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return [...range.getClientRects()];
    })
    .filter((r) => r.width > 0 && r.top < box.bottom && r.bottom > box.top && r.right <= box.left);
  return { what: figure.dataset.demo ?? figure.className, width: box.width, beside: lines.length,
    row: figure.querySelector('${ROW}') !== null, share: box.width / document.querySelector('.lesson-body').clientWidth };
})`;

const fitsWidth = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && !el.closest('pre, table, .log, .wire'))
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
  });

describe('lesson layout in Chromium', () => {
  test('at 1440x900 the contents list is in view and stays there on scroll, marking the section read', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      for (const lang of LANGS) {
        for (const name of ['intro', 'sse', 'http2', 'scale-out']) {
          const { page, errors } = await openLesson(context, name, lang);
          const where = `${lang}/${name}`;
          const atTop = (await page.evaluate(CONTENTS_BOX)) as ContentsBox;
          assert.ok(atTop.width > 100 && atTop.right <= atTop.bodyLeft, `${where}: the contents sit in a rail left of the text`);
          assert.ok(atTop.top >= atTop.headerBottom && atTop.bottom <= atTop.innerHeight, `${where}: the contents are in view at the top`);
          const links = await page.$$eval('nav.contents a', (as) => as.map((a) => (a as HTMLAnchorElement).hash));
          assert.ok(links.includes('#watch') && links.includes('#questions'), `${where}: the contents link the lesson's sections`);
          // Read on: the section "Try it on the wire" at the top of the window.
          await page.evaluate(() => document.getElementById('try')!.scrollIntoView());
          const marked = `document.querySelector('.contents a[aria-current="location"]')?.hash === '#try'`;
          await page.waitForFunction(pagePredicate(marked), undefined, { timeout: 5_000 }).catch(() => undefined);
          const scrolled = (await page.evaluate(CONTENTS_BOX)) as ContentsBox;
          assert.ok(await page.evaluate(() => scrollY > 1000), `${where}: the page scrolled`);
          assert.ok(
            scrolled.top >= scrolled.headerBottom - 1 && scrolled.bottom <= scrolled.innerHeight + 1,
            `${where}: the contents stay in view below the header (top ${scrolled.top}, header ${scrolled.headerBottom})`,
          );
          assert.equal(scrolled.current, '#try', `${where}: the contents mark the section being read`);
          assert.deepEqual(errors, [], `${where}: no page errors`);
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
  });

  test('at 1440x900 every picture and demo sits beside the text (a row of pictures across it); the intro fits in 4,000 px', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      for (const lang of LANGS) {
        for (const name of LESSONS) {
          const { page, errors } = await openLesson(context, name, lang);
          const where = `${lang}/${name}`;
          const figures = (await page.evaluate(BESIDE)) as { what: string; width: number; beside: number; row: boolean; share: number }[];
          assert.ok(figures.length > 0, `${where}: the lesson has a demo or a picture`);
          for (const figure of figures) {
            if (figure.row) assert.ok(figure.share > 0.95, `${where}: the row of pictures in ${figure.what} takes the text's width`);
            else assert.ok(figure.beside > 0, `${where}: text runs beside ${figure.what} (${figure.width.toFixed(0)} px wide)`);
          }
          if (name === 'intro') {
            const height = await page.evaluate(() => document.documentElement.scrollHeight);
            assert.ok(height <= INTRO_MAX_HEIGHT_PX, `${where}: ${height} px tall at 1440x900 (at most ${INTRO_MAX_HEIGHT_PX})`);
          }
          assert.deepEqual(errors, [], `${where}: no page errors`);
          await page.close();
        }
      }
    } finally {
      await context.close();
    }
  });

  test('on a 390 px phone, and in large type, every lesson stacks with nothing wider than the screen', async () => {
    for (const { width, height, large } of [
      { width: 390, height: 844, large: false },
      { width: 390, height: 844, large: true },
      { width: 1440, height: 900, large: true },
    ]) {
      const context = await browser.newContext({ viewport: { width, height } });
      if (large) await context.addInitScript("localStorage.setItem('wirelab.large', '1')");
      const what = `${width} px${large ? ', large type' : ''}`;
      try {
        for (const lang of LANGS) {
          // Every lesson on the phone; in large type, the intro and the lessons with the widest demos and tables.
          for (const name of large ? LARGE_TYPE_LESSONS : LESSONS) {
            const { page } = await openLesson(context, name, lang);
            const where = `${lang}/${name} at ${what}`;
            const fit = await fitsWidth(page);
            assert.ok(fit.scrollWidth <= fit.clientWidth, `${where}: ${fit.scrollWidth} px wide on a ${fit.clientWidth} px screen`);
            assert.deepEqual(fit.wide, [], `${where}: nothing reaches past the screen's edge`);
            if (width === 390) {
              // One column: the contents, the text and every demo start at the same left edge.
              const lefts = await page.$$eval('nav.contents, .lesson-body > p, .lesson-body > .demo, .lesson-body > figure', (els) => [
                ...new Set(els.map((el) => Math.round(el.getBoundingClientRect().left))),
              ]);
              assert.equal(lefts.length, 1, `${where}: one column (left edges ${lefts.join(', ')})`);
            }
            await page.close();
          }
        }
      } finally {
        await context.close();
      }
    }
  });
});
