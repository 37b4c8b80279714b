/**
 * The http2 lesson's loss demo in a real headless Chromium that trusts the lab's
 * certificate: through the lab's stall proxies at 10 % loss, a late tick over HTTP/2
 * is late on several streams at once (one connection, one hole), over HTTP/1.1 on
 * one (a connection each). The endpoint
 * refuses a rate it does not offer, with a coded error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ tickMs: 100, tlsPort: 0 });
  browser = await launchBrowser({ trustSpki: lab.ctx.certificate!.spkiSha256 });
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

test('POST /experiments/loss takes 0 to 20 %, answers where its two proxies listen, and refuses the rest with bad_loss', async () => {
  const ok = await fetch(`${lab.baseUrl}/experiments/loss?percent=3`, { method: 'POST' });
  assert.equal(ok.status, 200, 'a rate it offers');
  const body = (await ok.json()) as { lossPercent: number; stallMs: number; ports: { h1: number; h2: number } };
  assert.equal(body.lossPercent, 3, 'the rate set');
  assert.ok(body.ports.h1 > 0 && body.ports.h2 > 0 && body.ports.h1 !== body.ports.h2, 'two proxies, one per wire');
  const foreign = await fetch(`${lab.baseUrl}/experiments/loss?percent=20`, { method: 'POST', headers: { origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403, "a foreign site's page may not set the rate");
  assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'foreign_origin', 'coded foreign_origin');
  for (const bad of ['21', '-1', 'x', '1e1', '']) {
    const refused = await fetch(`${lab.baseUrl}/experiments/loss?percent=${bad}`, { method: 'POST' });
    assert.equal(refused.status, 400, `percent=${bad}: refused`);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'bad_loss', `percent=${bad}: coded bad_loss`);
  }
});

test('at 10 % loss, ticks over HTTP/2 are late on several streams at once, over HTTP/1.1 on one', { timeout: 150_000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript('window.__name = (fn) => fn'); // tsx names arrow functions with a helper the page lacks (see pages.test.ts)
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${lab.https!.h2Url}/lessons/http2?lang=en`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-field="loss"] [data-action="loss-start"]');
    await page.locator('[data-field="loss-rate"]').fill('10');
    await page.click('[data-action="loss-start"]');
    await page.waitForFunction(() => /Running/.test(document.querySelector('[data-field="loss-status"]')?.textContent ?? ''), undefined, {
      timeout: 15_000,
    });
    // Every transport of both wires delivers ticks, through the proxies.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-field^="loss-h"] td[data-field="received"]')].filter((cell) => Number(cell.textContent) >= 3)
          .length === 10,
      undefined,
      { timeout: 30_000 },
    );
    // Wait (bounded) for enough stalls to compare: the draws are random, their shape is not.
    await page.waitForFunction(
      () => {
        const count = (wire: string, field: 'together' | 'alone') =>
          Number((document.querySelector(`[data-field="loss-count-${wire}"]`) as HTMLElement).dataset[field]);
        return count('h2', 'together') >= 8 && count('h1', 'alone') >= 8;
      },
      undefined,
      { timeout: 120_000 },
    );
    const read = (wire: string) =>
      page.$eval(`[data-field="loss-count-${wire}"]`, (p) => ({
        together: Number((p as HTMLElement).dataset.together),
        alone: Number((p as HTMLElement).dataset.alone),
      }));
    const h1 = await read('h1');
    const h2 = await read('h2');
    assert.ok(
      h2.together > h2.alone,
      `over HTTP/2 a late tick was mostly late on several streams (${h2.together} together, ${h2.alone} alone)`,
    );
    assert.ok(
      h1.alone > h1.together,
      `over HTTP/1.1 a late tick was mostly late on one stream (${h1.alone} alone, ${h1.together} together)`,
    );
    await page.click('[data-action="loss-stop"]');
    assert.match((await page.textContent('[data-field="loss-status"]')) ?? '', /Stopped/, 'it stops');
    assert.equal(await page.locator('[data-field="loss"] iframe, iframe[src*="loss-frame"]').count(), 0, 'and its frames are gone');
    assert.deepEqual(errors, [], 'no page errors');
  } finally {
    await context.close();
  }
});
