/**
 * Chromium over HTTP/2, measured at the lab's own frame meter.
 *
 * Over HTTP/1.1 a request head is text whose size never depends on what came
 * before, so bench/browser-heads.ts captures it once and Node drivers replay it
 * byte for byte. Over HTTP/2 the head is an HPACK block: the first request on a
 * connection spells its headers out (and fills the connection's table), a repeated
 * one mostly refers to the table by index. How much each header costs depends on
 * the encoder's choices (what it indexes, Huffman or not, header order), and
 * Chromium's encoder is not Node's: replaying Chromium's header list through
 * Node's HPACK would measure Node. So this file drives Chromium itself against the
 * lab's HTTP/2 port and reads the bytes from /stats (`protocols.h2.bytesIn.head`,
 * what the frame meter credited to each transport's streams):
 *
 * - captureH2Heads: each kind of request N times on one connection (a fresh browser
 *   context per kind, its page loaded first, as a student's tab would): the first
 *   request's head and the repeated one's;
 * - ChromiumOverheadClients: the five transports at once in one page, for the
 *   overhead scenario's browser profile over HTTP/2 (scenarios/overhead.ts).
 *
 * The requests are the same as bench/browser-heads.ts's capture page makes: plain
 * fetch(), EventSource, WebSocket and an iframe navigation, same paths.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TransportStats } from '../server/stats.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import { COMMITTED_HEADS } from './browser-heads.ts';
import { browserName, freshContext } from './chromium.ts';
import { poll } from './cluster.ts';
import { percentile } from './stats-math.ts';
import type { TlsTraffic } from '../server/tls-stats.ts';

/** What the capture needs of a lab: where its HTTP/2 port is, its counters, and events to read. */
export interface LabProbe {
  /** https://127.0.0.1:<ports.tls.main> */
  origin: string;
  stats(): Promise<{ transports: Record<TransportId, TransportStats>; tls: { h1: TlsTraffic; h2: TlsTraffic } | null; lastSeq: number }>;
  /** Publishes `count` events at once (so that polls answer at once). */
  publish(count: number): Promise<void>;
}

/** One kind of request, N times on one connection. */
export interface H2Head {
  /** The request as the page makes it (its cursor changes every time, as a real client's does). */
  request: string;
  /** The protocol the frame meter saw it on: Chromium could fall back to HTTP/1.1 (WebSocket, for one). */
  protocol: 'h2' | 'h1' | 'mixed';
  /** Request head bytes (HPACK block, or the HTTP/1.1 head) of each request, in order. */
  samplesBytes: number[];
  /** The first request of this kind on the connection (after the page itself). */
  firstBytes: number;
  /** The median of the requests after the first: the steady state. */
  repeatedBytes: number;
  /** The lab's response head (Node's HPACK encoder), first and repeated. */
  responseFirstBytes: number;
  responseRepeatedBytes: number;
}

export interface H2Heads {
  source: 'captured' | 'committed';
  browser: string;
  userAgent: string;
  capturedAt: string;
  requestsPerKind: number;
  /** The page each connection loads before the requests. */
  page: string;
  heads: Record<TransportId, H2Head>;
  /** Chromium's TLS handshake per connection (ClientHello to Finished, both ways), from /stats `tls.h2`. */
  tlsHandshake: { bytesIn: number; bytesOut: number; connections: number } | null;
}

