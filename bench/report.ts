/**
 * The report writer: from the scenarios' raw figures to the results JSON (one
 * file per run, and results/latest.json), the figures derived from them (the
 * headline table, one-off costs amortised, the Kaazing table, the targets), and
 * the Markdown summary. Every number in the summary and on the results page comes
 * from this JSON; none is typed by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';
import type { BrowserHeads, HeadKind } from './browser-heads.ts';
import type { Environment } from './environment.ts';
import type { Parameters } from './options.ts';
import type { AutocannonResult } from './scenarios/autocannon.ts';
import type { CapacityRun } from './scenarios/capacity.ts';
import type { LoadRun } from './scenarios/fanout.ts';
import type { SingleClientLatency } from './scenarios/latency.ts';
import type { OverheadCell } from './scenarios/overhead.ts';
import type { runReference } from './scenarios/reference.ts';
import type { RttRun } from './scenarios/rtt.ts';
import type { GridCell } from './scenarios/short-poll-grid.ts';

export const SCHEMA = 'wirelab-bench/1';

export interface Scenarios {
  overhead?: { cells: OverheadCell[]; eventType: string };
  shortPollGrid?: { cells: GridCell[]; dataBytes: number; durationMs: number };
  latency?: { results: SingleClientLatency[]; intervalMs: number; dataBytes: number };
  fanout?: { runs: LoadRun[]; ratePerSecond: number; dataBytes: number; shortPollIntervalMs: number };
  rtt?: { runs: RttRun[]; intervalMs: number; shortPollIntervalMs: number; dataBytes: number };
  capacity?: { runs: CapacityRun[]; probeEvents: number; probeIntervalMs: number; shortPollIntervalMs: number; dataBytes: number };
  autocannon?: AutocannonResult;
  reference?: Awaited<ReturnType<typeof runReference>>;
}

export interface Target {
  id: string;
  text: string;
  transport: TransportId | null;
  target: string;
  measured: number | null;
  unit: string;
  /** null: not measured in this run (a scenario skipped, or --quick too small to judge). */
  met: boolean | null;
  note?: string;
}

export interface Results {
  schema: typeof SCHEMA;
  id: string;
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  environment: Environment & { clockSkewMaxMs: number };
  parameters: Parameters;
  /** The lab's human labels (server/transports/index.ts), the one map every chart uses. */
  labels: Record<TransportId, string>;
  transports: TransportId[];
  serverSettings: Record<string, string>;
  browserHeads: { source: BrowserHeads['source']; note: string; browser: string; userAgent: string; capturedAt: string; bytes: Record<HeadKind, number>; heads: BrowserHeads['heads'] };
  scenarios: Scenarios;
  derived: ReturnType<typeof derive>;
  errors: { scenario: string; message: string }[];
}

const KAAZING = {
  source: 'Kaazing, "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web" (2010)',
  pollingHeaderBytes: 871,
  webSocketFrameBytes: 2,
  clients: [1_000, 10_000, 100_000],
  /** The published figures, in Mbps, which are binary megabits (2^20 bit) per second. */
  publishedPollingMbps: [6.6, 66, 665],
  publishedWebSocketMbps: [0.015, 0.153, 1.526],
};

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The overhead cell for a profile and transport at the smallest payload measured. */
function smallCell(s: Scenarios, profile: 'minimal' | 'browser', transport: TransportId): OverheadCell | undefined {
  const cells = s.overhead?.cells.filter((c) => c.profile === profile && c.transport === transport) ?? [];
  return cells.sort((a, b) => a.dataBytes - b.dataBytes)[0];
}

const oneOffBytes = (cell: OverheadCell) => cell.oneOff.down.headBytes + cell.oneOff.down.framingBytes + cell.oneOff.up.headBytes + cell.oneOff.up.framingBytes;

