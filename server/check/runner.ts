/**
 * Runs the cases against one server: finds how to reach it, which transports it
 * serves (a 404 makes a transport Missing, not failed), then the cases, the
 * transports side by side and each transport's cases one after another, every
 * case within its bound. Whatever a case meets, the run goes on.
 */
import { ALL_CASES, CASES } from './cases/index.ts';
import { CaseContext, type CheckOptions, DEFAULT_OPTIONS, type RunShared, type Target } from './context.ts';
import { IFRAME_CB } from './feed-reader.ts';
import { resolveTarget } from './target.ts';
import { CaseFailure } from './case-failure.ts';
import type { WireProtocol } from './http.ts';
import { type CaseDef, type CaseResult, type CheckReport, TRANSPORTS, type TransportId, VERDICTS, type Verdict } from './types.ts';

export const DEFAULT_CASE_TIMEOUT_MS = 10_000;

export interface RunOptions extends Partial<CheckOptions> {
  only?: readonly TransportId[];
  /** Called as each case ends, with how many are done of how many. */
  onCase?: (result: CaseResult, done: number, total: number) => void;
  /** Called once the target is resolved, with the cases about to run. */
  onStart?: (target: Target | undefined, cases: CaseDef[]) => void;
  /** Stops the run early (the page's Stop, a client that left): the cases not yet started are not run. */
  signal?: AbortSignal;
}

const caseTimeout = (def: CaseDef, options: CheckOptions) =>
  typeof def.timeoutMs === 'function' ? def.timeoutMs(options) : (def.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS);

/** Runs one case within its bound; the result always comes, whatever the case met. */
export async function runCase(def: CaseDef, target: Target, shared: RunShared): Promise<CaseResult> {
  const c = new CaseContext(target, shared);
  const started = performance.now();
  const boundMs = caseTimeout(def, target.options);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseFailure(`no conclusion within the case's bound of ${boundMs} ms`)), boundMs);
  });
  let outcome;
  try {
    outcome = await Promise.race([def.run(c), bound]);
  } catch (error) {
    outcome = {
      verdict: 'fail' as const,
      reason: error instanceof CaseFailure ? error.message : `the checker met an error: ${(error as Error).message}`,
    };
  } finally {
    clearTimeout(timer);
    c.close();
  }
  // A server whose frames could not be read: that is the reason, whatever the case saw after.
  const wireError = c.wireError();
  if (wireError && outcome.verdict !== 'pass' && !outcome.reason.includes(wireError))
    outcome = { verdict: 'fail' as const, reason: `${wireError} (${outcome.reason})` };
  return {
    id: def.id,
    transport: def.transport,
    title: def.title,
    section: def.section,
    ...outcome,
    sent: c.sent.text(),
    received: c.received.text(),
    timeMs: Math.round(performance.now() - started),
    protocol: def.transport === 'ws' ? c.wsProtocol : c.protocol,
  };
}

/** What the first request adds: a callback name, and a short hold so an empty feed answers. */
const PROBE_QUERY: Partial<Record<TransportId, string>> = { iframe: `&cb=${IFRAME_CB}`, 'long-poll': '&timeoutMs=500' };

/**
 * Whether the server serves `transport` at all: a 404 (or 405/501) to its URL means
 * it does not (Missing); no usable answer (silence, garbage, endless headers) fails
 * every case of the transport at once with the reason, rather than each after its bound.
 */
async function serves(transport: TransportId, target: Target): Promise<'yes' | 'no' | { broken: string }> {
  const c = new CaseContext(target, { evicting: Promise.resolve(), published: 0 });
  try {
    const status =
      transport === 'ws'
        ? (await c.handshake({ path: '/feed/ws' })).status
        : (await c.get(`/feed/${transport}?since=0${PROBE_QUERY[transport] ?? ''}`)).status;
    return [404, 405, 501].includes(status) ? 'no' : 'yes';
  } catch (error) {
    return { broken: (error as Error).message };
  } finally {
    c.close();
  }
}

