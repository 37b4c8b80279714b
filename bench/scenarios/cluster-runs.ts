/**
 * The cluster scenario's three measurements (scenarios/cluster.ts runs them): idle
 * clients' latency in each setup, taking turns; many streaming clients at the load's
 * rate with the CPU of every part; and polls spread by nginx over every process.
 * Each result type is defined here, beside the run that makes it.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, type Server, heldBy, poll, sleep } from '../cluster.ts';
import { cpuOfAll } from '../proc-cpu.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import type { Deployment } from './cluster-deploy.ts';
import type { RunContext } from './context.ts';
import { type LoadRun, connectMany, disconnect, measureLoad } from './fanout.ts';

/** How the lab runs in a measurement (see the top of this file). */
export type ClusterSetup = 'memory' | 'redis' | 'cluster';

/** What clients should never see, counted over a client's whole life (bench/client-worker.ts). */
export interface Integrity {
  duplicates: number;
  gaps: number;
  gapEvents: number;
  /** Clients that had not received the last event when the wait ended. */
  clientsBehind: number;
}

export interface ClusterLatency extends Integrity {
  setup: ClusterSetup;
  processes: number;
  transport: TransportId;
  events: number;
  received: number;
  latency: Distribution;
  /** The process nginx sent the client to (cluster only), from x-wirelab-process or a WebSocket's first message. */
  servedBy: string[];
}

export interface ClusterLoadRun extends LoadRun {
  setup: ClusterSetup;
  processes: number;
  /** Streams each lab process held when measuring started (cluster only): nginx's round robin. */
  clientsByProcess: Record<string, number> | null;
  /** Deliveries each lab process made in the window (cluster only). */
  deliveriesByProcess: Record<string, number> | null;
  /** The client workers' CPU time over the window (/proc), and the cores that makes: they share the machine with the servers. */
  clientWorkers: { processes: number; cpuMicros: number | null; cores: number | null };
}

export interface ClusterPollRun extends Integrity {
  transport: 'short-poll' | 'long-poll';
  processes: number;
  clients: number;
  events: number;
  intervalMs: number;
  shortPollIntervalMs: number;
  deliveriesExpected: number;
  deliveries: number;
  clientErrors: number;
  clientErrorSamples: string[];
  /** Answers (polls) per process that gave them, from x-wirelab-process. */
  answersByProcess: Record<string, number>;
  /** Distinct processes that answered. */
  processesSeen: number;
  /** Clients by how many distinct processes answered them ("3": answered by three). */
  clientsByProcessesSeen: Record<string, number>;
  latency: Distribution;
  /** Every client saw every seq once, in order, and was answered by more than one process. */
  ok: boolean;
}

export interface LatencySetup {
  setup: ClusterSetup;
  server: Server;
  processes: number;
}

/**
 * One idle client of `transport` in each setup, all connected at once (a connection
 * that hears nothing costs nothing): each warms up, then the setups take turns, a
 * share of the events each, so that every setup is measured across the same stretch
 * of time. Publish to receipt.
 */
export async function idleClients(
  context: RunContext,
  setups: LatencySetup[],
  transport: TransportId,
  dataBytes: number,
): Promise<ClusterLatency[]> {
  const { events, intervalMs, warmupEvents, shortPollIntervalMs, rounds } = context.params.cluster.latency;
  const sets: { s: LatencySetup; set: ClientSet; behind: number }[] = [];
  try {
    for (const s of setups) {
      const { lastSeq } = await s.server.child.call('stats', { instance: s.server.instance });
      sets.push({
        s,
        set: await context.cluster.open(s.server, transport, 1, {
          workers: 1,
          since: lastSeq,
          intervalMs: shortPollIntervalMs,
          trackProcesses: s.setup !== 'memory',
        }),
        behind: 0,
      });
    }
    for (const { s, set } of sets) {
      await poll(
        () => heldBy(s.server, transport),
        (n) => n >= 1,
        10_000,
      );
      // The first events of a connection pay for JIT compilation and lazy setup.
      const warm = await s.server.child.call('publish', { count: warmupEvents, intervalMs, dataBytes });
      await set.waitFor(warm.lastSeq, 5000);
      await set.record(warm.lastSeq + 1);
    }
    const perRound = Math.ceil(events / rounds);
    for (let round = 0; round * perRound < events; round++) {
      for (const entry of sets) {
        const published = await entry.s.server.child.call('publish', {
          count: Math.min(perRound, events - round * perRound),
          intervalMs,
          dataBytes,
        });
        entry.behind = (await entry.set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs)).behind;
      }
    }
    const out: ClusterLatency[] = [];
    for (const { s, set, behind } of sets) {
      const collected = await set.collect();
      await set.record(null);
      out.push({
        setup: s.setup,
        processes: s.processes,
        transport,
        events,
        received: collected.received,
        duplicates: collected.duplicates,
        gaps: collected.gaps,
        gapEvents: collected.gapEvents,
        clientsBehind: behind,
        latency: distribution(collected.samples),
        servedBy: Object.keys(collected.processes).sort(),
      });
    }
    return out;
  } finally {
    await Promise.all(sets.map(({ set }) => set.close()));
  }
}

