/**
 * results/summary.md's section per scenario: every row the scenario kept, each
 * table with the sentence that says how it was measured.
 */
import { TRANSPORT_IDS, type TransportId } from '../../server/transports/registry.ts';
import { WIRE_IDS, type WireId } from '../wires.ts';
import { AMORTISED_EVENTS, KAAZING } from './derive.ts';
import { fmt, ms, section, table, times } from './format.ts';
import { fanoutRuns, latencyResults, overheadCells, rttRuns } from './rows.ts';
import type { Results } from './schema.ts';

/** Sort order of rows: by transport as the registry lists them, then by wire. */
type Row = { transport: TransportId; wire?: WireId };
const byTransportThenWire = (a: Row, b: Row) =>
  TRANSPORT_IDS.indexOf(a.transport) - TRANSPORT_IDS.indexOf(b.transport) ||
  WIRE_IDS.indexOf(a.wire ?? 'h1') - WIRE_IDS.indexOf(b.wire ?? 'h1');

const wireLabel = (r: Results, w: WireId | undefined) => r.wireLabels[w ?? 'h1'];

export function overheadSections(r: Results): string[] {
  const s = r.scenarios;
  const L = (id: TransportId) => r.labels[id];
  const cells = WIRE_IDS.flatMap((w) => overheadCells(s, w));
  const rows = cells.map((c) => [
    wireLabel(r, c.wire),
    c.client === 'chromium' ? 'Chromium' : c.profile,
    fmt(c.dataBytes),
    L(c.transport),
    fmt(c.eventJsonBytes, 0),
    fmt(c.perEvent.downHeadBytes, 1),
    fmt(c.perEvent.downFramingBytes, 2),
    fmt(c.perEvent.upHeadBytes, 1),
    fmt(c.perEvent.upFramingBytes, 1),
    fmt(c.perEvent.overheadBytes, 1),
    c.floorFramingBytes === null ? '' : fmt(c.floorFramingBytes, 2),
    fmt(c.requestsPerEvent, 3),
    fmt(c.connectionsPerEvent, 3),
  ]);
  const oneOffAll = [...r.derived.oneOff.map((o) => ({ ...o, wire: 'h1' as WireId })), ...Object.values(r.derived.oneOffByWire).flat()];
  return [
    section(
      '## Overhead per delivered event',
      `${cells[0]?.eventsPublished ?? ''} events per cell, ${r.parameters.overhead.intervalMs} ms apart; bytes counted by the server on ` +
        'its sockets (/stats; over HTTP/2 its frame meter, over TLS the plaintext). Payload = the event JSON. Over HTTP/2 the framing ' +
        "floor is the transport's own (no chunk framing); each DATA frame adds 9 B, and a frame may carry two events queued together.",
      table(
        [
          'Wire',
          'Client',
          'Data (B)',
          'Transport',
          'Event JSON (B)',
          'Down head',
          'Down framing',
          'Up head',
          'Up framing',
          'Overhead',
          'Framing floor',
          'Requests/event',
          'Connections/event',
        ],
        rows,
      ),
    ),
    section(
      '### One-off costs, amortised',
      'Over TLS a connection also pays its TLS handshake, and over HTTP/2 the connection preface and SETTINGS, shared by all its ' +
        'streams (see "What TLS costs"); they are not in these figures.',
      table(
        [
          'Wire',
          'Client',
          'Transport',
          'One-off (B)',
          'Per event (B)',
          ...AMORTISED_EVENTS.map((n) => `Per event over ${fmt(n)} events (B)`),
        ],
        oneOffAll.map((o) => [
          wireLabel(r, o.wire),
          o.client === 'chromium' ? 'Chromium' : o.profile,
          L(o.transport),
          fmt(o.oneOffBytes),
          fmt(o.perEventOverheadBytes, 1),
          ...o.amortised.map((a) => fmt(a.overheadBytesPerEvent, 1)),
        ]),
      ),
    ),
  ];
}

