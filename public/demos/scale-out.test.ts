/**
 * The scale-out demo (public/demos/scale-out.js) in Chromium, through nginx, on a
 * real cluster started by the code `npm run cluster` runs: a process is killed
 * from its Kill button while the five panels follow the feed; the panels it held
 * show another process, a message posted after the kill reaches all five, and
 * nothing is lost. Through nginx a lesson whose demo reads its own bytes says to
 * run it on one process; reached without the cluster, the demo says how to start it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { pagePredicate } from '../../server/clients/browser.ts';
import { browser, cluster, useClusterAndBrowser, waitInPage } from '../../server/cluster/test-helpers.ts';
import { type RunningLab, startLab, waitFor } from '../../server/test-helpers.ts';

const STREAMS = ['iframe', 'sse', 'ws'];
const TRANSPORTS = ['short-poll', 'long-poll', 'iframe', 'sse', 'ws'];

useClusterAndBrowser();

/**
 * Opens `origin`'s index and mounts the demo in it, as a lesson's [[demo:scale-out]]
 * would (lesson.js): any page of the lab carries the config the demo reads.
 */
async function openDemo(origin: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A killed process's streams end mid-chunk: Chromium says so in the console, and that is the lesson.
    if (message.type() === 'error' && !/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|WebSocket connection/.test(message.text()))
      errors.push(`console: ${message.text()}`);
  });
  // Through the cluster, first the address the launcher prints: the /cluster/ page keeps its control token for the demo's Kill.
  if (origin === cluster.url) {
    await page.goto(cluster.pageUrl, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(pagePredicate(`localStorage.getItem('wirelab.clusterToken') !== null`), undefined, { timeout: 15_000 });
  }
  await page.goto(`${origin}/?lang=en`, { waitUntil: 'domcontentloaded' });
  await page.evaluate(`(async () => {
    const element = document.createElement('div');
    element.className = 'demo';
    element.dataset.demo = 'scale-out';
    document.querySelector('main').append(element);
    (await import('/assets/demos/scale-out.js')).mount(element);
  })()`);
  return { page, errors, close: () => context.close() };
}

/** The process each panel names now. */
const panelProcesses = (page: Page) =>
  page.evaluate(
    "Object.fromEntries([...document.querySelectorAll('.panel[data-transport]')]" +
      '.map((p) => [p.dataset.transport, p.dataset.process ?? null]))',
  ) as Promise<Record<string, string | null>>;

/** Whether every panel's log has a chat line with `text`. */
const everyPanelHas = (text: string) =>
  "[...document.querySelectorAll('.panel[data-transport]')].length === 5 && " +
  "[...document.querySelectorAll('.panel[data-transport]')].every((p) => " +
  `[...p.querySelectorAll('[data-field="log"] .chat')].some((line) => line.textContent.includes(${JSON.stringify(text)})))`;

