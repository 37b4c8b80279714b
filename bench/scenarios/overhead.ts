/**
 * Overhead per delivered event, counted on the server's sockets (/stats): bytes
 * down and up, split into HTTP head, framing and payload, for each wire (HTTP/1.1,
 * HTTP/1.1 over TLS, HTTP/2), payload size and client profile.
 *
 * One client per transport, all five at once (each transport has its own
 * counters, so they do not mix). Three windows per cell:
 *   oneOff  - from before connecting until every client is connected and waiting
 *             (the WebSocket handshake, a stream's response head and preamble);
 *   window  - the N events, until every client has all of them: the per-event cost;
 *   closing - from there until the server has seen every connection close.
 * Short polling polls at the event spacing (one poll per event, Kaazing's case);
 * the short-poll grid varies that.
 *
 * Who plays the browser: over HTTP/1.1 a head is plain text, so Node drivers
 * replay Chromium's captured heads byte for byte. Over HTTP/2 a head is HPACK,
 * whose size depends on the encoder (browser-h2.ts), so the browser profile over
 * HTTP/2 is Chromium itself, five clients in one page on one connection. Without
 * Chromium it falls back to Node replaying the header list (`client: node-replay`).
 *
 * Over TLS each group also keeps its TLS counters (handshake, record bytes), and
 * over HTTP/2 the connection's own frames (preface, SETTINGS, PING, the
 * connection's WINDOW_UPDATE), which belong to no one transport: `groups`.
 */
import type { TrafficStats } from '../../server/stats.ts';
import type { TlsTraffic } from '../../server/tls-stats.ts';
import { HELD_TRANSPORTS, type TransportId } from '../../server/transports/registry.ts';
import { ChromiumOverheadClients } from '../browser-h2.ts';
import { type ClientSet, poll, sleep } from '../cluster.ts';
import type { Profile } from '../parameters.ts';
import { type OtherWireId, type WireId, isTls, protocolOf, trafficOf, wirePort } from '../wires.ts';
import { type LabStats, type RunContext, type WindowCounts, counts, delta, headersFor, labStats, round, tlsDelta } from './context.ts';

/** Who made the requests of a cell (see the file's comment). */
export type OverheadClient = 'node' | 'chromium' | 'node-replay';

export interface OverheadCell {
  wire: WireId;
  client: OverheadClient;
  profile: Profile;
  dataBytes: number;
  transport: TransportId;
  eventsPublished: number;
  eventsReceived: number;
  /** Average size of one event's JSON (the payload every transport carries). */
  eventJsonBytes: number;
  oneOff: WindowCounts;
  window: WindowCounts;
  closing: WindowCounts;
  perEvent: {
    downHeadBytes: number;
    downFramingBytes: number;
    downPayloadBytes: number;
    upHeadBytes: number;
    upFramingBytes: number;
    upPayloadBytes: number;
    /** Everything but the payload, both ways: what the transport costs per event. */
    overheadBytes: number;
    requests: number;
    connectionsOpened: number;
  };
  /** Over the whole cell, connecting and closing included. */
  requestsPerEvent: number;
  connectionsPerEvent: number;
  /** The least framing the wire format allows per event (null where no floor is defined). */
  floorFramingBytes: number | null;
  /** What one request head and one response head weighed, as the server read and wrote them. */
  requestHeadBytes: number | null;
  responseHeadBytes: number | null;
}

/** A window of the TLS counters of every connection in a group (all five transports together). */
export type TlsWindow = Omit<TlsTraffic, 'connectionsOpen'>;

/** What a group of cells (one wire, profile and payload; five transports at once) shares. */
export interface OverheadGroup {
  wire: OtherWireId;
  client: OverheadClient;
  profile: Profile;
  dataBytes: number;
  eventsPublished: number;
  /** Deliveries in the window, all transports together (events x transports). */
  deliveries: number;
  tls: { oneOff: TlsWindow; window: TlsWindow; closing: TlsWindow; recordBytesPerDelivery: number | null } | null;
  /** HTTP/2 only: the connections' own frames, which no transport owns. */
  http2Connection: {
    oneOff: { bytesIn: number; bytesOut: number };
    window: { bytesIn: number; bytesOut: number };
    bytesPerDelivery: number | null;
  } | null;
}

