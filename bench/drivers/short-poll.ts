/** Short-poll driver: GET /feed/short-poll?since=N every `intervalMs`, forever. */
import { backoffMs, type Connection, Cursor, type Driver, getText, HttpClient, sinceQuery, sleep } from './common.ts';

/** The poll loop short-poll and long-poll share; only the URL and the pause differ. */
export function pollLoop(id: 'short-poll' | 'long-poll', options: Parameters<Driver>[0], path: (query: string) => string, pauseMs: number): Connection {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  const client = new HttpClient(options);
  const done = (async () => {
    let failures = 0;
    options.onState?.('open');
    while (!abort.signal.aborted) {
      try {
        const { status, headers, body } = await getText(client, path(sinceQuery(cursor)), options.headers, abort.signal);
        options.onHeaders?.(headers);
        if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 200)}`);
        const answer = JSON.parse(body) as { epoch: string; lastSeq: number; events: unknown[] };
        const receivedAt = performance.timeOrigin + performance.now();
        if (cursor.restartIfNewEpoch(answer.epoch, answer.lastSeq)) {
          // The server restarted: this answer followed the old run's cursor and may
          // have skipped the new run's first events. Ask again from 0, at once.
          options.onState?.('restarted', answer.epoch);
          continue;
        }
        for (const event of answer.events) if (cursor.see(event)) options.onEvent(event, receivedAt);
        failures = 0;
        if (pauseMs > 0) await sleep(pauseMs, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        if (options.reconnect === false) {
          options.onState?.('closed', String(error));
          break;
        }
        options.onState?.('waiting', String(error));
        await sleep(backoffMs(failures++), abort.signal);
      }
    }
    client.close();
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

const shortPoll: Driver = (options) =>
  pollLoop('short-poll', options, (query) => `/feed/short-poll?${query}`, options.intervalMs ?? 1000);

export default shortPoll;
