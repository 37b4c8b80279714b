/**
 * The lab as the bench measures it: the real app from server/app.ts, built and
 * listening in a process of its own (as `npm start` runs it), plus a control
 * channel for the parent: publish a schedule of events, read /stats-like figures,
 * read this process's CPU time and memory.
 *
 * The process can hold several independent lab instances (each its own feed and
 * statistics on its own port): the short-poll grid runs nine cells at once that
 * way, each cell's bytes counted apart.
 */
import { build, listen, type Lab } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { preciseNow } from '../server/feed.ts';
import { serve } from './ipc.ts';
import { BENCH_ENV } from './lab-server-env.ts';
import { type Schedule, exitOnSigterm, runSchedule, usage } from './server-harness.ts';

const instances = new Map<number, { lab: Lab; port: number; env: Record<string, string> }>();
let nextInstance = 0;

async function start(env: Record<string, string> = {}): Promise<{ instance: number; port: number; env: Record<string, string> }> {
  const merged = { ...BENCH_ENV, ...env };
  const lab = await build(loadConfig(merged));
  const { main } = await listen(lab);
  const instance = nextInstance++;
  instances.set(instance, { lab, port: main, env: merged });
  return { instance, port: main, env: merged };
}

function get(instance = 0) {
  const found = instances.get(instance);
  if (!found) throw new Error(`no lab instance ${instance}`);
  return found;
}

const first = await start(JSON.parse(process.env.WIRELAB_BENCH_ENV ?? '{}') as Record<string, string>);

serve({
  start: ({ env }: { env?: Record<string, string> }) => start(env),
  async stop({ instance }: { instance: number }) {
    await get(instance).lab.app.close();
    instances.delete(instance);
  },
  publish: ({ instance, ...schedule }: Schedule & { instance?: number }) =>
    runSchedule((type, data) => get(instance).lab.ctx.feed.publish(type, data), schedule),
  stats({ instance }: { instance?: number } = {}) {
    const { ctx } = get(instance).lab;
    return {
      transports: ctx.stats.snapshot(),
      subscribers: ctx.feed.subscriberCount,
      held: ctx.closers.size,
      lastSeq: ctx.feed.lastSeq,
      atMs: preciseNow(),
      counters: { ...ctx.counters },
    };
  },
  usage: (options: { gc?: boolean } = {}) => usage(options),
}, { port: first.port, instance: first.instance, env: first.env, pid: process.pid });

exitOnSigterm(() => Promise.all([...instances.values()].map(({ lab }) => lab.app.close())));