export function derive(s: Scenarios, transports: TransportId[], labels: Record<TransportId, string>) {
  const largestFanout = s.fanout ? Math.max(...s.fanout.runs.map((r) => r.clients)) : null;

  const headline = transports.map((transport) => {
    const minimal = smallCell(s, 'minimal', transport);
    const browser = smallCell(s, 'browser', transport);
    const idle = s.latency?.results.find((r) => r.transport === transport);
    const fan = s.fanout?.runs.find((r) => r.transport === transport && r.clients === largestFanout);
    const cap = s.capacity?.runs.find((r) => r.transport === transport);
    return {
      transport,
      label: labels[transport],
      overheadBytesPerEventMinimal: minimal?.perEvent.overheadBytes ?? null,
      overheadBytesPerEventBrowser: browser?.perEvent.overheadBytes ?? null,
      oneOffBytesBrowser: browser ? oneOffBytes(browser) : null,
      requestsPerEvent: minimal?.perEvent.requests ?? null,
      idleP50Ms: idle?.latency.p50Ms ?? null,
      fanoutClients: fan?.clients ?? null,
      fanoutP99Ms: fan?.latency.p99Ms ?? null,
      fanoutCpuMicrosPerDelivery: fan?.serverCpuMicrosPerDelivery ?? null,
      maxClientsHeld: cap?.maxClientsHeld ?? null,
      capacityStopReason: cap?.stopReason ?? null,
      rssBytesPerConnection: cap?.rssBytesPerConnection ?? null,
    };
  });

  // One-off costs, and what they come to per event when a connection carries N events.
  const amortisedEvents = [1, 10, 100, 1000];
  const oneOff = (s.overhead?.cells ?? [])
    .filter((c) => c.dataBytes === Math.min(...(s.overhead?.cells ?? []).map((x) => x.dataBytes)))
    .map((c) => ({
      profile: c.profile,
      transport: c.transport,
      oneOffBytes: oneOffBytes(c),
      oneOffDownHeadBytes: c.oneOff.down.headBytes,
      oneOffDownFramingBytes: c.oneOff.down.framingBytes,
      oneOffUpHeadBytes: c.oneOff.up.headBytes,
      perEventOverheadBytes: c.perEvent.overheadBytes,
      amortised: amortisedEvents.map((n) => ({ events: n, overheadBytesPerEvent: round((oneOffBytes(c) + n * c.perEvent.overheadBytes) / n, 1) })),
    }));

  // The Kaazing table, measured: one event per client per second, overhead only (like the original: no TCP/IP, no payload).
  const bandwidth = (bytes: number, clients: number) => ({ clients, bitsPerSecond: bytes * 8 * clients, mbpsSI: round((bytes * 8 * clients) / 1e6, 3), mbpsBinary: round((bytes * 8 * clients) / 2 ** 20, 3) });
  const kaazingRows = [
    { source: 'kaazing-2010', transport: null as TransportId | null, label: 'Polling (Kaazing 2010, headers only)', bytesPerEvent: KAAZING.pollingHeaderBytes, rows: KAAZING.clients.map((n) => bandwidth(KAAZING.pollingHeaderBytes, n)) },
    { source: 'kaazing-2010', transport: null as TransportId | null, label: 'WebSocket (Kaazing 2010, frame only)', bytesPerEvent: KAAZING.webSocketFrameBytes, rows: KAAZING.clients.map((n) => bandwidth(KAAZING.webSocketFrameBytes, n)) },
    ...transports.flatMap((transport) => {
      const cell = smallCell(s, 'browser', transport);
      return cell ? [{ source: 'measured', transport, label: `${labels[transport]} (measured, browser heads)`, bytesPerEvent: cell.perEvent.overheadBytes, rows: KAAZING.clients.map((n) => bandwidth(cell.perEvent.overheadBytes, n)) }] : [];
    }),
  ];
  const kaazing = {
    source: KAAZING.source,
    eventsPerClientPerSecond: 1,
    clients: KAAZING.clients,
    published: { pollingMbps: KAAZING.publishedPollingMbps, webSocketMbps: KAAZING.publishedWebSocketMbps, unit: 'Mbps in the 2010 table = binary megabits (2^20 bit/s); SI Mbps = 10^6 bit/s' },
    dataBytes: s.overhead ? Math.min(...s.overhead.cells.map((c) => c.dataBytes)) : null,
    rows: kaazingRows,
  };

  return { headline, headlineFanoutClients: largestFanout, oneOff, kaazing, targets: targets(s) };
}

