/**
 * Starting and stopping what the cluster scenario measures (scenarios/cluster.ts):
 * `npm run cluster`'s launcher with 1 or N lab processes behind nginx, and the
 * bench's agent inside it (bench/cluster-agent.ts), which publishes into the
 * cluster's Redis and reads each process's /stats and CPU time.
 */
import { spawnSync } from 'node:child_process';
import { type Cluster as LabCluster, startCluster } from '../../server/cluster/cluster.ts';
import { findProgram } from '../../server/programs.ts';
import type { Server } from '../cluster.ts';
import type { AgentSettings } from '../cluster-agent.ts';
import { Child } from '../ipc.ts';
import { BENCH_ENV } from '../lab-server-env.ts';
import type { RunContext } from './context.ts';

/** The lab settings of a cluster's processes: the bench's (lab-server-env.ts), less what the launcher sets itself. */
export const CLUSTER_LAB_ENV: Record<string, string> = Object.fromEntries(
  Object.entries(BENCH_ENV).filter(([key]) => !['HOST', 'PORT', 'EXTRA_PORTS', 'TLS_PORT'].includes(key)),
);

/** The version line a program prints, or null. */
export function programVersion(binary: string, args: string[]): string | null {
  const file = findProgram(binary);
  if (!file) return null;
  const out = spawnSync(file, args, { encoding: 'utf8', timeout: 5000 });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.trim().split('\n')[0] || null;
}

/** A started cluster, the bench's agent in it, and the Server the bench's helpers take (the agent answers for the cluster). */
export interface Deployment {
  cluster: LabCluster;
  agent: Child;
  server: Server;
  tickMicros: number | null;
}

/** Starts a cluster of `processes` lab processes and the agent that publishes into it and reads it. */
export async function deploy(context: RunContext, processes: number, bufferSize: number): Promise<Deployment> {
  const cluster = await startCluster({ processes, port: 0, env: CLUSTER_LAB_ENV, restartDelayMs: 1000 });
  let agent: Child | undefined;
  try {
    const settings: AgentSettings = {
      redisUrl: cluster.redis.url,
      labs: cluster.labs.map((lab) => ({ name: lab.name, port: lab.port, pid: lab.pid! })),
      nginxDir: cluster.dir,
      bufferSize,
    };
    agent = await Child.start(`cluster agent (${processes})`, 'bench/cluster-agent.ts', {
      env: { WIRELAB_CLUSTER_AGENT: JSON.stringify(settings) },
    });
    const { offsetMs } = await agent.call<{ offsetMs: number }>('clock');
    const usage = await agent.call<{ tickMicros: number; parts: Record<string, number | null> }>('usage');
    const missing = Object.entries(usage.parts)
      .filter(([, v]) => v === null)
      .map(([k]) => k);
    if (missing.length) context.progress.note(`cluster: no CPU time readable for ${missing.join(', ')} (/proc): those parts are left out`);
    // Latency is measured against the publisher's clock: the agent stamps every event's `at`.
    const server: Server = { kind: 'lab', child: agent, port: cluster.port, baseUrl: cluster.url, offsetMs, instance: 0 };
    return { cluster, agent, server, tickMicros: usage.tickMicros };
  } catch (error) {
    await agent?.stop();
    await cluster.close();
    throw error;
  }
}

export async function undeploy(d: Deployment | undefined): Promise<void> {
  if (!d) return;
  await d.agent.stop();
  await d.cluster.close();
}
