/**
 * What a library costs: each example server of lessons/servers (the way the seeds
 * build them: WebSocket on ws, websocket, nodejs-websocket, faye-websocket and
 * Socket.IO; SSE on node:http and better-sse; long polling and iframe streaming on
 * node:http) beside the lab, every one in a fresh process, through the same drivers,
 * on the same schedule of events, over plain HTTP/1.1.
 *
 * First the checker (server/check) runs against each, all at once, on instances of
 * their own (a heartbeat the cases can wait for, a buffer the gap cases overrun): the
 * verdict counts sit beside the costs, so what a server gets right and what it costs
 * are read on one line. Then, one subject at a time: one idle client's latency, then
 * each count of clients: deliveries per second, server CPU per delivery, memory per
 * connection, p50/p99.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCheck } from '../../server/check/runner.ts';
import { type CheckReport, VERDICTS, type Verdict } from '../../server/check/types.ts';
import type { TransportId } from '../../server/transports/registry.ts';
import type { Server } from '../cluster.ts';
import { ROOT } from '../ipc.ts';
import type { LibraryServer } from '../reference/library-server.ts';
import type { RunContext } from './context.ts';
import { type LoadRun, connectMany, disconnect, measureLoad } from './fanout.ts';
import { type SingleClientLatency, singleClient } from './latency.ts';

type LibrarySubject = 'lab' | LibraryServer;

/** Each example server: the transport it is measured on, and the package that does the work (null: node:http alone). */
export const LIBRARY_SUBJECTS: { subject: LibraryServer; transport: TransportId; library: string; pkg: string | null }[] = [
  { subject: 'ws-ws', transport: 'ws', library: 'ws', pkg: 'ws' },
  { subject: 'ws-websocket', transport: 'ws', library: 'websocket (WebSocket-Node)', pkg: 'websocket' },
  { subject: 'ws-nodejs-websocket', transport: 'ws', library: 'nodejs-websocket', pkg: 'nodejs-websocket' },
  { subject: 'ws-faye', transport: 'ws', library: 'faye-websocket', pkg: 'faye-websocket' },
  { subject: 'ws-socketio', transport: 'ws', library: 'Socket.IO (websocket transport, adapter)', pkg: 'socket.io' },
  { subject: 'sse-node', transport: 'sse', library: 'node:http', pkg: null },
  { subject: 'sse-better-sse', transport: 'sse', library: 'better-sse', pkg: 'better-sse' },
  { subject: 'long-poll-node', transport: 'long-poll', library: 'node:http', pkg: null },
  { subject: 'iframe-node', transport: 'iframe', library: 'node:http', pkg: null },
];

interface LibraryRun {
  clients: number;
  load: LoadRun;
  /** Resident memory added per connected client (after a full GC), in bytes. */
  rssBytesPerConnection: number;
  heapBytesPerConnection: number;
}

export interface LibraryRow {
  subject: LibrarySubject;
  transport: TransportId;
  library: string;
  /** The package's version as installed (node:http: Node's). */
  version: string;
  /** The checker's verdicts over this transport's cases; null when the check could not run (`checkError`). */
  verdicts: Record<Verdict, number> | null;
  /** The cases that did not pass, with their verdicts. */
  /** The cases not passed, each with the checker's reason (what a reader of the run needs to see why). */
  notPassed: { id: string; verdict: Verdict; reason?: string }[];
  checkError?: string;
  idle: SingleClientLatency | null;
  runs: LibraryRun[];
  /** Why the measuring stopped short, if it did. */
  error?: string;
}

export interface LibrariesResult {
  rows: LibraryRow[];
  clients: number[];
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  dataBytes: number;
  /** How long the checker took, all servers at once, in seconds. */
  checkSeconds: number;
}

