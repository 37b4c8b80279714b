/**
 * The launcher's control server: what nginx proxies at /cluster/... (and /stats).
 *
 *   GET  /cluster/processes                  every lab process: name, port, pid, state, restarts, last exit; and Redis's
 *   GET  /cluster/stats                      each process's own /stats, their sum, and what gone processes carried
 *   POST /cluster/processes/<name>/kill      SIGKILL; the launcher starts it again a few seconds later
 *   POST /cluster/processes/<name>/restart   SIGTERM (clients hear 1001), then started again at once
 *                                            (both POSTs need `Authorization: Bearer <the run's control token>`)
 *   GET  /stats                              the cluster's figures in the shape of one lab's /stats
 *
 * The page at /cluster/ is a page of the lab like the others (pages.ts, public/cluster.js),
 * served by whichever lab process nginx picks; it reads and drives these endpoints.
 *
 * A small Fastify app with the lab's own guards and error table: it listens on
 * loopback only, behind nginx; a request whose Host is not one of the lab's names
 * is refused (hosts.ts, DNS rebinding), and so is one whose Origin is not the
 * cluster's own (origin.ts): a page on another site must not kill processes. A
 * request without Origin comes from curl or a Node client, which no page can drive.
 *
 * The figures come from each process's own /stats, asked directly (not through
 * nginx, whose round robin would pick one at random). A process that was killed
 * or restarted takes its counts with it; the cluster keeps the last figures seen
 * of it (`retired`), so that the cluster's counts only grow and a page that
 * subtracts one answer from the next never sees traffic go backwards.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteHandlerMethod } from 'fastify';
import type { AddressInfo } from 'node:net';
import { LabError, sendError } from '../errors.ts';
import { LabHosts } from '../hosts.ts';
import { checkOrigin } from '../origin.ts';
import { carriesToken } from './control-token.ts';
import { type Figures, addUp, retire, sumStats } from '../redis/stats-sum.ts';
import type { LabProcess } from './labs.ts';

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

export interface ControlOptions {
  labs: readonly LabProcess[];
  /** The port nginx listens on: the cluster's URL. */
  publicPort: number;
  /** How long a killed process stays down, for the answer to a kill. */
  restartDelayMs: number;
  /** What the launcher says of its redis-server now (cluster.ts watchRedis). */
  redis?: () => unknown;
  /** The run's control token: every POST must carry it as `Authorization: Bearer <token>`. */
  token: string;
}

/** How long the control server waits for one process's /stats. */
const STATS_TIMEOUT_MS = 2000;
/** How long one gathering of every process's /stats answers the pages' /stats (they subtract one answer from the next). */
const STATS_SHARED_MS = 250;

/** Starts the control server on a free loopback port. */
export async function startControl(options: ControlOptions): Promise<ControlServer> {
  const app = buildControl(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
}

/** The control server's app, not listening yet. */
export function buildControl({ labs, publicPort, restartDelayMs, redis, token }: ControlOptions): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // A path Fastify cannot decode (a broken percent escape such as %E0) is the client's error, coded like the lab's.
    frameworkErrors: (error, _request, reply) => sendError(reply, 'bad_request', `The URL could not be read: ${error.message}.`),
  });
  const hosts = new LabHosts('127.0.0.1');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    if (!hosts.allows(request.headers.host)) return sendError(reply, 'unknown_host');
    const origin = checkOrigin(request.headers, []);
    if (!origin.allowed)
      return sendError(
        reply,
        'foreign_origin',
        `Only pages of the cluster itself (http://127.0.0.1:${publicPort}) may use its control endpoints, not ${origin.origin}.`,
      );
  });
  app.setErrorHandler((error: FastifyError | LabError, _request, reply) => {
    if (error instanceof LabError) return sendError(reply, error.code, error.message);
    if (error.statusCode && error.statusCode < 500) return sendError(reply, 'bad_request', error.message);
    console.error('Wirelab cluster: the control server failed:', error);
    return sendError(reply, 'internal');
  });
  app.setNotFoundHandler((_request, reply) =>
    sendError(
      reply,
      'not_found',
      'The control server answers /cluster/processes, /cluster/stats, /stats and POST /cluster/processes/<name>/kill or /restart.',
    ),
  );

  const figures = trackFigures(labs);
  const startedAt = Date.now();

  /** A POST without the run's token changes nothing: a coded 401, before the name it gives is even looked up. */
  const needsToken = async (request: FastifyRequest, reply: FastifyReply) => {
    if (carriesToken(request.headers.authorization, token)) return;
    return sendError(reply.header('www-authenticate', 'Bearer realm="wirelab-cluster"'), 'control_token');
  };

  /** A route for one method; any other method on the same URL is a coded 405. */
  const only = (method: 'GET' | 'POST', url: string, handler: RouteHandlerMethod) => {
    app.route({ method, url, handler, preHandler: method === 'POST' ? needsToken : undefined });
    const others = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'].filter((m) => m !== method && !(method === 'GET' && m === 'HEAD'));
    const why = method === 'POST' ? 'Use POST: this changes the cluster.' : 'Use GET.';
    app.route({
      method: others,
      url,
      handler: async (_request, reply) => sendError(reply.header('allow', method), 'method_not_allowed', why),
    });
  };

  only('GET', '/cluster/processes', async () => ({
    url: `http://127.0.0.1:${publicPort}/`,
    restartDelayMs,
    processes: labs.map((lab) => lab.describe()),
    redis: redis?.() ?? null,
  }));

  only('GET', '/cluster/stats', async () => {
    const { processes, sum, retired } = await figures.gather();
    return { processes, sum, retired, foreign: foreignEntries(processes) };
  });

  only('GET', '/stats', async () => {
    const { processes, sum, retired } = await figures.gatherShared();
    // One lab's /stats shape (DESIGN.md), so that every page reads it unchanged; the
    // traffic includes what killed processes had carried (see the top of this file).
    return {
      epoch: sum.epoch,
      lastSeq: sum.lastSeq,
      uptimeMs: Date.now() - startedAt,
      transports: addUp([sum.transports, retired.transports]),
      http2: null,
      tls: null,
      subscribers: sum.subscribers,
      counters: sum.counters,
      feed: { store: 'redis', processesUp: processes.filter((p) => p.up).length, foreign: foreignEntries(processes) },
      // Every process beside the sum: who holds how many clients, and how much each delivered.
      process: {
        name: 'cluster',
        processes: processes.map(({ name, port, pid, up, stats }) => ({ name, port, pid, up, ...processFigures(stats) })),
      },
    };
  });

  /** The process a request names, up: else a coded 404 or 409. */
  const running = (name: string) => {
    const lab = labs.find((candidate) => candidate.name === name);
    if (!lab) throw new LabError('unknown_process', `There is no process ${JSON.stringify(name)}; GET /cluster/processes lists them.`);
    if (lab.pid === undefined || lab.state !== 'up')
      throw new LabError('not_running', `${lab.name} is ${lab.state} now; try again once it is up.`);
    return lab;
  };

  only('POST', '/cluster/processes/:name/kill', async (request, reply) => {
    const lab = running((request.params as { name: string }).name);
    await figures.statsOf(lab); // its figures as of now: the last of this run of it, kept in the cluster's counts
    const pid = lab.kill();
    return reply.code(202).send({ name: lab.name, pid, signal: 'SIGKILL', restartInMs: restartDelayMs });
  });

  only('POST', '/cluster/processes/:name/restart', async (request) => {
    const lab = running((request.params as { name: string }).name);
    await figures.statsOf(lab);
    const pid = lab.pid;
    await lab.restart();
    return { name: lab.name, stoppedPid: pid, pid: lab.pid ?? null, signal: 'SIGTERM' };
  });

  return app;
}