/** The in-page request of each kind, given `since`: the same calls as browser-heads.ts's capture page. */
const REQUESTS: Record<TransportId, { text: string; code: string }> = {
  'short-poll': {
    text: "fetch('/feed/short-poll?since=N')",
    code: "await fetch('/feed/short-poll?since=' + since).then((r) => r.text());",
  },
  'long-poll': {
    text: "fetch('/feed/long-poll?since=N&timeoutMs=25000')",
    code: "await fetch('/feed/long-poll?since=' + since + '&timeoutMs=25000').then((r) => r.text());",
  },
  sse: {
    text: "new EventSource('/feed/sse?since=N'), closed once open",
    code:
      "await new Promise((resolve, reject) => { const es = new EventSource('/feed/sse?since=' + since); " +
      "es.onopen = () => { es.close(); resolve(); }; es.onerror = () => { es.close(); reject(new Error('EventSource failed')); }; });",
  },
  ws: {
    text: "new WebSocket('wss://host/feed/ws?since=N'), closed once open",
    code:
      "await new Promise((resolve, reject) => { const ws = new WebSocket('wss://' + location.host + '/feed/ws?since=' + since); " +
      "ws.onopen = () => { ws.close(1000); resolve(); }; ws.onerror = () => reject(new Error('WebSocket failed')); });",
  },
  iframe: {
    text: 'an iframe navigated to /feed/iframe?since=N&cb=onEvent, removed once the lab has it',
    code:
      "window.onEvent = () => {}; const f = document.createElement('iframe'); f.id = 'capture-frame'; " +
      "f.src = '/feed/iframe?since=' + since + '&cb=onEvent'; document.body.append(f);",
  },
};

/** The middle value (the mean of the two middle ones for an even count). */
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** Waits until `transport` has answered more requests than `before` (an iframe gives no other sign). */
async function waitForRequests(probe: LabProbe, transport: TransportId, before: number, timeoutMs = 10_000) {
  const { value, ok } = await poll(
    () => probe.stats(),
    (stats) => stats.transports[transport].requests > before,
    timeoutMs,
    20,
  );
  if (!ok) throw new Error(`Chromium's ${transport} request never reached the lab`);
  return value;
}

/** One kind of request, `count` times, on a fresh connection whose page is loaded first. */
async function captureKind(browser: Browser, probe: LabProbe, transport: TransportId, count: number, page0: string) {
  const context = await freshContext(browser);
  try {
    const page = await context.newPage();
    const tls0 = (await probe.stats()).tls?.h2;
    await page.goto(`${probe.origin}${page0}`, { waitUntil: 'load' });
    const samples: { protocol: 'h1' | 'h2'; head: number; responseHead: number }[] = [];
    for (let i = 0; i < count; i++) {
      const before = await probe.stats();
      await page.evaluate(`(async () => { const since = ${i}; ${REQUESTS[transport].code} })()`);
      const after =
        transport === 'iframe' ? await waitForRequests(probe, transport, before.transports[transport].requests) : await probe.stats();
      if (transport === 'iframe') await page.evaluate("document.getElementById('capture-frame').remove()");
      const was = before.transports[transport].protocols;
      const now = after.transports[transport].protocols;
      const protocol = now.h2.requests > was.h2.requests ? 'h2' : 'h1';
      samples.push({
        protocol,
        head: now[protocol].bytesIn.head - was[protocol].bytesIn.head,
        responseHead: now[protocol].bytesOut.head - was[protocol].bytesOut.head,
      });
    }
    const tls1 = (await probe.stats()).tls?.h2;
    const userAgent = await page.evaluate(() => navigator.userAgent);
    return {
      samples,
      userAgent,
      handshake:
        tls0 && tls1
          ? {
              bytesIn: tls1.handshakeBytesIn - tls0.handshakeBytesIn,
              bytesOut: tls1.handshakeBytesOut - tls0.handshakeBytesOut,
              connections: tls1.connectionsOpened - tls0.connectionsOpened,
            }
          : null,
    };
  } finally {
    await context.close();
  }
}

/**
 * Chromium's request heads over HTTP/2, `count` of each kind: the first on a
 * connection and the repeated one, read from the lab's frame meter.
 */
