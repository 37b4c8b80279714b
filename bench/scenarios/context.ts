/**
 * What every scenario is handed, and the arithmetic on /stats figures they share.
 */
import type { Browser } from 'playwright-core';
import type { Http2Totals } from '../../server/http2/frame-meter.ts';
import type { TrafficStats, TransportStats } from '../../server/stats.ts';
import type { TlsTraffic } from '../../server/tls-stats.ts';
import type { TransportId } from '../../server/transports/registry.ts';
import { type BrowserHeads, browserHeaders } from '../browser-heads.ts';
import type { ProcessPool, Server } from '../cluster.ts';
import type { Parameters, Profile } from '../parameters.ts';
import type { Progress } from '../progress.ts';
import { type WireId, protocolOf } from '../wires.ts';

export interface RunContext {
  cluster: ProcessPool;
  params: Parameters;
  heads: BrowserHeads;
  progress: Progress;
  /** The lab server most scenarios share (capacity and reference start their own). */
  lab: Server;
  /** Headless Chromium trusting the lab's certificate, when it runs: the browser profile over HTTP/2 is measured with it. */
  browser?: Browser;
}

/** The `/stats` `tls` section: per ALPN protocol, plus the refusals. */
export type TlsSnapshot = Record<'h1' | 'h2', TlsTraffic> & { handshakesFailed: number; plainHttpRefused: number };

export interface LabStats {
  transports: Record<TransportId, TransportStats>;
  /** The `/stats` `http2` section (frame-meter totals), null with TLS off. */
  http2: (Http2Totals & { pending: { bytesIn: number; bytesOut: number } }) | null;
  tls: TlsSnapshot | null;
  subscribers: number;
  held: number;
  lastSeq: number;
  /** The server's clock when it read these figures. */
  atMs: number;
  counters: Record<string, number>;
}

export const labStats = (server: Server): Promise<LabStats> => server.child.call<LabStats>('stats', { instance: server.instance });

/**
 * Request headers for a profile: none of its own for the minimal client, the
 * captured ones for the browser (over HTTP/2, the same list made fit for HTTP/2:
 * see browserHeaders).
 */
export function headersFor(
  context: RunContext,
  profile: Profile,
  transport: TransportId,
  baseUrl: string,
  wire: WireId = 'h1',
): Record<string, string> | undefined {
  return profile === 'browser' ? browserHeaders(context.heads, transport, baseUrl, protocolOf(wire)) : undefined;
}

/** `b - a`, field by field: what one window of a run added to the counters. */
export function delta(a: TrafficStats, b: TrafficStats): TrafficStats {
  return {
    requests: b.requests - a.requests,
    connectionsOpened: b.connectionsOpened - a.connectionsOpened,
    connectionsOpen: b.connectionsOpen,
    eventsDelivered: b.eventsDelivered - a.eventsDelivered,
    bytesIn: {
      head: b.bytesIn.head - a.bytesIn.head,
      framing: b.bytesIn.framing - a.bytesIn.framing,
      payload: b.bytesIn.payload - a.bytesIn.payload,
    },
    bytesOut: {
      head: b.bytesOut.head - a.bytesOut.head,
      framing: b.bytesOut.framing - a.bytesOut.framing,
      payload: b.bytesOut.payload - a.bytesOut.payload,
    },
  };
}

/** A window's counts, as the results JSON keeps them (the `connectionsOpen` gauge is not a count). */
export function counts(stats: TrafficStats) {
  return {
    requests: stats.requests,
    connectionsOpened: stats.connectionsOpened,
    eventsDelivered: stats.eventsDelivered,
    down: { headBytes: stats.bytesOut.head, framingBytes: stats.bytesOut.framing, payloadBytes: stats.bytesOut.payload },
    up: { headBytes: stats.bytesIn.head, framingBytes: stats.bytesIn.framing, payloadBytes: stats.bytesIn.payload },
  };
}

export type WindowCounts = ReturnType<typeof counts>;

export const round = (value: number, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** `b - a` of the TLS counters of one ALPN protocol (connectionsOpen is a gauge: b's). */
export function tlsDelta(a: TlsTraffic, b: TlsTraffic): TlsTraffic {
  const out = { ...b };
  for (const key of Object.keys(b) as (keyof TlsTraffic)[]) if (key !== 'connectionsOpen') out[key] = b[key] - a[key];
  return out;
}

/** CPU time (user + system) between two usage readings, in µs. */
export const cpuMicros = (a: { cpuUserMicros: number; cpuSystemMicros: number }, b: { cpuUserMicros: number; cpuSystemMicros: number }) =>
  b.cpuUserMicros + b.cpuSystemMicros - a.cpuUserMicros - a.cpuSystemMicros;