/**
 * Every process's figures, and what gone processes had carried: the latest figures
 * of each running process are kept by pid, and added to `retired` when it exits.
 */
function trackFigures(labs: readonly LabProcess[]) {
  const lastSeen = new Map<number, Figures>();
  let retired: Figures = {};
  let retiredCount = 0;
  let recent: { at: number; answer: ReturnType<typeof gather> } | undefined;

  for (const lab of labs) {
    lab.onExit = (pid) => {
      const seen = lastSeen.get(pid);
      lastSeen.delete(pid);
      if (!seen) return;
      retired = addUp([retired, retire(seen)]);
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

  /**
   * Every process's /stats, asked at once, their sum, and what gone processes carried.
   *
   * A process that does not answer but has not exited yet (killed a moment ago,
   * its exit not yet heard; frozen by SIGSTOP) counts with the last figures seen
   * of it, as a gone one does: else the sum would dip until its exit is heard.
   * The whole answer is taken in one synchronous step after the asking, so that
   * no exit falls between the sum and `retired` and counts a process twice.
   */
  async function gather() {
    const all = await Promise.all(labs.map(async (lab) => ({ lab, pid: lab.pid, stats: await statsOf(lab) })));
    const processes = all.map(({ lab, stats }) => ({
      name: lab.name,
      port: lab.port,
      pid: lab.pid ?? null,
      up: stats !== undefined,
      stats: stats ?? null,
    }));
    const silent = all.flatMap(({ pid, stats }) => {
      const seen = stats === undefined && pid !== undefined ? lastSeen.get(pid) : undefined;
      return seen ? [retire(seen)] : [];
    });
    return {
      processes,
      sum: sumStats(all.flatMap(({ stats }) => (stats ? [stats] : []))),
      retired: { processes: retiredCount, transports: addUp([retired, ...silent]) },
    };
  }

  return {
    statsOf,
    gather,
    /**
     * The same, shared by every request within STATS_SHARED_MS: each open page asks
     * once a second, and a class's pages would otherwise ask every process each time.
     */
    gatherShared() {
      if (!recent || Date.now() - recent.at > STATS_SHARED_MS) recent = { at: Date.now(), answer: gather() };
      return recent.answer;
    },
  };
}

/**
 * What the processes found in Redis's log that the lab did not write (redis/feed.ts,
 * "Foreign entries"): how many they removed, and the latest removal, with who removed it.
 */
function foreignEntries(processes: readonly { name: string; stats: Record<string, unknown> | null }[]) {
  type Report = { removed: number; last: { ids: string[]; at: number; removed: number } | null };
  const reports = processes.flatMap(({ name, stats }) => {
    const foreign = (stats?.feed as { foreign?: Report } | undefined)?.foreign;
    return foreign ? [{ name, ...foreign }] : [];
  });
  const latest = reports.filter((r) => r.last).sort((x, y) => y.last!.at - x.last!.at)[0];
  return { removed: reports.reduce((n, r) => n + r.removed, 0), last: latest ? { process: latest.name, ...latest.last! } : null };
}

/** One process's headline figures for the cluster's /stats: its subscribers and, per transport, what it delivered and holds. */
function processFigures(stats: Record<string, unknown> | null | undefined) {
  if (!stats) return { subscribers: null, transports: null };
  const transports = stats.transports as Record<string, { eventsDelivered: number; connectionsOpen: number; requests: number }>;
  return {
    subscribers: stats.subscribers as number,
    transports: Object.fromEntries(
      Object.entries(transports).map(([id, t]) => [
        id,
        { requests: t.requests, connectionsOpen: t.connectionsOpen, eventsDelivered: t.eventsDelivered },
      ]),
    ),
  };
}