export async function captureH2Heads(browser: Browser, probe: LabProbe, count: number): Promise<H2Heads> {
  if (count < 2) throw new RangeError('capture at least two requests per kind: a first and a repeated one');
  // Polls must answer at once: events with seq 1..count+1 are there to be read.
  const { lastSeq } = await probe.stats();
  if (lastSeq < count + 1) await probe.publish(count + 1 - lastSeq);
  const page0 = '/';
  const heads = {} as Record<TransportId, H2Head>;
  let userAgent = '';
  const handshake = { bytesIn: 0, bytesOut: 0, connections: 0 };
  for (const transport of TRANSPORT_IDS) {
    const kind = await captureKind(browser, probe, transport, count, page0);
    userAgent = kind.userAgent;
    if (kind.handshake) {
      handshake.bytesIn += kind.handshake.bytesIn;
      handshake.bytesOut += kind.handshake.bytesOut;
      handshake.connections += kind.handshake.connections;
    }
    const protocols = new Set(kind.samples.map((s) => s.protocol));
    const heads_ = kind.samples.map((s) => s.head);
    const responses = kind.samples.map((s) => s.responseHead);
    heads[transport] = {
      request: REQUESTS[transport].text,
      protocol: protocols.size > 1 ? 'mixed' : [...protocols][0],
      samplesBytes: heads_,
      firstBytes: heads_[0],
      repeatedBytes: median(heads_.slice(1)),
      responseFirstBytes: responses[0],
      responseRepeatedBytes: median(responses.slice(1)),
    };
  }
  return {
    source: 'captured',
    browser: browserName(browser),
    userAgent,
    capturedAt: new Date().toISOString(),
    requestsPerKind: count,
    page: page0,
    heads,
    tlsHandshake:
      handshake.connections > 0
        ? {
            bytesIn: Math.round(handshake.bytesIn / handshake.connections),
            bytesOut: Math.round(handshake.bytesOut / handshake.connections),
            connections: handshake.connections,
          }
        : null,
  };
}

/** The HTTP/2 capture committed beside the HTTP/1.1 one (bench/browser-heads.json, `h2`), or null. */
export function committedH2Heads(): H2Heads | null {
  const json = JSON.parse(readFileSync(COMMITTED_HEADS, 'utf8')) as { h2?: Omit<H2Heads, 'source'> };
  return json.h2 ? { ...json.h2, source: 'committed' } : null;
}

// ---------------------------------------------------------------- the overhead scenario's clients

/**
 * Five minimal clients in one page, one per transport, each keeping its cursor:
 * the requests are the capture's (plain fetch, EventSource, WebSocket, an iframe
 * calling parent.onEvent), so the heads on the wire are Chromium's own. A plain
 * script, not a function passed to playwright: tsx would rewrite a function's text.
 */
const PAGE_CLIENTS = `(() => {
  if (window.wirelabBench) return;
  const clients = {};
  let recordFrom = Infinity;
  const see = (id, event) => {
    const c = clients[id];
    if (!c || !event || typeof event.seq !== 'number') return;
    if (event.seq > c.lastSeq) c.lastSeq = event.seq;
    if (event.seq >= recordFrom) c.received++;
  };
  window.onEvent = (event) => see('iframe', event);
  const sleep = (ms, signal) => new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  const poll = async (c, url, pauseMs) => {
    c.open = true;
    while (!c.abort.signal.aborted) {
      try {
        const answer = await fetch(url(c.lastSeq), { signal: c.abort.signal }).then((r) => r.json());
        for (const event of answer.events) see(c.id, event);
      } catch (error) {
        if (c.abort.signal.aborted) return;
        c.errors++;
        await sleep(100, c.abort.signal);
        continue;
      }
      if (pauseMs > 0) await sleep(pauseMs, c.abort.signal);
    }
  };
  const starters = {
    'short-poll': (c, o) => poll(c, (since) => '/feed/short-poll?since=' + since, o.intervalMs),
    'long-poll': (c) => poll(c, (since) => '/feed/long-poll?since=' + since + '&timeoutMs=25000', 0),
    sse: (c, o) => {
      const es = new EventSource('/feed/sse?since=' + c.lastSeq);
      const on = (m) => see('sse', JSON.parse(m.data));
      es.addEventListener(o.eventType, on);
      es.onmessage = on;
      es.onopen = () => { c.open = true; };
      es.onerror = () => { c.errors++; };
      c.abort.signal.addEventListener('abort', () => es.close());
    },
    ws: (c) => {
      const ws = new WebSocket('wss://' + location.host + '/feed/ws?since=' + c.lastSeq);
      ws.onopen = () => { c.open = true; };
      ws.onmessage = (m) => see('ws', JSON.parse(m.data));
      ws.onerror = () => { c.errors++; };
      c.abort.signal.addEventListener('abort', () => ws.close(1000));
    },
    iframe: (c) => {
      const frame = document.createElement('iframe');
      // src before insertion: no initial about:blank document, so no early load event.
      frame.src = '/feed/iframe?since=' + c.lastSeq + '&cb=onEvent';
      document.body.append(frame);
      // The lab ends a document after IFRAME_MAX_BYTES; its load says so: go on from the cursor.
      frame.addEventListener('load', () => {
        if (!c.abort.signal.aborted) frame.src = '/feed/iframe?since=' + c.lastSeq + '&cb=onEvent';
      });
      c.open = true;
      c.abort.signal.addEventListener('abort', () => frame.remove());
    },
  };
  window.wirelabBench = {
    start(ids, since, options) {
      for (const id of ids) {
        const c = clients[id] = { id, lastSeq: since, received: 0, errors: 0, open: false, abort: new AbortController() };
        starters[id](c, options);
      }
    },
    record(fromSeq) {
      recordFrom = fromSeq;
      for (const c of Object.values(clients)) c.received = 0;
    },
    caughtUp: (seq) => Object.values(clients).every((c) => c.lastSeq >= seq),
    status: () => Object.fromEntries(Object.values(clients).map((c) =>
      [c.id, { lastSeq: c.lastSeq, received: c.received, errors: c.errors, open: c.open }])),
    stop() {
      for (const c of Object.values(clients)) c.abort.abort();
    },
  };
})();`;

