/**
 * What the framework costs: the lab's SSE and WebSocket beside bare reference
 * subjects doing the same job (bench/reference/bare-sse.ts on node:http,
 * bench/reference/bare-ws.ts on ws), each in a fresh process, through the same
 * drivers, on the same schedule.
 *
 * Per subject: one idle client's latency, then many clients at a rate faster
 * than the 60,000 deliveries per second the targets ask for: deliveries per
 * second, latency, server CPU time per delivery, server memory per connection.
 * The ratio reported is throughput capacity: bare CPU per delivery over the
 * lab's (1.0 = the lab costs nothing extra; 0.9 = it needs 11% more CPU).
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { ServerKind } from '../cluster.ts';
import { type RunContext, round } from './context.ts';
import { type LoadRun, connectMany, disconnect, measureLoad } from './fanout.ts';
import { type SingleClientLatency, singleClient } from './latency.ts';

export interface ReferenceRun {
  subject: string;
  kind: ServerKind;
  transport: TransportId;
  singleClient: SingleClientLatency;
  load: LoadRun;
  /** Resident memory added per connected client (after a full GC), in bytes. */
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
}

const SUBJECTS: { subject: string; kind: ServerKind; transport: TransportId }[] = [
  { subject: 'lab sse', kind: 'lab', transport: 'sse' },
  { subject: 'bare node:http sse', kind: 'bare-sse', transport: 'sse' },
  { subject: 'lab ws', kind: 'lab', transport: 'ws' },
  { subject: 'bare ws', kind: 'bare-ws', transport: 'ws' },
];

export async function runReference(context: RunContext): Promise<{
  runs: ReferenceRun[];
  clients: number;
  ratePerSecond: number;
  dataBytes: number;
  ratios: Record<string, { throughputRatio: number | null; memoryRatio: number | null; p99Ratio: number | null }>;
}> {
  const { cluster, params, progress } = context;
  const { clients, ratePerSecond, warmupMs, durationMs, singleClientEvents } = params.reference;
  const dataBytes = params.payloadBytes[0];
  const runs: ReferenceRun[] = [];
  for (const { subject, kind, transport } of SUBJECTS.filter((s) => params.transports.includes(s.transport))) {
    progress.step(`reference: ${subject}, one client, then ${clients} clients at ${ratePerSecond} events/s`);
    const server = await cluster.startServer(kind);
    try {
      const single = await singleClient(context, server, transport, singleClientEvents);
      const base = await server.child.call('usage', { gc: true });
      const { set, connectSeconds } = await connectMany(context, server, transport, clients, 1000);
      const loaded = await server.child.call('usage', { gc: true });
      const load = await measureLoad({
        subject,
        server,
        set,
        transport,
        ratePerSecond,
        warmupMs,
        durationMs,
        dataBytes,
        shortPollIntervalMs: 1000,
        connectSeconds,
      });
      await disconnect(server, set, transport);
      runs.push({
        subject,
        kind,
        transport,
        singleClient: single,
        load,
        rssBytesPerConnection: Math.round((loaded.rssBytes - base.rssBytes) / clients),
        heapBytesPerConnection: Math.round((loaded.heapUsedBytes - base.heapUsedBytes) / clients),
      });
    } finally {
      await cluster.stopServer(server);
    }
    progress.advance(3 + (warmupMs + durationMs) / 1000 + clients / 3000);
  }
  const ratios: Record<string, { throughputRatio: number | null; memoryRatio: number | null; p99Ratio: number | null }> = {};
  for (const transport of ['sse', 'ws'] as const) {
    const lab = runs.find((r) => r.kind === 'lab' && r.transport === transport);
    const bare = runs.find((r) => r.kind !== 'lab' && r.transport === transport);
    if (!lab || !bare) continue;
    const labCpu = lab.load.serverCpuMicrosPerDelivery;
    const bareCpu = bare.load.serverCpuMicrosPerDelivery;
    ratios[transport] = {
      throughputRatio: labCpu && bareCpu ? round(bareCpu / labCpu, 3) : null,
      memoryRatio: lab.rssBytesPerConnection > 0 ? round(bare.rssBytesPerConnection / lab.rssBytesPerConnection, 3) : null,
      p99Ratio: lab.load.latency.p99Ms > 0 ? round(bare.load.latency.p99Ms / lab.load.latency.p99Ms, 3) : null,
    };
  }
  return { runs, clients, ratePerSecond, dataBytes, ratios };
}
