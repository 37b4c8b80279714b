/**
 * The raw figures a run keeps (`scenarios` in the results JSON) and where each
 * wire's rows sit in them: plain HTTP/1.1 rows in the scenario's own array
 * (`cells`, `results`, `runs`), the other wires' rows, same shape, in its
 * `byWire["h1-tls" | "h2"]`. Every reader of a scenario goes through these.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { Profile } from '../parameters.ts';
import type { AutocannonResult } from '../scenarios/autocannon.ts';
import type { CapacityRun } from '../scenarios/capacity.ts';
import type { ClusterResult } from '../scenarios/cluster.ts';
import type { FanoutResult, LoadRun } from '../scenarios/fanout.ts';
import type { H2NativeResult } from '../scenarios/h2-native.ts';
import type { LatencyResult, SingleClientLatency } from '../scenarios/latency.ts';
import type { LibrariesResult } from '../scenarios/libraries.ts';
import type { LossResult } from '../scenarios/loss.ts';
import type { OverheadCell, OverheadGroup, OverheadResult } from '../scenarios/overhead.ts';
import type { runReference } from '../scenarios/reference.ts';
import type { RttResult, RttRun } from '../scenarios/rtt.ts';
import type { GridCell } from '../scenarios/short-poll-grid.ts';
import { type OtherWireId, WIRE_IDS, type WireId } from '../wires.ts';

export interface Scenarios {
  overhead?: OverheadResult;
  shortPollGrid?: { cells: GridCell[]; dataBytes: number; durationMs: number };
  latency?: LatencyResult;
  fanout?: FanoutResult;
  rtt?: RttResult;
  capacity?: {
    runs: CapacityRun[];
    probeEvents: number;
    probeIntervalMs: number;
    shortPollIntervalMs: number;
    dataBytes: number;
  };
  autocannon?: AutocannonResult;
  reference?: Awaited<ReturnType<typeof runReference>>;
  /** Each example server of lessons/servers beside the lab, with the checker's verdicts (scenarios/libraries.ts). */
  libraries?: LibrariesResult;
  /** Node's own HTTP/2 beside the lab's HTTP/2, HTTP/1.1 over TLS and plain HTTP/1.1 (scenarios/h2-native.ts). */
  h2Native?: H2NativeResult;
  /** Several lab processes on one Redis feed (scenarios/cluster.ts); `{ skipped, reason }` without redis-server or nginx. */
  cluster?: ClusterResult;
  /** Head-of-line blocking: the five transports over HTTP/1.1 and HTTP/2 at several loss rates (scenarios/loss.ts). */
  loss?: LossResult;
}

/** `value` to `digits` decimals, as a number. */
export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** a / b, or null when either is missing or b is not positive. */
export const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 3) =>
  a != null && b != null && b > 0 ? round(a / b, digits) : null;

/** Per wire, the value `pick` reads (null where the wire was not measured). */
export const perWire = <T>(pick: (wire: WireId) => T | null | undefined) =>
  Object.fromEntries(WIRE_IDS.map((w) => [w, pick(w) ?? null])) as Record<WireId, T | null>;

/** A scenario's rows over one wire: HTTP/1.1 where they always were, the others in byWire. */
export function overheadCells(s: Scenarios, wire: WireId): OverheadCell[] {
  if (!s.overhead) return [];
  return wire === 'h1' ? s.overhead.cells : (s.overhead.byWire?.[wire]?.cells ?? []);
}

/** What the overhead groups over a TLS wire shared (TLS counters, HTTP/2's connection frames). */
export function overheadGroups(s: Scenarios, wire: OtherWireId): OverheadGroup[] {
  return s.overhead?.byWire?.[wire]?.groups ?? [];
}

/** The idle clients' latencies over one wire. */
export function latencyResults(s: Scenarios, wire: WireId): SingleClientLatency[] {
  if (!s.latency) return [];
  return wire === 'h1' ? s.latency.results : (s.latency.byWire?.[wire]?.results ?? []);
}

/** The fan-out runs over one wire. */
export function fanoutRuns(s: Scenarios, wire: WireId): LoadRun[] {
  if (!s.fanout) return [];
  return wire === 'h1' ? s.fanout.runs : (s.fanout.byWire?.[wire]?.runs ?? []);
}

/** The round-trip runs over one wire. */
export function rttRuns(s: Scenarios, wire: WireId): RttRun[] {
  if (!s.rtt) return [];
  return wire === 'h1' ? s.rtt.runs : (s.rtt.byWire?.[wire]?.runs ?? []);
}

/** The wires a run measured (any scenario), in the canonical order. */
export function wiresIn(s: Scenarios): WireId[] {
  return WIRE_IDS.filter(
    (w) => overheadCells(s, w).length || latencyResults(s, w).length || fanoutRuns(s, w).length || rttRuns(s, w).length,
  );
}

/** The overhead cell for a wire, profile and transport at the smallest payload measured. */
export function smallCell(s: Scenarios, profile: Profile, transport: TransportId, wire: WireId = 'h1'): OverheadCell | undefined {
  const cells = overheadCells(s, wire).filter((c) => c.profile === profile && c.transport === transport);
  return [...cells].sort((a, b) => a.dataBytes - b.dataBytes)[0];
}

/** What a connection cost before its first event: heads and framing both ways. */
export const oneOffBytes = (cell: OverheadCell) =>
  cell.oneOff.down.headBytes + cell.oneOff.down.framingBytes + cell.oneOff.up.headBytes + cell.oneOff.up.framingBytes;

/** The smallest event data any overhead cell used (the headline's figures are read there). */
export const smallestPayload = (s: Scenarios) => {
  const all = WIRE_IDS.flatMap((w) => overheadCells(s, w)).map((c) => c.dataBytes);
  return all.length ? Math.min(...all) : null;
};
