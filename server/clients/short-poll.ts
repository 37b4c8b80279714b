/** Short-poll driver: GET /feed/short-poll?since=N every `intervalMs`, forever. */
import { Cursor, type Connection, type Driver, getText, HttpClient, sinceQuery } from './common.ts';
import { reconnectLoop } from './loop.ts';

/** The poll short-poll and long-poll share; only the URL and the pause differ. */
export function pollLoop(
  id: 'short-poll' | 'long-poll',
  options: Parameters<Driver>[0],
  path: (query: string) => string,
  pauseMs: number,
): Connection {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  const client = new HttpClient(options);
  options.onState?.('open');
  const poll = async () => {
    const { status, headers, body } = await getText(client, path(sinceQuery(cursor)), options.headers, abort.signal);
    options.onHeaders?.(headers);
    if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 200)}`);
    const answer = JSON.parse(body) as { epoch: string; lastSeq: number; events: unknown[] };
    const receivedAt = performance.timeOrigin + performance.now();
    if (cursor.restartIfNewEpoch(answer.epoch, answer.lastSeq)) {
      // The server restarted: this answer followed the old run's cursor and may
      // have skipped the new run's first events. Ask again from 0, at once.
      options.onState?.('restarted', answer.epoch);
      return 0;
    }
    for (const event of answer.events) if (cursor.see(event)) options.onEvent(event, receivedAt);
    return pauseMs;
  };
  return reconnectLoop(id, options, cursor, abort, poll, () => client.close());
}

const shortPoll: Driver = (options) => pollLoop('short-poll', options, (query) => `/feed/short-poll?${query}`, options.intervalMs ?? 1000);

export default shortPoll;
