/**
 * results/summary.md's "Several processes on one Redis feed", and the sentence
 * under the headline table that says what the Redis hop and nginx add.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { ClusterSetup } from '../scenarios/cluster.ts';
import { fmt, ms, section, table } from './format.ts';
import type { Results } from './schema.ts';

type Figures = Extract<NonNullable<Results['derived']['cluster']>, { skipped: false }>;
type Load = Figures['load'][number];

const SETUP_WORDS: Record<ClusterSetup, string> = {
  memory: 'one process, feed in memory, direct',
  redis: 'one process, feed in Redis, direct',
  cluster: 'behind nginx, feed in Redis',
};

const processesWord = (n: number) => `${n} process${n > 1 ? 'es' : ''}`;

/** A sentence under the headline table: what several processes on one Redis feed add (see the cluster section). */
export function clusterHeadlineNote(r: Results): string {
  const c = r.derived.cluster;
  if (!c || c.skipped) return '';
  const row = (id: TransportId) => c.latency.find((l) => l.transport === id);
  const said = (['sse', 'ws'] as const)
    .map(row)
    .filter((l) => l !== undefined)
    .map(
      (l) =>
        `${r.labels[l!.transport]} ${ms(l!.p50Ms.memory)} ms with the feed in the process, ${ms(l!.p50Ms.redis)} ms with it ` +
        `in Redis, ${ms(l!.p50Ms.cluster)} ms through nginx to ${c.processes} processes`,
    );
  if (!said.length) return '';
  return (
    '\n\nSeveral processes on one feed kept in Redis ("Several processes on one Redis feed" below): one idle client\'s p50, ' +
    `${said.join('; ')}.${c.ok ? '' : ' **The cluster scenario found broken promises: see its section.**'}`
  );
}

/** One idle client per transport in each setup. */
function latencySection(r: Results, c: Figures): string {
  const p = r.parameters.cluster;
  const N = c.processes;
  const L = (id: TransportId) => r.labels[id];
  const pair = (a: number | null, b: number | null) => `${ms(a)} / ${ms(b)}`;
  return section(
    '### What the Redis hop adds to a delivery',
    `One idle client per transport in each setup, all three connected throughout; ${fmt(p.latency.events)} events per setup, ` +
      `${p.latency.intervalMs} ms apart, after ${p.latency.warmupEvents} to warm up, the setups taking turns (${p.latency.rounds} turns ` +
      'each) so that noise on a shared machine falls on all three alike; publish (`at`, stamped before the trip to Redis) to receipt. ' +
      'In memory and Redis: one lab process each (`bench/lab-server.ts`), the same settings, clients direct, so only the Redis hop ' +
      `differs; the process publishes its own events (through Redis in the second). Behind nginx: ${N} lab processes (\`npm start\`'s ` +
      "server), the events published into their Redis by the bench (the lab's own RedisFeedSource), the client sent wherever nginx " +
      `sends it. Short polling polls every ${fmt(p.latency.shortPollIntervalMs)} ms: its figures are the interval's, not the hop's.`,
    table(
      [
        'Transport',
        'Feed in memory, p50 / p99 (ms)',
        'Feed in Redis, p50 / p99 (ms)',
        'Added by Redis, p50 / p99 (ms)',
        `${N} processes behind nginx, p50 / p99 (ms)`,
        'Added by nginx and Redis, p50 / p99 (ms)',
      ],
      c.latency.map((l) => [
        L(l.transport),
        pair(l.p50Ms.memory, l.p99Ms.memory),
        pair(l.p50Ms.redis, l.p99Ms.redis),
        pair(l.redisAddedP50Ms, l.redisAddedP99Ms),
        pair(l.p50Ms.cluster, l.p99Ms.cluster),
        pair(l.clusterAddedP50Ms, l.clusterAddedP99Ms),
      ]),
    ),
  );
}

