/**
 * What HTTP/2 costs, apart from what the lab's meter costs: the same HTTP/2 fan-out
 * (SSE, short and long polling, WebSocket over RFC 8441) against Node's own
 * `http2.createSecureServer` (bench/reference/bare-h2.ts: TLS and nghttp2 in C++,
 * no meter), beside the lab's HTTP/2 port, the lab over HTTP/1.1 inside TLS and
 * the lab over plain HTTP/1.1. Every run in a fresh server process, so that memory
 * per connection is read from an empty one, and the subjects of one transport one
 * right after the other (the order turned every transport), so a noisy spell on
 * the shared machine does not always land on the same one.
 *
 * The one ratio the lab's HTTP/2 showed before (lab over HTTP/2 against plain
 * HTTP/1.1) splits into three, which multiply back to it:
 *   - HTTP/2's own cost: native HTTP/2 against HTTP/1.1 over TLS (both encrypted);
 *   - TLS's own cost: HTTP/1.1 over TLS against plain HTTP/1.1;
 *   - the meter's: the lab's HTTP/2 against native HTTP/2, the price of counting
 *     every byte of every frame.
 * And the meter's splits in two, by a fifth subject, `piped-h2`: Node's own HTTP/2
 * server reading and writing through the lab's plaintext pipe with nothing reading
 * the bytes (bare-h2.ts with BARE_H2_JS_PIPE). Native HTTP/2 against it is the floor
 * of any meter that sees the bytes in JavaScript (Node's session then writes through
 * a JS stream socket); the lab against it is what the meter, the framework and the
 * lab's own bookkeeping add on that floor.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { Server } from '../cluster.ts';
import type { WireId } from '../wires.ts';
import { type RunContext, round } from './context.ts';
import { type LoadRun, connectMany, disconnect, measureLoad } from './fanout.ts';

export const H2_SUBJECTS = ['native-h2', 'piped-h2', 'lab-h2', 'lab-h1-tls', 'lab-h1'] as const;
export type H2Subject = (typeof H2_SUBJECTS)[number];

const WIRE_OF: Record<H2Subject, WireId> = { 'native-h2': 'h2', 'piped-h2': 'h2', 'lab-h2': 'h2', 'lab-h1-tls': 'h1-tls', 'lab-h1': 'h1' };

export interface H2NativeRun {
  subject: H2Subject;
  wire: WireId;
  transport: TransportId;
  clients: number;
  load: LoadRun;
  /** Resident memory added per connected client (after a full GC), in bytes. */
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
}

/** Ratios of server CPU per delivery (and of memory per connection), one transport at one count. */
interface H2CostSplit {
  transport: TransportId;
  clients: number;
  /** Native HTTP/2 over the lab's HTTP/1.1 over TLS. */
  http2: number | null;
  /** The lab's HTTP/1.1 over TLS over its plain HTTP/1.1. */
  tls: number | null;
  /** The lab's HTTP/2 over native HTTP/2. */
  meter: number | null;
  /** Of it, the floor: native HTTP/2 through the lab's plaintext pipe, nothing reading, over native HTTP/2. */
  pipe: number | null;
  /** And the rest: the lab's HTTP/2 over that piped subject (pipe x meterOnPipe = meter). */
  meterOnPipe: number | null;
  /** The lab's HTTP/2 over its plain HTTP/1.1: the one figure the three replace (their product). */
  whole: number | null;
  /** Memory per connection, the lab's HTTP/2 over native HTTP/2. */
  meterMemory: number | null;
}

export interface H2NativeResult {
  runs: H2NativeRun[];
  split: H2CostSplit[];
  /** Runs that could not be measured, and why (each is missing from `runs`). */
  failures: string[];
  clients: number[];
  transports: TransportId[];
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  shortPollIntervalMs: number;
  dataBytes: number;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b > 0 ? round(a / b, 3) : null);

