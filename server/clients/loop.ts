/**
 * The loop every driver runs until it is closed, and the connection it hands back.
 *
 * One attempt is a poll, or one stream or socket until it ends. After an attempt
 * that ended cleanly the next follows after the pause the attempt asked for (a
 * short poll's interval; none for a stream the server ended, which resumes with
 * its cursor at once, as EventSource does). After a failure the next waits a
 * growing random backoff (backoffMs, the browser clients' own), so that a lab that
 * restarts is not hammered by every client at the same instant. `reconnect: false`
 * stops at the first end or failure.
 *
 * States, through `onState`: the attempts say `connecting` and `open` themselves;
 * the loop says `waiting` (with the error) before a retry, `closed` (with the error)
 * when a failure ends a loop that does not reconnect, and `closed` when it stops.
 */
import { type Connection, type Cursor, type DriverOptions, backoffMs, sleep } from './common.ts';

/** One attempt: resolves with the pause (ms) before the next, throws on a failure. */
export type Attempt = () => Promise<number>;

export function reconnectLoop(
  id: Connection['id'],
  options: DriverOptions,
  cursor: Cursor,
  abort: AbortController,
  attempt: Attempt,
  /** What the driver holds across attempts (an HTTP/2 session): let go when the loop stops. */
  release: () => void,
): Connection {
  const done = (async () => {
    let failures = 0;
    while (!abort.signal.aborted) {
      let pauseMs: number;
      try {
        pauseMs = await attempt();
        failures = 0;
      } catch (error) {
        if (abort.signal.aborted) break;
        if (options.reconnect === false) {
          options.onState?.('closed', String(error));
          break;
        }
        options.onState?.('waiting', String(error));
        pauseMs = backoffMs(++failures);
      }
      if (abort.signal.aborted || options.reconnect === false) break;
      if (pauseMs > 0) await sleep(pauseMs, abort.signal);
    }
    release();
    options.onState?.('closed');
  })();
  return {
    id,
    get lastSeq() {
      return cursor.lastSeq;
    },
    async close() {
      abort.abort();
      await done;
    },
  };
}
