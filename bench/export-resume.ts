/**
 * The scale-out lesson's picture as a slide (ladder-resume.png, 1600x900), beside the
 * other ladders (export-ladders.ts): a client loses its WebSocket and resumes from its
 * cursor. `npm run bench:png` runs one lab process, so the trace is recorded as the
 * lesson draws it on one process (public/demos/resume.js): the lab cuts the connection,
 * an event is published while the client is away, and the client comes back to the same
 * process with `since`. The slide's title says it was recorded so, and on what.
 */
import type { Browser } from 'playwright-core';
import type { StepKind, TraceStep } from '../server/trace.ts';

const SLIDE = { width: 1600, height: 900 };

/** What ladders-trace.json keeps of the resume: its steps (and the page's mark of the cut), the cursor and the seq after it. */
export interface ResumeTrace {
  since: number;
  resumedSeq: number;
  /** The lab's steps, and the page's `mark` where it had the connection cut (public/ladder-steps.js). */
  steps: (Omit<TraceStep, 'what'> & { what: StepKind | 'mark' })[];
}

const post = (base: string, text: string) =>
  fetch(`${base}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench:png', text }),
  });

/** Records the scale-out lesson's picture on the lab at `base`: two events, the cut, one event while away, the resume. */
export async function recordResume(browser: Browser, base: string, lang: string): Promise<ResumeTrace> {
  const page = await browser.newPage({ viewport: SLIDE });
  await page.addInitScript('window.__name = (fn) => fn'); // tsx's keepNames wraps functions handed to page.evaluate
  const demo = '.demo[data-demo="resume"]';
  try {
    await page.goto(`${base}/lessons/scale-out?lang=${lang}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector(`${demo}[data-state="ready"]`, { timeout: 30_000 });
    for (const text of ['before 1', 'before 2']) await post(base, text);
    await page.waitForFunction((demo) => document.querySelectorAll(`${demo} svg g.step[data-what="event"]`).length >= 2, demo, {
      timeout: 30_000,
    });
    await page.click(`${demo} button[data-action="cut"]`);
    await post(base, 'while away');
    await page.waitForSelector(`${demo}[data-state="resumed"]`, { timeout: 30_000 });
    return await page.evaluate(async (demo) => {
      const ladderModule = '/assets/ladder.js'; // the page's own module (a name, so that TypeScript does not look for it)
      const { ladderOf } = await import(ladderModule);
      const element = document.querySelector(demo) as HTMLElement;
      const steps = ladderOf.get(element.querySelector('figure')).log.steps;
      return { since: Number(element.dataset.since), resumedSeq: Number(element.dataset.resumedSeq), steps };
    }, demo);
  } finally {
    await page.close();
  }
}

/** Draws the resume slide from `trace` on the lab's index (no connection of its own), in `lang`, into `file`. */
export async function drawResume(
  browser: Browser,
  base: string,
  lang: string,
  trace: ResumeTrace,
  file: string,
  scale: number,
): Promise<void> {
  const page = await browser.newPage({ viewport: SLIDE, deviceScaleFactor: scale });
  await page.addInitScript('window.__name = (fn) => fn');
  try {
    await page.goto(`${base}/?lang=${lang}`, { waitUntil: 'domcontentloaded' });
    await page.addStyleTag({ url: `${base}/assets/ladder.css` });
    await page.evaluate(async (trace) => {
      const modules = ['/assets/ladder.js', '/assets/lab.js'];
      const [{ mountLadder }, { h, t }] = await Promise.all(modules.map((url) => import(url)));
      document.documentElement.style.fontSize = '20px';
      const grid = h('div');
      const slide = h(
        'div',
        { id: 'ladder-slide' },
        h('h1', {}, t('resume.title')),
        h('p', {}, t('resume.recorded', { since: trace.since, seq: trace.resumedSeq })),
        grid,
      );
      slide.style.cssText = 'position:fixed;inset:0;z-index:100;background:#fff;padding:24px 32px;overflow:hidden';
      document.body.append(slide);
      const ladder = mountLadder(grid, { transport: 'ws', title: t('label.ws'), controls: false, totals: false, rows: 11 });
      for (const step of trace.steps) ladder.add(step);
      ladder.freeze(true, { upTo: trace.resumedSeq });
      for (const details of slide.querySelectorAll('details')) details.remove();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    }, trace);
    await page.screenshot({ path: file, clip: { x: 0, y: 0, ...SLIDE } });
  } finally {
    await page.close();
  }
}
