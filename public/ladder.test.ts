/**
 * The ladder diagrams (ladder.js) in Chromium against the real lab: each transport
 * lesson opens with the picture of its own demo's connection, drawn from the trace
 * (server/trace.ts). Its arrows carry the bytes the server counted (their sum is
 * /stats' delta for that transport, both ways, head / framing / payload), freeze stops
 * the drawing while traffic goes on, replay draws the last seconds again step by step,
 * the SVG is an image with a text alternative listing the same steps, in both
 * languages. The intro's five pictures stop on the same three events. (Type, colours,
 * the stylesheet and the replay's window: ladder-legibility.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TrafficStats } from '../server/stats.ts';
import { type RunningLab, delay, startLab, waitFor } from '../server/test-helpers.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import { launchBrowser } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  // The ticker off: the only events are the ones each test publishes. Heartbeats often enough to be drawn.
  // A short iframe response (IFRAME_MAX_BYTES' floor is 1 KiB), so that its close and reconnect are drawn too.
  lab = await startLab({ heartbeatMs: 1500, tlsPort: 0, iframeMaxBytes: 2048 });
  browser = await launchBrowser({ trustSpki: lab.ctx.certificate!.spkiSha256 });
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

/** Opens a page in a context of its own (its own connections), failing on any page error or console error (a CSP refusal is one). */
async function open(path: string, origin = lab.baseUrl): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript('window.__name = (fn) => fn'); // tsx's keepNames wraps functions handed to page.evaluate
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${path}: console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`));
  await page.goto(`${origin}${path}`, { waitUntil: 'domcontentloaded' });
  return { context, page, errors };
}

type Split = [number, number, number];
const split = (bytes: TrafficStats['bytesIn']): Split => [bytes.head, bytes.framing, bytes.payload];
const minus = (a: Split, b: Split): Split => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

/** Waits until `check` returns true, trying again every 50 ms; then says what it last saw. */
async function eventually(check: () => Promise<boolean>, what: () => string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await delay(50);
  }
}

/**
 * The figures of `transport` once no connection of an earlier page is open: a page closed a
 * moment ago still pays its close frames, which must not land in the next page's delta.
 */
async function settledStats(transport: TransportId) {
  await waitFor(() => lab.ctx.stats.snapshot()[transport].connectionsOpen === 0, `no ${transport} connection left open`);
  await delay(100);
  return lab.ctx.stats.snapshot()[transport];
}

/** The words the picture writes, by language (public/i18n.json ladder.*, bars.value). */
const WORDS = {
  en: {
    browser: 'Browser',
    server: 'Server',
    bytes: (s: number, h: number, f: number, p: number) => `${s} B = ${h} + ${f} + ${p}`,
    title: 'step by step',
  },
  zh: {
    browser: '浏览器',
    server: '服务器',
    bytes: (s: number, h: number, f: number, p: number) => `${s} 字节 = ${h} + ${f} + ${p}`,
    title: '一步一步',
  },
} as const;

/** Every arrow drawn now: its bytes from its data attributes, its label's text, and its line in the text alternative. */
function arrowsOf(page: Page, transport: TransportId | undefined) {
  return page.evaluate((transport) => {
    const figure = document.querySelector(transport ? `.ladder[data-transport="${transport}"]` : '.ladder')!;
    const arrows = [...figure.querySelectorAll('svg g.step:not(.end)')].map((g) => ({
      what: g.getAttribute('data-what'),
      dir: g.getAttribute('data-dir'),
      head: Number(g.getAttribute('data-head')),
      framing: Number(g.getAttribute('data-framing')),
      payload: Number(g.getAttribute('data-payload')),
      seqs: (g.getAttribute('data-seqs') ?? '').split(' ').filter(Boolean).map(Number),
      label: g.querySelector('text.bytes')?.textContent ?? '',
      name: g.querySelector('text.name')?.textContent ?? '',
    }));
    const lines = [...figure.querySelectorAll('ol.ladder-steps li[data-kind="arrow"]')].map((li) => li.textContent ?? '');
    return { arrows, lines, state: figure.getAttribute('data-state') };
  }, transport);
}

/** Both languages over HTTP/1.1; over HTTP/2 (every transport a stream of the page's one connection), one. */
const CASES = [...(['en', 'zh'] as const).map((lang) => ({ lang, wire: 'h1' as const })), { lang: 'en' as const, wire: 'h2' as const }];

describe('a transport lesson opens with the ladder of its own connection', () => {
  for (const { lang, wire } of CASES) {
    for (const transport of TRANSPORT_IDS) {
      test(`${transport} (${lang}, ${wire}): arrows = /stats, freeze, replay, text alternative`, async () => {
        const words = WORDS[lang];
        const base = await settledStats(transport);
        const origin = wire === 'h2' ? lab.https!.h2Url : lab.baseUrl;
        const { context, page, errors } = await open(`/lessons/${transport}?lang=${lang}`, origin);
        try {
          const figure = `.ladder[data-transport="${transport}"]`;
          await page.waitForSelector(
            ['open', 'waiting'].map((state) => `.panel[data-transport="${transport}"] .state[data-state="${state}"]`).join(', '),
            { timeout: 10_000 },
          );
          await page.waitForSelector(`${figure} svg g.step`, { timeout: 10_000 });

          // Three events: each reaches the picture on an arrow that names its seq.
          const seqs = [1, 2, 3].map((i) => lab.ctx.feed.publish('chat', { name: 'ladder', text: `${transport} ${lang} ${i}` }).seq);
          await eventually(
            async () => {
              const { arrows } = await arrowsOf(page, transport);
              return seqs.every((seq) => arrows.some((a) => a.seqs.includes(seq)));
            },
            () => `${transport}: arrows naming seqs ${seqs}`,
          );

          // Each arrow's label is its bytes, split; each has its line in the text alternative.
          const { arrows, lines } = await arrowsOf(page, transport);
          assert.ok(arrows.length >= 2, `${transport}: arrows drawn (${arrows.length})`);
          assert.equal(lines.length, arrows.length, `${transport}: one line of text per arrow`);
          arrows.forEach((a, i) => {
            const bytes = words.bytes(a.head + a.framing + a.payload, a.head, a.framing, a.payload);
            assert.equal(a.label, bytes, `${transport}: arrow ${i} (${a.what}) is labelled with its bytes`);
            assert.ok(lines[i].includes(bytes), `${transport}: line ${i} says the same bytes: ${lines[i]}`);
          });
          // A browser's request head: hundreds of bytes over HTTP/1.1; over HTTP/2 a HEADERS frame
          // (9 B, 14 with its priority), HPACK-compressed.
          const requests = arrows.filter((a) => a.dir === 'in' && a.what === 'request');
          assert.ok(
            requests.length > 0 && requests.every((a) => (wire === 'h1' ? a.head > 300 : a.head > 0 && a.framing >= 9)),
            `${transport}: requests drawn with their real heads: ${JSON.stringify(arrows)}`,
          );
          if (wire === 'h2')
            assert.ok(
              lines.every((line) => /\[(HEADERS|DATA|RST_STREAM|WINDOW_UPDATE)/.test(line)),
              `${transport}: each arrow is an HTTP/2 frame, named: ${lines}`,
            );
          const events = arrows.filter((a) => a.seqs.includes(seqs[0]));
          assert.ok(
            events.every((a) => a.payload > 0),
            `${transport}: the arrow carrying an event carries its JSON as payload: ${JSON.stringify(events)}`,
          );
          // A small event costs a WebSocket 2 B of framing (and a DATA frame's 9 over HTTP/2).
          if (transport === 'ws')
            assert.ok(
              arrows.some((a) => a.what === 'event' && a.framing === (wire === 'h1' ? 2 : 11) && a.head === 0),
              "ws: an event's framing",
            );
          // The iframe's response ends at its byte limit and the client asks again from its cursor:
          // the response's last chunk is drawn, then the next request.
          if (transport === 'iframe') {
            for (let i = 0; i < 6; i++) lab.ctx.feed.publish('chat', { name: 'ladder', text: `filling the response ${i}` });
            let whats: string[] = [];
            await eventually(
              async () => {
                whats = await page.evaluate(
                  (figure) => [...document.querySelectorAll(`${figure} svg g.step`)].map((g) => g.getAttribute('data-what') ?? ''),
                  figure,
                );
                const close = whats.indexOf('close');
                return close >= 0 && whats.slice(close).includes('request');
              },
              () => `iframe: the end of a response and the request after it (${whats})`,
            );
          }

          // The arrows since the page opened add up to what /stats counted for this transport (its only client is this page).
          let seen = '';
          await eventually(
            async () => {
              const totals = await page.evaluate((figure) => {
                const p = document.querySelector(`${figure} .ladder-totals`) as HTMLElement;
                return { in: p.dataset.in ?? '', out: p.dataset.out ?? '' };
              }, figure);
              const now = lab.ctx.stats.snapshot()[transport];
              const stats = {
                in: minus(split(now.bytesIn), split(base.bytesIn)).join(','),
                out: minus(split(now.bytesOut), split(base.bytesOut)).join(','),
              };
              seen = `picture ${JSON.stringify(totals)}, /stats delta ${JSON.stringify(stats)}`;
              return totals.in === stats.in && totals.out === stats.out;
            },
            () => `${transport}: the arrows add up to /stats (${seen})`,
          );

          // Freeze: traffic goes on (the panel shows a new event), the picture does not move.
          await page.click(`${figure} button[data-action="freeze"]`);
          assert.equal(await page.getAttribute(`${figure} button[data-action="freeze"]`, 'aria-pressed'), 'true');
          const frozen = await arrowsOf(page, transport);
          assert.equal(frozen.state, 'frozen');
          const later = lab.ctx.feed.publish('chat', { name: 'ladder', text: 'after the freeze' }).seq;
          await page.waitForFunction(
            (seq) =>
              [...document.querySelectorAll('.panel [data-field="log"] > div')].some((line) => line.textContent?.startsWith(`#${seq} `)),
            later,
            { timeout: 10_000 },
          );
          await delay(300);
          assert.deepEqual(await arrowsOf(page, transport), frozen, `${transport}: a frozen picture stays as it was`);

          // Replay: the last seconds drawn again one step at a time, then frozen again.
          await page.click(`${figure} button[data-action="replay"]`);
          const counts: number[] = [];
          await eventually(
            async () => {
              const now = await arrowsOf(page, transport);
              counts.push(now.arrows.length);
              return now.state === 'frozen';
            },
            () => `${transport}: the replay ends (${counts})`,
          );
          assert.ok(counts[0] < counts.at(-1)!, `${transport}: the replay grows step by step (${counts})`);
          assert.ok(Number(await page.getAttribute(figure, 'data-replayed')) > 1, `${transport}: several steps replayed`);
          const replayed = await arrowsOf(page, transport);
          assert.ok(
            replayed.arrows.some((a) => a.seqs.includes(later)),
            `${transport}: the replay includes what came while frozen`,
          );

          // Thaw: live again.
          await page.click(`${figure} button[data-action="freeze"]`);
          assert.equal(await page.getAttribute(figure, 'data-state'), 'live');

          // An image with a name and a description that is the list of the same steps, in the page's language.
          const a11y = await page.evaluate((figure) => {
            const svg = document.querySelector(`${figure} svg`)!;
            const named = document.getElementById(svg.getAttribute('aria-labelledby') ?? '');
            const described = document.getElementById(svg.getAttribute('aria-describedby') ?? '');
            return {
              role: svg.getAttribute('role'),
              name: named?.textContent ?? '',
              list: described?.tagName ?? '',
              items: described?.children.length ?? 0,
              lanes: [...svg.querySelectorAll('text.lane-name')].map((t) => t.textContent),
            };
          }, figure);
          assert.equal(a11y.role, 'img');
          assert.ok(a11y.name.includes(words.title), `${transport}: named in ${lang}: ${a11y.name}`);
          assert.equal(a11y.list, 'OL');
          assert.ok(a11y.items > 0);
          assert.deepEqual(a11y.lanes, [words.browser, words.server]);
          assert.deepEqual(errors, [], "no page errors, no refusals by the page's policy");
        } finally {
          await context.close();
        }
      });
    }
  }
});

