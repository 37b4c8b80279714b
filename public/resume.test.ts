/**
 * The scale-out lesson's picture (public/demos/resume.js) on a single lab, in Chromium:
 * there is no other process, so the page has the lab cut its WebSocket (wiretap.ts cut)
 * and the client comes back to the same process with its cursor. The picture draws the
 * cut, the connection's end, the new request with `since` and the next event, which is
 * the one after the cursor; its arrows add up to /stats' delta for the WebSocket, and the
 * SVG has its text alternative, in both languages. (Through a cluster: resume-cluster.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TrafficStats } from '../server/stats.ts';
import { type RunningLab, delay, startLab, waitFor } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  // The ticker off: the only events are the ones the test publishes.
  lab = await startLab({ tickMs: 0, tlsPort: 0 });
  browser = await launchBrowser({ trustSpki: lab.ctx.certificate!.spkiSha256 });
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

const split = (bytes: TrafficStats['bytesIn']) => [bytes.head, bytes.framing, bytes.payload];
const minus = (a: number[], b: number[]) => a.map((value, i) => value - b[i]).join(',');

const WORDS = {
  en: { cut: 'the lab cuts the connection', title: 'resumes from its cursor', noGap: 'no gap', bytes: 'B =' },
  zh: { cut: '实验室切断连接', title: '从它的游标处继续', noGap: '没有缺口', bytes: '字节 =' },
} as const;

/** Both languages over HTTP/1.1; over HTTP/2 (the WebSocket a stream of the page's connection, RFC 8441: the cut resets it), one. */
const CASES = [
  { lang: 'en', wire: 'h1' },
  { lang: 'zh', wire: 'h1' },
  { lang: 'en', wire: 'h2' },
] as const;

