/**
 * The cluster's control page (public/cluster.js at /cluster/) in Chromium, through
 * nginx, on a real cluster started by the code `npm run cluster` runs: without the
 * token its buttons are off; opened at the address the launcher prints, Kill shows
 * a process down and Restart brings it back, while the sum never goes backwards; a
 * foreign entry in Redis's log is shown; both languages, and a phone's width. The
 * scale-out demo is demos/scale-out.test.ts's, the board board.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { launchBrowser, pagePredicate } from '../server/clients/browser.ts';
import { type Cluster, startCluster } from '../server/cluster/cluster.ts';
import { waitInPage } from '../server/cluster/test-helpers.ts';
import { waitFor } from '../server/test-helpers.ts';

let cluster: Cluster;
let browser: Browser;
/** What the launcher prints of its processes, as `npm run cluster` shows it. */
const printed: string[] = [];
before(async () => {
  [cluster, browser] = await Promise.all([
    startCluster({ processes: 3, port: 0, restartDelayMs: 3000, env: { TICK_MS: '0', CHAT_RATE: '0' }, log: (line) => printed.push(line) }),
    launchBrowser(),
  ]);
});
after(async () => {
  await browser?.close();
  await cluster?.close();
});

describe('the cluster control page in Chromium', () => {
  test('the control page at /cluster/: without the token its buttons are off and it says where the token is', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${cluster.url}/cluster/?lang=en`);
      // A process killed by the test before may still be starting again on a busy machine.
      await waitInPage(
        page,
        `document.querySelectorAll('tr[data-process][data-state="up"]').length === 3`,
        'three processes up on the control page',
        30_000,
      );
      assert.ok(await page.isVisible('[data-field="token"]'), 'a note on the token');
      assert.match((await page.textContent('[data-field="token"]')) ?? '', /npm run cluster printed .*#token=/, 'saying where it is');
      assert.ok(
        await page.$$eval(
          'tr[data-process] button',
          (buttons) => buttons.length === 6 && buttons.every((b) => (b as HTMLButtonElement).disabled),
        ),
        'every button off',
      );
      // A token kept from an earlier run: refused, forgotten, the buttons off again.
      await page.goto(`${cluster.url}/cluster/?lang=en#token=from-an-earlier-run`);
      await waitInPage(
        page,
        `document.querySelectorAll('tr[data-process][data-state="up"] button:not([disabled])').length === 6`,
        'buttons on with a token',
      );
      assert.equal(await page.evaluate('location.hash'), '', 'the token leaves the address bar');
      const pid = cluster.labs[0].pid;
      await page.click('tr[data-process="lab-1"] button[data-action="kill"]');
      await waitInPage(page, `document.querySelector('[data-field="said"]').dataset.ok === 'false'`, 'the refusal');
      assert.match((await page.textContent('[data-field="said"]')) ?? '', /control token/, 'the refusal says why');
      await waitInPage(page, `document.querySelectorAll('tr[data-process] button:not([disabled])').length === 0`, 'every button off again');
      assert.ok(await page.isVisible('[data-field="token"]'), 'and the note back');
      assert.equal(await page.evaluate(`localStorage.getItem('wirelab.clusterToken')`), null, 'the wrong token forgotten');
      assert.equal(cluster.labs[0].pid, pid, 'lab-1 still runs');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(
    'the control page opened at the address the launcher prints: ' +
      'Kill shows the process down in red, the sum never goes back, Restart works',
    async () => {
      const context = await browser.newContext();
      let watching = false;
      let watcher: Promise<void> = Promise.resolve();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(cluster.pageUrl.replace('/cluster/#', '/cluster/?lang=en#'));
        await waitInPage(
          page,
          `document.querySelectorAll('tr[data-process][data-state="up"] button:not([disabled])').length === 6`,
          'three processes up, every button on',
          30_000,
        );
        assert.ok(!(await page.isVisible('[data-field="token"]')), 'no note on the token');
        assert.equal(await page.evaluate('location.hash'), '', 'the token leaves the address bar');
        assert.match((await page.textContent('[data-field="sum"]')) ?? '', /All processes\s*\d+\s*\d+/, 'the sum row has figures');
        // Traffic on every process (round robin), so that the one killed has carried some.
        for (let i = 0; i < 9; i++) await (await fetch(`${cluster.url}/feed/short-poll?since=0`)).arrayBuffer();
        const sumRow = async () =>
          (await page.$$eval('[data-field="sum"] td', (cells) => cells.map((c) => Number(c.textContent)))).slice(2, 4);
        await waitInPage(page, `Number(document.querySelectorAll('[data-field="sum"] td')[2].textContent) > 0`, 'requests in the sum');
        // Every 50 ms from here on: the requests and deliveries the page shows never go down.
        const seen: number[][] = [];
        watching = true;
        watcher = (async () => {
          while (watching) {
            seen.push(await sumRow());
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();
        const victim = cluster.labs[1];
        const pid = victim.pid;
        await page.click('tr[data-process="lab-2"] button[data-action="kill"]');
        await waitInPage(
          page,
          `document.querySelector('[data-field="said"]').textContent.includes('SIGKILL')`,
          'the kill reported',
          20_000,
        );
        await waitInPage(page, `document.querySelector('tr[data-process="lab-2"]').dataset.state === 'down'`, 'lab-2 down', 20_000);
        // The page redraws its rows on every poll: a cell read just as its row was replaced has no style (an
        // empty colour). Read it again until the one read comes from a row on the page.
        const readCell = () =>
          page.$eval('tr[data-process="lab-2"] .state-cell', (element) => ({
            text: element.textContent,
            colour: getComputedStyle(element).color,
          }));
        let shown = await readCell();
        for (let tries = 0; !shown.colour && tries < 50; tries++) shown = await readCell();
        assert.match(shown.text ?? '', /down|starting/, `lab-2 says it is not up: ${shown.text}`);
        const [r, g, b] = (shown.colour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
        assert.ok(r >= 150 && r > 2 * g && r > 2 * b, `"down" is drawn in red: ${shown.colour}`);
        const upColour = await page.$eval('tr[data-process="lab-1"] .state-cell', (element) => getComputedStyle(element).color);
        assert.notEqual(upColour, shown.colour, 'and not as an up process is');
        await waitFor(() => victim.state === 'up' && victim.pid !== pid, 'lab-2 started again', 30_000);
        await waitInPage(
          page,
          `document.querySelector('tr[data-process="lab-2"]').dataset.state === 'up'`,
          'lab-2 up again on the page',
          20_000,
        );
        await new Promise((resolve) => setTimeout(resolve, 1500));
        watching = false;
        await watcher;
        for (let i = 1; i < seen.length; i++) {
          assert.ok(
            seen[i][0] >= seen[i - 1][0] && seen[i][1] >= seen[i - 1][1],
            `the sum never goes back: ${seen[i - 1]} then ${seen[i]}`,
          );
        }
        assert.ok(seen.length > 10, `the sum watched throughout (${seen.length} looks)`);

        const before = cluster.labs[0].pid;
        await page.click('tr[data-process="lab-1"] button[data-action="restart"]');
        await page.waitForFunction(
          pagePredicate(`document.querySelector('[data-field="said"]').textContent.includes('SIGTERM')`),
          undefined,
          { timeout: 10_000 },
        );
        assert.notEqual(cluster.labs[0].pid, before, 'lab-1 is a new process');
        assert.equal(cluster.labs[0].state, 'up');
        assert.deepEqual(errors, []);
      } finally {
        // A failure above must not leave the watcher asking a closed page.
        watching = false;
        await watcher.catch(() => {});
        await context.close();
      }
    },
  );

  test(
    "a foreign entry in Redis's log: removed, printed by the launcher, " + 'counted in /stats and shown on the page; the feed goes on',
    async () => {
      const context = await browser.newContext();
      const intruder = new Redis(cluster.redis.url);
      try {
        const page = await context.newPage();
        await page.goto(`${cluster.url}/cluster/?lang=en`);
        await waitInPage(page, `document.querySelectorAll('tr[data-process]').length === 3`, 'the processes listed');
        assert.ok(!(await page.isVisible('[data-field="foreign"]')), 'nothing foreign to say yet');
        const id = await intruder.xadd('wirelab:log', '*', 'hello', 'world');
        await waitInPage(page, `!document.querySelector('[data-field="foreign"]').hidden`, 'the page saying so');
        assert.match(
          (await page.textContent('[data-field="foreign"]')) ?? '',
          new RegExp(`removed: 1; the last, ${id}, by lab-\\d .*nothing lost`),
          'the count and the id',
        );
        await waitFor(
          () => printed.some((line) => line.includes(`foreign entry in the Redis log wirelab:log (${id})`)),
          'the launcher printing it',
          5000,
        );
        const stats = (await (await fetch(`${cluster.url}/stats`)).json()) as {
          feed: { foreign: { removed: number; last: { ids: string[] } } };
        };
        assert.equal(stats.feed.foreign.removed, 1, '/stats through nginx counts it');
        assert.deepEqual(stats.feed.foreign.last.ids, [id]);
        const posted = await fetch(`${cluster.url}/feed/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"name":"ana","text":"after"}',
        });
        assert.equal(posted.status, 201, 'a post is taken after it');
      } finally {
        intruder.disconnect();
        await context.close();
      }
    },
  );

  test('the cluster page in both languages: the site header, Redis, and on a 390 px phone every button on screen', async () => {
    for (const [lang, width, title] of [
      ['en', 1440, 'Wirelab cluster'],
      ['zh', 390, 'Wirelab 集群'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width, height: 844 } });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${cluster.url}/cluster/?lang=${lang}`);
        await waitInPage(
          page,
          `document.querySelectorAll('tr[data-process][data-state="up"]').length === 3`,
          `three processes up (${lang})`,
          30_000,
        );
        await waitInPage(page, `!document.querySelector('[data-field="redis"]').hidden`, `Redis shown (${lang})`);
        assert.equal(await page.textContent('h1'), title, `${lang}: the page's own words`);
        assert.equal(
          await page.$$eval('header.top #lang-switch, header.top #large-toggle', (found) => found.length),
          2,
          `${lang}: the site header with its language switch and large type`,
        );
        assert.equal(
          await page.$$eval('a[href="/lessons/scale-out"]', (found) => found.length),
          1,
          `${lang}: a link to the scale-out lesson`,
        );
        assert.match((await page.textContent('[data-field="redis"]')) ?? '', /pid \d+/, `${lang}: Redis with its pid`);
        const boxes = await page.$$eval('tr[data-process] button', (buttons) =>
          buttons.map((b) => b.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, height: r.height })),
        );
        assert.equal(boxes.length, 6, 'a Kill and a Restart per process');
        for (const box of boxes)
          assert.ok(box.left >= 0 && box.right <= width, `${lang}: a button within the ${width} px screen (${box.left}-${box.right})`);
        if (width === 390) {
          assert.ok(
            boxes.every((box) => box.height >= 40),
            `${lang}: buttons a finger can press: ${boxes.map((b) => b.height).join(', ')}`,
          );
          assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 390'), 'nothing wider than the phone');
        }
        await page.click('#large-toggle');
        assert.ok(
          await page.evaluate(`parseFloat(getComputedStyle(document.querySelector('tr[data-process] td')).fontSize) >= 22`),
          `${lang}: large type enlarges the figures`,
        );
        assert.deepEqual(errors, [], `${lang}: no page errors`);
      } finally {
        await context.close();
      }
    }
  });
});
