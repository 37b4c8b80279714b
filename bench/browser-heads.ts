/**
 * The browser profile: the request heads a real browser sends for each
 * transport, captured from headless Chromium making the real requests (a fetch
 * poll, a long poll, an iframe navigation, an EventSource, a WebSocket upgrade)
 * against a server that records the raw bytes of every head it reads.
 *
 * Guessing heads would understate them: Chromium was measured at about
 * 500-660 B per request against Node's 45-155 B. When Chromium is missing, the
 * bench falls back to the capture committed in bench/browser-heads.json, and the
 * results say which one was used.
 *
 * These are HTTP/1.1 heads, plain text whose size does not depend on what came
 * before. Over HTTP/2 a head is HPACK-compressed against what the connection
 * already carried: bench/browser-h2.ts measures those in Chromium itself.
 *
 * `npm run bench:heads` refreshes the committed capture (bench/capture-heads.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TransportId } from '../server/transports/registry.ts';
import { browserName, launchChromium } from './chromium.ts';
import { ROOT } from './ipc.ts';

export const COMMITTED_HEADS = path.join(ROOT, 'bench', 'browser-heads.json');

export interface CapturedHead {
  requestLine: string;
  /** Header lines in the order the browser sent them. */
  headers: [string, string][];
  /** The whole head on the wire: request line, headers, the blank line. */
  bytes: number;
}

export type HeadKind = TransportId | 'navigation';

export interface BrowserHeads {
  source: 'captured' | 'committed';
  browser: string;
  userAgent: string;
  capturedAt: string;
  heads: Record<HeadKind, CapturedHead>;
}

const PATHS: Record<HeadKind, string> = {
  navigation: '/',
  'short-poll': '/feed/short-poll',
  'long-poll': '/feed/long-poll',
  iframe: '/feed/iframe',
  sse: '/feed/sse',
  ws: '/feed/ws',
};

/** The page Chromium loads: it makes each transport's request once, as the lab's browser clients do. */
const PAGE =
  `<!doctype html><html><head><meta charset="utf-8"><title>capture</title></head><body><script>
(async () => {
  await fetch('/feed/short-poll?since=0').then((r) => r.text());
  await fetch('/feed/long-poll?since=0&timeoutMs=25000').then((r) => r.text());
` +
  "  await new Promise((resolve) => { const es = new EventSource('/feed/sse?since=0'); " +
  'es.onopen = () => { es.close(); resolve(); }; es.onerror = resolve; });\n' +
  "  await new Promise((resolve) => { const ws = new WebSocket('ws://' + location.host + '/feed/ws?since=0'); " +
  'ws.onopen = () => { ws.close(); resolve(); }; ws.onerror = resolve; });\n' +
  "  await new Promise((resolve) => { const f = document.createElement('iframe'); f.onload = resolve; " +
  "f.src = '/feed/iframe?since=0&cb=onEvent'; document.body.append(f); });\n" +
  `  document.title = 'done';
})();
</script></body></html>`;

function parseHead(raw: string): CapturedHead {
  const lines = raw.split('\r\n').slice(0, -2);
  const [requestLine, ...rest] = lines;
  return {
    requestLine,
    headers: rest.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    }),
    bytes: Buffer.byteLength(raw, 'latin1'),
  };
}

/** A server that records every request head and answers just enough for the page to go on. */
function capturingServer(found: Map<HeadKind, CapturedHead>): net.Server {
  return net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (text: string) => {
      buffer += text;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const raw = buffer.slice(0, end + 4);
        buffer = buffer.slice(end + 4);
        const head = parseHead(raw);
        const url = head.requestLine.split(' ')[1] ?? '/';
        const pathname = url.split('?')[0];
        const kind = (Object.keys(PATHS) as HeadKind[]).find((k) => PATHS[k] === pathname);
        if (kind && !found.has(kind)) found.set(kind, head);
        answer(socket, kind, head);
      }
    });
  });
}

