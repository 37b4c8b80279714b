/**
 * The figures derived from a run's scenarios (`derived` in the results JSON): the
 * headline table, one-off costs amortised, the Kaazing table measured, the wires
 * side by side (protocols.ts), the cluster (cluster-figures.ts) and the targets
 * (targets.ts). Pure functions of the raw figures: a reader can derive them again.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { OverheadClient } from '../scenarios/overhead.ts';
import { type OtherWireId, WIRE_IDS, WIRE_LABELS, type WireId } from '../wires.ts';
import { clusterFigures } from './cluster-figures.ts';
import { type DeriveOptions, protocols } from './protocols.ts';
import { type Scenarios, fanoutRuns, latencyResults, oneOffBytes, overheadCells, round, smallCell, smallestPayload } from './rows.ts';
import { targets } from './targets.ts';

export type { DeriveOptions };

export const KAAZING = {
  source: 'Kaazing, "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web" (2010)',
  pollingHeaderBytes: 871,
  webSocketFrameBytes: 2,
  clients: [1_000, 10_000, 100_000],
  /** The published figures, in Mbps, which are binary megabits (2^20 bit) per second. */
  publishedPollingMbps: [6.6, 66, 665],
  publishedWebSocketMbps: [0.015, 0.153, 1.526],
};

/** One transport's headline figures over one wire. */
function headlineWire(s: Scenarios, transport: TransportId, wire: WireId) {
  const minimal = smallCell(s, 'minimal', transport, wire);
  const browser = smallCell(s, 'browser', transport, wire);
  const idle = latencyResults(s, wire).find((r) => r.transport === transport);
  // The largest fan-out this wire ran (the TLS wires stop lower: parameters.ts tlsClients).
  const runs = fanoutRuns(s, wire).filter((r) => r.transport === transport);
  const fan = runs.length ? runs.reduce((a, b) => (b.clients > a.clients ? b : a)) : undefined;
  return {
    overheadBytesPerEventMinimal: minimal?.perEvent.overheadBytes ?? null,
    overheadBytesPerEventBrowser: browser?.perEvent.overheadBytes ?? null,
    /** Who played the browser: Node replaying Chromium's heads, or (HTTP/2) Chromium itself. */
    browserClient: (browser?.client ?? null) as OverheadClient | null,
    oneOffBytesBrowser: browser ? oneOffBytes(browser) : null,
    requestsPerEvent: minimal?.perEvent.requests ?? null,
    idleP50Ms: idle?.latency.p50Ms ?? null,
    fanoutClients: fan?.clients ?? null,
    fanoutP99Ms: fan?.latency.p99Ms ?? null,
    fanoutCpuMicrosPerDelivery: fan?.serverCpuMicrosPerDelivery ?? null,
  };
}

type HeadlineWire = ReturnType<typeof headlineWire>;

/** The headline table: one row per transport, plain HTTP/1.1 at the top level and every wire in `byWire`. */
function headline(s: Scenarios, transports: TransportId[], labels: Record<TransportId, string>) {
  return transports.map((transport) => {
    const cap = s.capacity?.runs.find((r) => r.transport === transport);
    const byWire = Object.fromEntries(WIRE_IDS.map((w) => [w, headlineWire(s, transport, w)])) as Record<WireId, HeadlineWire>;
    const h1 = byWire.h1;
    return {
      transport,
      label: labels[transport],
      overheadBytesPerEventMinimal: h1.overheadBytesPerEventMinimal,
      overheadBytesPerEventBrowser: h1.overheadBytesPerEventBrowser,
      oneOffBytesBrowser: h1.oneOffBytesBrowser,
      requestsPerEvent: h1.requestsPerEvent,
      idleP50Ms: h1.idleP50Ms,
      fanoutClients: h1.fanoutClients,
      fanoutP99Ms: h1.fanoutP99Ms,
      fanoutCpuMicrosPerDelivery: h1.fanoutCpuMicrosPerDelivery,
      maxClientsHeld: cap?.maxClientsHeld ?? null,
      capacityStopReason: cap?.stopReason ?? null,
      rssBytesPerConnection: cap?.rssBytesPerConnection ?? null,
      byWire,
    };
  });
}

/** The events a connection's one-off cost is spread over in the amortised table. */
export const AMORTISED_EVENTS = [1, 10, 100, 1000];

