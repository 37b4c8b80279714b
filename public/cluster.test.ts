/**
 * The scale-out demo (public/demos/scale-out.js) in Chromium, through nginx, on a
 * real cluster started by the code `npm run cluster` runs: a process is killed
 * from its Kill button while the five panels follow the feed; the panels it held
 * show another process, a message posted after the kill reaches all five, and
 * nothing is lost. The control page at /cluster/ restarts a process. Reached
 * without the cluster, the demo says how to start it. (The board through nginx,
 * with no demo to step in, is board.test.ts's.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { type Cluster, startCluster } from '../server/cluster/cluster.ts';
import { type RunningLab, startLab, waitFor } from '../server/test-helpers.ts';
import { launchBrowser, pagePredicate } from '../server/clients/browser.ts';

const STREAMS = ['iframe', 'sse', 'ws'];
const TRANSPORTS = ['short-poll', 'long-poll', 'iframe', 'sse', 'ws'];

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
    if (message.type() === 'error' && !/ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE|WebSocket connection/.test(message.text())) errors.push(`console: ${message.text()}`);
  });
  // Through the cluster, first the address the launcher prints: the /cluster/ page keeps its control token for the demo's Kill.
  if (origin === cluster.url) {
    await page.goto(cluster.pageUrl, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(pagePredicate(`localStorage.getItem('wirelab.clusterToken') !== null`), undefined, { timeout: 5000 });
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

/** Waits for `expression` in the page; a timeout says what the demo showed then. */
async function waitInPage(page: Page, expression: string, what: string, timeoutMs = 10_000): Promise<void> {
  try {
    await page.waitForFunction(pagePredicate(expression), undefined, { timeout: timeoutMs });
  } catch {
    const shown = await page.evaluate(`JSON.stringify({
      notes: [...document.querySelectorAll('[data-field="notes"] li')].map((li) => li.textContent),
      panels: [...document.querySelectorAll('.panel[data-transport]')].map((p) => [p.dataset.transport, p.dataset.process, p.querySelector('.state').dataset.state, p.querySelector('[data-field="last-seq"]').textContent]),
    })`);
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the demo showed ${shown}`);
  }
}

/** The process each panel names now. */
const panelProcesses = (page: Page) =>
  page.evaluate(`Object.fromEntries([...document.querySelectorAll('.panel[data-transport]')].map((p) => [p.dataset.transport, p.dataset.process ?? null]))`) as Promise<Record<string, string | null>>;

/** Whether every panel's log has a chat line with `text`. */
const everyPanelHas = (text: string) =>
  `[...document.querySelectorAll('.panel[data-transport]')].length === 5 && [...document.querySelectorAll('.panel[data-transport]')].every((p) => [...p.querySelectorAll('[data-field="log"] .chat')].some((line) => line.textContent.includes(${JSON.stringify(text)})))`;

describe('the scale-out demo in Chromium', () => {
  test('through nginx: kill the processes holding the iframe and SSE streams; they move, a message posted after reaches all five panels, nothing is lost', async () => {
    const { page, errors, close } = await openDemo(cluster.url);
    try {
      await waitInPage(page, `document.querySelectorAll('[data-field="processes"] tr[data-process][data-state="up"]').length === 3`, 'three processes up');
      await waitInPage(page, `${JSON.stringify(STREAMS)}.every((id) => document.querySelector('.panel[data-transport="' + id + '"]')?.dataset.process)`, 'every stream naming its process');
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
        await page.waitForSelector(`[data-field="notes"] li[data-kind="killed"][data-process="${victim}"]`, { timeout: 5000 });
        await page.waitForSelector(`tr[data-process="${victim}"][data-state="down"]`, { timeout: 5000 });
        // The demo marks the row down on the kill's answer; the launcher hears the exit a moment later.
        await waitFor(() => cluster.labs.find((lab) => lab.name === victim)!.pid !== pid, `${victim} (pid ${pid}) gone`, 5000);
        if (held.includes('iframe')) await page.waitForSelector(`[data-field="notes"] li[data-kind="reopened"][data-transport="iframe"][data-from="${victim}"]`, { timeout: 5000 });
        for (const id of held) {
          await waitInPage(page, `(() => { const p = document.querySelector('.panel[data-transport="${id}"]').dataset.process; return p && p !== ${JSON.stringify(victim)}; })()`, `${id} on another process than ${victim}`);
          await page.waitForSelector(`[data-field="notes"] li[data-kind="moved"][data-transport="${id}"][data-from="${victim}"]`, { timeout: 5000 });
          moved.push({ id, from: victim });
        }
      }
      assert.ok(moved.some((m) => m.id === 'iframe') && moved.some((m) => m.id === 'sse'), 'the iframe and the SSE stream both moved');

      await page.fill('form.chat input[name="text"]', 'after the kill');
      await page.click('form.chat button[type="submit"]');
      await waitInPage(page, everyPanelHas('after the kill'), 'the message posted after the kill in every panel');

      const afterKill = await panelProcesses(page);
      for (const { id, from } of moved) assert.notEqual(afterKill[id], from, `${id}: served by another process than ${from} now (${afterKill[id]})`);
      const summary = await page.$eval('[data-field="summary"]', (element) => ({ lost: (element as HTMLElement).dataset.lost, duplicates: (element as HTMLElement).dataset.duplicates, text: element.textContent }));
      assert.deepEqual([summary.lost, summary.duplicates], ['0', '0'], `nothing lost, nothing twice: ${summary.text}`);
      for (const id of TRANSPORTS) {
        const loss = await page.$eval(`[data-field="loss"][data-transport="${id}"]`, (element) => [(element as HTMLElement).dataset.lost, (element as HTMLElement).dataset.duplicates]);
        assert.deepEqual(loss, ['0', '0'], `${id}: nothing lost`);
      }
      // And by the panels' own logs (newest first), not only the demo's count: consecutive seqs, the same last one.
      const logs = (await page.evaluate(`Object.fromEntries([...document.querySelectorAll('.panel[data-transport]')].map((p) => [p.dataset.transport,
        [...p.querySelectorAll('[data-field="log"] > div')].map((line) => /^#(\\d+) /.exec(line.textContent)).filter(Boolean).map((m) => Number(m[1])).reverse()]))`)) as Record<string, number[]>;
      const last = Math.max(...Object.values(logs).flat());
      for (const [id, seqs] of Object.entries(logs)) {
        assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => last - seqs.length + 1 + i), `${id}: its log is every seq once, up to ${last}`);
      }
      // The launcher starts the process again, and the demo says so.
      for (const victim of victims) await page.waitForSelector(`[data-field="notes"] li[data-kind="back"][data-process="${victim}"]`, { timeout: 10_000 });
      assert.deepEqual(errors, [], 'no page errors');
    } finally {
      await close();
    }
  });

  test('the control page at /cluster/: without the token its buttons are off and it says where the token is', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${cluster.url}/cluster/?lang=en`);
      // A process killed by the test before may still be starting again on a busy machine.
      await waitInPage(page, `document.querySelectorAll('tr[data-process][data-state="up"]').length === 3`, 'three processes up on the control page', 30_000);
      assert.ok(await page.isVisible('[data-field="token"]'), 'a note on the token');
      assert.match((await page.textContent('[data-field="token"]')) ?? '', /npm run cluster printed .*#token=/, 'saying where it is');
      assert.ok(await page.$$eval('tr[data-process] button', (buttons) => buttons.length === 6 && buttons.every((b) => (b as HTMLButtonElement).disabled)), 'every button off');
      // A token kept from an earlier run: refused, forgotten, the buttons off again.
      await page.goto(`${cluster.url}/cluster/?lang=en#token=from-an-earlier-run`);
      await waitInPage(page, `document.querySelectorAll('tr[data-process][data-state="up"] button:not([disabled])').length === 6`, 'buttons on with a token');
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

  test('the control page opened at the address the launcher prints: Kill shows the process down in red, the sum never goes back, Restart works', async () => {
    const context = await browser.newContext();
    let watching = false;
    let watcher: Promise<void> = Promise.resolve();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(cluster.pageUrl.replace('/cluster/#', '/cluster/?lang=en#'));
      await waitInPage(page, `document.querySelectorAll('tr[data-process][data-state="up"] button:not([disabled])').length === 6`, 'three processes up, every button on', 30_000);
      assert.ok(!(await page.isVisible('[data-field="token"]')), 'no note on the token');
      assert.equal(await page.evaluate('location.hash'), '', 'the token leaves the address bar');
      assert.match((await page.textContent('[data-field="sum"]')) ?? '', /All processes\s*\d+\s*\d+/, 'the sum row has figures');
      // Traffic on every process (round robin), so that the one killed has carried some.
      for (let i = 0; i < 9; i++) await (await fetch(`${cluster.url}/feed/short-poll?since=0`)).arrayBuffer();
      const sumRow = async () => (await page.$$eval('[data-field="sum"] td', (cells) => cells.map((c) => Number(c.textContent)))).slice(2, 4);
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
      await waitInPage(page, `document.querySelector('[data-field="said"]').textContent.includes('SIGKILL')`, 'the kill reported', 20_000);
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
      await waitInPage(page, `document.querySelector('tr[data-process="lab-2"]').dataset.state === 'up'`, 'lab-2 up again on the page', 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      watching = false;
      await watcher;
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i][0] >= seen[i - 1][0] && seen[i][1] >= seen[i - 1][1], `the sum never goes back: ${seen[i - 1]} then ${seen[i]}`);
      }
      assert.ok(seen.length > 10, `the sum watched throughout (${seen.length} looks)`);

      const before = cluster.labs[0].pid;
      await page.click('tr[data-process="lab-1"] button[data-action="restart"]');
      await page.waitForFunction(pagePredicate(`document.querySelector('[data-field="said"]').textContent.includes('SIGTERM')`), undefined, { timeout: 10_000 });
      assert.notEqual(cluster.labs[0].pid, before, 'lab-1 is a new process');
      assert.equal(cluster.labs[0].state, 'up');
      assert.deepEqual(errors, []);
    } finally {
      // A failure above must not leave the watcher asking a closed page.
      watching = false;
      await watcher.catch(() => {});
      await context.close();
    }
  });

  test('a foreign entry in Redis\'s log: removed, printed by the launcher, counted in /stats and shown on the page; the feed goes on', async () => {
    const context = await browser.newContext();
    const intruder = new Redis(cluster.redis.url);
    try {
      const page = await context.newPage();
      await page.goto(`${cluster.url}/cluster/?lang=en`);
      await waitInPage(page, `document.querySelectorAll('tr[data-process]').length === 3`, 'the processes listed');
      assert.ok(!(await page.isVisible('[data-field="foreign"]')), 'nothing foreign to say yet');
      const id = await intruder.xadd('wirelab:log', '*', 'hello', 'world');
      await waitInPage(page, `!document.querySelector('[data-field="foreign"]').hidden`, 'the page saying so');
      assert.match((await page.textContent('[data-field="foreign"]')) ?? '', new RegExp(`removed: 1; the last, ${id}, by lab-\\d .*nothing lost`), 'the count and the id');
      await waitFor(() => printed.some((line) => line.includes(`foreign entry in the Redis log wirelab:log (${id})`)), 'the launcher printing it', 5000);
      const stats = (await (await fetch(`${cluster.url}/stats`)).json()) as { feed: { foreign: { removed: number; last: { ids: string[] } } } };
      assert.equal(stats.feed.foreign.removed, 1, '/stats through nginx counts it');
      assert.deepEqual(stats.feed.foreign.last.ids, [id]);
      const posted = await fetch(`${cluster.url}/feed/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ana","text":"after"}' });
      assert.equal(posted.status, 201, 'a post is taken after it');
    } finally {
      intruder.disconnect();
      await context.close();
    }
  });

  test('the cluster page in both languages: the site header, Redis, and on a 390 px phone every button on screen', async () => {
    for (const [lang, width, title] of [['en', 1440, 'Wirelab cluster'], ['zh', 390, 'Wirelab 集群']] as const) {
      const context = await browser.newContext({ viewport: { width, height: 844 } });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${cluster.url}/cluster/?lang=${lang}`);
        await waitInPage(page, `document.querySelectorAll('tr[data-process][data-state="up"]').length === 3`, `three processes up (${lang})`, 30_000);
        await waitInPage(page, `!document.querySelector('[data-field="redis"]').hidden`, `Redis shown (${lang})`);
        assert.equal(await page.textContent('h1'), title, `${lang}: the page's own words`);
        assert.equal(await page.$$eval('header.top #lang-switch, header.top #large-toggle', (found) => found.length), 2, `${lang}: the site header with its language switch and large type`);
        assert.equal(await page.$$eval('a[href="/lessons/scale-out"]', (found) => found.length), 1, `${lang}: a link to the scale-out lesson`);
        assert.match((await page.textContent('[data-field="redis"]')) ?? '', /pid \d+/, `${lang}: Redis with its pid`);
        const boxes = await page.$$eval('tr[data-process] button', (buttons) => buttons.map((b) => b.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, height: r.height })));
        assert.equal(boxes.length, 6, 'a Kill and a Restart per process');
        for (const box of boxes) assert.ok(box.left >= 0 && box.right <= width, `${lang}: a button within the ${width} px screen (${box.left}-${box.right})`);
        if (width === 390) {
          assert.ok(boxes.every((box) => box.height >= 40), `${lang}: buttons a finger can press: ${boxes.map((b) => b.height).join(', ')}`);
          assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 390'), 'nothing wider than the phone');
        }
        await page.click('#large-toggle');
        assert.ok(await page.evaluate(`parseFloat(getComputedStyle(document.querySelector('tr[data-process] td')).fontSize) >= 22`), `${lang}: large type enlarges the figures`);
        assert.deepEqual(errors, [], `${lang}: no page errors`);
      } finally {
        await context.close();
      }
    }
  });

  test('through nginx, a lesson whose demo reads its own raw bytes says to run it on one process, and the scale-out lesson mounts its demo', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${cluster.url}/lessons/frames?lang=en`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.demo[data-demo="frames"] [data-field="one-process"]', { timeout: 5000 });
      assert.match((await page.textContent('.demo[data-demo="frames"]')) ?? '', /npm start/);
      await page.goto(`${cluster.url}/lessons/scale-out?lang=zh`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.demo[data-demo="scale-out"] tr[data-process]', { timeout: 10_000 });
      assert.equal(await page.$$eval('[data-field="one-process"]', (found) => found.length), 0, 'the scale-out demo runs through nginx');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('without the cluster (npm start), the demo says how to start it', async () => {
    const lab: RunningLab = await startLab();
    try {
      const { page, errors, close } = await openDemo(lab.baseUrl);
      try {
        await page.waitForSelector('[data-field="missing"]', { timeout: 5000 });
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