/** The scenario's result: HTTP/1.1 cells where they always were, the other wires in `byWire`, same shape. */
export interface OverheadResult {
  cells: OverheadCell[];
  eventType: string;
  byWire: Partial<Record<OtherWireId, { cells: OverheadCell[]; groups: OverheadGroup[] }>>;
}

/** HTTP/1.1 chunked encoding around `size` bytes: hex size, CRLF, the data, CRLF. */
const chunkFraming = (size: number) => size.toString(16).length + 4;
/** An HTTP/2 DATA frame's header (RFC 9113 4.1): length, type, flags, stream id. */
export const H2_FRAME_HEADER_BYTES = 9;

/**
 * The framing floor of one event, from the wire formats themselves (not from the
 * server's code): what a correct implementation cannot avoid sending. Over TLS the
 * plaintext is the same as without. Over HTTP/2 there is no chunk framing: a DATA
 * frame header (9 B) carries the event instead, but one DATA frame may carry two
 * events that were queued together, so the floor is the transport's own framing
 * alone and a measure lies between it and the floor plus `H2_FRAME_HEADER_BYTES`.
 * Over HTTP/1.1 one chunk per event is the floor because the bench publishes each
 * event in a turn of the event loop of its own: from Node 24 a chunked response
 * sends the writes of one turn as one chunk (server-harness.ts runSchedule).
 */
export function floorFraming(transport: TransportId, seq: number, type: string, jsonBytes: number, wire: WireId = 'h1'): number | null {
  const h2 = wire === 'h2';
  switch (transport) {
    case 'ws':
      // RFC 6455 5.2: a server frame has no mask; 7-bit length up to 125, then 16-bit, then 64-bit.
      return jsonBytes <= 125 ? 2 : jsonBytes <= 65_535 ? 4 : 10;
    case 'sse': {
      const lines = `id: ${seq}\nevent: ${type}\ndata: \n\n`.length;
      return lines + (h2 ? 0 : chunkFraming(lines + jsonBytes));
    }
    case 'iframe': {
      const wrapper = '<script>parent.onEvent();</script>\n'.length;
      return wrapper + (h2 ? 0 : chunkFraming(wrapper + jsonBytes));
    }
    default:
      return null;
  }
}

/** The clients of one group, whoever they are: Node drivers in a worker, or Chromium. */
interface GroupClients {
  client: OverheadClient;
  record(fromSeq: number): Promise<void>;
  waitFor(seq: number): Promise<void>;
  /** Events each transport's client received since record(). */
  received(): Promise<Map<TransportId, number>>;
  stopRecording(): Promise<void>;
  close(): Promise<void>;
}

/** One Node driver per transport in a worker, over `wire`, with the profile's headers. */
async function nodeClients(
  context: RunContext,
  wire: WireId,
  profile: Profile,
  since: number,
  client: OverheadClient,
): Promise<GroupClients> {
  const { cluster, lab, params } = context;
  const sets = new Map<TransportId, ClientSet>();
  const baseUrl = `${wire === 'h1' ? 'http' : 'https'}://127.0.0.1:${wirePort(lab, wire)}`;
  for (const transport of params.transports) {
    sets.set(
      transport,
      await cluster.open(lab, transport, 1, {
        workers: 1,
        since,
        intervalMs: params.overhead.intervalMs,
        headers: headersFor(context, profile, transport, baseUrl, wire),
        wire,
      }),
    );
  }
  return {
    client,
    record: async (fromSeq) => {
      for (const set of sets.values()) await set.record(fromSeq);
    },
    waitFor: async (seq) => {
      for (const set of sets.values()) await set.waitFor(seq, 10_000);
    },
    received: async () => {
      const out = new Map<TransportId, number>();
      for (const [transport, set] of sets) out.set(transport, (await set.collect()).received);
      return out;
    },
    stopRecording: async () => {
      for (const set of sets.values()) await set.record(null);
    },
    close: async () => {
      for (const set of sets.values()) await set.close();
    },
  };
}

