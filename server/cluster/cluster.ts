/**
 * A whole cluster on loopback: a redis-server, N lab processes sharing the feed
 * in it, the launcher's control server, and nginx in front of them all. What
 * `npm run cluster` starts (main.ts), and what the cluster tests start, with the
 * same code, on free ports.
 *
 *   browser ──► nginx 127.0.0.1:PORT ──round robin──► lab-1, lab-2, ... lab-N ──► redis-server
 *                    └── /cluster/, /stats ──► control server (this process)
 *
 * Everything lives in one temporary folder (nginx's config, logs and pid, Redis's
 * files) that `close()` removes, and everything started is stopped by `close()`,
 * or killed when this process exits without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ControlServer, startControl } from './control.ts';
import { mintControlToken } from './control-token.ts';
import { LabProcess } from './labs.ts';
import { nginxConfig } from './nginx.ts';
import { type NginxProcess, startNginx } from './nginx-process.ts';
import { ensureProgram, freePort } from '../programs.ts';
import { type RedisServer, startRedis } from '../redis/redis-server.ts';

export interface ClusterOptions {
  /** How many lab processes (default 3). */
  processes?: number;
  /** nginx's port on 127.0.0.1 (default 8080; 0 picks a free one). */
  port?: number;
  /** Settings for every lab process (TICK_MS, CHAT_RATE, ...); the cluster's own (FEED_STORE, PORT, ...) win. */
  env?: Record<string, string>;
  /** Gets every line the processes print, prefixed with their name; default: quiet. */
  log?: (line: string) => void;
  /** How long a killed or crashed lab process stays down before it is started again (default 3 s). */
  restartDelayMs?: number;
}

export interface Cluster {
  /** The one URL to open: nginx. */
  url: string;
  /** This run's control token: kill and restart need it (control-token.ts). */
  token: string;
  /** The /cluster/ page's address with the token in its fragment, which no server sees: what the launcher prints. */
  pageUrl: string;
  /** What the launcher says of Redis: its state, restarts and last exit (control.ts shows it). */
  redisWatch: RedisWatch;
  port: number;
  /** The temporary folder with nginx's config and logs. */
  dir: string;
  redis: RedisServer;
  labs: LabProcess[];
  control: ControlServer;
  nginx: NginxProcess;
  /** Stops everything it started, nginx first (no new requests), and removes the folder. */
  close(): Promise<void>;
}

export const DEFAULT_PROCESSES = 3;
export const DEFAULT_PORT = 8080;
export const DEFAULT_RESTART_DELAY_MS = 3000;

/** Starts a cluster; if any part fails to start, whatever did start is stopped again and the error says why. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.processes ?? DEFAULT_PROCESSES;
  const restartDelayMs = options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a cluster needs at least one lab process, got ${count}`);
  // Both programs first: a missing one is found (and installed, as root on Debian) before anything runs.
  ensureProgram('redis-server', 'redis-server');
  ensureProgram('nginx', 'nginx');
  const port = options.port === 0 ? await freePort() : (options.port ?? DEFAULT_PORT);
  await mustBeFree(port);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-cluster-'));
  const started: { redis?: RedisServer; labs: LabProcess[]; control?: ControlServer; nginx?: NginxProcess } = { labs: [] };
  // If this process ends without close() (an uncaught error, process.exit), nothing it started may outlive it.
  const killAll = () => {
    for (const lab of started.labs) lab.killNow();
    started.nginx?.killNow();
    started.redis?.killNow();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killAll);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // At once: Ctrl-C reaches redis-server too (one process group), and its exit is no crash to report or restart.
      if (started.redis) started.redis.onExit = undefined;
      await started.nginx?.stop();
      await Promise.all(started.labs.map((lab) => lab.stop()));
      await started.control?.close();
      await started.redis?.close();
      rmSync(dir, { recursive: true, force: true });
      process.off('exit', killAll);
    })());

  try {
    const redis = (started.redis = await startRedis());
    const redisWatch = watchRedis(redis, restartDelayMs, options.log);
    const ports = await distinctFreePorts(count, [port, redis.port]);
    const labs = ports.map(
      (labPort, i) =>
        new LabProcess({
          name: `lab-${i + 1}`,
          port: labPort,
          restartDelayMs,
          log: options.log,
          env: {
            ...process.env,
            ...options.env,
            FEED_STORE: redis.url,
            PROCESS_NAME: `lab-${i + 1}`,
            HOST: '127.0.0.1',
            PORT: String(labPort),
            // nginx is the one door: no per-transport ports and no TLS ports of each process's own.
            EXTRA_PORTS: 'off',
            TLS_PORT: 'off',
            // Every request comes from nginx on 127.0.0.1: per-client limits must count who nginx says connected.
            TRUST_PROXY: 'loopback',
          },
        }),
    );
    started.labs = labs;
    await Promise.all(labs.map((lab) => lab.start()));
    const token = mintControlToken();
    const redisNow = () => redisWatch.describe();
    const control = (started.control = await startControl({ labs, publicPort: port, restartDelayMs, token, redis: redisNow }));
    // The labs' heartbeat as they will read it (their env, else this process's): nginx's idle timeout stays above it.
    const heartbeat = Number(options.env?.HEARTBEAT_MS ?? process.env.HEARTBEAT_MS);
    const config = nginxConfig({
      listenPort: port,
      labs: labs.map(({ name, port: labPort }) => ({ name, port: labPort })),
      controlPort: control.port,
      heartbeatMs: Number.isFinite(heartbeat) && heartbeat > 0 ? heartbeat : undefined,
    });
    const nginx = (started.nginx = await startNginx({ dir, config, port, log: options.log }));
    const url = `http://127.0.0.1:${port}`;
    return { url, token, pageUrl: `${url}/cluster/#token=${token}`, redisWatch, port, dir, redis, labs, control, nginx, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** Rejects, saying what to do, when something already listens on 127.0.0.1:`port`. */