/**
 * One page of Chromium holding one client of each transport over HTTP/2, all on
 * the page's one connection: what the overhead scenario's browser profile measures
 * over HTTP/2.
 */
export class ChromiumOverheadClients {
  private constructor(
    private readonly context: BrowserContext,
    private readonly page: Page,
  ) {}

  /** Loads the lab's index on a fresh connection, then starts the clients from `since`. */
  static async open(
    browser: Browser,
    origin: string,
    transports: TransportId[],
    since: number,
    options: { intervalMs: number; eventType: string },
  ): Promise<ChromiumOverheadClients> {
    const context = await freshContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`, { waitUntil: 'load' });
      await page.evaluate(PAGE_CLIENTS);
      await page.evaluate(`window.wirelabBench.start(${JSON.stringify(transports)}, ${since}, ${JSON.stringify(options)})`);
      return new ChromiumOverheadClients(context, page);
    } catch (error) {
      await context.close();
      throw error;
    }
  }

  /** Counts events from `fromSeq` on, per client. */
  async record(fromSeq: number): Promise<void> {
    await this.page.evaluate(`window.wirelabBench.record(${fromSeq})`);
  }

  /** Waits until every client has seen `seq`; throws naming the clients behind. */
  async waitFor(seq: number, timeoutMs: number): Promise<void> {
    try {
      // A function, not a string: Playwright evals a string predicate in the page at every poll, which the
      // pages' Content-Security-Policy refuses (no 'unsafe-eval'); a function is evaluated once, through DevTools.
      await this.page.waitForFunction(
        (s) => (window as unknown as { wirelabBench: { caughtUp(seq: number): boolean } }).wirelabBench.caughtUp(s),
        seq,
        { timeout: timeoutMs, polling: 20 },
      );
    } catch {
      throw new Error(`Chromium's clients did not all reach seq ${seq}: ${JSON.stringify(await this.status())}`);
    }
  }

  status(): Promise<Record<TransportId, { lastSeq: number; received: number; errors: number; open: boolean }>> {
    return this.page.evaluate('window.wirelabBench.status()') as never;
  }

  /** Stops the clients and closes the connection (the context goes with it). */
  async close(): Promise<void> {
    await this.page.evaluate('window.wirelabBench.stop()').catch(() => {});
    await this.context.close();
  }
}