/** One row of the load table. */
function loadRow(r: Results, x: Load): string[] {
  const inCluster = x.setup === 'cluster';
  return [
    inCluster ? `${processesWord(x.processes)}, ${SETUP_WORDS.cluster}` : SETUP_WORDS[x.setup],
    r.labels[x.transport],
    `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`,
    `${fmt(x.deliveriesPerSecond)} (${fmt(x.offeredDeliveriesPerSecond)})`,
    ms(x.p50Ms),
    ms(x.p99Ms),
    fmt(x.labsCpuMicrosPerDelivery, 1),
    inCluster ? fmt(x.nginxCpuMicrosPerDelivery, 1) : 'none',
    inCluster ? fmt(x.redisCpuMicrosPerDelivery, 1) : 'none',
    fmt(x.totalCpuMicrosPerDelivery, 1),
    fmt(x.deliveriesPerCoreSecond),
    x.labsCpuRatioToOne === null ? '' : `${fmt(x.labsCpuRatioToOne, 2)}x`,
    `${fmt(x.coresUsed, 2)} / ${fmt(x.clientCoresUsed, 2)}`,
    inCluster ? fmt(x.publisherCpuMicrosPerDelivery, 1) : 'in the lab',
    x.clientsByProcess
      ? Object.entries(x.clientsByProcess)
          .map(([name, n]) => `${name} ${fmt(n)}`)
          .join(', ')
      : '',
  ];
}

/** What N processes did for the cost of a delivery against one, and what the cores limited. */
function loadVerdict(r: Results, c: Figures): string {
  const N = c.processes;
  const L = (id: TransportId) => r.labels[id];
  const find = (processes: number, transport: TransportId) =>
    c.load.find((x) => x.setup === 'cluster' && x.processes === processes && x.transport === transport);
  const verdict = c.load
    .filter((x) => x.setup === 'cluster' && x.processes === N)
    .map((x) => {
      const one = find(1, x.transport);
      const many = find(N, x.transport);
      if (!one?.totalCpuMicrosPerDelivery || !many?.totalCpuMicrosPerDelivery) return '';
      const more = many.totalCpuMicrosPerDelivery >= one.totalCpuMicrosPerDelivery;
      return (
        ` ${L(x.transport)}: ${N} processes cost ${fmt(many.totalCpuMicrosPerDelivery, 1)} µs per delivery against one process's ` +
        `${fmt(one.totalCpuMicrosPerDelivery, 1)} µs (${fmt(many.deliveriesPerCoreSecond)} against ${fmt(one.deliveriesPerCoreSecond)} ` +
        `deliveries per core-second)${
          more
            ? ': on this machine more processes buy no throughput, they share the same cores and each ' + 'keeps its own mirror of the feed'
            : ''
        }.`
      );
    })
    .join('');
  const busy = (x: Load) => (x.coresUsed ?? 0) + (x.clientCoresUsed ?? 0);
  const busiest = [...c.load].filter((x) => x.coresUsed !== null).sort((a, b) => busy(b) - busy(a))[0];
  if (!busiest) return '';
  const where = busiest.setup === 'cluster' ? `${processesWord(busiest.processes)} behind nginx` : 'one process, feed in memory';
  return (
    `What ${r.environment.machine.cores} cores limit: the busiest run (${L(busiest.transport)}, ${where}) kept ` +
    `${fmt(busiest.coresUsed, 2)} cores busy with the servers and ${fmt(busiest.clientCoresUsed, 2)} with the client workers, while the ` +
    `schedule asked for ${fmt(busiest.offeredDeliveriesPerSecond)} deliveries/s and got ${fmt(busiest.deliveriesPerSecond)}.${verdict}`
  );
}

