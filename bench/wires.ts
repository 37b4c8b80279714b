/**
 * The protocol dimension of a run: the three ways a client reaches the lab.
 *
 *   h1      HTTP/1.1, plain TCP (the main port): what the bench measured before HTTP/2;
 *   h1-tls  HTTP/1.1 inside TLS, on the TLS port that offers only http/1.1 (`ports.tls.h1`),
 *           so that TLS is compared with TLS and only the HTTP version differs;
 *   h2      HTTP/2 inside TLS (`ports.tls.main`, ALPN h2): one connection per client,
 *           every request a stream of it, WebSocket by extended CONNECT (RFC 8441).
 *
 * A wire names the HTTP version and whether TLS is under it; /stats counts both
 * HTTP/1.1 wires under `protocols.h1` (plain or TLS), and HTTP/2 under `protocols.h2`.
 */
import type { Protocol, TrafficStats, TransportStats } from '../server/stats.ts';

export const WIRE_IDS = ['h1', 'h1-tls', 'h2'] as const;
export type WireId = (typeof WIRE_IDS)[number];

/** The wires other than plain HTTP/1.1: their rows sit in a scenario's `byWire` (see report.ts). */
export type OtherWireId = Exclude<WireId, 'h1'>;

/** Human labels, the one map the report and the results page use. */
export const WIRE_LABELS: Record<WireId, string> = { h1: 'HTTP/1.1', 'h1-tls': 'HTTP/1.1 over TLS', h2: 'HTTP/2' };

/** The /stats protocol a wire's traffic is counted under. */
export const protocolOf = (wire: WireId): Protocol => (wire === 'h2' ? 'h2' : 'h1');

/** Whether TLS is under the wire. */
export const isTls = (wire: WireId): boolean => wire !== 'h1';

/** One transport's counters for one wire: the protocol's own, so a stray request over the other protocol cannot hide in a sum. */
export function trafficOf(stats: TransportStats, wire: WireId): TrafficStats {
  return stats.protocols[protocolOf(wire)];
}

/** What a server process tells the bench about its TLS ports (bench/lab-server.ts). */
export interface TlsInfo {
  ports: { main: number; h1: number; experiment: number };
  /** The lab's certificate (PEM), trusted by the Node clients, and its SPKI hash, trusted by Chromium. */
  cert: string;
  spkiSha256: string;
}

/** Where a client reaches a server over `wire`, and how. */
export interface WireTarget {
  baseUrl: string;
  protocol: 'h1' | 'h2';
  ca?: string;
}

/** The port a wire is served on: the main port, the HTTP/1.1-only TLS port, or the h2 TLS port. */
export function wirePort(server: { port: number; tls?: TlsInfo }, wire: WireId): number {
  if (wire === 'h1') return server.port;
  if (!server.tls) throw new Error(`this server has no TLS ports: it cannot be reached over ${WIRE_LABELS[wire]}`);
  return wire === 'h2' ? server.tls.ports.main : server.tls.ports.h1;
}

/** How a Node driver reaches `server` over `wire`; `port` replaces the server's (the delay proxy in front of it). */
export function wireTarget(server: { port: number; tls?: TlsInfo }, wire: WireId, port = wirePort(server, wire)): WireTarget {
  if (wire === 'h1') return { baseUrl: `http://127.0.0.1:${port}`, protocol: 'h1' };
  return { baseUrl: `https://127.0.0.1:${port}`, protocol: protocolOf(wire), ca: server.tls?.cert };
}

/** Parses `--wires=h1,h2`: known ids, in the canonical order. */
export function parseWires(raw: string): WireId[] {
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of ids)
    if (!(WIRE_IDS as readonly string[]).includes(id))
      throw new Error(`--wires: unknown wire ${JSON.stringify(id)}; they are ${WIRE_IDS.join(', ')}`);
  return WIRE_IDS.filter((id) => ids.includes(id));
}
