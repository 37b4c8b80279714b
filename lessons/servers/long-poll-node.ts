/**
 * Long polling on bare node:http: a poll with nothing new is held until the next
 * event or `timeoutMs`, then answered like a short poll; the client asks again
 * with the last seq it saw, so nothing published in between is lost.
 *
 *   npx tsx lessons/servers/long-poll-node.ts     then     npm run check -- http://127.0.0.1:3100 --only long-poll
 */
import type { ServerResponse } from 'node:http';
import { type Feed, type FeedEvent, type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

function answer(res: ServerResponse, feed: Feed, events: FeedEvent[]): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ epoch: feed.epoch, lastSeq: feed.lastSeq, events }));
}

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/short-poll': (_req, res, url) => {
      const since = parseSince(url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      answer(res, feed, feed.since(since));
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
      // A cursor past the last seq comes from a previous run of the server: served "from now".
      const unsubscribe = feed.subscribe((event) =>
        setImmediate(() => done(feed.since(since !== undefined && since < event.seq ? since : event.seq - 1))),
      );
      const timer = setTimeout(() => done([]), timeoutMs);
      res.on('close', () => done([]));
    },
  }));
}

await runIfMain(import.meta.url, start);
