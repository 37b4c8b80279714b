/**
 * What the cluster's tests share (cluster.test.ts, redis-outage.test.ts): a real
 * cluster of three lab processes behind nginx, started by the code `npm run cluster`
 * runs, and the clients and probes that reach it through nginx, as a student's
 * browser does.
 */
import http from 'node:http';
import { after, afterEach, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DRIVERS } from '../clients/index.ts';
import { launchBrowser, pagePredicate } from '../clients/browser.ts';
import type { Connection } from '../clients/common.ts';
import type { FeedEvent } from '../feed.ts';
import { delay } from '../test-helpers.ts';
import type { TransportId } from '../transports/registry.ts';
import { type Cluster, startCluster } from './cluster.ts';

export const BUFFER_SIZE = 100;
export const NAMES = ['lab-1', 'lab-2', 'lab-3'];

/** The cluster of the test file that called useCluster() (a live binding: set before its first test). */
export let cluster: Cluster;
// Whatever a test ends with, its clients stop: a driver left running reconnects for ever.
const following = new Set<Follower>();

/** Starts a cluster of three for the calling test file's tests, and stops it and every client after them. */
/** Headless Chromium for a file of page tests, started by useClusterAndBrowser. */
export let browser: Browser;

/**
 * For a file of page tests: a cluster of three processes (no ticks, no chat limit) and headless
 * Chromium, started together once; `cluster` and `browser` above are theirs.
 */
export function useClusterAndBrowser(): void {
  before(async () => {
    [cluster, browser] = await Promise.all([
      startCluster({ processes: 3, port: 0, restartDelayMs: 3000, env: { TICK_MS: '0', CHAT_RATE: '0' } }),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await cluster?.close();
  });
}

export function useCluster(): void {
  before(async () => {
    cluster = await startCluster({
      processes: 3,
      port: 0,
      restartDelayMs: 4000,
      env: { TICK_MS: '0', CHAT_RATE: '0', BUFFER_SIZE: String(BUFFER_SIZE) },
    });
  });
  after(async () => {
    await cluster?.close();
  });
  afterEach(async () => {
    await closeAll([...following]);
  });
}

/** A driver of `id` through nginx that records every event, state and non-event message. */
export function follow(id: TransportId, since?: number) {
  const events: FeedEvent[] = [];
  const states: string[] = [];
  const messages: { type?: string; process?: string }[] = [];
  const connection: Connection = DRIVERS[id]({
    baseUrl: cluster.url,
    since,
    intervalMs: 20,
    timeoutMs: 2000,
    onEvent: (event) => events.push(event),
    onState: (state, detail) => states.push(`${state} ${detail ?? ''}`.trim()),
    onMessage: (message) => messages.push(message as { type?: string; process?: string }),
  });
  const follower = { id, events, states, messages, connection, seqs: () => events.map((e) => e.seq) };
  following.add(follower);
  return follower;
}
type Follower = ReturnType<typeof follow>;

/** The Authorization header with this run's control token, which every POST to the control server needs. */
export const bearer = (token = cluster.token) => ({ authorization: `Bearer ${token}` });

export const post = (text: string, headers: Record<string, string> = {}) =>
  fetch(`${cluster.url}/feed/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: 'cluster', text }),
  });

/** Posts until the cluster takes it (Redis may be on its way back). */
export async function postSurely(text: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await post(text).catch(() => undefined);
    if (response?.status === 201) return ((await response.json()) as { seq: number }).seq;
    if (Date.now() > deadline) throw new Error(`the cluster did not take a post within ${timeoutMs} ms (last status ${response?.status})`);
    await delay(50);
  }
}

/** What the launcher says of its redis-server (the control server's /cluster/processes). */
export async function launcherRedis(): Promise<{
  pid: number | null;
  state: string;
  restarts: number;
  lastExit: { signal: string } | null;
}> {
  return ((await (await fetch(`${cluster.url}/cluster/processes`)).json()) as { redis: Awaited<ReturnType<typeof launcherRedis>> }).redis;
}

/** Asks `answered` again every 100 ms until it says yes; fails with `what` after `timeoutMs`. */
export async function waitForAnswer(answered: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answered().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

/** The feed's last seq, as a poll through nginx sees it. */
export async function lastSeq(): Promise<number> {
  return ((await (await fetch(`${cluster.url}/feed/short-poll`)).json()) as { lastSeq: number }).lastSeq;
}

export interface ClusterStats {
  processes: {
    name: string;
    port: number;
    pid: number | null;
    up: boolean;
    stats: { subscribers: number; transports: Record<string, Record<string, unknown>> } | null;
  }[];
  sum: { lastSeq: number; subscribers: number; transports: Record<string, Record<string, unknown>> };
  retired: { processes: number; transports: Record<string, Record<string, unknown>> };
}

export const clusterStats = async () => (await (await fetch(`${cluster.url}/cluster/stats`)).json()) as ClusterStats;

/** Every request the cluster counts, as its page adds them up: the running processes' and the gone ones'. */
export const countedRequests = (stats: ClusterStats) =>
  [stats.sum.transports, stats.retired.transports]
    .flatMap((t) => Object.values(t))
    .reduce((sum, figures) => sum + ((figures?.requests as number) ?? 0), 0);

/** Feed subscribers (held streams) per process now. */
async function subscribers(): Promise<Map<string, number>> {
  return new Map((await clusterStats()).processes.map((p) => [p.name, p.stats?.subscribers ?? 0]));
}

/** Subscribers over all processes. */
const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/**
 * Opens a stream of `id` through nginx and finds the process that holds it (the one
 * whose subscribers went up); with `target`, reopens it until that process holds it.
 */
export async function placeStream(id: TransportId, since: number, target?: string): Promise<{ follower: Follower; where: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await subscribers();
    const follower = follow(id, since);
    let after = before;
    for (let i = 0; i < 250 && total(after) <= total(before); i++) {
      await delay(20);
      after = await subscribers();
    }
    const where = NAMES.find((name) => (after.get(name) ?? 0) > (before.get(name) ?? 0));
    if (where && (!target || where === target)) return { follower, where };
    await closeAll([follower]);
    for (let i = 0; i < 250 && total(await subscribers()) > total(before); i++) await delay(20);
  }
  throw new Error(`${id}: could not open it on ${target ?? 'any process'}`);
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Stops `clients` for good (no reconnect) and forgets them. */
export async function closeAll(clients: Follower[]): Promise<void> {
  await Promise.all(
    clients.map((c) => {
      following.delete(c);
      return c.connection.close();
    }),
  );
}

/** GET through nginx on one keep-alive connection; the answering process and the local port. */
export function getOn(
  agent: http.Agent,
  path: string,
): Promise<{ process: string | undefined; localPort: number | undefined; cookie: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${cluster.url}${path}`, { agent }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            process: response.headers['x-wirelab-process'] as string | undefined,
            localPort: response.socket?.localPort,
            cookie: response.headers['set-cookie'],
          }),
        );
      })
      .on('error', reject);
  });
}