function result(def: CaseDef, verdict: Verdict, reason: string, protocol: WireProtocol): CaseResult {
  return {
    id: def.id,
    transport: def.transport,
    title: def.title,
    section: def.section,
    verdict,
    reason,
    sent: '',
    received: '',
    timeMs: 0,
    protocol,
  };
}

export async function runCheck(url: string, options: RunOptions = {}): Promise<CheckReport> {
  const checkOptions: CheckOptions = {
    ...DEFAULT_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([k, v]) => k in DEFAULT_OPTIONS && v !== undefined)),
  };
  const transports = TRANSPORTS.filter((t) => !options.only || options.only.includes(t));
  let defs = ALL_CASES.filter((def) => transports.includes(def.transport));
  const startedAt = new Date();
  const started = performance.now();
  const results = new Map<string, CaseResult>();
  const protocols: CheckReport['protocols'] = {};
  const done = (r: CaseResult) => {
    results.set(r.id, r);
    options.onCase?.(r, results.size, defs.length);
  };
  let target: Target | undefined;
  try {
    target = await resolveTarget(url, checkOptions);
  } catch (error) {
    options.onStart?.(undefined, defs);
    for (const def of defs)
      done(
        result(
          def,
          'fail',
          `the server could not be reached: ${(error as Error).message}`,
          url.startsWith('https') ? 'http/1.1+tls' : 'http/1.1',
        ),
      );
    return report(url, startedAt, started, protocols, defs, results);
  }
  const overH2 = (def: CaseDef) => (def.transport === 'ws' ? target!.wsOverH2 : target!.protocol === 'h2');
  defs = defs.filter((def) => !(def.only === 'http/1.1' && overH2(def)));
  options.onStart?.(target, defs);
  const shared: RunShared = { evicting: Promise.resolve(), published: 0 };
  const served = new Map(await Promise.all(transports.map(async (t) => [t, await serves(t, target!)] as const)));
  const present = new Map(transports.map((t) => [t, served.get(t) === 'yes']));
  const wireOf = (t: TransportId): WireProtocol =>
    t === 'ws' ? (target!.wsOverH2 ? 'h2' : target!.endpoint.tls ? 'http/1.1+tls' : 'http/1.1') : target!.protocol;
  for (const t of transports) if (served.get(t) !== 'no') protocols[t] = wireOf(t);
  for (const def of defs) {
    const state = served.get(def.transport)!;
    if (state === 'no')
      done(
        result(def, 'missing', `the server answered 404 at /feed/${def.transport}: this transport is not served`, wireOf(def.transport)),
      );
    else if (state !== 'yes')
      done(result(def, 'fail', `the first request to /feed/${def.transport} got no usable answer: ${state.broken}`, wireOf(def.transport)));
  }
  const runList = async (list: CaseDef[]) => {
    for (const def of list) {
      if (options.signal?.aborted) return;
      done(await runCase(def, target!, shared));
    }
  };
  const live = (t: TransportId) => CASES[t].filter((def) => present.get(t) && defs.includes(def));
  await Promise.all(transports.map((t) => runList(live(t).filter((def) => def.phase === undefined))));
  await runList(transports.flatMap((t) => live(t).filter((def) => def.phase === 'quiet')));
  await runList(transports.flatMap((t) => live(t).filter((def) => def.phase === 'last')));
  return report(url, startedAt, started, protocols, defs, results);
}

function report(
  url: string,
  startedAt: Date,
  started: number,
  protocols: CheckReport['protocols'],
  defs: CaseDef[],
  results: Map<string, CaseResult>,
): CheckReport {
  const cases = defs.map((def) => results.get(def.id)).filter((r): r is CaseResult => r !== undefined);
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, cases.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return {
    url,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    protocols,
    counts,
    cases,
    checker: { node: process.version, version: '1' },
  };
}