/** One-off costs over one wire, and what they come to per event when a connection carries N events. */
function oneOffRows(s: Scenarios, wire: WireId, small: number | null) {
  return overheadCells(s, wire)
    .filter((c) => c.dataBytes === small)
    .map((c) => ({
      wire,
      profile: c.profile,
      transport: c.transport,
      client: c.client,
      oneOffBytes: oneOffBytes(c),
      oneOffDownHeadBytes: c.oneOff.down.headBytes,
      oneOffDownFramingBytes: c.oneOff.down.framingBytes,
      oneOffUpHeadBytes: c.oneOff.up.headBytes,
      perEventOverheadBytes: c.perEvent.overheadBytes,
      amortised: AMORTISED_EVENTS.map((n) => ({
        events: n,
        overheadBytesPerEvent: round((oneOffBytes(c) + n * c.perEvent.overheadBytes) / n, 1),
      })),
    }));
}

const bandwidth = (bytes: number, clients: number) => ({
  clients,
  bitsPerSecond: bytes * 8 * clients,
  mbpsSI: round((bytes * 8 * clients) / 1e6, 3),
  mbpsBinary: round((bytes * 8 * clients) / 2 ** 20, 3),
});

/** The Kaazing table, measured: one event per client per second, overhead only (like the original: no TCP/IP, no payload). */
function kaazing(s: Scenarios, transports: TransportId[], labels: Record<TransportId, string>, small: number | null) {
  const measuredRow = (transport: TransportId, wire: WireId) => {
    const cell = smallCell(s, 'browser', transport, wire);
    if (!cell) return [];
    const how =
      wire === 'h1' ? 'measured, browser heads' : cell.client === 'chromium' ? 'measured, Chromium' : 'measured, browser heads replayed';
    const over = wire === 'h1' ? '' : ` over ${WIRE_LABELS[wire]}`;
    return [
      {
        source: wire === 'h1' ? 'measured' : 'measured-h2',
        wire,
        transport,
        label: `${labels[transport]}${over} (${how})`,
        bytesPerEvent: cell.perEvent.overheadBytes,
        rows: KAAZING.clients.map((n) => bandwidth(cell.perEvent.overheadBytes, n)),
      },
    ];
  };
  const published = (label: string, bytesPerEvent: number) => ({
    source: 'kaazing-2010',
    wire: null as WireId | null,
    transport: null as TransportId | null,
    label,
    bytesPerEvent,
    rows: KAAZING.clients.map((n) => bandwidth(bytesPerEvent, n)),
  });
  const rows = [
    published('Polling (Kaazing 2010, headers only)', KAAZING.pollingHeaderBytes),
    published('WebSocket (Kaazing 2010, frame only)', KAAZING.webSocketFrameBytes),
    ...transports.flatMap((transport) => measuredRow(transport, 'h1')),
    // HTTP/2 rows for the transports whose cost per event is a request: polling, and WebSocket to compare.
    ...transports.filter((t) => t === 'short-poll' || t === 'long-poll' || t === 'ws').flatMap((transport) => measuredRow(transport, 'h2')),
  ];
  return {
    source: KAAZING.source,
    eventsPerClientPerSecond: 1,
    clients: KAAZING.clients,
    published: {
      pollingMbps: KAAZING.publishedPollingMbps,
      webSocketMbps: KAAZING.publishedWebSocketMbps,
      unit: 'Mbps in the 2010 table = binary megabits (2^20 bit/s); SI Mbps = 10^6 bit/s',
    },
    dataBytes: small,
    rows,
  };
}

/** The figures derived from the scenarios: headline, one-off costs, the Kaazing table, the protocols side by side, the targets. */
export function derive(
  s: Scenarios,
  transports: TransportId[],
  labels: Record<TransportId, string>,
  options: DeriveOptions = { quick: false, h2Heads: null, h1HeadBytes: null },
) {
  // The headline's fan-out column: the largest count plain HTTP/1.1 ran.
  const h1Counts = fanoutRuns(s, 'h1').map((r) => r.clients);
  const small = smallestPayload(s);
  const others = WIRE_IDS.filter((w): w is OtherWireId => w !== 'h1');
  return {
    headline: headline(s, transports, labels),
    headlineFanoutClients: h1Counts.length ? Math.max(...h1Counts) : null,
    oneOff: oneOffRows(s, 'h1', small),
    oneOffByWire: Object.fromEntries(others.map((w) => [w, oneOffRows(s, w, small)])) as Record<OtherWireId, ReturnType<typeof oneOffRows>>,
    kaazing: kaazing(s, transports, labels, small),
    protocols: protocols(s, transports, options),
    cluster: clusterFigures(s.cluster, transports),
    targets: targets(s, options.quick),
  };
}

/** What `derive` returns: `derived` in the results JSON. */
export type Derived = ReturnType<typeof derive>;
