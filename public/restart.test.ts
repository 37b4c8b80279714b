/**
 * A restart seen from the board in a real Chromium: the lab stops (WebSocket 1001,
 * streams ended, polls refused) and comes back on the same ports with a new epoch,
 * already ahead of every page's old cursor. Each of the five browser clients must
 * notice the new epoch, say so in its panel, and show the new run from seq 1 in
 * order: an old `since` or Last-Event-ID would silently skip its first events.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRANSPORT_IDS } from '../server/transports/registry.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

const OLD_RUN = 3;
/** More than OLD_RUN, so that the old cursors point inside the new run. */
const NEW_RUN = 8;

/**
 * A lab whose extra ports are PORT+1.. as planned. When one of them is taken the
 * lab falls back to a free port, and a restart (which plans PORT+1.. again) could
 * land elsewhere: the test needs the ports a restart will find again.
 */
async function startOnPlannedPorts(): Promise<RunningLab> {
  for (let attempt = 0; ; attempt++) {
    const lab = await startLab();
    const { main, extra } = lab.ctx.ports!;
    if (Object.values(extra).every((port, i) => port === main + i + 1) || attempt === 5) return lab;
    await lab.close();
  }
}

test('after a restart every panel on the board starts over from seq 1 of the new run', async () => {
  let lab: RunningLab = await startOnPlannedPorts();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.addInitScript('window.__name = (fn) => fn'); // esbuild's keepNames helper, see pages.test.ts
    await page.goto(`${lab.baseUrl}/board`, { waitUntil: 'domcontentloaded' });
    // Each transport lives on its own port; restart on the very same ones.
    const ports = lab.ctx.ports!;
    await page.waitForFunction(
      () => document.querySelectorAll('.panel[data-transport] .state[data-state="open"]').length === 5,
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForTimeout(300); // the polls' and streams' first requests are in
    for (let i = 0; i < OLD_RUN; i++) lab.ctx.feed.publish('tick', { run: 'old' });
    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>('.panel[data-transport]')].every((p) => Number(p.dataset.events ?? 0) >= n),
      OLD_RUN,
      { timeout: 15_000 },
    );

    await lab.close();
    lab = await startLab({}, ports.main);
    assert.deepEqual(lab.ctx.ports, ports, 'the lab came back on the same ports');
    // In the same turn as the listen: no page can have reconnected yet.
    for (let i = 0; i < NEW_RUN; i++) lab.ctx.feed.publish('tick', { run: 'new' });

    await page.waitForFunction(
      (n) => [...document.querySelectorAll<HTMLElement>('.panel[data-transport]')].every((p) => Number(p.dataset.events ?? 0) >= n),
      OLD_RUN + NEW_RUN,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(300); // would a duplicate follow?
    for (const id of TRANSPORT_IDS) {
      const panel = `.panel[data-transport="${id}"]`;
      assert.equal(await page.getAttribute(panel, 'data-restarts'), '1', `${id}: the panel says the server restarted, once`);
      // The log is newest first; the restart note separates the two runs.
      const lines = await page.$$eval(`${panel} [data-field="log"] > div`, (divs) =>
        divs.map((d) => (d.classList.contains('restart') ? 'RESTART' : (d.textContent ?? ''))).reverse(),
      );
      const marker = lines.indexOf('RESTART');
      assert.ok(marker >= 0, `${id}: a restart note in the log`);
      const seqs = (part: string[]) => part.map((line) => Number(/^#(\d+) /.exec(line)?.[1]));
      assert.deepEqual(seqs(lines.slice(0, marker)), [1, 2, 3], `${id}: the old run before the note`);
      assert.deepEqual(
        seqs(lines.slice(marker + 1)),
        [1, 2, 3, 4, 5, 6, 7, 8],
        `${id}: the new run after it, from seq 1, nothing skipped or twice`,
      );
      assert.equal(await page.textContent(`${panel} [data-field="events"]`), String(OLD_RUN + NEW_RUN), `${id}: no other event counted`);
    }
  } finally {
    await browser.close();
    await lab.close();
  }
});
