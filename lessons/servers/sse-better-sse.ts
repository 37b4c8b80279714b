/**
 * Server-Sent Events on better-sse. What the library does for you: the headers,
 * the `retry:` line, keep-alive comments, serialising each push as `id:`/`event:`/
 * `data:` lines (splitting data on line breaks) and reading Last-Event-ID
 * (`session.lastId`). What is still yours: the feed's cursor and resume.
 *
 *   npx tsx lessons/servers/sse-better-sse.ts     then     npm run check -- http://127.0.0.1:3100 --only sse
 */
import { createSession } from 'better-sse';
import { type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/sse': async (req, res, url) => {
      const header = req.headers['last-event-id'];
      const since = parseSince(typeof header === 'string' && header !== '' ? header : url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      const session = await createSession(req, res, { keepAlive: options.heartbeatMs ?? 15_000, retry: 2000 });
      const send = (event: { seq: number; type: string }) => session.push(event, event.type, String(event.seq));
      for (const event of feed.since(since)) send(event);
      const unsubscribe = feed.subscribe(send);
      session.on('disconnected', unsubscribe);
    },
  }));
}

await runIfMain(import.meta.url, start);
