/**
 * The checker's vocabulary: a case, its verdict, and the report of a run.
 *
 * The verdicts are the ones the WebSocket field knows from the Autobahn testsuite,
 * plus Missing for a transport the server does not serve at all.
 */
import type { CaseContext, CheckOptions } from './context.ts';
import type { WireProtocol } from './http.ts';

export const TRANSPORTS = ['short-poll', 'long-poll', 'iframe', 'sse', 'ws'] as const;
export type TransportId = (typeof TRANSPORTS)[number];

export const VERDICTS = ['pass', 'non-strict', 'fail', 'info', 'missing'] as const;
/**
 * - pass: what the spec asks, done.
 * - non-strict: a SHOULD not met (or a MUST met in a looser way the spec tolerates).
 * - fail: a MUST broken; the outcome names the section.
 * - info: behaviour the spec leaves open, shown because it is instructive.
 * - missing: the server does not serve this transport (404), so nothing was checked.
 */
export type Verdict = (typeof VERDICTS)[number];

/** What a case concludes: a verdict and one sentence saying why. */
export interface Outcome {
  verdict: Verdict;
  reason: string;
}

export interface CaseDef {
  /** Stable id, `<transport>.<name>`: the key of the case's explanation and of asserted verdicts in tests. */
  id: string;
  transport: TransportId;
  /** What the case checks, in a few words (English: the terminal and JSON; the pages show explanations.json). */
  title: string;
  /** Where the rule comes from: `RFC 6455 §5.1`, `WHATWG HTML §9.2.6`, `contract: cursor`. */
  section: string;
  /** The case's bound (a number, or one computed from the run's options); the runner ends it as Fail when it runs out. */
  timeoutMs?: number | ((options: CheckOptions) => number);
  /**
   * `quiet`: runs alone, after the cases that run side by side (it needs a feed that
   * is quiet for a moment: a held poll, a timeout). `last`: runs after every other case
   * (the gap cases publish past the server's buffer, which would disturb any cursor).
   */
  phase?: 'quiet' | 'last';
  /** Only over this wire (a Sec-WebSocket-Key exists only in HTTP/1.1's handshake); absent: over any. */
  only?: 'http/1.1';
  run(c: CaseContext): Promise<Outcome>;
}

/** One case's result, as the reports show it. */
export interface CaseResult extends Outcome {
  id: string;
  transport: TransportId;
  title: string;
  section: string;
  /** What the checker sent, as text (escaped), first few hundred characters. */
  sent: string;
  /** The first bytes that came back, escaped. */
  received: string;
  timeMs: number;
  /** The protocol that carried the case: HTTP/1.1 (plain or over TLS) or HTTP/2. */
  protocol: WireProtocol;
}

export interface CheckReport {
  /** The server as asked for on the command line or the page. */
  url: string;
  startedAt: string;
  durationMs: number;
  /** Per transport: the protocol used, or why it was not reached. */
  protocols: Partial<Record<TransportId, WireProtocol>>;
  /** Counts per verdict over every case. */
  counts: Record<Verdict, number>;
  cases: CaseResult[];
  checker: { node: string; version: string };
}

/** An outcome in one call, for the cases' brevity. */
export const pass = (reason = 'as the spec asks'): Outcome => ({ verdict: 'pass', reason });
export const fail = (reason: string): Outcome => ({ verdict: 'fail', reason });
export const nonStrict = (reason: string): Outcome => ({ verdict: 'non-strict', reason });
export const info = (reason: string): Outcome => ({ verdict: 'info', reason });