function targets(s: Scenarios): Target[] {
  const out: Target[] = [];
  const ws = smallCell(s, 'minimal', 'ws');
  out.push({
    id: 'ws-framing', transport: 'ws', text: 'WebSocket framing per small event, server to client', target: '= 2 B (the RFC 6455 floor)',
    measured: ws?.perEvent.downFramingBytes ?? null, unit: 'B',
    met: ws ? ws.perEvent.downFramingBytes <= (ws.floorFramingBytes ?? 2) && (ws.floorFramingBytes ?? 2) === 2 : null,
  });
  const sse = smallCell(s, 'minimal', 'sse');
  out.push({
    id: 'sse-framing', transport: 'sse', text: 'SSE framing per small event', target: sse?.floorFramingBytes != null ? `<= ${sse.floorFramingBytes} B (id/event/data lines + chunk framing)` : '<= id/event/data lines + chunk framing',
    measured: sse?.perEvent.downFramingBytes ?? null, unit: 'B',
    met: sse && sse.floorFramingBytes !== null ? sse.perEvent.downFramingBytes <= sse.floorFramingBytes + 1e-9 : null,
  });
  for (const [transport, boundMs] of [['ws', 0.5], ['sse', 0.5], ['iframe', 0.5], ['long-poll', 1]] as const) {
    const idle = s.latency?.results.find((r) => r.transport === transport);
    out.push({ id: `idle-p50-${transport}`, transport, text: 'One idle client on loopback, p50 latency', target: `< ${boundMs} ms`, measured: idle?.latency.p50Ms ?? null, unit: 'ms', met: idle ? idle.latency.p50Ms < boundMs : null });
  }
  for (const transport of ['ws', 'sse'] as const) {
    const run = s.reference?.runs.find((r) => r.kind === 'lab' && r.transport === transport)?.load;
    const big = run && run.clients >= 5000;
    const note = run && !big ? `measured with ${run.clients} clients (--quick); the target is for 5,000` : undefined;
    out.push({ id: `fanout-rate-${transport}`, transport, text: '5,000 clients: deliveries per second', target: '>= 60,000 /s', measured: run?.deliveriesPerSecond ?? null, unit: '/s', met: run && big ? run.deliveriesPerSecond >= 60_000 : null, note });
    out.push({ id: `fanout-p99-${transport}`, transport, text: '5,000 clients: p99 latency', target: '< 150 ms', measured: run?.latency.p99Ms ?? null, unit: 'ms', met: run && big ? run.latency.p99Ms < 150 : null, note });
  }
  for (const transport of ['sse', 'ws'] as const) {
    const cap = s.capacity?.runs.find((r) => r.transport === transport);
    const reached = cap ? Math.max(0, ...cap.steps.map((st) => st.clients)) : 0;
    const judged = cap && (cap.maxClientsHeld >= 9000 || reached >= 9000);
    out.push({ id: `held-${transport}`, transport, text: 'Clients held by one process', target: '>= 9,000', measured: cap?.maxClientsHeld ?? null, unit: 'clients', met: cap ? (judged ? cap.maxClientsHeld >= 9000 : null) : null, note: cap && !judged ? `the ramp went to ${reached} clients only` : undefined });
    out.push({ id: `memory-${transport}`, transport, text: 'Server memory per connection (RSS slope)', target: '< 15 KB (15,000 B)', measured: cap?.rssBytesPerConnection ?? null, unit: 'B', met: cap?.rssBytesPerConnection != null ? cap.rssBytesPerConnection < 15_000 : null });
  }
  for (const transport of ['sse', 'ws'] as const) {
    const ratio = s.reference?.ratios[transport];
    out.push({ id: `framework-${transport}`, transport, text: 'Lab against the bare reference subject (throughput: bare CPU per delivery / lab CPU per delivery)', target: '>= 0.9x', measured: ratio?.throughputRatio ?? null, unit: 'x', met: ratio?.throughputRatio != null ? ratio.throughputRatio >= 0.9 : null });
  }
  return out;
}

// ---------------------------------------------------------------- Markdown

const fmt = (value: number | null | undefined, digits = 0): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
const ms = (value: number | null | undefined) => (value === null || value === undefined ? 'n/a' : value < 1 ? fmt(value, 3) : value < 100 ? fmt(value, 1) : fmt(value, 0));
const table = (head: string[], rows: string[][]) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function machineLine(r: Results): string {
  const m = r.environment.machine;
  return `${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryBytes / 2 ** 30, 0)} GiB, ${m.platform} ${m.osRelease}; Node ${r.environment.node}; fastify ${r.environment.packages.fastify}, ws ${r.environment.packages.ws}; commit ${r.environment.git.commit?.slice(0, 10) ?? 'unknown'}`;
}

