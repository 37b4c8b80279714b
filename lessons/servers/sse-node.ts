/**
 * Server-Sent Events on bare node:http. Nothing does anything for you here:
 * the headers, the `retry:` line, one `id:`/`event:`/`data:` block per event,
 * resume from Last-Event-ID (or `since`), heartbeat comments and cleanup are
 * all in these lines, which is why it makes a good first server to check.
 *
 *   npx tsx lessons/servers/sse-node.ts     then     npm run check -- http://127.0.0.1:3100 --only sse
 */
import { type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/sse': (req, res, url) => {
      // EventSource reconnects to its first URL and adds Last-Event-ID: the header is the newer cursor.
      const header = req.headers['last-event-id'];
      const since = parseSince(typeof header === 'string' && header !== '' ? header : url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
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