/** Deliveries and CPU per delivery, 1 and N processes. */
function loadSection(r: Results, c: Figures): string[] {
  const p = r.parameters.cluster;
  const raw = r.scenarios.cluster;
  const tickMicros = raw && !raw.skipped ? raw.cpuTickMicros : null;
  const tick = tickMicros
    ? ` /proc counts CPU time in ticks of ${fmt(tickMicros / 1000)} ms: over a ${fmt(p.load.durationMs / 1000, 1)} s ` +
      "window a part's figure is good to a tick."
    : '';
  const out = [
    section(
      `### Deliveries and CPU per delivery, 1 and ${c.processes} processes`,
      `${fmt(p.load.clients)} clients at ${p.load.ratePerSecond} events/s (${fmt(p.load.clients * p.load.ratePerSecond)} deliveries/s ` +
        `offered), ${fmt(p.load.warmupMs)} ms to warm up, ${fmt(p.load.durationMs / 1000, 1)} s measured. ` +
        'CPU per delivery: user + system ' +
        "time over the window divided by deliveries; the lab processes summed (the one bench lab process's own count in memory; " +
        '/proc/<pid>/stat behind nginx), nginx (master and worker) and redis-server apart, from /proc/<pid>/stat; the publisher (the ' +
        `bench's, standing in for the process that takes a chat post) is left out of the total.${tick} Per core: the deliveries one core ` +
        'could make at that total cost, the throughput to compare (deliveries/s is what the schedule asked for, met or not). Cores ' +
        "busy: the CPU time of the lab processes, nginx and redis-server over the window's wall time, then the client workers' (from " +
        `/proc too), out of the machine's ${r.environment.machine.cores}.`,
      table(
        [
          'Setup',
          'Transport',
          'Deliveries',
          'Deliveries/s (offered)',
          'p50 (ms)',
          'p99 (ms)',
          'Labs (µs)',
          'nginx (µs)',
          'Redis (µs)',
          'Total (µs)',
          'Per core (deliveries/s)',
          'Labs / 1 process',
          'Cores busy: servers / clients',
          'Publisher (µs)',
          'Clients per process',
        ],
        c.load.map((x) => loadRow(r, x)),
      ),
    ),
  ];
  const verdict = loadVerdict(r, c);
  if (verdict) out.push(verdict);
  return out;
}

/** Short and long polling through nginx, every seq checked. */
function pollsSection(r: Results, c: Figures): string {
  const p = r.parameters.cluster;
  const N = c.processes;
  return section(
    '### Polling spread over every process',
    `Through nginx to ${N} processes, no sticky session: ${fmt(p.polls.clients)} clients per transport, ${fmt(p.polls.events)} events ` +
      `${p.polls.intervalMs} ms apart, short polls every ${fmt(p.polls.shortPollIntervalMs)} ms. Each answer names its process ` +
      "(`x-wirelab-process`); each client's seqs are checked as they arrive: every seq once, in order, none skipped, no `gap` event.",
    table(
      [
        'Transport',
        'Processes that answered',
        'Answers per process',
        `Clients answered by all ${N}`,
        'Deliveries',
        'Seen twice or out of order',
        'Holes and gap events',
        'p50 (ms)',
        'p99 (ms)',
        'Every seq once, in order',
      ],
      c.polls.map((x) => [
        r.labels[x.transport],
        `${fmt(x.processesSeen)} of ${fmt(x.processes)}`,
        Object.entries(x.answersByProcess)
          .sort()
          .map(([name, n]) => `${name} ${fmt(n)}`)
          .join(', '),
        `${fmt(x.clientsAnsweredByAll)} of ${fmt(x.clients)}`,
        `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`,
        fmt(x.duplicates),
        fmt(x.gaps),
        ms(x.p50Ms),
        ms(x.p99Ms),
        x.ok ? 'yes' : '**no**',
      ]),
    ),
  );
}

/** results/summary.md's "Several processes on one Redis feed"; empty when the scenario did not run. */
export function clusterMarkdown(r: Results): string {
  const c = r.derived.cluster;
  const raw = r.scenarios.cluster;
  if (!c || !raw) return '';
  const title = '## Several processes on one Redis feed';
  if (c.skipped) return `${title}\n\n**Skipped:** ${c.reason}`;
  if (raw.skipped) return '';
  const parts: string[] = [
    section(
      title,
      'The lab as `npm run cluster` runs it: a redis-server, lab processes that keep the feed there (FEED_STORE=redis://..., a Lua ' +
        'script takes the next seq and XADDs the event; every process mirrors the stream with a blocking XREAD and serves from memory) ' +
        `and nginx in front, round robin, no sticky session. Plain HTTP/1.1 on loopback; ${fmt(c.dataBytes)} B of data. ` +
        `${raw.programs.redis ?? 'redis-server'}; ${raw.programs.nginx ?? 'nginx'}. **On ${r.environment.machine.cores} cores** the lab ` +
        'processes, redis-server, nginx, the publisher and the client workers all compete for the same cores: compare ratios within ' +
        'this run, not absolute throughput.',
    ),
  ];
  if (c.problems.length) parts.push(`**Broken promises found:** ${c.problems.join('; ')}`);
  if (c.latency.length) parts.push(latencySection(r, c));
  if (c.load.length) parts.push(...loadSection(r, c));
  if (c.polls.length) parts.push(pollsSection(r, c));
  return parts.join('\n\n');
}
