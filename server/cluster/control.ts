/**
 * The launcher's control server: what nginx proxies at /cluster/ (and /stats).
 *
 *   GET  /cluster/                           a page: the processes, their traffic and the sum, a Kill and a Restart button each
 *   GET  /cluster/processes                  every lab process: name, port, pid, state, restarts, last exit
 *   GET  /cluster/stats                      each process's own /stats, and their sum
 *   POST /cluster/processes/<name>/kill      SIGKILL; the launcher starts it again a few seconds later
 *   POST /cluster/processes/<name>/restart   SIGTERM (clients hear 1001), then started again at once
 *   GET  /stats                              the cluster's figures in the shape of one lab's /stats
 *
 * It listens on loopback only, behind nginx. A page on another site must not be
 * able to kill processes, so a request whose Origin is not the cluster's own URL
 * is refused (403), and so is a Host that is not the cluster's (a page that made
 * its own name resolve to 127.0.0.1, DNS rebinding). A request without Origin
 * comes from curl or a Node client, which no page can drive: it is allowed, as
 * the lab allows it (origin.ts).
 *
 * The figures come from each process's own /stats, asked directly (not through
 * nginx, whose round robin would pick one at random). A process that was killed
 * or restarted takes its counts with it; the cluster's /stats keeps the last
 * figures seen of it (`retired`), so that the cluster's counts only grow and a
 * page that subtracts one answer from the next never sees traffic go backwards.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlPage, pickLang } from './control-page.ts';
import type { LabProcess } from './labs.ts';
import { type Figures, addUp, retire, sumStats } from './stats-sum.ts';

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

export interface ControlOptions {
  labs: readonly LabProcess[];
  /** The port nginx listens on: the cluster's URL, the only origin allowed to act. */
  publicPort: number;
  /** How long a killed process stays down, for the answer to a kill. */
  restartDelayMs: number;
}

/** How long the control server waits for one process's /stats. */
const STATS_TIMEOUT_MS = 2000;
/** How long one gathering of every process's /stats answers the pages' /stats (they subtract one answer from the next). */
const STATS_SHARED_MS = 250;

/** An answer: JSON `body`, or with `html` a page. */
type Answer = { status: number; body?: unknown; html?: string; headers?: Record<string, string> };

/** A coded error, in the lab's own shape (errors.ts). */
const error = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({ status, body: { error: { code, message } }, headers });