export function headlineTable(r: Results): string {
  const n = r.derived.headlineFanoutClients;
  return table(
    ['Transport', 'Overhead per event, Node client (B)', 'Overhead per event, browser heads (B)', 'One-off, browser (B)', 'Requests per event', 'Idle p50 (ms)', `p99, ${fmt(n)} clients (ms)`, 'Clients held by one process', 'Server memory per connection (B)'],
    r.derived.headline.map((h) => [
      h.label,
      fmt(h.overheadBytesPerEventMinimal, 1),
      fmt(h.overheadBytesPerEventBrowser, 1),
      fmt(h.oneOffBytesBrowser),
      fmt(h.requestsPerEvent, 2),
      ms(h.idleP50Ms),
      ms(h.fanoutP99Ms),
      h.maxClientsHeld === null ? 'n/a' : `${fmt(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`,
      fmt(h.rssBytesPerConnection),
    ]),
  );
}

export function targetsTable(r: Results): string {
  return table(['Target', 'Transport', 'Target value', 'Measured', 'Met'], r.derived.targets.map((t) => [
    t.text,
    t.transport ? r.labels[t.transport] : '',
    t.target,
    t.measured === null ? 'n/a' : `${t.unit === 'ms' ? ms(t.measured) : fmt(t.measured, t.unit === 'x' ? 2 : t.unit === 'B' && t.measured % 1 ? 2 : 0)} ${t.unit}`,
    t.met === null ? `not judged${t.note ? ` (${t.note})` : ''}` : t.met ? 'yes' : `**no**${t.note ? ` (${t.note})` : ''}`,
  ]));
}

