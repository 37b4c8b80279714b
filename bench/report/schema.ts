/**
 * The results JSON (`wirelab-bench/2`): one file per run in runs/, the same in
 * latest.json. Every number in the summary, on /results and in the lessons'
 * `{{fig:...}}` comes from it; none is typed by hand.
 *
 * - `scenarios`: the raw figures, one key per scenario (rows.ts). Rows over plain
 *   HTTP/1.1 sit in the scenario's own array (`overhead.cells`, `latency.results`,
 *   `fanout.runs`, `rtt.runs`), each with `wire: "h1"`; the same rows over the other
 *   wires sit beside them in `byWire["h1-tls" | "h2"]`. `cluster` is `{ skipped,
 *   reason }` when redis-server or nginx was missing.
 * - `derived`: what derive.ts computes from `scenarios` (the headline, one-off costs,
 *   the Kaazing table, the wires side by side, the cluster, the targets). The
 *   headline's top-level fields are plain HTTP/1.1, every wire is in its `byWire`;
 *   `oneOff` is HTTP/1.1, `oneOffByWire` the others; measured HTTP/2 rows of the
 *   Kaazing table have `source: "measured-h2"`; `cluster` is null when it did not run.
 * - `parameters`: every number the scenarios used (parameters.ts), so a run can be repeated.
 * - `browserHeads`: Chromium's HTTP/1.1 request heads, and `h2` its HTTP/2 HPACK blocks.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import type { H2Heads } from '../browser-h2.ts';
import type { BrowserHeads, HeadKind } from '../browser-heads.ts';
import type { Environment } from '../environment.ts';
import type { Parameters, ScenarioId } from '../parameters.ts';
import type { WireId } from '../wires.ts';
import type { Derived } from './derive.ts';
import type { Scenarios } from './rows.ts';

export const SCHEMA = 'wirelab-bench/2';

export interface Results {
  schema: typeof SCHEMA;
  id: string;
  command: string;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  /** Seconds each part of the run took (the browser captures, each scenario). */
  timings: Partial<Record<ScenarioId | 'browser' | 'setup', number>>;
  environment: Environment & { clockSkewMaxMs: number };
  parameters: Parameters;
  /** The lab's human labels (server/transports/registry.ts), the one map every chart uses. */
  labels: Record<TransportId, string>;
  /** The wires' labels (bench/wires.ts). */
  wireLabels: Record<WireId, string>;
  transports: TransportId[];
  serverSettings: Record<string, string>;
  browserHeads: {
    source: BrowserHeads['source'];
    note: string;
    browser: string;
    userAgent: string;
    capturedAt: string;
    bytes: Record<HeadKind, number>;
    heads: BrowserHeads['heads'];
    /** Chromium's HTTP/2 heads, first and repeated, from the lab's frame meter (browser-h2.ts); null: neither captured nor committed. */
    h2: (H2Heads & { note: string }) | null;
  };
  scenarios: Scenarios;
  derived: Derived;
  errors: { scenario: string; message: string }[];
}