export function shortPollGridSection(r: Results): string {
  const g = r.scenarios.shortPollGrid!;
  return section(
    '## Short polling: interval against event rate',
    `${g.cells[0]?.clients ?? ''} clients per cell at random phases, ${fmt(g.durationMs / 1000, 0)} s, ${g.dataBytes} B data, HTTP/1.1.`,
    table(
      [
        'Interval (ms)',
        'Events/s',
        'Polls',
        'Empty polls',
        'Empty share',
        'Polls per event',
        'Overhead per event (B)',
        'Mean latency (ms)',
        'Half interval (ms)',
        'p50 (ms)',
        'p99 (ms)',
      ],
      g.cells.map((c) => [
        fmt(c.intervalMs),
        fmt(c.ratePerSecond),
        fmt(c.polls),
        fmt(c.emptyPolls),
        `${fmt(c.emptyPollShare * 100, 0)}%`,
        fmt(c.pollsPerEvent, 2),
        fmt(c.overheadBytesPerEvent, 0),
        ms(c.latency.meanMs),
        ms(c.expectedMeanLatencyMs),
        ms(c.latency.p50Ms),
        ms(c.latency.p99Ms),
      ]),
    ),
  );
}

export function latencySection(r: Results): string {
  const s = r.scenarios;
  const all = WIRE_IDS.flatMap((w) => latencyResults(s, w));
  return section(
    '## Latency, one idle client',
    `${r.parameters.latency.events} events ${s.latency!.intervalMs} ms apart; publish (\`at\`) to receipt in a separate client process.`,
    table(
      ['Wire', 'Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Expected mean (ms)'],
      all.map((x) => [
        wireLabel(r, x.wire),
        r.labels[x.transport],
        ms(x.latency.p50Ms),
        ms(x.latency.p90Ms),
        ms(x.latency.p99Ms),
        ms(x.latency.maxMs),
        ms(x.expectedMeanLatencyMs),
      ]),
    ),
  );
}

export function fanoutSection(r: Results): string {
  const s = r.scenarios;
  const all = WIRE_IDS.flatMap((w) => fanoutRuns(s, w)).sort((a, b) => a.clients - b.clients || byTransportThenWire(a, b));
  return section(
    '## Latency under fan-out',
    `${s.fanout!.ratePerSecond} events/s to every client; short polling every ${fmt(s.fanout!.shortPollIntervalMs)} ms.`,
    table(
      [
        'Clients',
        'Transport',
        'Wire',
        'p50 (ms)',
        'p90 (ms)',
        'p99 (ms)',
        'max (ms)',
        'Deliveries',
        'Deliveries/s',
        'Server CPU per delivery (µs)',
        'Requests per delivery',
        'Connect (s)',
        'Errors',
      ],
      all.map((x) => [
        fmt(x.clients),
        r.labels[x.transport],
        wireLabel(r, x.wire),
        ms(x.latency.p50Ms),
        ms(x.latency.p90Ms),
        ms(x.latency.p99Ms),
        ms(x.latency.maxMs),
        `${fmt(x.deliveries)} / ${fmt(x.deliveriesExpected)}`,
        fmt(x.deliveriesPerSecond),
        fmt(x.serverCpuMicrosPerDelivery, 1),
        fmt(x.requestsPerDelivery, 2),
        fmt(x.connectSeconds, 2),
        fmt(x.clientErrors),
      ]),
    ),
  );
}

export function rttSection(r: Results): string {
  const s = r.scenarios;
  const all = WIRE_IDS.flatMap((w) => rttRuns(s, w)).sort((a, b) => a.rttMs - b.rttMs || byTransportThenWire(a, b));
  return section(
    '## Through a simulated round trip',
    `An event every ${s.rtt!.intervalMs} ms, faster than one per round trip; short polling every ${s.rtt!.shortPollIntervalMs} ms.`,
    table(
      ['RTT (ms)', 'Transport', 'Wire', 'p50 (ms)', 'mean (ms)', 'p99 (ms)', 'Expected mean (ms)', 'Requests per event', 'Events per read'],
      all.map((x) => [
        fmt(x.rttMs),
        r.labels[x.transport],
        wireLabel(r, x.wire),
        ms(x.latency.p50Ms),
        ms(x.latency.meanMs),
        ms(x.latency.p99Ms),
        ms(x.expectedMeanLatencyMs),
        fmt(x.requestsPerEvent, 2),
        fmt(x.eventsPerRead, 2),
      ]),
    ),
  );
}

export function capacitySection(r: Results): string {
  const c = r.scenarios.capacity!;
  return section(
    '## Connections held by one server process',
    `A ramp on a fresh lab process per transport, HTTP/1.1; at each step ${c.probeEvents} probe events measure latency.`,
    table(
      ['Transport', 'Held', 'Stopped by', 'RSS per connection (B)', 'Heap per connection (B)', 'Steps (clients: p99 ms)'],
      c.runs.map((x) => [
        r.labels[x.transport],
        fmt(x.maxClientsHeld),
        x.stopReason,
        fmt(x.rssBytesPerConnection),
        fmt(x.heapBytesPerConnection),
        x.steps.map((st) => `${fmt(st.clients)}: ${ms(st.latency.p99Ms)}`).join(', '),
      ]),
    ),
  );
}

