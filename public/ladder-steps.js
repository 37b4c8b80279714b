// What a ladder diagram draws, without drawing it: the trace's steps (server/trace.ts) as
// the wiretap hands them to a page, kept with their sums, and laid out as rows. Pure (no
// DOM), so that the same rows make the live picture (ladder.js), its text alternative and
// the bench's PNG export.

export const KINDS = /** @type {const} */ (['head', 'framing', 'payload']);

/**
 * A step may also be a `mark` the page adds from what it saw (a process killed): no
 * bytes, drawn as a line across the lanes with its `label`.
 * @typedef {{ type: 'step', transport: string, protocol: 'h1' | 'h2', connection: number, stream?: number,
 *   process?: string, dir: 'in' | 'out', at: number, what: string, label?: string, seqs?: number[], frame?: string,
 *   head: number, framing: number, payload: number, amend?: true }} TraceStep
 * @typedef {{ head: number, framing: number, payload: number }} Bytes
 */

/** ms since 1970 with a fraction: the clock of the trace's steps (server/trace.ts preciseNow), for a mark the page adds. */
export const preciseNow = () => performance.timeOrigin + performance.now();

const zero = () => ({ head: 0, framing: 0, payload: 0 });
/** @param {Bytes} b */
export const totalOf = (b) => b.head + b.framing + b.payload;
/** A connection's name within a picture: in a cluster each process numbers its own. @param {TraceStep} step */
const connectionOf = (step) => `${step.protocol}:${step.process ?? ''}:${step.connection}`;

/**
 * A record of the steps one picture draws. An `amend` step (bytes the server learned
 * were event JSON after their frame crossed) is folded into the step it corrects, so
 * that every arrow carries its final split and the arrows still add up to /stats.
 * `keep` bounds the memory: the oldest steps go first; the sums keep counting.
 * `accept(step)` chooses the steps (one transport, say); stream 0 (an HTTP/2
 * connection's own frames, which no transport counts) is left out unless asked for.
 * @param {{ keep?: number, accept?: (step: TraceStep) => boolean, connectionFrames?: boolean }} [options]
 */
export function stepLog({ keep = 2000, accept = (_step) => true, connectionFrames = false } = {}) {
  /** @type {TraceStep[]} */
  const steps = [];
  const totals = { in: zero(), out: zero() };
  /** The last step of each connection, stream and direction: where an amend lands. */
  const last = new Map();
  const key = (step) => `${connectionOf(step)}:${step.stream ?? 0}:${step.dir}`;
  return {
    steps,
    totals,
    /**
     * Takes one step; returns what changed for the picture: `added` (a new arrow),
     * `amended` (an arrow's split changed) or undefined (not this picture's).
     * @param {TraceStep} step
     */
    add(step) {
      if (!accept(step) || (!connectionFrames && step.stream === 0)) return undefined;
      for (const kind of KINDS) totals[step.dir][kind] += step[kind];
      if (step.amend) {
        const target = last.get(key(step));
        if (!target) return undefined;
        for (const kind of KINDS) target[kind] += step[kind];
        // A DATA frame that turns out to have carried an event or a message is named by the amend.
        if (target.what === 'data' || target.what === 'frame') target.what = step.what;
        if (step.seqs?.length) target.seqs = [...(target.seqs ?? []), ...step.seqs];
        return { amended: target };
      }
      const copy = { ...step };
      steps.push(copy);
      last.set(key(copy), copy);
      if (steps.length > keep) steps.splice(0, steps.length - keep);
      return { added: copy };
    },
    clear() {
      steps.length = 0;
      last.clear();
      totals.in = zero();
      totals.out = zero();
    },
  };
}

/**
 * @typedef {{ kind: 'arrow', step: TraceStep, t: number, opens: boolean, heldMs?: number, heldFrom?: number }} ArrowRow
 * @typedef {{ kind: 'gap', ms: number }} GapRow
 * @typedef {{ kind: 'end' | 'mark', step: TraceStep, t: number }} EndRow
 * @typedef {ArrowRow | GapRow | EndRow} Row
 */

/**
 * Lays steps out top to bottom, one row each. A pause longer than `gapMs` between two
 * steps becomes a row of its own that says how long it was (the picture keeps its rows
 * legible instead of drawing silence to scale). A response that came more than
 * `gapMs` after its request was *held* by the server: the row says from which row and
 * for how long. `t` is ms since `startAt`. A request on a connection the picture has
 * not seen yet `opens` it (a first connection, or a reconnect).
 * @param {TraceStep[]} steps
 * @param {{ startAt?: number, gapMs?: number, seen?: Set<string> }} [options]
 * @returns {Row[]}
 */
export function rowsOf(steps, { startAt = steps[0]?.at ?? 0, gapMs = 400, seen = new Set() } = {}) {
  /** @type {Row[]} */
  const rows = [];
  /** The row of each connection and stream's request still waiting for its answer. */
  const waiting = new Map();
  let previousAt;
  for (const step of steps) {
    const t = step.at - startAt;
    if (previousAt !== undefined && step.at - previousAt > gapMs) rows.push({ kind: 'gap', ms: step.at - previousAt });
    previousAt = step.at;
    const where = `${connectionOf(step)}:${step.stream ?? 0}`;
    if (step.what === 'mark') {
      rows.push({ kind: 'mark', step, t });
      continue;
    }
    if (step.what === 'end') {
      rows.push({ kind: 'end', step, t });
      waiting.delete(where);
      continue;
    }
    /** @type {ArrowRow} */
    const row = { kind: 'arrow', step, t, opens: false };
    const connection = connectionOf(step);
    if (step.dir === 'in' && step.what === 'request') {
      row.opens = !seen.has(connection);
      waiting.set(where, { index: rows.length, at: step.at });
    } else if (step.dir === 'out' && waiting.has(where)) {
      const asked = waiting.get(where);
      waiting.delete(where);
      if (step.at - asked.at > gapMs) Object.assign(row, { heldMs: step.at - asked.at, heldFrom: asked.index });
    }
    seen.add(connection);
    rows.push(row);
  }
  return rows;
}

/**
 * The rows of the last steps that fit `maxRows`, with `t` counted from `startAt`: the
 * live picture's window. Connections seen before the window still count as seen.
 * @param {TraceStep[]} steps
 * @param {{ startAt: number, maxRows: number, gapMs?: number }} options
 */
export function lastRows(steps, { startAt, maxRows, gapMs = 400 }) {
  // Each step takes at most two rows (itself and the pause before it).
  let from = Math.max(0, steps.length - maxRows);
  const seen = new Set(steps.slice(0, from).map(connectionOf));
  let rows = rowsOf(steps.slice(from), { startAt, gapMs, seen: new Set(seen) });
  while (rows.length > maxRows && from < steps.length) {
    seen.add(connectionOf(steps[from]));
    from++;
    rows = rowsOf(steps.slice(from), { startAt, gapMs, seen: new Set(seen) });
  }
  return rows;
}
