/**
 * Short and long polling with three bugs on purpose, each failing exactly one
 * case of `npm run check` (lessons/servers/servers.test.ts proves it):
 * - short polls are cacheable for a minute (short-poll.no-cache);
 * - a bad `since` is read as "everything" instead of a 400 (short-poll.bad-since);
 * - only the latest held long poll is woken, earlier ones wait out their timeout (long-poll.several).
 *
 *   npx tsx lessons/servers/broken-poll.ts     then     npm run check -- http://127.0.0.1:3100 --only short-poll,long-poll
 */
import type { ServerResponse } from 'node:http';
import { type Feed, type FeedEvent, type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

function answer(res: ServerResponse, feed: Feed, events: FeedEvent[], cacheControl = 'no-store'): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': cacheControl });
  res.end(JSON.stringify({ epoch: feed.epoch, lastSeq: feed.lastSeq, events }));
}

let held: (() => void) | undefined;

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/short-poll': (_req, res, url) => {
      const since = parseSince(url.searchParams.get('since'));
      // BUG (short-poll.bad-since): a cursor that is not a number should be a coded 400.
      // BUG (short-poll.no-cache): a cache may now replay this answer for a minute.
      answer(res, feed, feed.since(since instanceof Error ? 0 : since), 'max-age=60');
    },
    '/feed/long-poll': (_req, res, url) => {
      const since = parseSince(url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      const timeoutMs = Math.min(60_000, Math.max(100, Number(url.searchParams.get('timeoutMs') ?? 30_000) || 30_000));
      const missed = feed.since(since);
      if (missed.length > 0) return answer(res, feed, missed);
      // Held: the next event answers (everything from the cursor, so a burst leaves together), or the timeout.
      const done = (events: FeedEvent[]) => {
        unsubscribe();
        clearTimeout(timer);
        if (!res.writableEnded) answer(res, feed, events);
      };
      // BUG (long-poll.several): one slot for the held poll; a newer one silently takes it over.
      const mine = () => done(feed.since(since !== undefined && since < feed.lastSeq ? since : feed.lastSeq - 1));
      held = mine;
      const unsubscribe = feed.subscribe(() => setImmediate(() => held === mine && mine()));
      const timer = setTimeout(() => done([]), timeoutMs);
      res.on('close', () => done([]));
    },
  }));
}

await runIfMain(import.meta.url, start);
