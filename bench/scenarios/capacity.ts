/**
 * How many concurrent clients one lab process holds, per transport: a ramp of
 * steps on a fresh server. At each step the server's memory is read after a full
 * garbage collection, and a few probe events measure latency and CPU time per
 * delivery. The ramp stops at the latency bound, at the server's descriptor limit
 * (one socket is one descriptor; the limit is 20,000 per process here and cannot
 * be raised), when clients fail to connect, or at the last step.
 *
 * Memory per connection is the slope of resident memory over clients (a line
 * through all steps), so the server's own baseline does not count.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { CLIENTS_PER_WORKER, type ClientSet, heldBy, pollCount, sleep } from '../cluster.ts';
import { type Distribution, concat, distribution, linearFit } from '../stats-math.ts';
import { type RunContext, cpuMicros, round } from './context.ts';

export interface CapacityStep {
  clients: number;
  held: number;
  rssBytes: number;
  heapUsedBytes: number;
  openFds: number | null;
  connectSeconds: number;
  clientErrors: number;
  clientsBehind: number;
  serverCpuMicrosPerDelivery: number | null;
  latency: Distribution;
  /** The lab's own counters at this step: refusals at a cap, slow readers dropped. */
  serverCounters: Record<string, number>;
}

export interface CapacityRun {
  transport: TransportId;
  steps: CapacityStep[];
  baselineRssBytes: number;
  baselineHeapUsedBytes: number;
  /** The most clients held at a step that stayed within the latency bound. */
  maxClientsHeld: number;
  stopReason: 'latency bound' | 'descriptor limit' | 'connect failures' | 'clients behind' | 'last step';
  latencyBoundMs: number;
  fdLimit: number | null;
  /** Slopes over the steps: what one more connection costs the server. */
  rssBytesPerConnection: number | null;
  heapBytesPerConnection: number | null;
}