/** Starts the control server on a free loopback port. */
export async function startControl({ labs, publicPort, restartDelayMs }: ControlOptions): Promise<ControlServer> {
  const hosts = new Set([`127.0.0.1:${publicPort}`, `localhost:${publicPort}`]);
  const origins = new Set([...hosts].map((host) => `http://${host}`));
  const startedAt = Date.now();
  /** The latest figures of each running process, by pid: what is kept of it once it is gone. */
  const lastSeen = new Map<number, Figures>();
  /** What gone processes had carried, added up (one sum, however many kills a class does). */
  let retired: Figures = {};
  let retiredCount = 0;

  for (const lab of labs) {
    lab.onExit = (pid) => {
      const figures = lastSeen.get(pid);
      lastSeen.delete(pid);
      if (!figures) return;
      retired = addUp([retired, retire(figures)]);
      retiredCount++;
      recent = undefined; // a gathering from before the exit would count the gone process twice
    };
  }

  /** One process's /stats, asked directly; undefined when it does not answer. */
  const statsOf = async (lab: LabProcess): Promise<Figures | undefined> => {
    const pid = lab.pid;
    if (lab.state !== 'up' || pid === undefined) return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${lab.port}/stats`, { signal: AbortSignal.timeout(STATS_TIMEOUT_MS) });
      if (!response.ok) return undefined;
      const stats = (await response.json()) as Figures;
      if (lab.pid === pid) lastSeen.set(pid, (stats.transports ?? {}) as Figures);
      return stats;
    } catch {
      return undefined; // killed or restarting as we asked: it is shown as not up
    }
  };

  /** Every process's /stats, asked at once, and their sum. */
  const clusterStats = async () => {
    const all = await Promise.all(labs.map(async (lab) => ({ lab, stats: await statsOf(lab) })));
    const processes = all.map(({ lab, stats }) => ({ name: lab.name, port: lab.port, pid: lab.pid ?? null, up: stats !== undefined, stats: stats ?? null }));
    const answered = all.flatMap(({ stats }) => (stats ? [stats] : []));
    return { processes, sum: sumStats(answered) };
  };

  /**
   * The same, shared by every /stats request within STATS_SHARED_MS: each open page
   * asks once a second, and a class's pages would otherwise ask every process each time.
   */
  let recent: { at: number; answer: ReturnType<typeof clusterStats> } | undefined;
  const sharedClusterStats = () => {
    if (!recent || Date.now() - recent.at > STATS_SHARED_MS) recent = { at: Date.now(), answer: clusterStats() };
    return recent.answer;
  };

  /** The process called `name`, if any. */
  const find = (name: string) => labs.find((lab) => lab.name === name);

  /** The answer to one request that passed the Host and Origin checks. */
  const routes = async (method: string, url: string, headers: http.IncomingHttpHeaders): Promise<Answer> => {
    const path = url.split('?')[0];
    if (path === '/cluster/' || path === '/cluster') {
      if (method !== 'GET') return error(405, 'method_not_allowed', 'Use GET.', { allow: 'GET' });
      return { status: 200, html: controlPage(pickLang(url, headers)) };
    }
    if (path === '/cluster/processes') {
      if (method !== 'GET') return error(405, 'method_not_allowed', 'Use GET.', { allow: 'GET' });
      return { status: 200, body: { url: `http://127.0.0.1:${publicPort}/`, restartDelayMs, processes: labs.map((lab) => lab.describe()) } };
    }
    if (path === '/cluster/stats') {
      if (method !== 'GET') return error(405, 'method_not_allowed', 'Use GET.', { allow: 'GET' });
      const { processes, sum } = await clusterStats();
      return { status: 200, body: { processes, sum, retired: { processes: retiredCount, transports: retired } } };
    }
    if (path === '/stats') {
      if (method !== 'GET') return error(405, 'method_not_allowed', 'Use GET.', { allow: 'GET' });
      const { processes, sum } = await sharedClusterStats();
      // One lab's /stats shape (DESIGN.md), so that every page reads it unchanged; the
      // traffic includes what killed processes had carried (see the top of this file).
      return {
        status: 200,
        body: {
          epoch: sum.epoch,
          lastSeq: sum.lastSeq,
          uptimeMs: Date.now() - startedAt,
          transports: addUp([sum.transports, retired]),
          http2: null,
          tls: null,
          subscribers: sum.subscribers,
          counters: sum.counters,
          feed: { store: 'redis', processesUp: processes.filter((p) => p.up).length },
          // Every process beside the sum: who holds how many clients, and how much each delivered.
          process: { name: 'cluster', processes: processes.map(({ name, port, pid, up, stats }) => ({ name, port, pid, up, ...processFigures(stats) })) },
        },
      };
    }
    const action = /^\/cluster\/processes\/([^/]+)\/(kill|restart)$/.exec(path);
    if (action) {
      if (method !== 'POST') return error(405, 'method_not_allowed', 'Use POST: this changes the cluster.', { allow: 'POST' });
      const lab = find(decodeURIComponent(action[1]));
      if (!lab) return error(404, 'unknown_process', `There is no process ${JSON.stringify(action[1])}; GET /cluster/processes lists them.`);
      if (lab.pid === undefined || lab.state !== 'up') return error(409, 'not_running', `${lab.name} is ${lab.state} now; try again once it is up.`);
      // Its figures as of now: the last of this run of it, kept in the cluster's counts.
      await statsOf(lab);
      if (action[2] === 'kill') {
        const pid = lab.kill();
        return { status: 202, body: { name: lab.name, pid, signal: 'SIGKILL', restartInMs: restartDelayMs } };
      }
      const pid = lab.pid;
      await lab.restart();
      return { status: 200, body: { name: lab.name, stoppedPid: pid, pid: lab.pid ?? null, signal: 'SIGTERM' } };
    }
    return error(404, 'not_found', 'The control server answers /cluster/, /cluster/processes, /cluster/stats, /cluster/processes/<name>/kill and /cluster/processes/<name>/restart.');
  };

  const server = http.createServer(async (request, response) => {
    let answer: Answer;
    const origin = request.headers.origin;
    if (!hosts.has(request.headers.host ?? '')) {
      answer = error(403, 'unknown_host', `The cluster's control answers only at ${[...hosts].join(' or ')} (a guard against DNS rebinding).`);
    } else if (origin !== undefined && !origins.has(origin)) {
      answer = error(403, 'foreign_origin', `Only pages of the cluster itself (${[...origins].join(' or ')}) may use its control endpoints.`);
    } else {
      try {
        answer = await routes(request.method ?? 'GET', request.url ?? '/', request.headers);
      } catch (failure) {
        answer = error(500, 'internal', `The control server failed: ${(failure as Error).message}`);
      }
    }
    request.resume(); // a body, if any, is not read: nothing here takes one
    const type = answer.html === undefined ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8';
    response.writeHead(answer.status, { 'content-type': type, 'cache-control': 'no-store', ...answer.headers });
    response.end(answer.html ?? JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One process's headline figures for the cluster's /stats: its subscribers and, per transport, what it delivered and holds. */
function processFigures(stats: Record<string, unknown> | null | undefined) {
  if (!stats) return { subscribers: null, transports: null };
  const transports = stats.transports as Record<string, { eventsDelivered: number; connectionsOpen: number; requests: number }>;
  return {
    subscribers: stats.subscribers as number,
    transports: Object.fromEntries(
      Object.entries(transports).map(([id, t]) => [id, { requests: t.requests, connectionsOpen: t.connectionsOpen, eventsDelivered: t.eventsDelivered }]),
    ),
  };
}