export function summaryMarkdown(r: Results): string {
  const s = r.scenarios;
  const L = (id: TransportId) => r.labels[id];
  const parts: string[] = [];
  parts.push(`# Wirelab bench results${r.quick ? ' (quick run)' : ''}`);
  parts.push(`Run \`${r.id}\`, ${r.startedAt}, ${fmt(r.durationSeconds)} s, produced by \`${r.command}\`.\n\nMachine: ${machineLine(r)}. Browser heads: ${r.browserHeads.note} (${r.browserHeads.browser}, captured ${r.browserHeads.capturedAt}). Largest clock disagreement between processes: ${fmt(r.environment.clockSkewMaxMs * 1000, 1)} µs (corrected).`);
  if (r.errors.length) parts.push(`**Scenarios that failed:** ${r.errors.map((e) => `${e.scenario}: ${e.message.split('\n')[0]}`).join('; ')}`);
  parts.push('## Headline\n\nOverhead = every byte on the socket that is not event payload (HTTP heads, framing, envelopes), both directions, per delivered event, smallest payload; short polling polls once per event. One-off = what a connection costs before its first event (handshake or response head, preamble). Memory is the slope of the server\'s RSS over held connections.\n\n' + headlineTable(r));
  parts.push('## Targets\n\n' + targetsTable(r));

  if (s.overhead) {
    const rows = s.overhead.cells.map((c) => [c.profile, fmt(c.dataBytes), L(c.transport), fmt(c.eventJsonBytes, 0), fmt(c.perEvent.downHeadBytes, 1), fmt(c.perEvent.downFramingBytes, 2), fmt(c.perEvent.upHeadBytes, 1), fmt(c.perEvent.upFramingBytes, 1), fmt(c.perEvent.overheadBytes, 1), c.floorFramingBytes === null ? '' : fmt(c.floorFramingBytes, 2), fmt(c.requestsPerEvent, 3), fmt(c.connectionsPerEvent, 3)]);
    parts.push(`## Overhead per delivered event\n\n${s.overhead.cells[0]?.eventsPublished ?? ''} events per cell, ${r.parameters.overhead.intervalMs} ms apart; bytes counted by the server on its sockets (/stats). Payload = the event JSON.\n\n` + table(['Client', 'Data (B)', 'Transport', 'Event JSON (B)', 'Down head', 'Down framing', 'Up head', 'Up framing', 'Overhead', 'Framing floor', 'Requests/event', 'TCP connections/event'], rows));
    parts.push('### One-off costs, amortised\n\n' + table(['Client', 'Transport', 'One-off (B)', 'Per event (B)', ...[1, 10, 100, 1000].map((n) => `Per event over ${fmt(n)} events (B)`)], r.derived.oneOff.map((o) => [o.profile, L(o.transport), fmt(o.oneOffBytes), fmt(o.perEventOverheadBytes, 1), ...o.amortised.map((a) => fmt(a.overheadBytesPerEvent, 1))])));
  }
  if (s.shortPollGrid) {
    parts.push(`## Short polling: interval against event rate\n\n${s.shortPollGrid.cells[0]?.clients ?? ''} clients per cell at random phases, ${fmt(s.shortPollGrid.durationMs / 1000, 0)} s, ${s.shortPollGrid.dataBytes} B data.\n\n` + table(['Interval (ms)', 'Events/s', 'Polls', 'Empty polls', 'Empty share', 'Polls per event', 'Overhead per event (B)', 'Mean latency (ms)', 'Half interval (ms)', 'p50 (ms)', 'p99 (ms)'], s.shortPollGrid.cells.map((c) => [fmt(c.intervalMs), fmt(c.ratePerSecond), fmt(c.polls), fmt(c.emptyPolls), `${fmt(c.emptyPollShare * 100, 0)}%`, fmt(c.pollsPerEvent, 2), fmt(c.overheadBytesPerEvent, 0), ms(c.latency.meanMs), ms(c.expectedMeanLatencyMs), ms(c.latency.p50Ms), ms(c.latency.p99Ms)])));
  }
  if (s.latency) {
    parts.push(`## Latency, one idle client\n\n${r.parameters.latency.events} events ${s.latency.intervalMs} ms apart; publish (\`at\`) to receipt in a separate client process.\n\n` + table(['Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Expected mean (ms)'], s.latency.results.map((x) => [L(x.transport), ms(x.latency.p50Ms), ms(x.latency.p90Ms), ms(x.latency.p99Ms), ms(x.latency.maxMs), ms(x.expectedMeanLatencyMs)])));
  }
  if (s.fanout) {
    parts.push(`## Latency under fan-out\n\n${s.fanout.ratePerSecond} events/s to every client; short polling every ${fmt(s.fanout.shortPollIntervalMs)} ms.\n\n` + table(['Clients', 'Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Deliveries', 'Deliveries/s', 'Server CPU per delivery (µs)', 'Requests per delivery', 'Errors'], s.fanout.runs.map((x) => [fmt(x.clients), L(x.transport), ms(x.latency.p50Ms), ms(x.latency.p90Ms), ms(x.latency.p99Ms), ms(x.latency.maxMs), `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`, fmt(x.deliveriesPerSecond), fmt(x.serverCpuMicrosPerDelivery, 1), fmt(x.requestsPerDelivery, 2), fmt(x.clientErrors)])));
  }
  if (s.rtt) {
    parts.push(`## Through a simulated round trip\n\nAn event every ${s.rtt.intervalMs} ms, faster than one per round trip; short polling every ${s.rtt.shortPollIntervalMs} ms.\n\n` + table(['RTT (ms)', 'Transport', 'p50 (ms)', 'mean (ms)', 'p99 (ms)', 'Expected mean (ms)', 'Requests per event', 'Events per read'], s.rtt.runs.map((x) => [fmt(x.rttMs), L(x.transport), ms(x.latency.p50Ms), ms(x.latency.meanMs), ms(x.latency.p99Ms), ms(x.expectedMeanLatencyMs), fmt(x.requestsPerEvent, 2), fmt(x.eventsPerRead, 2)])));
  }
  if (s.capacity) {
    parts.push(`## Connections held by one server process\n\nA ramp on a fresh lab process per transport; at each step ${s.capacity.probeEvents} probe events measure latency.\n\n` + table(['Transport', 'Held', 'Stopped by', 'RSS per connection (B)', 'Heap per connection (B)', 'Steps (clients: p99 ms)'], s.capacity.runs.map((x) => [L(x.transport), fmt(x.maxClientsHeld), x.stopReason, fmt(x.rssBytesPerConnection), fmt(x.heapBytesPerConnection), x.steps.map((st) => `${fmt(st.clients)}: ${ms(st.latency.p99Ms)}`).join(', ')])));
  }
  if (s.autocannon) {
    const a = s.autocannon;
    parts.push(`## Short-poll endpoint under autocannon\n\n\`${a.url}\` (empty answers), ${a.connections} connections, ${a.durationSeconds} s: **${fmt(a.requestsPerSecond)} requests/s**, p50 ${ms(a.latency.p50Ms)} ms, p99 ${ms(a.latency.p99Ms)} ms (from autocannon's fractional response times; its own histogram reads p50 ${a.autocannonLatencyMs.p50} ms in whole ms), ${fmt(a.serverCpuMicrosPerRequest, 1)} µs of server CPU per request, ${fmt(a.requestBytesPerRequest)} B in and ${fmt(a.responseBytesPerRequest)} B out per request; ${a.non2xx} non-2xx, ${a.errors} errors.`);
  }
  if (s.reference) {
    const x = s.reference;
    parts.push(`## What the framework costs\n\n${fmt(x.clients)} clients at ${x.ratePerSecond} events/s, each subject in a fresh process.\n\n` + table(['Subject', 'Idle p50 (ms)', 'p50 (ms)', 'p99 (ms)', 'Deliveries/s', 'Server CPU per delivery (µs)', 'RSS per connection (B)'], x.runs.map((run) => [run.subject, ms(run.singleClient.latency.p50Ms), ms(run.load.latency.p50Ms), ms(run.load.latency.p99Ms), fmt(run.load.deliveriesPerSecond), fmt(run.load.serverCpuMicrosPerDelivery, 2), fmt(run.rssBytesPerConnection)])) + '\n\n' + Object.entries(x.ratios).map(([t, v]) => `${L(t as TransportId)}: the lab runs at ${fmt(v.throughputRatio, 2)}x the bare subject's throughput (CPU per delivery), ${fmt(v.memoryRatio, 2)}x its memory efficiency.`).join(' '));
  }
  const k = r.derived.kaazing;
  if (k.rows.length > 2) {
    parts.push(`## The Kaazing table, measured\n\n${k.source}: ${KAAZING.pollingHeaderBytes} B of headers per poll against ${KAAZING.webSocketFrameBytes} B per WebSocket frame, every client receiving one event per second. Overhead only, as in the original (no TCP/IP headers, no payload); measured rows use Chromium's request heads and ${k.dataBytes} B of data. Mbps (SI) = 10^6 bit/s; Mibit/s (binary) = 2^20 bit/s, the unit the 2010 table called "Mbps".\n\n` + table(['Row', 'B per event', ...k.clients.flatMap((n) => [`${fmt(n)} clients, Mbps (SI)`, `${fmt(n)} clients, Mibit/s`])], k.rows.map((row) => [row.label, fmt(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [fmt(b.mbpsSI, 3), fmt(b.mbpsBinary, 3)])])) + `\n\nThe 2010 table printed ${k.published.pollingMbps.join(' / ')} and ${k.published.webSocketMbps.join(' / ')} Mbps: the binary columns above.`);
  }
  parts.push(`## Method\n\nThe lab runs as its own process (\`bench/lab-server.ts\`, the app from \`server/app.ts\` with ${Object.entries(r.serverSettings).map(([k2, v]) => `${k2}=${v}`).join(', ')}); clients run in ${r.parameters.quick ? 'separate' : 'several separate'} worker processes through the lab's drivers (\`bench/drivers\`), from 127.x.y.z source addresses. Bytes come from the server's own socket counters (/stats); latency is the event's \`at\` (publish time) to the client's receipt, with each process's clock offset measured against the shared monotonic clock and subtracted. Heartbeats are off inside measured windows. TCP/IP headers are not counted (neither does Kaazing's table).`);
  return parts.join('\n\n') + '\n';
}

/** Writes runs/<id>.json, latest.json and summary.md under `outDir`; returns the paths. */
export function writeResults(results: Results, outDir: string): { runFile: string; latestFile: string; summaryFile: string } {
  mkdirSync(path.join(outDir, 'runs'), { recursive: true });
  const json = `${JSON.stringify(results)}\n`;
  const runFile = path.join(outDir, 'runs', `${results.id}.json`);
  const latestFile = path.join(outDir, 'latest.json');
  const summaryFile = path.join(outDir, 'summary.md');
  writeFileSync(runFile, json);
  writeFileSync(latestFile, json);
  writeFileSync(summaryFile, summaryMarkdown(results));
  return { runFile, latestFile, summaryFile };
}

export { TRANSPORT_IDS };
