/**
 * One timer per heartbeat interval, shared by every connection that beats at it.
 *
 * A timer per connection costs a Timeout object, a closure and a slot in Node's
 * timer lists for each of thousands of idle streams; one interval per distinct
 * period does the same work. A connection's first beat comes within one period of
 * joining (not exactly one period after it), which is all a heartbeat promises:
 * some traffic at least every period.
 */

interface Beat {
  timer: NodeJS.Timeout;
  listeners: Set<() => void>;
}

const beats = new Map<number, Beat>();

/** Calls `listener` every `periodMs`; returns the stop. The shared timer goes with its last listener. */
export function everyPeriod(periodMs: number, listener: () => void): () => void {
  let beat = beats.get(periodMs);
  if (!beat) {
    const listeners = new Set<() => void>();
    const timer = setInterval(() => {
      // A listener may stop itself (or another) while the beat runs: walk a copy.
      for (const fn of [...listeners]) fn();
    }, periodMs);
    beat = { timer, listeners };
    beats.set(periodMs, beat);
  }
  const { timer, listeners } = beat;
  listeners.add(listener);
  return () => {
    if (!listeners.delete(listener) || listeners.size > 0) return;
    clearInterval(timer);
    beats.delete(periodMs);
  };
}

/** How many connections beat every `periodMs` now; 0 also means no timer runs for that period. */
export function beatingAt(periodMs: number): number {
  return beats.get(periodMs)?.listeners.size ?? 0;
}