/** The five transports in one Chromium page over HTTP/2 (browser-h2.ts). */
async function chromiumClients(context: RunContext, since: number): Promise<GroupClients> {
  const { lab, params, browser } = context;
  const clients = await ChromiumOverheadClients.open(browser!, `https://127.0.0.1:${wirePort(lab, 'h2')}`, params.transports, since, {
    intervalMs: params.overhead.intervalMs,
    eventType: 'bench',
  });
  let received = new Map<TransportId, number>();
  return {
    client: 'chromium',
    record: (fromSeq) => clients.record(fromSeq),
    waitFor: (seq) => clients.waitFor(seq, 10_000),
    received: async () => {
      const status = await clients.status();
      received = new Map(params.transports.map((t) => [t, status[t]?.received ?? 0]));
      return received;
    },
    stopRecording: async () => {},
    close: () => clients.close(),
  };
}

/** Who plays a profile over a wire (see the file's comment). */
function clientFor(context: RunContext, wire: WireId, profile: Profile): OverheadClient {
  if (wire !== 'h2' || profile !== 'browser') return 'node';
  return context.browser ? 'chromium' : 'node-replay';
}

/** The TLS counters a group keeps (the gauge of open connections left out). */
const tlsWindow = (d: ReturnType<typeof tlsDelta>): TlsWindow => ({
  connectionsOpened: d.connectionsOpened,
  handshakeBytesIn: d.handshakeBytesIn,
  handshakeBytesOut: d.handshakeBytesOut,
  tcpBytesIn: d.tcpBytesIn,
  tcpBytesOut: d.tcpBytesOut,
  plaintextBytesIn: d.plaintextBytesIn,
  plaintextBytesOut: d.plaintextBytesOut,
  recordBytesIn: d.recordBytesIn,
  recordBytesOut: d.recordBytesOut,
});