/** The three-way split of every transport and count measured. */
export function costSplit(runs: H2NativeRun[]): H2CostSplit[] {
  const keys = [...new Set(runs.map((r) => `${r.transport}|${r.clients}`))];
  return keys.map((key) => {
    const [transport, clients] = [key.split('|')[0] as TransportId, Number(key.split('|')[1])];
    const of = (subject: H2Subject) => runs.find((r) => r.subject === subject && r.transport === transport && r.clients === clients);
    const cpu = (subject: H2Subject) => of(subject)?.load.serverCpuMicrosPerDelivery;
    return {
      transport,
      clients,
      http2: ratio(cpu('native-h2'), cpu('lab-h1-tls')),
      tls: ratio(cpu('lab-h1-tls'), cpu('lab-h1')),
      meter: ratio(cpu('lab-h2'), cpu('native-h2')),
      pipe: ratio(cpu('piped-h2'), cpu('native-h2')),
      meterOnPipe: ratio(cpu('lab-h2'), cpu('piped-h2')),
      whole: ratio(cpu('lab-h2'), cpu('lab-h1')),
      meterMemory: ratio(of('lab-h2')?.rssBytesPerConnection, of('native-h2')?.rssBytesPerConnection),
    };
  });
}

/**
 * The subjects measured for `transport`: the piped floor for the two the meter's goal
 * names (SSE and WebSocket), so that the polls do not lengthen a long scenario.
 */
export const subjectsOf = (transport: TransportId): readonly H2Subject[] =>
  H2_SUBJECTS.filter((s) => s !== 'piped-h2' || transport === 'sse' || transport === 'ws');

/** Estimated seconds of one run (TLS handshakes cost the two cores most), for the progress bar. */
export const h2NativeSeconds = (p: { h2Native: { warmupMs: number; durationMs: number } }, count: number) =>
  3 + (p.h2Native.warmupMs + p.h2Native.durationMs) / 1000 + count / 1000;

async function one(context: RunContext, subject: H2Subject, transport: TransportId, count: number): Promise<H2NativeRun> {
  const { ratePerSecond, warmupMs, durationMs, shortPollIntervalMs } = context.params.h2Native;
  const wire = WIRE_OF[subject];
  const kind = subject === 'native-h2' ? 'bare-h2' : subject === 'piped-h2' ? 'piped-h2' : 'lab';
  const server: Server = await context.cluster.startServer(kind);
  try {
    const base = await server.child.call('usage', { gc: true });
    const { set, connectSeconds } = await connectMany(context, server, transport, count, shortPollIntervalMs, wire);
    const loaded = await server.child.call('usage', { gc: true });
    const dataBytes = context.params.payloadBytes[0];
    const load = await measureLoad({
      subject,
      server,
      set,
      wire,
      transport,
      ratePerSecond,
      warmupMs,
      durationMs,
      dataBytes,
      shortPollIntervalMs,
      connectSeconds,
    });
    await disconnect(server, set, transport);
    return {
      subject,
      wire,
      transport,
      clients: count,
      load,
      rssBytesPerConnection: Math.round((loaded.rssBytes - base.rssBytes) / count),
      heapBytesPerConnection: Math.round((loaded.heapUsedBytes - base.heapUsedBytes) / count),
    };
  } finally {
    await context.cluster.stopServer(server);
  }
}

export async function runH2Native(context: RunContext): Promise<H2NativeResult> {
  const { params, progress } = context;
  const { clients, transports, ratePerSecond, warmupMs, durationMs, shortPollIntervalMs } = params.h2Native;
  const runs: H2NativeRun[] = [];
  const failures: string[] = [];
  for (const count of clients) {
    for (const [i, transport] of transports.entries()) {
      const subjects = subjectsOf(transport);
      const order = i % 2 === 0 ? subjects : [...subjects].reverse();
      for (const subject of order) {
        progress.step(`native HTTP/2: ${subject}, ${count} ${transport} clients, ${ratePerSecond} events/s`);
        try {
          runs.push(await one(context, subject, transport, count));
        } catch (error) {
          failures.push(`${subject} ${transport} ${count}: ${String(error).split('\n')[0]}`);
          progress.note(`native HTTP/2: ${failures.at(-1)}`);
          await context.cluster.resetWorkers();
        }
        progress.advance(h2NativeSeconds(params, count));
      }
    }
  }
  const dataBytes = params.payloadBytes[0];
  return {
    runs,
    split: costSplit(runs),
    failures,
    clients,
    transports,
    ratePerSecond,
    warmupMs,
    durationMs,
    shortPollIntervalMs,
    dataBytes,
  };
}