export function autocannonSection(r: Results): string {
  const a = r.scenarios.autocannon!;
  return (
    `## Short-poll endpoint under autocannon\n\n\`${a.url}\` (empty answers, HTTP/1.1), ${a.connections} connections, ` +
    `${a.durationSeconds} s: **${fmt(a.requestsPerSecond)} requests/s**, p50 ${ms(a.latency.p50Ms)} ms, p99 ${ms(a.latency.p99Ms)} ms ` +
    `(from autocannon's fractional response times; its own histogram reads p50 ${a.autocannonLatencyMs.p50} ms in whole ms), ` +
    `${fmt(a.serverCpuMicrosPerRequest, 1)} µs of server CPU per request, ${fmt(a.requestBytesPerRequest)} B in and ` +
    `${fmt(a.responseBytesPerRequest)} B out per request; ${a.non2xx} non-2xx, ${a.errors} errors.`
  );
}

export function referenceSection(r: Results): string {
  const x = r.scenarios.reference!;
  const ratios = Object.entries(x.ratios).map(
    ([t, v]) =>
      `${r.labels[t as TransportId]}: the lab runs at ${times(v.throughputRatio)} ` +
      `the bare subject's throughput (CPU per delivery), ${times(v.memoryRatio)} its memory efficiency.`,
  );
  return section(
    '## What the framework costs',
    `${fmt(x.clients)} clients at ${x.ratePerSecond} events/s, each subject in a fresh process, HTTP/1.1.`,
    table(
      ['Subject', 'Idle p50 (ms)', 'p50 (ms)', 'p99 (ms)', 'Deliveries/s', 'Server CPU per delivery (µs)', 'RSS per connection (B)'],
      x.runs.map((run) => [
        run.subject,
        ms(run.singleClient.latency.p50Ms),
        ms(run.load.latency.p50Ms),
        ms(run.load.latency.p99Ms),
        fmt(run.load.deliveriesPerSecond),
        fmt(run.load.serverCpuMicrosPerDelivery, 2),
        fmt(run.rssBytesPerConnection),
      ]),
    ),
    ratios.join(' '),
  );
}

export function kaazingSection(r: Results): string {
  const k = r.derived.kaazing;
  return section(
    '## The Kaazing table, measured',
    `${k.source}: ${KAAZING.pollingHeaderBytes} B of headers per poll against ${KAAZING.webSocketFrameBytes} B per WebSocket frame, ` +
      'every client receiving one event per second. Overhead only, as in the original (no TCP/IP headers, no TLS records, no ' +
      "payload); measured rows use Chromium's request heads (over HTTP/2, Chromium itself) and " +
      `${k.dataBytes} B of data. Mbps (SI) = 10^6 bit/s; Mibit/s (binary) = 2^20 bit/s, the unit the 2010 table called "Mbps".`,
    table(
      ['Row', 'B per event', ...k.clients.flatMap((n) => [`${fmt(n)} clients, Mbps (SI)`, `${fmt(n)} clients, Mibit/s`])],
      k.rows.map((row) => [row.label, fmt(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [fmt(b.mbpsSI, 3), fmt(b.mbpsBinary, 3)])]),
    ),
    `The 2010 table printed ${k.published.pollingMbps.join(' / ')} and ${k.published.webSocketMbps.join(' / ')} Mbps: the binary ` +
      'columns above.',
  );
}

export function methodSection(r: Results): string {
  const settings = Object.entries(r.serverSettings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return (
    '## Method\n\nThe lab runs as its own process (`bench/lab-server.ts`, the app from `server/app.ts` with ' +
    `${settings}); clients run in ${r.parameters.quick ? 'separate' : 'several separate'} worker processes through the lab's drivers ` +
    `(\`server/clients\`), from 127.x.y.z source addresses, over ${r.parameters.wires.map((w) => r.wireLabels[w]).join(', ')} for the ` +
    "overhead, latency, fan-out and round-trip scenarios (the others over HTTP/1.1). Bytes come from the server's own counters " +
    "(/stats: socket counters over HTTP/1.1, the plaintext inside TLS, the frame meter over HTTP/2); latency is the event's `at` " +
    "(publish time) to the client's receipt, with each process's clock offset measured against the shared monotonic clock and " +
    "subtracted. Heartbeats are off inside measured windows. TCP/IP headers are not counted (neither does Kaazing's table)."
  );
}