/** One group: five clients at once over `wire`, `events` events of `dataBytes`; its cells and what they share. */
async function measureGroup(
  context: RunContext,
  wire: WireId,
  profile: Profile,
  dataBytes: number,
): Promise<{ cells: OverheadCell[]; group: OverheadGroup | null }> {
  const { lab, params } = context;
  const { events, intervalMs } = params.overhead;
  const transports = params.transports;
  const protocol = protocolOf(wire);
  const client = clientFor(context, wire, profile);
  const s0 = await labStats(lab);
  const clients =
    client === 'chromium' ? await chromiumClients(context, s0.lastSeq) : await nodeClients(context, wire, profile, s0.lastSeq, client);
  // Connected: every held transport waits in the feed, and short polling has polled.
  const heldWanted = transports.filter((t) => HELD_TRANSPORTS.has(t)).length;
  const sp = (s: LabStats) => s.transports['short-poll'].protocols[protocol].requests;
  await poll(
    () => labStats(lab),
    (s) => s.subscribers >= heldWanted && (!transports.includes('short-poll') || sp(s) > sp(s0)),
    10_000,
  );
  const s1 = await labStats(lab);
  const firstSeq = s1.lastSeq + 1;
  await clients.record(firstSeq);
  const published = await lab.child.call('publish', { count: events, intervalMs, dataBytes });
  await clients.waitFor(published.lastSeq);
  const received = await clients.received();
  const s2 = await labStats(lab);
  await clients.stopRecording();
  await clients.close();
  await poll(
    () => labStats(lab),
    (s) => transports.every((t) => s.transports[t].connectionsOpen === 0),
    10_000,
  );
  await sleep(20);
  const s3 = await labStats(lab);

  const traffic = (s: LabStats, t: TransportId): TrafficStats => trafficOf(s.transports[t], wire);
  const cells = transports.map((transport): OverheadCell => {
    const oneOff = delta(traffic(s0, transport), traffic(s1, transport));
    const window = delta(traffic(s1, transport), traffic(s2, transport));
    const closing = delta(traffic(s2, transport), traffic(s3, transport));
    const whole = delta(traffic(s0, transport), traffic(s3, transport));
    const n = window.eventsDelivered;
    const per = (value: number) => round(value / n, 3) ?? 0;
    const eventJsonBytes = window.bytesOut.payload / n;
    let floor: number | null = null;
    if (n > 0) {
      let sum = 0;
      let defined = true;
      for (let seq = published.firstSeq; seq <= published.lastSeq; seq++) {
        const f = floorFraming(transport, seq, 'bench', Math.round(eventJsonBytes), wire);
        if (f === null) defined = false;
        else sum += f;
      }
      floor = defined ? round(sum / events, 3) : null;
    }
    return {
      wire,
      client,
      profile,
      dataBytes,
      transport,
      eventsPublished: events,
      eventsReceived: received.get(transport) ?? 0,
      eventJsonBytes: round(eventJsonBytes, 2) ?? 0,
      oneOff: counts(oneOff),
      window: counts(window),
      closing: counts(closing),
      perEvent: {
        downHeadBytes: per(window.bytesOut.head),
        downFramingBytes: per(window.bytesOut.framing),
        downPayloadBytes: per(window.bytesOut.payload),
        upHeadBytes: per(window.bytesIn.head),
        upFramingBytes: per(window.bytesIn.framing),
        upPayloadBytes: per(window.bytesIn.payload),
        overheadBytes: per(window.bytesOut.head + window.bytesOut.framing + window.bytesIn.head + window.bytesIn.framing),
        requests: per(window.requests),
        connectionsOpened: per(window.connectionsOpened),
      },
      requestsPerEvent: round(whole.requests / n, 4) ?? 0,
      connectionsPerEvent: round(whole.connectionsOpened / n, 4) ?? 0,
      floorFramingBytes: floor,
      requestHeadBytes: whole.requests ? round(whole.bytesIn.head / whole.requests, 1) : null,
      responseHeadBytes: whole.requests ? round(whole.bytesOut.head / whole.requests, 1) : null,
    };
  });
  if (wire === 'h1') return { cells, group: null };

  const deliveries = cells.reduce((sum, c) => sum + c.window.eventsDelivered, 0);
  const tlsOf = (s: LabStats) => s.tls![protocol];
  const tlsParts =
    s0.tls && isTls(wire)
      ? {
          oneOff: tlsWindow(tlsDelta(tlsOf(s0), tlsOf(s1))),
          window: tlsWindow(tlsDelta(tlsOf(s1), tlsOf(s2))),
          closing: tlsWindow(tlsDelta(tlsOf(s2), tlsOf(s3))),
        }
      : null;
  const h2c = (a: LabStats, b: LabStats) => ({
    bytesIn: b.http2!.connection.bytesIn - a.http2!.connection.bytesIn,
    bytesOut: b.http2!.connection.bytesOut - a.http2!.connection.bytesOut,
  });
  const connection = wire === 'h2' && s0.http2 ? { oneOff: h2c(s0, s1), window: h2c(s1, s2) } : null;
  return {
    cells,
    group: {
      wire: wire as OtherWireId,
      client,
      profile,
      dataBytes,
      eventsPublished: events,
      deliveries,
      tls: tlsParts
        ? {
            ...tlsParts,
            recordBytesPerDelivery: deliveries
              ? round((tlsParts.window.recordBytesIn + tlsParts.window.recordBytesOut) / deliveries, 2)
              : null,
          }
        : null,
      http2Connection: connection
        ? {
            ...connection,
            bytesPerDelivery: deliveries ? round((connection.window.bytesIn + connection.window.bytesOut) / deliveries, 2) : null,
          }
        : null,
    },
  };
}

/** Estimated seconds of one group, for the progress bar. */
export const groupSeconds = (p: { overhead: { events: number; intervalMs: number } }, client: OverheadClient) =>
  (p.overhead.events * p.overhead.intervalMs) / 1000 + (client === 'chromium' ? 1.5 : 0.8);

/** Every wire, profile and payload, one group at a time. */
export async function runOverhead(context: RunContext): Promise<OverheadResult> {
  const { params, progress } = context;
  const result: OverheadResult = { cells: [], eventType: 'bench', byWire: {} };
  for (const wire of params.wires) {
    for (const profile of params.profiles) {
      for (const dataBytes of params.payloadBytes) {
        const client = clientFor(context, wire, profile);
        const who =
          client === 'chromium' ? 'Chromium' : client === 'node-replay' ? "Node replaying Chromium's header list" : `${profile} client`;
        progress.step(`overhead over ${wire}: ${who}, ${dataBytes} B payload, ${params.transports.length} transports at once`);
        const { cells, group } = await measureGroup(context, wire, profile, dataBytes);
        if (wire === 'h1') result.cells.push(...cells);
        else {
          const slot = (result.byWire[wire] ??= { cells: [], groups: [] });
          slot.cells.push(...cells);
          if (group) slot.groups.push(group);
        }
        progress.advance(groupSeconds(params, client));
      }
    }
  }
  return result;
}
