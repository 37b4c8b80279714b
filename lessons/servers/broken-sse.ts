/**
 * Server-Sent Events with two bugs on purpose, each failing exactly one case of
 * `npm run check` (lessons/servers/servers.test.ts proves it):
 * - the URL's `since` wins over Last-Event-ID (sse.header-wins);
 * - the stream is sent as text/plain (sse.content-type).
 *
 *   npx tsx lessons/servers/broken-sse.ts     then     npm run check -- http://127.0.0.1:3100 --only sse
 */
import { type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/sse': (req, res, url) => {
      const header = req.headers['last-event-id'];
      // BUG (sse.header-wins): EventSource reconnects to its first URL, so its old since wins here.
      const since = parseSince(url.searchParams.get('since') ?? (typeof header === 'string' && header !== '' ? header : null));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8', // BUG (sse.content-type): EventSource refuses any other type
        'cache-control': 'no-cache, no-transform', // no-transform: a compressing proxy would hold events back
        'x-accel-buffering': 'no', // nginx passes each event on at once
      });
      res.write('retry: 2000\n\n');
      // JSON.stringify never writes a raw line break, so one data: line carries the event.
      const send = (event: { seq: number; type: string }) =>
        res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      for (const event of feed.since(since)) send(event);
      const unsubscribe = feed.subscribe(send);
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs ?? 15_000);
      res.on('close', () => {
        unsubscribe();
        clearInterval(heartbeat);
      });
    },
  }));
}

await runIfMain(import.meta.url, start);