/** `clients` streaming clients at the load's rate: fanout.ts's measurement, with the cluster's spread and CPU by part. */
export async function loadRun(
  context: RunContext,
  setup: ClusterSetup,
  server: Server,
  processes: number,
  transport: TransportId,
  dataBytes: number,
): Promise<ClusterLoadRun> {
  const { clients, ratePerSecond, warmupMs, durationMs } = context.params.cluster.load;
  const shortPollIntervalMs = 1000;
  const { set, connectSeconds } = await connectMany(context, server, transport, clients, shortPollIntervalMs);
  try {
    const perProcess = async () =>
      ((await server.child.call('stats')).processes ?? null) as
        | { name: string; subscribers: number; transports: Record<string, { eventsDelivered: number }> }[]
        | null;
    const before = setup === 'cluster' ? await perProcess() : null;
    // The client workers' CPU over the same window: on a small machine they compete with the servers for the cores.
    const pids = set.workers.map((w) => w.child.process.pid).filter((pid): pid is number => pid !== undefined);
    const clients: { cpu: (number | null)[]; at: number[] } = { cpu: [], at: [] };
    const onWindow = () => {
      clients.cpu.push(cpuOfAll(pids));
      clients.at.push(performance.now());
    };
    const run = await measureLoad({
      subject: setup === 'cluster' ? `${processes} behind nginx` : 'memory',
      server,
      set,
      transport,
      ratePerSecond,
      warmupMs,
      durationMs,
      dataBytes,
      shortPollIntervalMs,
      connectSeconds,
      cpuParts: true,
      onWindow,
    });
    const after = setup === 'cluster' ? await perProcess() : null;
    const [cpu0, cpu1] = clients.cpu;
    const clientMicros = cpu0 == null || cpu1 == null ? null : cpu1 - cpu0;
    const clientMs = clients.at[1] - clients.at[0];
    return {
      ...run,
      setup,
      processes,
      clientWorkers: {
        processes: pids.length,
        cpuMicros: clientMicros,
        cores: clientMicros === null || !(clientMs > 0) ? null : Number((clientMicros / 1000 / clientMs).toFixed(2)),
      },
      clientsByProcess: before ? Object.fromEntries(before.map((p) => [p.name, p.subscribers])) : null,
      // The window and its warm-up: what each process delivered while the clients listened.
      deliveriesByProcess:
        before && after
          ? Object.fromEntries(
              after.map((p, i) => [
                p.name,
                (p.transports[transport]?.eventsDelivered ?? 0) - (before[i].transports[transport]?.eventsDelivered ?? 0),
              ]),
            )
          : null,
    };
  } finally {
    await disconnect(server, set, transport);
  }
}

/**
 * Short or long polling through nginx to N processes: each poll may land on any
 * process, so a client's cursor travels from one process's mirror to another's.
 * Counts who answered, and checks every client got every seq once, in order.
 */
export async function pollSpread(
  context: RunContext,
  d: Deployment,
  processes: number,
  transport: 'short-poll' | 'long-poll',
  dataBytes: number,
): Promise<ClusterPollRun> {
  const { clients, events, intervalMs, shortPollIntervalMs } = context.params.cluster.polls;
  const { server } = d;
  const { lastSeq } = await server.child.call('stats');
  const set = await context.cluster.open(server, transport, clients, {
    since: lastSeq,
    intervalMs: shortPollIntervalMs,
    stagger: true,
    trackProcesses: true,
  });
  try {
    // Every client has started polling: short polls within an interval; long polls once they are held.
    if (transport === 'long-poll')
      await poll(
        () => heldBy(server, transport),
        (n) => n >= clients,
        10_000,
        50,
      );
    else await sleep(shortPollIntervalMs * 1.5);
    await set.record(lastSeq + 1);
    const published = await server.child.call('publish', { count: events, intervalMs, dataBytes }, 60_000);
    const wait = await set.waitFor(published.lastSeq, 5000 + shortPollIntervalMs);
    const collected = await set.collect();
    await set.record(null);
    const deliveriesExpected = events * clients;
    const run: ClusterPollRun = {
      transport,
      processes,
      clients,
      events,
      intervalMs,
      shortPollIntervalMs,
      deliveriesExpected,
      deliveries: collected.received,
      duplicates: collected.duplicates,
      gaps: collected.gaps,
      gapEvents: collected.gapEvents,
      clientsBehind: wait.behind,
      clientErrors: collected.errors,
      clientErrorSamples: collected.lastErrors,
      answersByProcess: collected.processes,
      processesSeen: Object.keys(collected.processes).length,
      clientsByProcessesSeen: collected.clientsByProcessesSeen,
      latency: distribution(collected.samples, 0),
      ok: false,
    };
    run.ok =
      run.duplicates === 0 &&
      run.gaps === 0 &&
      run.gapEvents === 0 &&
      run.clientsBehind === 0 &&
      run.deliveries === deliveriesExpected &&
      run.processesSeen >= Math.min(processes, 2);
    return run;
  } finally {
    await set.close();
  }
}