/** The process an SSE stream opened through nginx names first (in-band, stream.ts). */
export async function sseProcess(): Promise<{ name: string; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${cluster.url}/feed/sse`, { signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!/"process":"([^"]+)"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  return { name: /"process":"([^"]+)"/.exec(text)![1], close: () => controller.abort() };
}

/** An SSE stream opened through nginx on a connection of its own: its status, error code, process, and a close that really closes. */
export function openStream(): Promise<{ status: number; code?: string; process?: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${cluster.url}/feed/sse?types=chat`, { agent: false }, (response) => {
      const process = response.headers['x-wirelab-process'] as string | undefined;
      const close = () => request.destroy();
      if (response.statusCode === 200) return resolve({ status: 200, process, close });
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, code: (JSON.parse(body) as { error: { code: string } }).error.code, process, close }),
      );
    });
    request.on('error', reject);
  });
}

/**
 * Waits for `expression` in a page of the cluster; a timeout says what the scale-out demo's notes and panels showed then.
 * 20 s by default: after a kill, a client's reconnect backs off up to 5 s with jitter, and a 2-core machine running two
 * test files (CI) can add seconds more; a state that does not come within that is a failure worth its message.
 */
export async function waitInPage(page: Page, expression: string, what: string, timeoutMs = 20_000): Promise<void> {
  try {
    await page.waitForFunction(pagePredicate(expression), undefined, { timeout: timeoutMs });
  } catch {
    const shown = await page.evaluate(`JSON.stringify({
      notes: [...document.querySelectorAll('[data-field="notes"] li')].map((li) => li.textContent),
      panels: [...document.querySelectorAll('.panel[data-transport]')].map((p) => [p.dataset.transport, p.dataset.process,
        p.querySelector('.state').dataset.state, p.querySelector('[data-field="last-seq"]').textContent]),
    })`);
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the demo showed ${shown}`);
  }
}
