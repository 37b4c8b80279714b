/**
 * HTTP/1.1 beside HTTP/1.1 over TLS beside HTTP/2, one row per transport (and
 * client count, round trip or head kind): the side-by-side tables of the report and
 * the results page, and what TLS costs.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { H2Heads } from '../browser-h2.ts';
import type { HeadKind } from '../browser-heads.ts';
import { WIRE_IDS, type WireId } from '../wires.ts';
import {
  type Scenarios,
  fanoutRuns,
  latencyResults,
  overheadGroups,
  perWire,
  ratio,
  round,
  rttRuns,
  smallCell,
  smallestPayload,
  wiresIn,
} from './rows.ts';

export interface DeriveOptions {
  quick: boolean;
  h2Heads: H2Heads | null;
  /** Chromium's HTTP/1.1 head sizes (browserHeads.bytes). */
  h1HeadBytes: Record<HeadKind, number> | null;
}

/** Overhead per event by wire, and what HTTP/2's connection-level frames cost (shared by the streams). */
function overheadFigures(s: Scenarios, transports: TransportId[], small: number | null) {
  const overhead = (['browser', 'minimal'] as const).flatMap((profile) =>
    transports.map((transport) => {
      const cell = (w: WireId) => smallCell(s, profile, transport, w);
      return {
        profile,
        transport,
        overheadBytesPerEvent: perWire((w) => cell(w)?.perEvent.overheadBytes),
        /** Polls per event: a poll that brought several events costs each of them less. */
        requestsPerEvent: perWire((w) => cell(w)?.perEvent.requests),
        requestHeadBytes: perWire((w) => cell(w)?.requestHeadBytes),
        responseHeadBytes: perWire((w) => cell(w)?.responseHeadBytes),
        client: perWire((w) => cell(w)?.client),
        /** HTTP/2 per event against HTTP/1.1 per event (below 1: HTTP/2 is cheaper). */
        h2ToH1: ratio(cell('h2')?.perEvent.overheadBytes, cell('h1')?.perEvent.overheadBytes),
      };
    }),
  );
  // What the connection itself costs over HTTP/2 (preface, SETTINGS, PING, WINDOW_UPDATE on stream 0), shared by the streams.
  const connection = overheadGroups(s, 'h2')
    .filter((g) => g.dataBytes === small)
    .map((g) => ({
      profile: g.profile,
      client: g.client,
      oneOffBytes: g.http2Connection ? g.http2Connection.oneOff.bytesIn + g.http2Connection.oneOff.bytesOut : null,
      bytesPerDelivery: g.http2Connection?.bytesPerDelivery ?? null,
    }));
  return { overhead, connection };
}

/** Latency by wire: one idle client, fan-out, and through the delay proxy. */
function latencyFigures(s: Scenarios, transports: TransportId[]) {
  const latency = transports.map((transport) => ({
    transport,
    p50Ms: perWire((w) => latencyResults(s, w).find((r) => r.transport === transport)?.latency.p50Ms),
    p99Ms: perWire((w) => latencyResults(s, w).find((r) => r.transport === transport)?.latency.p99Ms),
  }));
  const counts = [...new Set(WIRE_IDS.flatMap((w) => fanoutRuns(s, w)).map((r) => r.clients))].sort((a, b) => a - b);
  const fanout = counts.flatMap((clients) =>
    transports.map((transport) => {
      const run = (w: WireId) => fanoutRuns(s, w).find((r) => r.transport === transport && r.clients === clients);
      return {
        clients,
        transport,
        p50Ms: perWire((w) => run(w)?.latency.p50Ms),
        p99Ms: perWire((w) => run(w)?.latency.p99Ms),
        cpuMicrosPerDelivery: perWire((w) => run(w)?.serverCpuMicrosPerDelivery),
        deliveriesPerSecond: perWire((w) => run(w)?.deliveriesPerSecond),
        connectSeconds: perWire((w) => run(w)?.connectSeconds),
      };
    }),
  );
  const rtts = [...new Set(WIRE_IDS.flatMap((w) => rttRuns(s, w)).map((r) => r.rttMs))].sort((a, b) => a - b);
  const rtt = rtts.flatMap((rttMs) =>
    transports.map((transport) => {
      const run = (w: WireId) => rttRuns(s, w).find((r) => r.transport === transport && r.rttMs === rttMs);
      return {
        rttMs,
        transport,
        meanMs: perWire((w) => run(w)?.latency.meanMs),
        p99Ms: perWire((w) => run(w)?.latency.p99Ms),
        requestsPerEvent: perWire((w) => run(w)?.requestsPerEvent),
      };
    }),
  );
  return { latency, counts, fanout, rtt };
}

