/**
 * The lesson demos in public/demos/ (handshake, frames, heartbeats,
 * connection-limit, security) in a real headless Chromium against the real lab:
 * each one shows what its lesson says it shows, from real bytes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { launchBrowser } from '../server/clients/browser.ts';

/** The same text as HOSTILE_TEXT in public/demos/security.js. */
const HOSTILE_TEXT =
  '</script><img src=x onerror="window.__wirelabPwned=1"> <!-- <b>bold?</b>\r\nsecond line\u2028after U+2028\u2029after U+2029';
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

let lab: RunningLab;
let browser: Browser;
before(async () => {
  lab = await startLab(); // ticker off: every demo here runs on chat-only or quiet streams
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
});

/** A console error the demo causes on purpose, and only that one. */
type Expected = (message: ConsoleMessage) => boolean;

/** Opens a lesson in a fresh browser context (its own connection pool), recording errors. */
async function open(path: string, expected: Expected[] = []): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // tsx compiles with esbuild's keepNames, which wraps functions passed to page.evaluate in __name(...).
  await page.addInitScript('window.__name = (fn) => fn');
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !expected.some((allow) => allow(message)))
      errors.push(`${path}: console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`${path}: ${error.message}`));
  await page.goto(`${lab.baseUrl}${path}`, { waitUntil: 'domcontentloaded' }); // forever-frames never fire load
  return { context, page, errors };
}

const attr = (page: Page, selector: string, name: string) => page.getAttribute(selector, name);

describe('lesson demos in Chromium', () => {
  test('every lesson that asks for a chat message has a chat box; the ws lesson sends it up its socket, the others POST', async () => {
    for (const lang of ['en', 'zh']) {
      for (const name of ['intro', 'short-poll', 'long-poll', 'iframe', 'sse', 'ws', 'heartbeats']) {
        const { context, page } = await open(`/lessons/${name}?lang=${lang}`);
        try {
          await page.waitForSelector('.demo form.chat input[name="text"]', { timeout: 5000 });
        } finally {
          await context.close();
        }
      }
    }
    for (const name of ['ws', 'short-poll']) {
      const { context, page, errors } = await open(`/lessons/${name}?lang=en`);
      try {
        const posts: string[] = [];
        page.on('request', (request) => {
          if (request.url().endsWith('/feed/chat')) posts.push(request.method());
        });
        await page.waitForSelector(`.panel[data-transport="${name}"] .state[data-state="open"]`, { timeout: 5000 });
        const before = lab.ctx.stats.transports.ws.bytesIn.payload;
        const text = `typed on the ${name} lesson`;
        await page.fill('.demo form.chat input[name="name"]', 'reader');
        await page.fill('.demo form.chat input[name="text"]', text);
        await page.click('.demo form.chat button[type="submit"]');
        await page.waitForFunction(
          (text) => [...document.querySelectorAll('.panel [data-field="log"] .chat')].some((line) => line.textContent?.includes(text)),
          text,
          { timeout: 5000 },
        );
        assert.match(
          (await page.textContent('.demo form.chat output')) ?? '',
          name === 'ws' ? /WebSocket/ : /seq \d+/,
          `${name}: the box says how it was sent`,
        );
        if (name === 'ws') {
          assert.deepEqual(posts, [], 'ws: no POST: the message went up the open socket');
          assert.ok(lab.ctx.stats.transports.ws.bytesIn.payload > before, 'ws: the server read it from the WebSocket');
        } else {
          assert.deepEqual(posts, ['POST'], 'short-poll: one POST /feed/chat');
        }
        assert.deepEqual(errors, [], `${name}: no console errors`);
      } finally {
        await context.close();
      }
    }
  });

  test("handshake: the accept value computed in the page equals the server's, and Node's", async () => {
    const { context, page, errors } = await open('/lessons/handshake?lang=en');
    try {
      const node = '.demo [data-field="handshake"]';
      for (let round = 0; round < 2; round++) {
        await page.waitForSelector(`${node}[data-accept-computed][data-accept-server]`, { timeout: 5000 });
        const computed = await attr(page, node, 'data-accept-computed');
        const server = await attr(page, node, 'data-accept-server');
        const request = (await page.textContent(`${node} [data-field="request"]`)) ?? '';
        const response = (await page.textContent(`${node} [data-field="response"]`)) ?? '';
        const key = /Sec-WebSocket-Key: ([A-Za-z0-9+/]{22}==)\\r\\n/i.exec(request)?.[1];
        assert.ok(key, `the tapped request shows a Sec-WebSocket-Key with its CRLF: ${request.slice(0, 200)}`);
        assert.match(
          request,
          /^GET \/feed\/ws\?client=[\w-]+&types=chat HTTP\/1\.1\\r\\n/,
          'the request line carries a path, not a ws:// URL',
        );
        assert.match(response, /^HTTP\/1\.1 101 Switching Protocols\\r\\n/, 'the real 101 response');
        const expected = createHash('sha1')
          .update(key + GUID)
          .digest('base64');
        assert.equal(server, expected, "the server's accept value is Node's");
        assert.equal(computed, expected, "the page's plain-JS SHA-1 computes the same value");
        assert.equal(await attr(page, node, 'data-verdict'), 'match');
        if (round === 0) {
          await page.click('.demo [data-action="again"]');
          await page.waitForFunction((old) => document.querySelector('.demo [data-field="key"]')?.textContent !== old, key!, {
            timeout: 5000,
          });
        }
      }
      assert.equal(await page.locator('.demo [data-field="handshake"] details tbody tr').count(), 2, 'both handshakes in the history');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('frames: text frames both ways (masked up, unmasked down), the 16-bit length, ping/pong, the close handshake', async () => {
    const { context, page, errors } = await open('/lessons/frames?lang=en');
    try {
      const demo = '.demo[data-demo="frames"]';
      await page.waitForSelector(`${demo} [data-action="send"]:not([disabled])`, { timeout: 5000 });
      await page.click(`${demo} [data-action="send"]`);
      const up = `${demo} tr[data-opcode="1"][data-dir="up"][data-masked="1"]`;
      const down = `${demo} tr[data-opcode="1"][data-dir="down"][data-masked="0"]`;
      await page.waitForSelector(up, { timeout: 5000 });
      await page.waitForSelector(down, { timeout: 5000 });
      const upText = (await page.textContent(up)) ?? '';
      assert.match(upText, /81 [a-f0-9]{2}/, 'a final text frame');
      assert.ok(
        upText.includes('"type":"chat"'),
        `the browser's frame, unmasked with its key, is the JSON the page sent; got ${upText.slice(0, 160)}. ` +
          '(If this is noise: the wiretap recorded the frame after ws unmasked it in place; ' +
          "in server/transports/ws.ts attach the tap with raw.prependListener('data', tap.in).)",
      );
      assert.ok(((await page.textContent(down)) ?? '').includes('"type":"chat"'), 'the chat came back down as an event');

      await page.click(`${demo} [data-action="long"]`);
      await page.waitForSelector(`${up}:has-text("16-bit")`, { timeout: 5000 });
      await page.waitForSelector(`${down}:has-text("16-bit")`, { timeout: 5000 });

      // The server pings every 2 s; the browser answers with a masked pong by itself.
      await page.waitForSelector(`${demo} tr[data-opcode="9"][data-dir="down"][data-masked="0"]`, { timeout: 5000 });
      await page.waitForSelector(`${demo} tr[data-opcode="10"][data-dir="up"][data-masked="1"]`, { timeout: 5000 });

      await page.click(`${demo} [data-action="close"]`);
      await page.waitForSelector(`${demo} tr[data-opcode="8"][data-dir="up"][data-masked="1"]:has-text("code 1000")`, { timeout: 5000 });
      await page.waitForSelector(`${demo} tr[data-opcode="8"][data-dir="down"][data-masked="0"]:has-text("code 1000")`, { timeout: 5000 });
      await page.waitForSelector(`${demo} [data-field="status"]:has-text("wasClean true")`, { timeout: 5000 });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('heartbeats: through the idle proxy, the SSE stream without a heartbeat is cut and the one with a heartbeat is not', async () => {
    const proxyPort = lab.ctx.ports?.extra['idle-proxy'];
    assert.ok(proxyPort, 'the lab listens on an idle-proxy port');
    // A stream the proxy cuts mid-response is logged by Chromium as an incomplete chunked response: that is the lesson.
    const cut: Expected = (message) =>
      message.text().includes('ERR_INCOMPLETE_CHUNKED_ENCODING') && new URL(message.location().url).port === String(proxyPort);
    const { context, page, errors } = await open('/lessons/heartbeats?lang=en', [cut]);
    try {
      const drops = (id: string) => page.getAttribute(`.demo [data-stream="${id}"]`, 'data-drops').then(Number);
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('.demo [data-stream="sse-0"]')?.dataset.drops) > 0,
        undefined,
        { timeout: 8000 },
      );
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('.demo [data-stream="ws-0"]')?.dataset.drops) > 0,
        undefined,
        { timeout: 3000 },
      );
      assert.equal(await drops('sse-1000'), 0, 'the SSE stream with a heartbeat every second was never cut');
      assert.equal(await drops('ws-1000'), 0, 'the WebSocket with a ping every second was never cut');
      const seen = (await page.textContent('.demo [data-stream="sse-1000"] [data-field="heartbeat"]')) ?? '';
      assert.match(seen, /heartbeat/, `the tap shows the SSE heartbeat comments: ${seen}`);
      assert.match(
        (await page.textContent('.demo [data-stream="ws-1000"] [data-field="heartbeat"]')) ?? '',
        /ping|pong/,
        'and the pings and pongs',
      );
      await page.click('.demo [data-action="toggle"]'); // stop: the streams close
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('connection-limit: six EventSources open on the experiment port, the seventh waits silently until one closes', async () => {
    const { context, page, errors } = await open('/lessons/sse?lang=en');
    try {
      const demo = '.demo[data-demo="connection-limit"]';
      const root = `${demo} [data-field="connection-limit"]`;
      assert.equal(await attr(page, root, 'data-open'), '0', 'nothing opens by itself');
      for (let i = 0; i < 7; i++) await page.click(`${demo} [data-action="open"]`);
      await page.waitForFunction(
        (sel) => {
          const el = document.querySelector<HTMLElement>(sel);
          return el?.dataset.open === '6' && el.dataset.connecting === '1';
        },
        root,
        { timeout: 5000 },
      );
      await page.click(`${demo} [data-action="stats"]`);
      await page.click(`${demo} [data-action="ws"]`);
      await page.waitForSelector(`${demo} [data-field="ws"][data-state="open"]`, { timeout: 3000 }); // WebSockets are not counted
      await page.waitForTimeout(1000);
      assert.equal(await attr(page, `${demo} tr[data-stream="7"]`, 'data-state'), 'connecting', 'the seventh still waits');
      assert.equal(await page.textContent(`${demo} tr[data-stream="7"] td:last-child`), '0', 'and fired no error event');
      assert.equal(await attr(page, `${demo} [data-field="stats"]`, 'data-state'), 'pending', '/stats waits in the same queue');

      await page.click(`${demo} [data-action="close-one"]`);
      await page.waitForSelector(`${demo} tr[data-stream="7"][data-state="open"]`, { timeout: 3000 });
      assert.equal(await attr(page, `${demo} tr[data-stream="1"]`, 'data-state'), 'closed', 'the oldest was closed');
      await page.click(`${demo} [data-action="close-one"]`);
      await page.waitForSelector(`${demo} [data-field="stats"][data-state="answered"]`, { timeout: 3000 });
      await page.click(`${demo} [data-action="close-all"]`);
      assert.equal(await attr(page, root, 'data-open'), '0');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test(
    'security: a hostile chat arrives as plain text on all five transports, ' + 'and a foreign origin is refused before the upgrade',
    async () => {
      // The sandboxed frame's refused WebSocket is logged by Chromium: that refusal is the point of that button.
      const refused: Expected = (message) =>
        /WebSocket connection to .*\/feed\/ws\?types=chat&client=[\w-]+. failed: .*403/.test(message.text());
      const { context, page, errors } = await open('/lessons/security?lang=en', [refused]);
      try {
        const demo = '.demo[data-demo="security"]';
        await page.waitForSelector(`${demo} [data-action="post"]:not([disabled])`, { timeout: 5000 });
        await page.click(`${demo} [data-action="post"]`);
        await page.waitForSelector(`${demo} [data-field="verdict"][data-verdict="pass"]`, { timeout: 12_000 });
        const seq = await attr(page, `${demo} [data-field="verdict"]`, 'data-seq');
        const expected = `#${seq} chat mallory: ${HOSTILE_TEXT}`;
        const logs = await page.$$eval(
          `${demo} .panel[data-transport]`,
          (panels, line) =>
            panels.map((p) => [
              (p as HTMLElement).dataset.transport,
              [...p.querySelectorAll('[data-field="log"] > *')].some((l) => l.textContent === line),
            ]),
          expected,
        );
        assert.deepEqual(
          Object.fromEntries(logs),
          { 'short-poll': true, 'long-poll': true, iframe: true, sse: true, ws: true },
          'every panel shows the exact text',
        );
        assert.equal(
          await page.evaluate(() => (window as unknown as { __wirelabPwned?: unknown }).__wirelabPwned),
          undefined,
          'nothing ran',
        );
        assert.equal(await page.locator(`${demo} .panels img, ${demo} .panels b`).count(), 0, 'no element was made from the text');
        assert.match(
          (await page.textContent(`${demo} [data-field="wire-iframe"]`)) ?? '',
          /\\u003c\/script\\u003e\\u003cimg/,
          'the iframe wire escapes < and >',
        );

        // The endpoint itself, from Node: it must be registered (server/pages.ts or app.ts calls registerExperiments).
        const response = await fetch(`${lab.baseUrl}/experiments/foreign-origin`);
        assert.equal(
          response.status,
          200,
          'GET /experiments/foreign-origin answers (registerExperiments from server/experiments.ts must be registered)',
        );
        const { foreign, own } = (await response.json()) as {
          foreign: { status: number; responseBody: string; request: string };
          own: { status: number; request: string };
        };
        assert.equal(foreign.status, 403, 'a foreign Origin is refused');
        assert.equal(JSON.parse(foreign.responseBody).error.code, 'foreign_origin');
        assert.match(foreign.request, /\r\nOrigin: http:\/\/evil\.example\r\n/);
        assert.equal(own.status, 101, "the lab's own Origin is upgraded");

        // The same, from the page.
        await page.click(`${demo} [data-action="foreign-origin"]`);
        await page.waitForSelector(`${demo} [data-field="foreign-origin"][data-foreign-status]`, { timeout: 5000 });
        assert.equal(await attr(page, `${demo} [data-field="foreign-origin"]`, 'data-foreign-status'), '403');
        assert.equal(await attr(page, `${demo} [data-field="foreign-origin"]`, 'data-own-status'), '101');

        // What a refused page learns: error, then close 1006; the wiretap shows the 403 it was not told about.
        await page.click(`${demo} [data-action="sandbox"]`);
        await page.waitForSelector(`${demo} [data-field="sandbox-page"][data-code="1006"]`, { timeout: 5000 });
        await page.waitForSelector(`${demo} [data-field="sandbox-wire"]:has-text("403 Forbidden")`, { timeout: 3000 });
        assert.match((await page.textContent(`${demo} [data-field="sandbox-wire"]`)) ?? '', /Origin: null\\r\\n/);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    },
  );
});