function answer(socket: net.Socket, kind: HeadKind | undefined, head: CapturedHead): void {
  const reply = (status: string, type: string, body: string) =>
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\n\r\n${body}`,
    );
  switch (kind) {
    case 'navigation':
      return void reply('200 OK', 'text/html; charset=utf-8', PAGE);
    case 'short-poll':
    case 'long-poll':
      return void reply('200 OK', 'application/json', '{"epoch":"capture","lastSeq":0,"events":[]}');
    case 'iframe':
      return void reply('200 OK', 'text/html; charset=utf-8', '<!doctype html><title>i</title>');
    case 'sse':
      return void socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
    case 'ws': {
      const key = head.headers.find(([name]) => name.toLowerCase() === 'sec-websocket-key')?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      return void socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
    }
    default:
      return void reply('404 Not Found', 'text/plain', 'not here');
  }
}

/**
 * Captures the heads from Chromium now, with `browser` if given (and left open),
 * else with one launched and closed here; throws when Chromium cannot be started.
 */
export async function captureHeads(timeoutMs = 30_000, given?: Browser): Promise<BrowserHeads> {
  const found = new Map<HeadKind, CapturedHead>();
  const server = capturingServer(found);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  let browser: Browser;
  try {
    browser = given ?? (await launchChromium(undefined, timeoutMs));
  } catch (error) {
    server.close();
    throw error;
  }
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    await page.waitForFunction(() => document.title === 'done', undefined, { timeout: timeoutMs });
    const userAgent = await page.evaluate(() => navigator.userAgent);
    const missing = (Object.keys(PATHS) as HeadKind[]).filter((k) => !found.has(k));
    if (missing.length) throw new Error(`Chromium made no request for ${missing.join(', ')}`);
    return {
      source: 'captured',
      browser: browserName(browser),
      userAgent,
      capturedAt: new Date().toISOString(),
      heads: Object.fromEntries(found) as Record<HeadKind, CapturedHead>,
    };
  } finally {
    await context.close();
    if (!given) await browser.close();
    server.close();
  }
}

export function committedHeads(): BrowserHeads {
  // The file also keeps the HTTP/2 capture (`h2`, browser-h2.ts): not part of these heads.
  const { h2: _h2, ...heads } = JSON.parse(readFileSync(COMMITTED_HEADS, 'utf8')) as BrowserHeads & { h2?: unknown };
  return { ...heads, source: 'committed' };
}

/** Captured now with `browser` (when there is one), else the committed capture; `note` says what happened. */
export async function loadHeads(
  browser: Browser | undefined,
  why = 'Chromium did not start',
): Promise<{ heads: BrowserHeads; note: string }> {
  if (browser) {
    try {
      return { heads: await captureHeads(30_000, browser), note: 'captured from headless Chromium at bench time' };
    } catch (error) {
      return { heads: committedHeads(), note: `Chromium capture failed (${String(error).split('\n')[0]}): used the committed capture` };
    }
  }
  return { heads: committedHeads(), note: `used the committed capture (${why})` };
}

/** Headers the driver libraries write themselves: the browser's own values are left to them. */
const LEFT_TO_DRIVER: Partial<Record<TransportId, string[]>> = {
  ws: ['upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions'],
};

/** HTTP/1.1 headers that HTTP/2 forbids (RFC 9113 8.2.2) or carries as a pseudo-header (Host is :authority). */
const NOT_IN_H2 = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/**
 * The request headers a Node driver sends to look like the browser on the wire:
 * the same header lines in the same order, with Host, Origin and Referer naming
 * the server the bench talks to instead of the capture server.
 *
 * With `protocol` h2 the list is made lawful for HTTP/2 (names in lower case, no
 * connection headers, Host as :authority): an approximation of what Chromium sends
 * over HTTP/2, used only when Chromium itself cannot be driven (browser-h2.ts).
 */
export function browserHeaders(
  heads: BrowserHeads,
  transport: TransportId,
  baseUrl: string,
  protocol: 'h1' | 'h2' = 'h1',
): Record<string, string> {
  const url = new URL(baseUrl);
  const skip = new Set(LEFT_TO_DRIVER[transport] ?? []);
  const out: Record<string, string> = {};
  for (const [name, value] of heads.heads[transport].headers) {
    const lower = name.toLowerCase();
    if (skip.has(lower)) continue;
    if (protocol === 'h2' && NOT_IN_H2.has(lower)) continue;
    const key = protocol === 'h2' ? lower : name;
    if (lower === 'host') out[key] = url.host;
    else if (lower === 'origin') out[key] = url.origin;
    else if (lower === 'referer') out[key] = `${url.origin}/`;
    else out[key] = value;
  }
  return out;
}