async function mustBeFree(port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(
        `port ${port} on 127.0.0.1 is taken (another cluster, or a lab?): ` +
          `stop that program or choose another port, e.g. --port ${port + 1} (--port 0 picks a free one)`,
      );
    if (code === 'EACCES')
      throw new Error(`this user may not listen on port ${port} (ports below 1024 need root): choose another, e.g. --port 8080`);
    throw error;
  }
  await new Promise((resolve) => server.close(resolve));
}

/** `count` free ports, none of them in `taken`, none twice. */
async function distinctFreePorts(count: number, taken: number[]): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!taken.includes(port) && !ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** What the launcher knows of its redis-server, for the control server and the page. */
export interface RedisWatch {
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: number } | null;
  describe(): { port: number; pid: number | null; state: 'up' | 'down' | 'starting'; restarts: number; lastExit: RedisWatch['lastExit'] };
}

/**
 * Starts redis-server again when it dies without being asked to, as the labs are
 * (labs.ts), and says so: every lab refuses new requests (503) while it is down,
 * and recovers by itself once it is back. It comes back empty (it saves nothing):
 * the feed starts a new epoch, and every client starts over.
 */
function watchRedis(redis: RedisServer, restartDelayMs: number, log?: (line: string) => void): RedisWatch {
  let state: 'up' | 'down' | 'starting' = 'up';
  const watch: RedisWatch = {
    restarts: 0,
    lastExit: null,
    describe: () => ({ port: redis.port, pid: redis.pid ?? null, state, restarts: watch.restarts, lastExit: watch.lastExit }),
  };
  const restart = () => {
    state = 'starting';
    watch.restarts++;
    redis.start().then(
      () => {
        state = 'up';
        log?.(`[redis-server] started again (pid ${redis.pid}), empty: the feed starts a new epoch and every client starts over`);
      },
      (error: Error) => {
        log?.(
          `[redis-server] could not start again: ${error.message.split('\n')[0]}; trying again in ${(restartDelayMs / 1000).toFixed(1)} s`,
        );
        state = 'down';
        setTimeout(restart, restartDelayMs).unref();
      },
    );
  };
  redis.onExit = ({ code, signal }) => {
    state = 'down';
    watch.lastExit = { code, signal, at: Date.now() };
    log?.(
      `[redis-server] exited (${signal ?? `code ${code}`}): the labs answer 503 until it is back; ` +
        `starting it again in ${(restartDelayMs / 1000).toFixed(1)} s`,
    );
    setTimeout(restart, restartDelayMs).unref();
  };
  return watch;
}