export async function runCapacity(
  context: RunContext,
): Promise<{ runs: CapacityRun[]; probeEvents: number; probeIntervalMs: number; shortPollIntervalMs: number; dataBytes: number }> {
  const { cluster, params, progress } = context;
  const {
    steps: listed,
    rampToDescriptorLimit,
    latencyBoundMs,
    probeEvents,
    probeIntervalMs,
    shortPollIntervalMs,
    maxClients,
  } = params.capacity;
  const steps = rampToDescriptorLimit ? [...listed, Infinity] : listed;
  const dataBytes = params.payloadBytes[0];
  const runs: CapacityRun[] = [];
  for (const transport of params.transports) {
    progress.step(
      `connections held: ${transport}, fresh server, ramp ${listed.join(' / ')}${rampToDescriptorLimit ? ' / descriptor limit' : ''}`,
    );
    const server = await cluster.startServer('lab');
    const sets: ClientSet[] = [];
    const loads: number[] = [];
    const results: CapacityStep[] = [];
    let stopReason: CapacityRun['stopReason'] = 'last step';
    const base = await server.child.call('usage', { gc: true });
    const fdLimit: number | null = base.fdLimit;
    // Headroom for the descriptors a server holds besides client sockets (listening socket, stdio, epoll, ...).
    const fdCeiling = fdLimit === null ? Infinity : fdLimit - (base.openFds ?? 0) - 100;
    const bound = latencyBoundMs + (transport === 'short-poll' ? shortPollIntervalMs : 0);
    let current = 0;
    try {
      for (const step of steps) {
        let target = Math.min(step, maxClients ?? Infinity);
        if (target > fdCeiling) target = Math.floor(fdCeiling);
        // No known descriptor limit (not Linux): the ramp ends at its listed steps.
        if (!Number.isFinite(target) || target <= current) break;
        progress.step(`connections held: ${transport}, ${target} clients`);
        const started = Date.now();
        const since = (await server.child.call('stats')).lastSeq;
        const workersNeeded = Math.max(2, Math.ceil(target / CLIENTS_PER_WORKER));
        const perWorker = Math.ceil(target / workersNeeded);
        for (let i = 0; i < workersNeeded; i++) {
          loads[i] ??= 0;
          const share = Math.min(perWorker - loads[i], target - current);
          if (share <= 0) continue;
          sets.push(
            await cluster.open(server, transport, share, { workerIndexes: [i], since, intervalMs: shortPollIntervalMs, stagger: true }),
          );
          loads[i] += share;
          current += share;
        }
        const held = await pollCount(() => heldBy(server, transport), target, 20_000 + target * 3);
        const connectSeconds = (Date.now() - started) / 1000;
        await sleep(300);
        const memory = await server.child.call('usage', { gc: true });
        // One event first: the first delivery after a burst of connections pays for lazy setup.
        const warm = await server.child.call('publish', { count: 1, intervalMs: 0, dataBytes });
        await Promise.all(sets.map((set) => set.waitFor(warm.lastSeq, bound + 3000)));
        const from = warm.lastSeq + 1;
        await Promise.all(sets.map((set) => set.record(from)));
        const stats0 = await server.child.call('stats');
        const usage0 = await server.child.call('usage');
        const published = await server.child.call('publish', { count: probeEvents, intervalMs: probeIntervalMs, dataBytes });
        const waits = await Promise.all(sets.map((set) => set.waitFor(published.lastSeq, bound + 3000)));
        const usage1 = await server.child.call('usage');
        const stats1 = await server.child.call('stats');
        const collected = await Promise.all(sets.map((set) => set.collect()));
        await Promise.all(sets.map((set) => set.record(null)));
        const delivered = stats1.transports[transport].eventsDelivered - stats0.transports[transport].eventsDelivered;
        const behind = waits.reduce((s, w) => s + w.behind, 0);
        const errors = collected.reduce((s, c) => s + c.errors, 0);
        const latency = distribution(concat(collected.map((c) => c.samples)), 0);
        results.push({
          clients: target,
          held: held.value,
          rssBytes: memory.rssBytes,
          heapUsedBytes: memory.heapUsedBytes,
          openFds: memory.openFds,
          connectSeconds: round(connectSeconds, 2) ?? 0,
          clientErrors: errors,
          clientsBehind: behind,
          serverCpuMicrosPerDelivery: delivered ? round(cpuMicros(usage0, usage1) / delivered, 2) : null,
          latency,
          serverCounters: stats1.counters,
        });
        if (!held.ok) {
          stopReason = 'connect failures';
          break;
        }
        if (behind > 0) {
          stopReason = 'clients behind';
          break;
        }
        if (latency.p99Ms > bound) {
          stopReason = 'latency bound';
          break;
        }
        if (target >= fdCeiling - 1) {
          stopReason = 'descriptor limit';
          break;
        }
      }
    } finally {
      await Promise.all(sets.map((set) => set.close().catch(() => {})));
      await cluster.stopServer(server);
    }
    const good = results.filter((r) => r.held >= r.clients && r.clientsBehind === 0 && r.latency.p99Ms <= bound);
    const points = [
      { x: 0, rss: base.rssBytes, heap: base.heapUsedBytes },
      ...results.filter((r) => r.held >= r.clients).map((r) => ({ x: r.clients, rss: r.rssBytes, heap: r.heapUsedBytes })),
    ];
    const rssFit = linearFit(points.map((p) => ({ x: p.x, y: p.rss })));
    const heapFit = linearFit(points.map((p) => ({ x: p.x, y: p.heap })));
    runs.push({
      transport,
      steps: results,
      baselineRssBytes: base.rssBytes,
      baselineHeapUsedBytes: base.heapUsedBytes,
      maxClientsHeld: good.length ? Math.max(...good.map((r) => r.clients)) : 0,
      stopReason,
      latencyBoundMs: bound,
      fdLimit,
      rssBytesPerConnection: points.length >= 2 ? round(rssFit.slope, 0) : null,
      heapBytesPerConnection: points.length >= 2 ? round(heapFit.slope, 0) : null,
    });
    progress.advance(3 + steps.length * 2 + (rampToDescriptorLimit ? 19_000 : Math.max(...listed)) / 3000);
  }
  return { runs, probeEvents, probeIntervalMs, shortPollIntervalMs, dataBytes };
}
