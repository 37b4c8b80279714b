/**
 * The ladder diagrams as slides (1600x900 PNG, titled), beside the bench's charts:
 * `npm run bench:png` calls this after the charts.
 *
 * First a trace is recorded: the intro lesson in Chromium, whose five ladders draw
 * the page's own connections (public/demos/ladder.js), publishes three events and
 * freezes when all five carried them; the steps of each picture, as the lab's trace
 * reported them (server/trace.ts), are written to ladders-trace.json. Then each slide
 * is drawn from that file by the page's own ladder code (public/ladder.js) and
 * photographed: one per transport, and the five side by side. Then the scale-out
 * lesson's picture of a client resuming from its cursor (export-resume.ts), recorded and
 * drawn the same way. `--trace=FILE` draws from a trace recorded before instead of
 * recording one.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TraceStep } from '../server/trace.ts';
import { type ResumeTrace, drawResume, recordResume } from './export-resume.ts';

const SLIDE = { width: 1600, height: 900 };

/** What ladders-trace.json holds: the steps of each transport's picture, and the three events they share. */
export interface LadderTrace {
  recordedAt: string;
  /** The first and last seq of the three events. */
  from: number;
  to: number;
  steps: Record<string, TraceStep[]>;
  /** The scale-out lesson's picture (absent from a trace recorded before it existed). */
  resume?: ResumeTrace;
}

/** Records the intro's five ladders over three events, from the lab at `base`. */
async function record(browser: Browser, base: string, lang: string): Promise<LadderTrace> {
  const page = await browser.newPage({ viewport: SLIDE });
  await page.addInitScript('window.__name = (fn) => fn'); // tsx's keepNames wraps functions handed to page.evaluate
  try {
    await page.goto(`${base}/lessons/intro?lang=${lang}`, { waitUntil: 'domcontentloaded' });
    const demo = page.locator('.demo[data-demo="ladder"]');
    await page.waitForSelector('.demo[data-demo="ladder"][data-state="waiting"]', { timeout: 30_000 });
    // Every client on the wire before the events (each picture has its first request).
    await page.waitForFunction(
      () => [...document.querySelectorAll('.ladders .ladder')].every((f) => f.querySelector('svg g.step')),
      undefined,
      { timeout: 30_000 },
    );
    await demo.locator('button[data-action="send"]').click();
    await page.waitForSelector('.demo[data-demo="ladder"][data-state="frozen"]', { timeout: 30_000 });
    return await page.evaluate(async () => {
      const ladderModule = '/assets/ladder.js'; // the page's own module (a name, so that TypeScript does not look for it)
      const { ladderOf } = await import(ladderModule);
      const demo = document.querySelector('.demo[data-demo="ladder"]') as HTMLElement;
      const steps = Object.fromEntries(
        [...demo.querySelectorAll('.ladders .ladder')].map((figure) => [
          figure.getAttribute('data-transport'),
          ladderOf.get(figure).log.steps,
        ]),
      );
      return { recordedAt: new Date().toISOString(), from: Number(demo.dataset.from), to: Number(demo.dataset.to), steps };
    });
  } finally {
    await page.close();
  }
}

/**
 * Draws each slide from `trace` in a page of the lab (the index: it opens no connection
 * of its own), with the lab's words in `lang`, and photographs it.
 */
async function draw(browser: Browser, base: string, lang: string, trace: LadderTrace, outDir: string, scale: number): Promise<string[]> {
  const page = await browser.newPage({ viewport: SLIDE, deviceScaleFactor: scale });
  await page.addInitScript('window.__name = (fn) => fn');
  const written: string[] = [];
  try {
    await page.goto(`${base}/?lang=${lang}`, { waitUntil: 'domcontentloaded' });
    // The index has no picture of its own, so it does not link the pictures' sheet: the slide does.
    await page.addStyleTag({ url: `${base}/assets/ladder.css` });
    const slides = [...Object.keys(trace.steps).map((id) => [id]), Object.keys(trace.steps)];
    for (const transports of slides) {
      await page.evaluate(
        async ({ trace, transports }) => {
          const modules = ['/assets/ladder.js', '/assets/lab.js'];
          const [{ mountLadder, ladderLegend }, { h, t }] = await Promise.all(modules.map((url) => import(url)));
          document.querySelector('#ladder-slide')?.remove();
          // A slide over the page: its own box, the lab's type a little larger than on screen.
          document.documentElement.style.fontSize = '20px';
          const five = transports.length > 1;
          const grid = h('div', { class: five ? 'ladders' : '' });
          const slide = h(
            'div',
            { id: 'ladder-slide' },
            h('h1', {}, five ? t('ladders.title') : t('ladder.title', { transport: t(`label.${transports[0]}`) })),
            grid,
            five ? ladderLegend() : undefined,
          );
          slide.style.cssText = 'position:fixed;inset:0;z-index:100;background:#fff;padding:24px 32px;overflow:hidden';
          if (five) grid.style.gridTemplateColumns = 'repeat(5, minmax(0, 1fr))';
          document.body.append(slide);
          for (const id of transports) {
            const ladder = mountLadder(grid.appendChild(h('div')), {
              transport: id,
              title: five ? t(`label.${id}`) : t('ladders.done', { from: trace.from, to: trace.to }),
              compact: five,
              controls: false,
              totals: false,
              rows: 9,
            });
            for (const step of trace.steps[id]) ladder.add(step);
            ladder.freeze(true, { upTo: trace.to });
          }
          // A slide has no room to open a list: the text alternative stays on the page.
          for (const details of slide.querySelectorAll('details')) details.remove();
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        },
        { trace, transports },
      );
      const file = path.join(outDir, transports.length > 1 ? 'ladders-five.png' : `ladder-${transports[0]}.png`);
      await page.screenshot({ path: file, clip: { x: 0, y: 0, ...SLIDE } });
      written.push(file);
    }
  } finally {
    await page.close();
  }
  return written;
}

/** Records (or reads) a trace and writes the ladder slides into `outDir`; returns the files written. */
export async function exportLadders(options: {
  browser: Browser;
  base: string;
  outDir: string;
  lang: string;
  scale: number;
  traceFile?: string;
}): Promise<string[]> {
  const { browser, base, outDir, lang, scale, traceFile } = options;
  const written: string[] = [];
  let trace: LadderTrace;
  if (traceFile) {
    trace = JSON.parse(readFileSync(traceFile, 'utf8')) as LadderTrace;
  } else {
    trace = { ...(await record(browser, base, lang)), resume: await recordResume(browser, base, lang) };
    const file = path.join(outDir, 'ladders-trace.json');
    writeFileSync(file, `${JSON.stringify(trace, null, 1)}\n`);
    written.push(file);
  }
  written.push(...(await draw(browser, base, lang, trace, outDir, scale)));
  if (trace.resume) {
    const file = path.join(outDir, 'ladder-resume.png');
    await drawResume(browser, base, lang, trace.resume, file, scale);
    written.push(file);
  }
  return written;
}
