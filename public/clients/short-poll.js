// Short polling in the browser: fetch "anything since seq N?" every intervalMs, forever.
import { backoffMs, Cursor, feedUrl, ignore, receivedNow, sleep } from './common.js';

/** The poll loop short and long polling share; long polling only asks the server to wait. */
/**
 * @param {string} path
 * @param {import('./common.js').ClientOptions & { pauseMs: number }} options
 */
export function pollLoop(path, { origin, since, params = {}, pauseMs, onEvent, onMessage = ignore, onState = ignore, onRequest = ignore }) {
  const cursor = new Cursor(since);
  const abort = new AbortController();
  let failures = 0;
  let reopened = false;
  (async () => {
    onState('open');
    while (!abort.signal.aborted) {
      try {
        onRequest();
        const response = await fetch(feedUrl(origin, path, { ...params, since: cursor.lastSeq }), {
          cache: 'no-store',
          signal: abort.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        // In a cluster every answer names the process that gave it: each poll may reach another.
        const process = response.headers.get('x-wirelab-process');
        if (process) onMessage({ type: 'process', process });
        const answer = await response.json();
        const receivedAt = receivedNow();
        if (cursor.restartIfNewEpoch(answer.epoch, answer.lastSeq)) {
          // This answer followed the old run's cursor: ask the new run again from 0, at once.
          onState('connecting', 'restarted');
          reopened = true;
          continue;
        }
        for (const event of answer.events) if (cursor.see(event)) onEvent(event, receivedAt);
        if (failures > 0 || reopened) onState('open');
        failures = 0;
        reopened = false;
        if (pauseMs > 0) await sleep(pauseMs, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) break;
        onState('waiting', String(error));
        await sleep(backoffMs(failures++), abort.signal);
      }
    }
    onState('closed');
  })();
  return { close: () => abort.abort(), cursor };
}

export function connect(options) {
  return pollLoop('/feed/short-poll', { ...options, pauseMs: options.intervalMs ?? 1000 });
}