for (const { lang, wire } of CASES) {
  const title = `single lab (${lang}, ${wire}): cut, the same process again from the cursor, no gap; arrows = /stats; text alternative`;
  test(title, async () => {
    await waitFor(() => lab.ctx.stats.snapshot().ws.connectionsOpen === 0, 'no WebSocket of an earlier page');
    await delay(100);
    const base = lab.ctx.stats.snapshot().ws;
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The cut WebSocket is reported by Chromium in the console: that is the lesson.
      if (message.type() === 'error' && !/WebSocket/.test(message.text())) errors.push(`console: ${message.text()}`);
    });
    try {
      const origin = wire === 'h2' ? lab.https!.h2Url : lab.baseUrl;
      await page.goto(`${origin}/lessons/scale-out?lang=${lang}`, { waitUntil: 'domcontentloaded' });
      const demo = '.demo[data-demo="resume"]';
      await page.waitForSelector(`${demo}[data-state="ready"]`, { timeout: 10_000 });
      const before = [1, 2].map((i) => lab.ctx.feed.publish('chat', { name: 'resume', text: `before ${i}` }).seq);
      await page.waitForFunction(
        ([demo, seq]) =>
          [...document.querySelectorAll(`${demo} svg g.step`)].some((g) => g.getAttribute('data-seqs')?.split(' ').includes(String(seq))),
        [demo, before[1]] as const,
        { timeout: 10_000 },
      );

      await page.click(`${demo} button[data-action="cut"]`);
      // Published while the client is away: it comes on the new connection, from the cursor.
      const during = lab.ctx.feed.publish('chat', { name: 'resume', text: 'while away' }).seq;
      await page.waitForSelector(`${demo}[data-state="resumed"]`, { timeout: 10_000 });
      // The client hears the event before the tap's trace step for it arrives on its own socket: wait for the arrow too.
      await page.waitForFunction(
        ([demo, seq]) =>
          [...document.querySelectorAll(`${demo} svg g.step`)].some((g) => g.getAttribute('data-seqs')?.split(' ').includes(String(seq))),
        [demo, during] as const,
        { timeout: 10_000 },
      );
      const shown = await page.evaluate((demo) => {
        const element = document.querySelector(demo) as HTMLElement;
        const steps = [...element.querySelectorAll('svg g.step')].map((g) => ({
          what: g.getAttribute('data-what'),
          dir: g.getAttribute('data-dir'),
          name: g.querySelector('text.name')?.textContent ?? g.querySelector('text.closed-label')?.textContent ?? '',
          seqs: g.getAttribute('data-seqs') ?? '',
          bytes: ['head', 'framing', 'payload'].map((kind) => Number(g.getAttribute(`data-${kind}`))),
          label: g.querySelector('text.bytes')?.textContent ?? '',
        }));
        const svg = element.querySelector('svg')!;
        const totals = element.querySelector('.ladder-totals') as HTMLElement;
        return {
          data: { ...element.dataset },
          status: element.querySelector('[data-field="resume-status"]')?.textContent ?? '',
          steps,
          role: svg.getAttribute('role'),
          name: document.getElementById(svg.getAttribute('aria-labelledby') ?? '')?.textContent ?? '',
          lines: [...(document.getElementById(svg.getAttribute('aria-describedby') ?? '')?.children ?? [])].map(
            (li) => li.textContent ?? '',
          ),
          totals: { in: totals.dataset.in ?? '', out: totals.dataset.out ?? '' },
        };
      }, demo);
      const words = WORDS[lang];
      assert.equal(shown.data.since, String(before[1]), `the cursor when the connection was lost: ${JSON.stringify(shown.data)}`);
      assert.equal(shown.data.resumedSeq, String(during), 'the next event is the one after the cursor');
      assert.equal(shown.data.gap, 'none');
      assert.ok(shown.status.includes(words.noGap), `the status says so: ${shown.status}`);
      // In order: the cut, the connection's end, a new request that opens a connection with since, the event.
      const order = (what: string, from = 0) => shown.steps.findIndex((s, i) => i >= from && s.what === what);
      const cut = order('mark');
      const end = order('end', cut);
      const again = shown.steps.findIndex((s, i) => i > end && s.what === 'request');
      assert.ok(cut >= 0 && end > cut && again > end, `cut, end, request again: ${JSON.stringify(shown.steps)}`);
      assert.ok(shown.steps[cut].name.includes(words.cut), `the cut is named: ${shown.steps[cut].name}`);
      // Each arrow is labelled with its bytes, split as /stats splits them: "559 B = 559 + 0 + 0".
      for (const step of shown.steps.filter((s) => s.what !== 'mark' && s.what !== 'end')) {
        const [head, framing, payload] = step.bytes;
        const label = `${head + framing + payload} ${words.bytes} ${head} + ${framing} + ${payload}`;
        assert.equal(step.label, label, `${step.what}: its label is its bytes`);
      }
      assert.ok(shown.steps[again].name.includes(`since=${before[1]}`), `the reconnect carries the cursor: ${shown.steps[again].name}`);
      assert.ok(
        shown.steps.slice(again).some((s) => s.what === 'event' && s.seqs.split(' ').includes(String(during))),
        'the event published while away is drawn after the reconnect',
      );
      // An image named in the page's language, described by the same steps as text.
      assert.equal(shown.role, 'img');
      assert.ok(shown.name.includes(words.title), `named: ${shown.name}`);
      assert.ok(
        shown.lines.some((line) => line.includes(words.cut)),
        `the text alternative has the cut: ${shown.lines}`,
      );
      assert.ok(
        shown.lines.some((line) => line.includes(`since=${before[1]}`)),
        'and the reconnect with its cursor',
      );

      // Every arrow added up is what /stats counted for the WebSocket (this page's two connections).
      let seen = '';
      const deadline = Date.now() + 10_000;
      for (;;) {
        const totals = await page.evaluate((demo) => {
          const p = document.querySelector(`${demo} .ladder-totals`) as HTMLElement;
          return { in: p.dataset.in ?? '', out: p.dataset.out ?? '' };
        }, demo);
        const now = lab.ctx.stats.snapshot().ws;
        const stats = { in: minus(split(now.bytesIn), split(base.bytesIn)), out: minus(split(now.bytesOut), split(base.bytesOut)) };
        seen = `picture ${JSON.stringify(totals)}, /stats delta ${JSON.stringify(stats)}`;
        if (totals.in === stats.in && totals.out === stats.out) break;
        assert.ok(Date.now() < deadline, `the arrows add up to /stats: ${seen}`);
        await delay(100);
      }
      // Two WebSockets (over HTTP/2, two streams of the page's one connection): the cut one and the resumed one.
      const opened = lab.ctx.stats.snapshot().ws.requests - base.requests;
      assert.equal(opened, 2, 'two WebSockets: the cut one and the resumed one');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
