/**
 * The bench's hands inside a cluster (server/cluster/cluster.ts): a child process
 * that plays the part bench/lab-server.ts plays for one lab, for a cluster whose
 * lab processes are `npm start`'s own (they take no orders from the bench):
 *
 * - publish: a schedule of events into the cluster's Redis, through the lab's own
 *   RedisFeedSource (the same Lua script a chat post runs), so that every lab
 *   process hears them through its mirror, as it hears a post another process took;
 * - stats: every lab process's /stats, asked directly (not through nginx, whose
 *   round robin would pick one), added up (server/redis/stats-sum.ts), with the
 *   figures of each process beside the sum;
 * - usage: CPU time from /proc/<pid>/stat (user + system, every thread, in clock
 *   ticks: 10 ms on Linux): the lab processes summed (the figure the bench calls
 *   the server's), and apart: each lab, nginx (master and workers), redis-server,
 *   and this process (the publisher).
 *
 * Its settings come from the parent in WIRELAB_CLUSTER_AGENT (JSON): the Redis URL,
 * the lab processes (name, port, pid) and nginx's folder (its pid file).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisFeedSource } from '../server/redis/feed.ts';
import { type Figures, sumStats } from '../server/redis/stats-sum.ts';
import { preciseNow } from '../server/feed.ts';
import { serve } from './ipc.ts';
import { CPU_TICK_MICROS, cpuOf, cpuOfAll, parentOf } from './proc-cpu.ts';
import { type Schedule, exitOnSigterm, runSchedule } from './server-harness.ts';

export interface AgentSettings {
  redisUrl: string;
  labs: { name: string; port: number; pid: number }[];
  /** The cluster's folder: nginx writes its master's pid to nginx.pid there. */
  nginxDir: string;
  bufferSize: number;
}

const settings = JSON.parse(process.env.WIRELAB_CLUSTER_AGENT ?? 'null') as AgentSettings | null;
if (!settings) throw new Error('bench/cluster-agent.ts needs WIRELAB_CLUSTER_AGENT (the cluster scenario starts it)');

/** nginx's master and its workers (processes whose parent is the master), found once: they live as long as the cluster. */
let nginxFound: number[] | undefined;
function nginxPids(): number[] {
  if (!nginxFound?.length) nginxFound = findNginx();
  return nginxFound;
}
function findNginx(): number[] {
  let master: number;
  try {
    master = Number(readFileSync(path.join(settings!.nginxDir, 'nginx.pid'), 'utf8').trim());
  } catch {
    return [];
  }
  if (!(master > 0)) return [];
  const workers = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => parentOf(pid) === master);
  return [master, ...workers];
}

/** redis-server's pid, as it says itself (INFO server). */
async function redisPid(url: string): Promise<number | null> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.info('server');
    const match = /^process_id:(\d+)/m.exec(info);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

const source = await RedisFeedSource.open({ url: settings.redisUrl, bufferSize: settings.bufferSize, processName: 'bench-publisher' });
const redis = await redisPid(settings.redisUrl);

/** One lab process's /stats, asked directly; null when it does not answer within 2 s. */
async function statsOf(lab: AgentSettings['labs'][number]): Promise<Figures | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${lab.port}/stats`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? ((await response.json()) as Figures) : null;
  } catch {
    return null;
  }
}

serve(
  {
    publish: (schedule: Schedule) => runSchedule((type, data) => source.publish(type, data), schedule),
    /** The cluster's figures in the shape bench/lab-server.ts answers for one lab, plus each process's own. */
    async stats() {
      const answers = await Promise.all(settings.labs.map(statsOf));
      const up = answers.filter((a): a is Figures => a !== null);
      if (up.length < settings.labs.length)
        throw new Error(
          `lab processes did not answer /stats: ${settings.labs
            .filter((_, i) => !answers[i])
            .map((l) => l.name)
            .join(', ')}`,
        );
      const sum = sumStats(up);
      return {
        transports: sum.transports,
        http2: null,
        tls: null,
        subscribers: sum.subscribers,
        held: sum.subscribers,
        // The log's own: every event went through this process's publish, and its mirror follows the log too.
        lastSeq: Math.max(sum.lastSeq, source.feed.lastSeq),
        atMs: preciseNow(),
        counters: sum.counters,
        processes: settings.labs.map((lab, i) => {
          const a = answers[i] as {
            subscribers?: number;
            lastSeq?: number;
            transports?: Record<string, { eventsDelivered?: number; requests?: number }>;
          };
          const transports = Object.fromEntries(
            Object.entries(a.transports ?? {}).map(([id, t]) => [
              id,
              { eventsDelivered: t.eventsDelivered ?? 0, requests: t.requests ?? 0 },
            ]),
          );
          return { name: lab.name, subscribers: a.subscribers ?? 0, lastSeq: a.lastSeq ?? 0, transports };
        }),
      };
    },
    /**
     * CPU time so far: the lab processes' sum as the server's (cpuUserMicros,
     * cpuSystemMicros: what bench/scenarios/fanout.ts divides by deliveries), and
     * each part apart in `parts` (µs, user + system).
     */
    usage() {
      const parts: Record<string, number | null> = {};
      let user = 0;
      let system = 0;
      for (const lab of settings.labs) {
        const cpu = cpuOf(lab.pid);
        parts[lab.name] = cpu ? cpu.user + cpu.system : null;
        user += cpu?.user ?? 0;
        system += cpu?.system ?? 0;
      }
      const nginx = nginxPids();
      parts.nginx = nginx.length ? cpuOfAll(nginx) : null;
      const redisCpu = redis === null ? null : cpuOf(redis);
      parts.redis = redisCpu ? redisCpu.user + redisCpu.system : null;
      const own = process.cpuUsage();
      parts.publisher = own.user + own.system;
      return {
        cpuUserMicros: user,
        cpuSystemMicros: system,
        parts,
        tickMicros: CPU_TICK_MICROS,
        nginxProcesses: nginx.length,
        redisPid: redis,
      };
    },
  },
  { pid: process.pid },
);

exitOnSigterm(() => source.close());
