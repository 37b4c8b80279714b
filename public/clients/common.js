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

/** Remembers the last seq and epoch; a new epoch means the server restarted. */
export class Cursor {
  constructor(since) {
    this.lastSeq = since;
    this.epoch = undefined;
  }
  /** Records an event; false for anything without a numeric seq (not an event). */
  see(event) {
    if (typeof event !== 'object' || event === null || typeof event.seq !== 'number') return false;
    if (this.epoch !== undefined && event.epoch !== this.epoch) this.restarted = true;
    this.epoch = event.epoch;
    this.lastSeq = event.seq;
    return true;
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
