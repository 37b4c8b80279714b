/**
 * One timer per heartbeat interval, shared by every connection that beats at it,
 * and the period's beats spread across the period.
 *
 * A timer per connection costs a Timeout object, a closure and a slot in Node's
 * timer lists for each of thousands of idle streams; one timer per distinct
 * period does the same work. But one callback beating every connection at once
 * blocks the event loop for as long as all those writes take (120-260 ms for
 * 3,000 SSE streams), and an event published then waits that long. So a period
 * is cut into slots, each beater sits in the emptiest slot of the half whose turn
 * is furthest off when it joins, and the timer ticks once a slot, beating that
 * slot's beaters only: a tick does 1/slots of the period's work (twice that at most
 * for a crowd joining at once). A connection's first beat comes half a period to a
 * period after joining (when its slot's turn comes), then one every period, which
 * is all a heartbeat promises: some traffic at least every period.
 */

/**
 * A connection that beats. An object with a method rather than a callback: a
 * stream registers itself, and no closure is made per connection (stream.ts).
 */
export interface Beater {
  beat(): void;
}

/** At most this many slots a period: at 5,000 streams, about 80 writes a tick. */
const MAX_SLOTS = 64;
/** No tick shorter than this: a 100 ms period gets 10 slots, not 64 ticks of 1.6 ms. */
const MIN_TICK_MS = 10;

interface Rota {
  timer: NodeJS.Timeout;
  slots: Set<Beater>[];
  tickMs: number;
  /** When tick 0 was due (Date.now()), and how many ticks have beaten since: the next tick beats slot ticks % slots. */
  startedMs: number;
  ticks: number;
}

const rotas = new Map<number, Rota>();

/**
 * How many slots a period is cut into: the most, up to MAX_SLOTS with ticks of
 * MIN_TICK_MS or more, that divide the period into whole milliseconds, so that
 * slots ticks make exactly one period (Node's timers count whole milliseconds).
 * A period with no such divisor but 1 (a prime number of milliseconds) beats all
 * at once, as one timer did.
 */
export function slotsOf(periodMs: number): number {
  for (let slots = Math.min(MAX_SLOTS, Math.floor(periodMs / MIN_TICK_MS)); slots > 1; slots--) {
    if (periodMs % slots === 0) return slots;
  }
  return 1;
}

/** Calls `beater.beat()` every `periodMs` until `stopBeating`. */
export function everyPeriod(periodMs: number, beater: Beater): void {
  let rota = rotas.get(periodMs);
  if (!rota) {
    const slots = Array.from({ length: slotsOf(periodMs) }, () => new Set<Beater>());
    const tickMs = periodMs / slots.length;
    const timer = setInterval(tick, tickMs, periodMs);
    rota = { timer, slots, tickMs, startedMs: Date.now(), ticks: 0 };
    rotas.set(periodMs, rota);
  }
  if (rota.slots.some((slot) => slot.has(beater))) return; // joining twice is still one beater
  // The emptiest of the slots whose turn is half a period off or more; of equals, the one furthest off
  // (the one just beaten). So a first beat comes half a period to a period after joining, never at the
  // next tick: a bench that beats once an hour has no beat inside a window of seconds.
  const { slots } = rota;
  const next = rota.ticks % slots.length;
  let emptiest = slots[(next + slots.length - 1) % slots.length];
  for (let back = 2; back <= Math.ceil(slots.length / 2); back++) {
    const slot = slots[(next + slots.length - back) % slots.length];
    if (slot.size < emptiest.size) emptiest = slot;
  }
  emptiest.add(beater);
}

/**
 * One tick of `periodMs`'s timer: the slots whose turn has come beat. Node's intervals drift: a
 * callback that runs late puts off every later one, and a period of 50 ticks on a busy machine
 * stretches by 50 delays. So the turns are counted by the clock, and a late callback beats every
 * slot whose turn has passed (one round at most), keeping each beater at one beat a period.
 */
function tick(periodMs: number): void {
  const rota = rotas.get(periodMs);
  if (!rota) return;
  const { slots, tickMs } = rota;
  let due = Math.floor((Date.now() - rota.startedMs) / tickMs);
  // The clock set back, or far on (a process stopped for a while): count on from this tick.
  if (due < rota.ticks - slots.length || due > rota.ticks + slots.length) {
    due = rota.ticks + 1;
    rota.startedMs = Date.now() - due * tickMs;
  }
  for (; rota.ticks < due; rota.ticks++) {
    const slot = slots[rota.ticks % slots.length];
    // A beater may stop itself (or another) while the slot beats: walk a copy, and skip the stopped.
    for (const beater of [...slot]) if (slot.has(beater)) beater.beat();
  }
}

/** Stops `beater`'s heartbeat; the shared timer goes with its last beater. Safe to call twice. */
export function stopBeating(periodMs: number, beater: Beater): void {
  const rota = rotas.get(periodMs);
  if (!rota?.slots.some((slot) => slot.delete(beater)) || beatingAt(periodMs) > 0) return;
  clearInterval(rota.timer);
  rotas.delete(periodMs);
}

/** How many connections beat every `periodMs` now; 0 also means no timer runs for that period. */
export function beatingAt(periodMs: number): number {
  return rotas.get(periodMs)?.slots.reduce((sum, slot) => sum + slot.size, 0) ?? 0;
}