test('the intro draws the five ladders side by side and freezes them on the same three events', async () => {
  for (const lang of ['en', 'zh'] as const) {
    const { context, page, errors } = await open(`/lessons/intro?lang=${lang}`);
    try {
      await page.waitForSelector('.demo[data-demo="ladder"][data-state="waiting"]', { timeout: 10_000 });
      // Every transport's client is on the wire before the events are published.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.ladders .ladder svg g.step').length >= 5 &&
          [...document.querySelectorAll('.ladders .ladder')].every((f) => f.querySelector('svg g.step')),
        undefined,
        { timeout: 10_000 },
      );
      await page.click('.demo[data-demo="ladder"] button[data-action="send"]');
      await page.waitForSelector('.demo[data-demo="ladder"][data-state="frozen"]', { timeout: 15_000 });
      const from = Number(await page.getAttribute('.demo[data-demo="ladder"]', 'data-from'));
      const to = Number(await page.getAttribute('.demo[data-demo="ladder"]', 'data-to'));
      assert.equal(to - from, 2, 'three events');
      await delay(100);
      const pictures = await page.evaluate(() =>
        [...document.querySelectorAll('.ladders .ladder')].map((f) => ({
          transport: f.getAttribute('data-transport'),
          state: f.getAttribute('data-state'),
          top: Math.round(f.getBoundingClientRect().top),
          seqs: [...f.querySelectorAll('svg g.step')].flatMap((g) =>
            (g.getAttribute('data-seqs') ?? '').split(' ').filter(Boolean).map(Number),
          ),
          heads: [...f.querySelectorAll('svg g.step')].filter(
            (g) => g.getAttribute('data-dir') === 'out' && Number(g.getAttribute('data-head')) > 0,
          ).length,
        })),
      );
      assert.deepEqual(
        pictures.map((p) => p.transport),
        ['short-poll', 'long-poll', 'iframe', 'sse', 'ws'],
      );
      for (const picture of pictures) {
        assert.equal(picture.state, 'frozen', `${picture.transport}: frozen`);
        for (let seq = from; seq <= to; seq++) assert.ok(picture.seqs.includes(seq), `${picture.transport}: #${seq} is drawn`);
        assert.ok(
          picture.seqs.every((seq) => seq <= to),
          `${picture.transport}: stops at #${to} (${picture.seqs})`,
        );
      }
      const byId = Object.fromEntries(pictures.map((p) => [p.transport, p]));
      assert.ok(byId['short-poll'].heads > byId.ws.heads, 'polling pays a response head per answer, the WebSocket one (the 101)');
      assert.equal(new Set(pictures.map((p) => p.top)).size, 1, 'side by side at 1440 px');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
});

describe('the lessons whose demo opens its own connections draw that exchange', () => {
  test('frames: the GET and its 101, a masked message up (6 B of framing or more), the close both ways; arrows = /stats', async () => {
    const base = await settledStats('ws');
    const { context, page, errors } = await open('/lessons/frames?lang=zh');
    try {
      await page.waitForSelector('.ladder svg g.step[data-what="upgrade"]', { timeout: 10_000 });
      await page.click('.demo[data-demo="frames"] button[data-action="send"]');
      await page.waitForSelector('.ladder svg g.step[data-what="message"][data-dir="in"]', { timeout: 10_000 });
      await page.click('.demo[data-demo="frames"] button[data-action="close"]');
      await page.waitForSelector('.ladder svg g.step.end', { timeout: 10_000 });
      const { arrows, lines } = await arrowsOf(page, undefined);
      const kinds = arrows.map((a) => `${a.dir} ${a.what}`);
      for (const kind of ['in request', 'out upgrade', 'in message', 'in close', 'out close'])
        assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
      const up = arrows.find((a) => a.what === 'message')!;
      assert.ok(up.framing >= 6 && up.head === 0, `a message up pays a masked header (${JSON.stringify(up)})`);
      assert.ok(
        lines.every((line) => line.includes('字节')),
        'the text alternative in Chinese',
      );
      let seen = '';
      await eventually(
        async () => {
          const totals = await page.evaluate(() => ({ ...(document.querySelector('.ladder .ladder-totals') as HTMLElement).dataset }));
          const now = lab.ctx.stats.snapshot().ws;
          const stats = {
            in: minus(split(now.bytesIn), split(base.bytesIn)).join(','),
            out: minus(split(now.bytesOut), split(base.bytesOut)).join(','),
          };
          seen = `picture ${JSON.stringify(totals)}, /stats ${JSON.stringify(stats)}`;
          return totals.in === stats.in && totals.out === stats.out;
        },
        () => `the frames picture adds up to /stats (${seen})`,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("http2 over HTTP/2: the HPACK demo's polls as frames of their streams, the first head larger than the repeated ones", async () => {
    const { context, page, errors } = await open('/lessons/http2?lang=en', lab.https!.h2Url);
    try {
      await page.click('.demo[data-demo="http2"] button[data-action="hpack"]');
      await page.waitForSelector('.demo[data-demo="http2"] [data-field="hpack"] li', { timeout: 15_000 });
      await page.click('.ladder button[data-action="freeze"]');
      const heads = await page.evaluate(() => [...document.querySelectorAll('.ladder ol li')].map((li) => li.textContent ?? ''));
      const requests = heads.filter((line) => /request GET \/feed\/short-poll\?poll=\d+ \[HEADERS · stream \d+\]/.test(line));
      assert.ok(requests.length >= 2, `the polls' HEADERS, each on its stream: ${heads.join('\n')}`);
      // The demo's own measure of each poll's head: the picture draws the same ones.
      const all = await page.evaluate(() =>
        [...document.querySelectorAll('.demo[data-demo="http2"] [data-field="hpack"] li')].map((li) =>
          Number(li.getAttribute('data-bytes')),
        ),
      );
      assert.ok(all[0] > all.at(-1)!, `HPACK: the first head is the largest (${all})`);
      const drawn = requests.map((line) => Number(/· (\d+) B = (\d+) \+/.exec(line)?.[2]));
      assert.ok(
        drawn.every((head) => all.includes(head)),
        `each drawn request head is one the demo measured: ${drawn} in ${all}`,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
