/**
 * The board (public/board.js) in Chromium through nginx, on a real cluster started
 * by the code `npm run cluster` runs: with no demo to step in, it carries on when
 * the process under its iframe stream dies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Cluster, startCluster } from '../server/cluster/cluster.ts';
import { launchBrowser, pagePredicate } from '../server/clients/browser.ts';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe('the board through nginx in Chromium', () => {
  // A cluster of its own, with the ticker on: the board's streams carry ticks, and a
  // forever-frame's only sign of a dead server is that they stop.
  let ticking: Cluster;
  before(async () => {
    ticking = await startCluster({ processes: 2, port: 0, restartDelayMs: 60_000, env: { TICK_MS: '200', CHAT_RATE: '0' } });
  });
  after(async () => {
    await ticking?.close();
  });

  const killed = 'the process under the iframe stream is killed: the panel notices the silence, ';
  test(`${killed}moves to the other process and misses no seq`, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${ticking.url}/board?lang=en`, { waitUntil: 'domcontentloaded' });
      const iframePanel = '.panel[data-transport="iframe"]';
      await page.waitForFunction(
        pagePredicate(
          `document.querySelector('${iframePanel}')?.dataset.process && ` +
            `document.querySelectorAll('${iframePanel} [data-field="log"] > div').length >= 3`,
        ),
        undefined,
        { timeout: 15_000 },
      );
      const victim = (await page.$eval(iframePanel, (panel) => (panel as HTMLElement).dataset.process))!;
      const lab = ticking.labs.find((l) => l.name === victim);
      assert.ok(lab, `the panel names a process of the cluster (${victim})`);
      const lastSeq = async () => Number(await page.$eval(`${iframePanel} [data-field="last-seq"]`, (element) => element.textContent));
      const before = await lastSeq();
      lab.kill();
      // No load event, no error: only the ticks stop. Five tick intervals, at least 3 s, then a new stream.
      await page.waitForFunction(
        pagePredicate(`document.querySelector('${iframePanel}').dataset.process !== ${JSON.stringify(victim)}`),
        undefined,
        { timeout: 15_000 },
      );
      await page.waitForFunction(
        pagePredicate(`Number(document.querySelector('${iframePanel} [data-field="last-seq"]').textContent) > ${before + 10}`),
        undefined,
        { timeout: 10_000 },
      );
      const seqs = await page.$$eval(`${iframePanel} [data-field="log"] > div`, (lines) =>
        lines
          .map((line) => /^#(\d+) /.exec(line.textContent ?? ''))
          .filter((m) => m !== null)
          .map((m) => Number(m![1]))
          .reverse(),
      );
      const lines = await page.$$eval(`${iframePanel} [data-field="log"] > div`, (all) => all.map((line) => line.textContent));
      assert.ok(seqs.length >= 10, `the log holds the events around the kill (${seqs.length}): ${JSON.stringify(lines)}`);
      assert.deepEqual(
        seqs,
        Array.from({ length: seqs.length }, (_, i) => seqs[0] + i),
        'every seq once, in order, across the kill',
      );
      assert.ok(seqs[0] <= before, 'the log reaches back before the kill');
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await context.close();
    }
  });
});