/** The version of an installed package, or Node's for node:http. */
function versionOf(pkg: string | null): string {
  if (!pkg) return `node ${process.version}`;
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The rows in the order the report shows them: per transport, the lab first, then the examples serving it. */
function plannedRows(transports: TransportId[]): Omit<LibraryRow, 'verdicts' | 'notPassed' | 'idle' | 'runs'>[] {
  const measured = (['ws', 'sse', 'long-poll', 'iframe'] as const).filter((t) => transports.includes(t));
  return measured.flatMap((transport) => [
    { subject: 'lab' as const, transport, library: 'Wirelab (Fastify)', version: versionOf('fastify') },
    ...LIBRARY_SUBJECTS.filter((s) => s.transport === transport).map(({ subject, library, pkg }) => ({
      subject,
      transport,
      library,
      version: versionOf(pkg),
    })),
  ]);
}

const startSubject = (context: RunContext, subject: LibrarySubject, env: Record<string, string> = {}): Promise<Server> =>
  subject === 'lab' ? context.cluster.startServer('lab', env) : context.cluster.startServer('library', { LIBRARY: subject, ...env });

/** The checker against every subject at once, each on an instance of its own; verdicts by subject and transport. */
async function checkAll(
  context: RunContext,
  subjects: LibrarySubject[],
  transports: TransportId[],
): Promise<Map<LibrarySubject, CheckReport | Error>> {
  const { checkHeartbeatMs } = context.params.libraries;
  const reports = await Promise.all(
    subjects.map(async (subject): Promise<[LibrarySubject, CheckReport | Error]> => {
      let server: Server | undefined;
      try {
        server = await startSubject(context, subject, { HEARTBEAT_MS: String(checkHeartbeatMs), BUFFER_SIZE: '100' });
        return [subject, await runCheck(server.baseUrl, { heartbeatMs: checkHeartbeatMs, only: transports })];
      } catch (error) {
        return [subject, error instanceof Error ? error : new Error(String(error))];
      } finally {
        if (server) await context.cluster.stopServer(server);
      }
    }),
  );
  return new Map(reports);
}

/** One subject's idle client and fan-outs, in a fresh process. */
async function measure(context: RunContext, row: LibraryRow): Promise<void> {
  const { clients, ratePerSecond, warmupMs, durationMs, idleEvents } = context.params.libraries;
  const dataBytes = context.params.payloadBytes[0];
  const extra = { socketIo: row.subject === 'ws-socketio' };
  const server = await startSubject(context, row.subject);
  try {
    row.idle = await singleClient(context, server, row.transport, idleEvents, 'h1', extra);
    for (const count of clients) {
      context.progress.step(`libraries: ${row.library} (${row.transport}), ${count} clients at ${ratePerSecond} events/s`);
      const base = await server.child.call('usage', { gc: true });
      const { set, connectSeconds } = await connectMany(context, server, row.transport, count, 1000, 'h1', extra);
      const loaded = await server.child.call('usage', { gc: true });
      const load = await measureLoad({
        subject: row.subject,
        server,
        set,
        transport: row.transport,
        ratePerSecond,
        warmupMs,
        durationMs,
        dataBytes,
        shortPollIntervalMs: 1000,
        connectSeconds,
      });
      await disconnect(server, set, row.transport);
      row.runs.push({
        clients: count,
        load,
        rssBytesPerConnection: Math.round((loaded.rssBytes - base.rssBytes) / count),
        heapBytesPerConnection: Math.round((loaded.heapUsedBytes - base.heapUsedBytes) / count),
      });
      context.progress.advance(librarySeconds(context.params, count) - 2);
    }
  } finally {
    await context.cluster.stopServer(server);
  }
}

/** Estimated seconds of one subject at one count, for the progress bar. */
export const librarySeconds = (p: { libraries: { warmupMs: number; durationMs: number } }, count: number) =>
  3 + (p.libraries.warmupMs + p.libraries.durationMs) / 1000 + count / 2500;

/** The checker's verdicts of one row's transport, from its server's report (or why there is none). */
function verdictsOf(row: LibraryRow, report: CheckReport | Error | undefined): void {
  if (!report || report instanceof Error) {
    row.checkError = report ? report.message.split('\n')[0] : 'no report';
    return;
  }
  const cases = report.cases.filter((c) => c.transport === row.transport);
  row.verdicts = Object.fromEntries(VERDICTS.map((v) => [v, cases.filter((c) => c.verdict === v).length])) as Record<Verdict, number>;
  row.notPassed = cases.filter((c) => c.verdict !== 'pass').map((c) => ({ id: c.id, verdict: c.verdict, reason: c.reason }));
}

/**
 * Subjects and the lab checked, then measured one at a time: checked first, so that no case's
 * traffic shares a core with a measured window, and no measured load pushes a case past its
 * bound (a case that waits 2 s for a close would fail a sound server on a starved core).
 */
export async function runLibraries(context: RunContext): Promise<LibrariesResult> {
  const { params, progress } = context;
  const { clients, ratePerSecond, warmupMs, durationMs } = params.libraries;
  const planned = plannedRows(params.transports);
  const transports = [...new Set(planned.map((r) => r.transport))];
  const subjects = [...new Set(planned.map((r) => r.subject))];
  progress.step(`libraries: the checker against ${subjects.length} servers, all at once`);
  const checkStarted = Date.now();
  const reports = await checkAll(context, subjects, transports);
  const checkSeconds = Math.round((Date.now() - checkStarted) / 100) / 10;
  progress.advance(40);
  const rows: LibraryRow[] = planned.map((plan) => ({ ...plan, verdicts: null, notPassed: [], idle: null, runs: [] }));
  for (const row of rows) {
    try {
      await measure(context, row);
    } catch (error) {
      row.error = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      progress.note(`libraries: ${row.subject} (${row.transport}) stopped: ${row.error}`);
      await context.cluster.resetWorkers();
    }
  }
  for (const row of rows) verdictsOf(row, reports.get(row.subject));
  return { rows, clients, ratePerSecond, warmupMs, durationMs, dataBytes: params.payloadBytes[0], checkSeconds };
}
