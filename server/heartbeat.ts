/**
 * One timer per heartbeat interval, shared by every connection that beats at it.
 *
 * A timer per connection costs a Timeout object, a closure and a slot in Node's
 * timer lists for each of thousands of idle streams; one interval per distinct
 * period does the same work. A connection's first beat comes within one period of
 * joining (not exactly one period after it), which is all a heartbeat promises:
 * some traffic at least every period.
 */

/**
 * A connection that beats. An object with a method rather than a callback: a
 * stream registers itself, and no closure is made per connection (stream.ts).
 */
export interface Beater {
  beat(): void;
}

interface Beat {
  timer: NodeJS.Timeout;
  listeners: Set<Beater>;
}

const beats = new Map<number, Beat>();

/** Calls `beater.beat()` every `periodMs` until `stopBeating`. */
export function everyPeriod(periodMs: number, beater: Beater): void {
  let beat = beats.get(periodMs);
  if (!beat) {
    const listeners = new Set<Beater>();
    const timer = setInterval(() => {
      // A beater may stop itself (or another) while the beat runs: walk a copy.
      for (const b of [...listeners]) b.beat();
    }, periodMs);
    beat = { timer, listeners };
    beats.set(periodMs, beat);
  }
  beat.listeners.add(beater);
}

/** Stops `beater`'s heartbeat; the shared timer goes with its last beater. Safe to call twice. */
export function stopBeating(periodMs: number, beater: Beater): void {
  const beat = beats.get(periodMs);
  if (!beat || !beat.listeners.delete(beater) || beat.listeners.size > 0) return;
  clearInterval(beat.timer);
  beats.delete(periodMs);
}

/** How many connections beat every `periodMs` now; 0 also means no timer runs for that period. */
export function beatingAt(periodMs: number): number {
  return beats.get(periodMs)?.listeners.size ?? 0;
}
