// What every client of the lab shares, in the browser and in Node: the cursor
// (seq + epoch, resume, restart), the reconnect backoff, the pause between polls.
// One file for both: public/clients/*.js import it in the page, and the Node
// drivers (server/clients/) import this same file, so the two cannot drift apart.
// Plain JavaScript with JSDoc types (npm run typecheck checks it).

/**
 * What a browser client is handed (panel.js passes it; each client takes what it uses).
 * @typedef {object} ClientOptions
 * @property {string} origin where the transport is served
 * @property {number} [since] the cursor to start from; undefined = only new events
 * @property {Record<string, string | number | undefined>} [params] extra query parameters (client, types, heartbeatMs)
 * @property {(event: any, receivedAt: number) => void} onEvent each event, once
 * @property {(state: string, detail?: string) => void} [onState] connecting, open, waiting, closed
 * @property {(message: unknown) => void} [onMessage] frames that are not events (WebSocket error answers)
 * @property {() => void} [onRequest] each request the client makes
 * @property {number} [intervalMs] short polling's pause between polls
 * @property {HTMLElement} [container] where the iframe client puts its hidden iframes
 * @property {number} [quietMs] the iframe client's watchdog: a stream that brought nothing for this long
 *   is taken for dead and opened again from the cursor (only for a stream that carries ticks)
 */

/** @type {(...args: any[]) => void} */
export const ignore = () => {};

/**
 * Exponential backoff with full jitter: up to 100 ms, 200 ms, ... capped at 5 s.
 * @param {number} attempt failures so far (0 for the first retry)
 * @param {number} [baseMs]
 * @param {number} [capMs]
 * @returns {number}
 */
export function backoffMs(attempt, baseMs = 100, capMs = 5000) {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. The abort listener goes
 * when the sleep ends either way: a client that polls all day must not pile up one
 * listener per poll on its signal.
 * @param {number} ms
 * @param {AbortSignal} [signal]
 * @returns {Promise<void>}
 */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether a message is a feed event: only objects with a numeric seq are (the contract in README.md).
 * @param {unknown} message
 * @returns {message is { seq: number, epoch: string, type: string, at: number, data: any }}
 */
export function isEvent(message) {
  return typeof message === 'object' && message !== null && typeof (/** @type {{ seq?: unknown }} */ (message).seq) === 'number';
}

/**
 * Remembers the last seq and epoch; a new epoch means the server restarted.
 *
 * A stream that was opened with a cursor from the old run was served "from now"
 * (or from the old seq) by the new run, so it may have skipped the new run's first
 * events. So the first event of another epoch is not delivered: the client drops
 * that connection and opens a new one from 0 (startOver).
 */
export class Cursor {
  /** @param {number | undefined} since the cursor to start from; undefined = only new events */
  constructor(since) {
    /** @type {number | undefined} */
    this.lastSeq = since;
    /** @type {string | undefined} */
    this.epoch = undefined;
    /** Set when an event of another epoch arrived: the connection must start over. */
    this.restartPending = false;
  }

  /**
   * Records an event; false for anything without a numeric seq, and for events of
   * a run the client must restart for.
   * @param {unknown} event
   * @returns {event is { seq: number, epoch: string, type: string, at: number, data: any }}
   */
  see(event) {
    if (!isEvent(event) || this.restartPending) return false;
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

  /**
   * Called as a connection opens: whether it starts over from 0 after a restart.
   * @returns {boolean}
   */
  startOver() {
    const pending = this.restartPending;
    this.restartPending = false;
    return pending;
  }

  /**
   * Reads a poll answer's envelope. Another epoch means the server restarted:
   * start over from 0. A cursor above the server's lastSeq comes from another run
   * too (the contract in README.md): adopt the server's lastSeq, or the next poll asks the same again.
   * @param {string} epoch
   * @param {number} lastSeq
   * @returns {boolean} whether the server restarted
   */
  restartIfNewEpoch(epoch, lastSeq) {
    const restarted = this.epoch !== undefined && this.epoch !== epoch;
    this.epoch = epoch;
    // No cursor yet ("only new events"), or one from another run: start from the server's lastSeq.
    if (restarted) this.lastSeq = 0;
    else if (this.lastSeq === undefined || this.lastSeq > lastSeq) this.lastSeq = lastSeq;
    return restarted;
  }
}

/**
 * Builds `origin + path?params`, leaving out undefined values.
 * @param {string} origin
 * @param {string} path
 * @param {Record<string, string | number | undefined | null>} params
 * @returns {string}
 */
export function feedUrl(origin, path, params) {
  const url = new URL(path, origin);
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  return url.href;
}

/** ms since 1970 with sub-millisecond precision, comparable with an event's `at`. */
export const receivedNow = () => performance.timeOrigin + performance.now();
