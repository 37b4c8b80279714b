// What the five browser clients share: the cursor (seq + epoch), backoff, URLs.
// The same rules as the Node drivers in bench/drivers/common.ts.

/** Exponential backoff with full jitter: up to 100 ms, 200 ms, ... capped at 5 s. */
export function backoffMs(attempt, baseMs = 100, capMs = 5000) {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Builds `origin + path?params`, leaving out undefined values. */
export function feedUrl(origin, path, params) {
  const url = new URL(path, origin);
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  return url.href;
}

/**
 * Remembers the last seq and epoch; a new epoch means the server restarted.
 *
 * A stream that was opened with a cursor from the old run was served "from now"
 * (or from the old seq) by the new run, so it may have skipped the new run's first
 * events. So the first event of another epoch is not delivered: the client drops
 * that connection and opens a new one from 0 (startOver), as the Node drivers do.
 */
export class Cursor {
  constructor(since) {
    this.lastSeq = since;
    this.epoch = undefined;
    this.restartPending = false;
  }
  /** Records an event; false for anything without a numeric seq, and for events of a run we must restart for. */
  see(event) {
    if (typeof event !== 'object' || event === null || typeof event.seq !== 'number') return false;
    if (this.restartPending) return false;
    if (this.epoch !== undefined && event.epoch !== this.epoch) {
      this.epoch = event.epoch;
      this.lastSeq = 0;
      this.restartPending = true;
      return false;
    }
    this.epoch = event.epoch;
    this.lastSeq = event.seq;
    return true;
  }
  /** Called as a connection opens: whether it starts over from 0 after a restart. */
  startOver() {
    const pending = this.restartPending;
    this.restartPending = false;
    return pending;
  }
  /** A poll's envelope: another epoch starts over from 0; a cursor from another run adopts lastSeq. */
  envelope(epoch, lastSeq) {
    const restarted = this.epoch !== undefined && this.epoch !== epoch;
    this.epoch = epoch;
    // No cursor yet ("only new events"), or one from another run: start from the server's lastSeq.
    if (restarted) this.lastSeq = 0;
    else if (this.lastSeq === undefined || this.lastSeq > lastSeq) this.lastSeq = lastSeq;
    return restarted;
  }
}

export const receivedNow = () => performance.timeOrigin + performance.now();