describe('the scale-out demo in Chromium', () => {
  test(
    'through nginx: kill the processes holding the iframe and SSE streams; they move, ' +
      'a message posted after reaches all five panels, nothing is lost',
    async () => {
      const { page, errors, close } = await openDemo(cluster.url);
      try {
        await waitInPage(
          page,
          `document.querySelectorAll('[data-field="processes"] tr[data-process][data-state="up"]').length === 3`,
          'three processes up',
        );
        await waitInPage(
          page,
          `${JSON.stringify(STREAMS)}.every((id) => document.querySelector('.panel[data-transport="' + id + '"]')?.dataset.process)`,
          'every stream naming its process',
        );
        // A first message, so that the polls name their process too and every panel has seen the feed.
        await page.fill('form.chat input[name="name"]', 'student');
        await page.fill('form.chat input[name="text"]', 'before the kill');
        await page.click('form.chat button[type="submit"]');
        await waitInPage(page, everyPanelHas('before the kill'), 'the first message in every panel');

        // Kill whatever holds the iframe and the SSE stream (one process or two; one at least stays up):
        // the SSE client notices the cut by itself, the iframe's page cannot (the demo steps in).
        const before = await panelProcesses(page);
        const victims = [...new Set([before.iframe!, before.sse!])];
        const moved: { id: string; from: string }[] = [];
        for (const victim of victims) {
          const now = await panelProcesses(page);
          const held = STREAMS.filter((id) => now[id] === victim);
          const pid = cluster.labs.find((lab) => lab.name === victim)!.pid;
          await page.click(`tr[data-process="${victim}"] button[data-action="kill"]`);
          await page.waitForSelector(`[data-field="notes"] li[data-kind="killed"][data-process="${victim}"]`, { timeout: 15_000 });
          await page.waitForSelector(`tr[data-process="${victim}"][data-state="down"]`, { timeout: 15_000 });
          // The demo marks the row down on the kill's answer; the launcher hears the exit a moment later.
          await waitFor(() => cluster.labs.find((lab) => lab.name === victim)!.pid !== pid, `${victim} (pid ${pid}) gone`, 15_000);
          if (held.includes('iframe'))
            await page.waitForSelector(`[data-field="notes"] li[data-kind="reopened"][data-transport="iframe"][data-from="${victim}"]`, {
              timeout: 15_000,
            });
          for (const id of held) {
            await waitInPage(
              page,
              `(() => { const p = document.querySelector('.panel[data-transport="${id}"]').dataset.process; ` +
                `return p && p !== ${JSON.stringify(victim)}; })()`,
              `${id} on another process than ${victim}`,
            );
            await page.waitForSelector(`[data-field="notes"] li[data-kind="moved"][data-transport="${id}"][data-from="${victim}"]`, {
              timeout: 15_000,
            });
            moved.push({ id, from: victim });
          }
        }
        assert.ok(moved.some((m) => m.id === 'iframe') && moved.some((m) => m.id === 'sse'), 'the iframe and the SSE stream both moved');

        await page.fill('form.chat input[name="text"]', 'after the kill');
        await page.click('form.chat button[type="submit"]');
        await waitInPage(page, everyPanelHas('after the kill'), 'the message posted after the kill in every panel');

        const afterKill = await panelProcesses(page);
        for (const { id, from } of moved)
          assert.notEqual(afterKill[id], from, `${id}: served by another process than ${from} now (${afterKill[id]})`);
        const summary = await page.$eval('[data-field="summary"]', (element) => ({
          lost: (element as HTMLElement).dataset.lost,
          duplicates: (element as HTMLElement).dataset.duplicates,
          text: element.textContent,
        }));
        assert.deepEqual([summary.lost, summary.duplicates], ['0', '0'], `nothing lost, nothing twice: ${summary.text}`);
        for (const id of TRANSPORTS) {
          const loss = await page.$eval(`[data-field="loss"][data-transport="${id}"]`, (element) => [
            (element as HTMLElement).dataset.lost,
            (element as HTMLElement).dataset.duplicates,
          ]);
          assert.deepEqual(loss, ['0', '0'], `${id}: nothing lost`);
        }
        // And by the panels' own logs (newest first), not only the demo's count: consecutive seqs, the same last one.
        const logs =
          (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('.panel[data-transport]')].map((p) => [p.dataset.transport,
        [...p.querySelectorAll('[data-field="log"] > div')].map((line) => /^#(\\d+) /.exec(line.textContent))
        .filter(Boolean).map((m) => Number(m[1])).reverse()]))`)) as Record<string, number[]>;
        const last = Math.max(...Object.values(logs).flat());
        for (const [id, seqs] of Object.entries(logs)) {
          assert.deepEqual(
            seqs,
            Array.from({ length: seqs.length }, (_, i) => last - seqs.length + 1 + i),
            `${id}: its log is every seq once, up to ${last}`,
          );
        }
        // The launcher starts the process again, and the demo says so.
        for (const victim of victims)
          await page.waitForSelector(`[data-field="notes"] li[data-kind="back"][data-process="${victim}"]`, { timeout: 10_000 });
        assert.deepEqual(errors, [], 'no page errors');
      } finally {
        await close();
      }
    },
  );

  test(
    'through nginx, a lesson whose demo reads its own raw bytes says to run it on one process, ' +
      'and the scale-out lesson mounts its demo',
    async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${cluster.url}/lessons/frames?lang=en`, { waitUntil: 'domcontentloaded' });
        await page.waitForSelector('.demo[data-demo="frames"] [data-field="one-process"]', { timeout: 15_000 });
        assert.match((await page.textContent('.demo[data-demo="frames"]')) ?? '', /npm start/);
        await page.goto(`${cluster.url}/lessons/scale-out?lang=zh`, { waitUntil: 'domcontentloaded' });
        await page.waitForSelector('.demo[data-demo="scale-out"] tr[data-process]', { timeout: 10_000 });
        assert.equal(await page.$$eval('[data-field="one-process"]', (found) => found.length), 0, 'the scale-out demo runs through nginx');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    },
  );

  test('without the cluster (npm start), the demo says how to start it', async () => {
    const lab: RunningLab = await startLab();
    try {
      const { page, errors, close } = await openDemo(lab.baseUrl);
      try {
        await page.waitForSelector('[data-field="missing"]', { timeout: 15_000 });
        assert.match((await page.textContent('[data-field="missing"]')) ?? '', /npm run cluster/);
        assert.equal(await page.$$eval('.panel', (panels) => panels.length), 0, 'no panels: nothing to show without processes to kill');
        assert.deepEqual(errors, [], 'no errors, in the console either (no request that fails)');
      } finally {
        await close();
      }
    } finally {
      await lab.close();
    }
  });
});
