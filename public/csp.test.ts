/**
 * The pages' Content-Security-Policy (server/security-headers.ts) in a real
 * Chromium: every page, its demos' first moves and its panels run under the policy
 * without one violation, over HTTP/1.1 (transports on their own ports, the iframe
 * through its relay) and over HTTP/2 (one origin). A violation is caught in every
 * frame, the forever-frames and the relay included, by a `securitypolicyviolation`
 * listener and by Chromium's own console report; a deliberate one shows the net
 * catches what it should.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { LESSONS } from '../server/lessons.ts';
import { type RunningLab, startLab, waitFor } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab({ tickMs: 250, tlsPort: 0 });
  browser = await launchBrowser({ trustSpki: lab.ctx.certificate!.spkiSha256 });
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

const PAGES = ['/', '/board', ...LESSONS.map((name) => `/lessons/${name}?lang=en`), '/results', '/code/server/app.ts', '/cluster/'];

/** Runs in every frame before its own scripts: a violation anywhere becomes a console line the test reads. */
const REPORT_VIOLATIONS =
  `document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ` +
  `' in ' + e.documentURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
window.__name = (fn) => fn;`; // see pages.test.ts

/** Opens `url` with the net in place; `violations` fills as they happen, in any frame. Returns them and the page's policy. */
async function open(page: Page, url: string): Promise<{ violations: string[]; policy: string }> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/CSP violation|Content Security Policy/i.test(message.text())) violations.push(`${url}: ${message.text()}`);
  });
  await page.addInitScript(REPORT_VIOLATIONS);
  const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
  return { violations, policy: (await response?.allHeaders())?.['content-security-policy'] ?? '' };
}

/** Waits until the page has done what it does on arrival: every panel has events, the results charts are drawn. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const panels = [...document.querySelectorAll<HTMLElement>('.panel[data-transport]')];
      if (panels.some((panel) => Number(panel.dataset.events ?? 0) < 1)) return false;
      if (location.pathname === '/results' && !document.querySelector('canvas')) return false;
      return document.readyState !== 'loading';
    },
    undefined,
    { timeout: 20_000 },
  );
}

describe('the Content-Security-Policy in Chromium', () => {
  for (const wire of ['HTTP/1.1', 'HTTP/2'] as const) {
    test(`every page and its panels run without a violation, over ${wire}`, async () => {
      const origin = wire === 'HTTP/2' ? lab.https!.h2Url : lab.baseUrl;
      const context = await browser.newContext();
      try {
        const all: string[] = [];
        for (const path of PAGES) {
          const page = await context.newPage();
          const { violations, policy } = await open(page, `${origin}${path}`);
          assert.match(policy, /script-src 'self'/, `${path}: the page carries the policy`);
          await settled(page);
          all.push(...violations);
          await page.close();
        }
        assert.deepEqual(all, [], 'no page broke its policy');
      } finally {
        await context.close();
      }
    });
  }

  test('the net catches a violation: an inline script and a style attribute in markup are refused and reported', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { violations } = await open(page, `${lab.baseUrl}/`);
      const ran = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true';
        document.body.append(script);
        document.body.insertAdjacentHTML('beforeend', '<p id="styled" style="color: red">x</p>');
        return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
      });
      assert.equal(ran, false, 'the inline script did not run');
      assert.notEqual(
        await page.$eval('#styled', (p) => getComputedStyle(p).color),
        'rgb(255, 0, 0)',
        'the style attribute was not applied',
      );
      await waitFor(() => violations.some((v) => /script-src/.test(v)), 'the inline script reported');
      await waitFor(() => violations.some((v) => /style-src/.test(v)), 'the style attribute reported');
    } finally {
      await context.close();
    }
  });
});

test('page tests wait with function predicates: Playwright evals a string one in the page at every poll, which the policy refuses', () => {
  const root = new URL('../', import.meta.url);
  const files = ['public', 'bench'].flatMap((dir) =>
    readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `${dir}/${file}`),
  );
  const offenders: string[] = [];
  for (const file of files) {
    const source = readFileSync(new URL(file, root), 'utf8');
    // A string literal, or a constant holding page-side source, handed straight to waitForFunction.
    for (const match of source.matchAll(/waitForFunction\(\s*(['"`]|[A-Z][A-Z0-9_]{2,}\b)/g)) offenders.push(`${file}: ${match[0]}`);
  }
  assert.deepEqual(offenders, [], 'wrap page-side source in pagePredicate (server/clients/browser.ts), or pass a function');
});
