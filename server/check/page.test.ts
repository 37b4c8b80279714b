/**
 * /check in Chromium: a student runs the checker against a server on loopback
 * and watches the cases fill in, in English and in Chinese; a URL off this
 * machine is refused, and nothing is sent to it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../clients/browser.ts';
import { type RunningLab, startLab } from '../test-helpers.ts';
import { start as startSse } from '../../lessons/servers/sse-node.ts';
import type { Running } from '../../lessons/servers/feed.ts';

let lab: RunningLab;
let server: Running;
let browser: Browser;

before(async () => {
  lab = await startLab({ extraPorts: false });
  server = await startSse({ heartbeatMs: 1000, bufferSize: 50 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await lab?.close();
});

for (const [lang, explanation, passWord] of [
  ['en', 'Each event has id:', 'Pass'],
  ['zh', '每个事件有 id:', '通过'],
] as const) {
  test(`/check (${lang}) runs the checker against a loopback server and shows the cases live, each explained`, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${lab.baseUrl}/check?lang=${lang}`);
      await page.fill('input[name=url]', server.url);
      for (const box of await page.$$('input[name=only]')) if ((await box.getAttribute('value')) !== 'sse') await box.uncheck();
      await page.fill('input[name=heartbeatMs]', '1000');
      await page.click('.check-form button[type=submit]');
      // Rows appear as soon as the run starts, each waiting for its verdict, then fill in one by one.
      await page.waitForSelector('tr[data-case="sse.fields"]', { timeout: 10_000 });
      await page.waitForSelector('tr[data-case="sse.fields"][data-verdict="pass"]', { timeout: 30_000 });
      await page.waitForSelector('[data-field=status][data-state=done]', { timeout: 60_000 });
      const rows = await page.$$eval('tr[data-case]', (trs) =>
        trs.map((tr) => ({ id: tr.getAttribute('data-case'), verdict: tr.getAttribute('data-verdict'), text: tr.textContent ?? '' })),
      );
      assert.ok(rows.length > 10 && rows.every((r) => r.id?.startsWith('sse.')), 'one row per SSE case');
      assert.deepEqual(
        rows.filter((r) => r.verdict !== 'pass').map((r) => r.id),
        [],
        'the example SSE server passes every case',
      );
      const fields = rows.find((r) => r.id === 'sse.fields')!;
      assert.ok(fields.text.includes(explanation), `the case is explained in ${lang}: ${fields.text.slice(0, 120)}`);
      assert.ok(fields.text.includes(passWord), `its verdict reads ${passWord}`);
      assert.ok(await page.$('tr[data-case="sse.fields"] a[href="/lessons/sse"]'), 'it links the lesson that teaches it');
      const reportHref = await page.getAttribute('[data-field=status] a', 'href');
      assert.match(reportHref ?? '', /^\/check\/page-127\.0\.0\.1-\d+\.html$/, 'the saved report is linked');
      const report = await (await fetch(`${lab.baseUrl}${reportHref}?lang=${lang}`)).text();
      assert.ok(report.includes('sse.fields') && report.includes(explanation), 'the report page shows the cases, explained');
    } finally {
      await page.close();
    }
  });
}

test('/check refuses a URL off this machine, in the page and at the endpoint, and sends nothing there', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${lab.baseUrl}/check?lang=en`);
    await page.fill('input[name=url]', 'http://192.0.2.10:8080');
    await page.click('.check-form button[type=submit]');
    await page.waitForSelector('[data-field=status][data-state=refused]', { timeout: 10_000 });
    assert.match((await page.textContent('[data-field=status]')) ?? '', /not on this machine/);
    assert.equal(await page.$$eval('tr[data-case]', (trs) => trs.length), 0, 'no case ran');
  } finally {
    await page.close();
  }
  for (const url of ['http://192.0.2.10:8080', 'http://example.com/', 'https://10.0.0.1:443']) {
    const response = await fetch(`${lab.baseUrl}/check/run?url=${encodeURIComponent(url)}`);
    assert.equal(response.status, 403, `${url} is refused`);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'check_refused');
  }
});