/** Chromium's own heads: HTTP/1.1 text against HTTP/2's first and repeated HPACK blocks. */
function headFigures(transports: TransportId[], options: DeriveOptions) {
  const h2 = options.h2Heads;
  if (!h2) return [];
  return transports.map((transport) => ({
    transport,
    h1Bytes: options.h1HeadBytes?.[transport] ?? null,
    h2FirstBytes: h2.heads[transport]?.firstBytes ?? null,
    h2RepeatedBytes: h2.heads[transport]?.repeatedBytes ?? null,
    h2Protocol: h2.heads[transport]?.protocol ?? null,
    h2ResponseFirstBytes: h2.heads[transport]?.responseFirstBytes ?? null,
    h2ResponseRepeatedBytes: h2.heads[transport]?.responseRepeatedBytes ?? null,
  }));
}

/** TLS at the largest fan-out every wire ran (the same clients and schedule), and with one client per transport. */
function tlsFigures(s: Scenarios, transports: TransportId[], counts: number[], small: number | null) {
  const wires = wiresIn(s);
  const ranEveryWire = (n: number) =>
    transports.some((t) => wires.every((w) => fanoutRuns(s, w).some((r) => r.clients === n && r.transport === t)));
  const everyWire = counts.filter(ranEveryWire);
  const tlsClients = everyWire.length ? Math.max(...everyWire) : counts.length ? Math.max(...counts) : null;
  const tls =
    tlsClients === null
      ? []
      : transports.map((transport) => {
          const run = (w: WireId) => fanoutRuns(s, w).find((r) => r.transport === transport && r.clients === tlsClients);
          const cpu = perWire((w) => run(w)?.serverCpuMicrosPerDelivery);
          return {
            transport,
            clients: tlsClients,
            cpuMicrosPerDelivery: cpu,
            /** CPU per delivery against plain HTTP/1.1's: what TLS (and HTTP/2) add for the server; none without HTTP/1.1. */
            cpuRatioToH1: perWire((w) => (w === 'h1' ? (cpu.h1 === null ? null : 1) : ratio(cpu[w], cpu.h1, 2))),
            handshakeBytesPerConnection: perWire((w) => run(w)?.tls?.handshakeBytesPerConnection),
            recordBytesPerDelivery: perWire((w) => run(w)?.tls?.recordBytesPerDelivery),
            tcpBytesPerDelivery: perWire((w) => run(w)?.tls?.tcpBytesPerDelivery),
          };
        });
  // Record bytes per event with one client per transport (all five at once), from the overhead groups.
  const tlsOverhead = (['h1-tls', 'h2'] as const).flatMap((wire) =>
    overheadGroups(s, wire)
      .filter((g) => g.dataBytes === small && g.tls)
      .map((g) => {
        const opened = g.tls!.oneOff.connectionsOpened;
        const handshake = g.tls!.oneOff.handshakeBytesIn + g.tls!.oneOff.handshakeBytesOut;
        return {
          wire,
          profile: g.profile,
          client: g.client,
          connections: opened,
          handshakeBytesPerConnection: opened ? round(handshake / opened, 1) : null,
          recordBytesPerDelivery: g.tls!.recordBytesPerDelivery,
        };
      }),
  );
  return { tls, tlsClients, tlsOverhead };
}

/** The side-by-side figures of every wire the run measured. */
export function protocols(s: Scenarios, transports: TransportId[], options: DeriveOptions) {
  const small = smallestPayload(s);
  const { overhead, connection } = overheadFigures(s, transports, small);
  const { latency, counts, fanout, rtt } = latencyFigures(s, transports);
  const { tls, tlsClients, tlsOverhead } = tlsFigures(s, transports, counts, small);
  return {
    wires: wiresIn(s),
    dataBytes: small,
    overhead,
    connection,
    latency,
    fanout,
    rtt,
    heads: headFigures(transports, options),
    tls,
    tlsClients,
    tlsOverhead,
    chromiumHandshake: options.h2Heads?.tlsHandshake ?? null,
  };
}
