/**
 * The scale-out lesson's picture (public/demos/resume.js) through nginx, on a real
 * cluster started by the code `npm run cluster` runs, in Chromium: the page's WebSocket
 * is placed on a process other than its tap's, that process is killed from the picture's
 * button, and the client lands on another process with its cursor. The picture draws one
 * lane per process, the kill, the reconnect with `since` and the next event; the steps of
 * the connections served by processes other than the tap's came through Redis
 * (server/redis/trace-relay.ts), and on each process still up they add up to what that
 * process's /stats counted for the WebSocket.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browser, cluster, useClusterAndBrowser } from '../server/cluster/test-helpers.ts';
import type { TransportStats } from '../server/stats.ts';
import { delay, waitFor } from '../server/test-helpers.ts';
import { pagePredicate } from '../server/clients/browser.ts';

useClusterAndBrowser();

/** One process's own /stats (its port, not nginx's, which answers the cluster's sum). */
async function processStats(port: number): Promise<TransportStats & { process: string }> {
  const response = await fetch(`http://127.0.0.1:${port}/stats`);
  const answer = (await response.json()) as { transports: { ws: TransportStats }; process: { name: string } };
  return { ...answer.transports.ws, process: answer.process.name };
}

async function post(text: string): Promise<number> {
  const response = await fetch(`${cluster.url}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'resume', text }),
  });
  return ((await response.json()) as { seq: number }).seq;
}

const TITLE =
  'through nginx: the process holding the WebSocket is killed, the client resumes on another from its cursor; ' +
  "lanes per process; arrows = each live process's /stats";
test(TITLE, async () => {
  const bases = new Map(await Promise.all(cluster.labs.map(async (lab) => [lab.name, await processStats(lab.port)] as const)));
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    // The address the launcher prints keeps the control token for the picture's Kill.
    await page.goto(cluster.pageUrl, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(pagePredicate(`localStorage.getItem('wirelab.clusterToken') !== null`), undefined, { timeout: 5000 });
    // The picture alone on a page (the lesson's other demo has a WebSocket of its own, which would share the processes' figures).
    await page.goto(`${cluster.url}/?lang=en`, { waitUntil: 'domcontentloaded' });
    await page.addStyleTag({ url: `${cluster.url}/assets/ladder.css` });
    await page.evaluate(`(async () => {
      const element = document.createElement('div');
      element.className = 'demo';
      element.dataset.demo = 'resume';
      document.querySelector('main').append(element);
      (await import('/assets/demos/resume.js')).mount(element);
    })()`);
    const demo = '.demo[data-demo="resume"]';
    await page.waitForSelector(`${demo}[data-state="ready"]`, { timeout: 15_000 });
    const victim = (await page.getAttribute(demo, 'data-process'))!;
    const status = (await page.textContent(`${demo} [data-field="resume-status"]`)) ?? '';
    assert.ok(victim && !status.includes(`tap is on ${victim}`), `the stream is on another process than the tap's: ${status}`);

    const first = await post('before the kill');
    await page.waitForFunction(
      pagePredicate(
        `[...document.querySelectorAll('${demo} svg g.step')].some((g) => g.getAttribute('data-seqs').split(' ').includes('${first}'))`,
      ),
      undefined,
      { timeout: 10_000 },
    );
    const pid = cluster.labs.find((lab) => lab.name === victim)!.pid;
    await page.click(`${demo} button[data-action="cut"]`);
    await waitFor(() => cluster.labs.find((lab) => lab.name === victim)!.pid !== pid, `${victim} (pid ${pid}) killed`, 5000);
    // Published while the client is away: it comes from another process, after the cursor.
    const during = await post('while away');
    await page.waitForSelector(`${demo}[data-state="resumed"]`, { timeout: 15_000 });
    // The client hears the event before its trace step comes (relayed through Redis to the tap): wait for the arrow too.
    const drawn = `(g) => (g.getAttribute('data-seqs') ?? '').split(' ').includes('${during}')`;
    await page.waitForFunction(pagePredicate(`[...document.querySelectorAll('${demo} svg g.step')].some(${drawn})`), undefined, {
      timeout: 10_000,
    });

    const shown = (await page.evaluate(`(() => {
      const element = document.querySelector('${demo}');
      return {
        data: { ...element.dataset },
        lanes: [...element.querySelectorAll('svg text.lane-name')].map((t) => t.textContent),
        steps: [...element.querySelectorAll('svg g.step')].map((g) => ({
          what: g.getAttribute('data-what'), process: g.getAttribute('data-process'), seqs: g.getAttribute('data-seqs') ?? '',
          name: (g.querySelector('text.name') ?? g.querySelector('text.closed-label'))?.textContent ?? '',
        })),
        lines: [...document.getElementById(element.querySelector('svg').getAttribute('aria-describedby')).children]
          .map((li) => li.textContent),
        role: element.querySelector('svg').getAttribute('role'),
      };
    })()`)) as {
      data: Record<string, string>;
      lanes: string[];
      steps: { what: string; process: string; seqs: string; name: string }[];
      lines: string[];
      role: string;
    };
    const { data, steps } = shown;
    assert.equal(data.from, victim);
    assert.ok(data.to && data.to !== victim, `moved to another process: ${JSON.stringify(data)}`);
    assert.equal(data.since, String(first), 'the cursor when the connection was lost');
    assert.equal(data.resumedSeq, String(during), 'the next event is the one after the cursor');
    assert.equal(data.gap, 'none');
    assert.ok(shown.lanes.includes(victim) && shown.lanes.includes(data.to), `a lane for each process: ${shown.lanes}`);
    const kill = steps.findIndex((s) => s.what === 'mark');
    const again = steps.findIndex((s, i) => i > kill && s.what === 'request');
    assert.ok(kill >= 0 && steps[kill].name.includes(victim), `the kill is drawn: ${JSON.stringify(steps)}`);
    assert.equal(steps[again].process, data.to, 'the reconnect is on the new process');
    assert.ok(steps[again].name.includes(`since=${first}`), `with the cursor: ${steps[again].name}`);
    const resumed = steps.some((s) => s.what === 'event' && s.process === data.to && s.seqs.split(' ').includes(String(during)));
    assert.ok(resumed, 'the event from the new process');
    assert.equal(shown.role, 'img');
    assert.ok(
      shown.lines.some((line) => line.includes(`since=${first}`)),
      `the text alternative says it: ${shown.lines}`,
    );

    // On every process still up, the arrows it served add up to what its /stats counted for the WebSocket.
    const KINDS = ['head', 'framing', 'payload'] as const;
    for (const lab of cluster.labs.filter((l) => l.name !== victim)) {
      const base = bases.get(lab.name)!;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const held = (await page.evaluate(`(async () => {
          const { ladderOf } = await import('/assets/ladder.js');
          return ladderOf.get(document.querySelector('${demo} figure')).log.steps;
        })()`)) as { process?: string; dir: string; head: number; framing: number; payload: number }[];
        const now = await processStats(lab.port);
        const mine = held.filter((step) => step.process === lab.name);
        const sum = (dir: string) =>
          KINDS.map((k) => mine.filter((step) => step.dir === dir).reduce((n, step) => n + step[k], 0)).join(',');
        const delta = (b: 'bytesIn' | 'bytesOut') => KINDS.map((k) => now[b][k] - base[b][k]).join(',');
        const seen = `${lab.name}: arrows in ${sum('in')} out ${sum('out')}, /stats in ${delta('bytesIn')} out ${delta('bytesOut')}`;
        if (sum('in') === delta('bytesIn') && sum('out') === delta('bytesOut')) break;
        assert.ok(Date.now() < deadline, `arrows = /stats on ${seen}`);
        await delay(200);
      }
    }

    // Again, once the first victim is back: a stream that landed on the tap's own process is moved off it first.
    await waitFor(() => cluster.labs.every((lab) => lab.state === 'up'), 'every process up again', 15_000);
    // Where the stream is now (it may have moved again since round 1 was read), not where round 1 left it.
    if ((await page.getAttribute(demo, 'data-process')) === (await page.getAttribute(demo, 'data-tap'))) {
      await page.click(`${demo} button[data-action="move"]`);
      await page.waitForSelector(`${demo}[data-state="ready"]`, { timeout: 15_000 });
    }
    const second = (await page.getAttribute(demo, 'data-process'))!;
    assert.notEqual(second, await page.getAttribute(demo, 'data-tap'), "the stream is off the tap's process");
    const secondPid = cluster.labs.find((lab) => lab.name === second)!.pid;
    await page.click(`${demo} button[data-action="cut"]`);
    await waitFor(() => cluster.labs.find((lab) => lab.name === second)!.pid !== secondPid, `${second} killed`, 5000);
    const later = await post('while away again');
    const resumedFrom = `document.querySelector('${demo}').dataset`;
    await page.waitForFunction(pagePredicate(`${resumedFrom}.state === 'resumed' && ${resumedFrom}.from === '${second}'`), undefined, {
      timeout: 15_000,
    });
    const round2 = (await page.evaluate(`({ ...${resumedFrom} })`)) as Record<string, string>;
    assert.equal(round2.resumedSeq, String(later), `the second kill: the event after the cursor (${JSON.stringify(round2)})`);
    assert.equal(round2.gap, 'none');
    assert.notEqual(round2.to, second, 'on another process again');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
