/**
 * Iframe streaming with two bugs on purpose, each failing exactly one case of
 * `npm run check` (lessons/servers/servers.test.ts proves it):
 * - the callback name is not checked, only required (iframe.bad-callback);
 * - the event JSON goes into the script unescaped (iframe.inert).
 *
 *   npx tsx lessons/servers/broken-iframe.ts     then     npm run check -- http://127.0.0.1:3100 --only iframe
 */
import { type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/iframe': (_req, res, url) => {
      const since = parseSince(url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      const cb = url.searchParams.get('cb') ?? '';
      // BUG (iframe.bad-callback): any name is pasted into the script.
      if (cb === '') return sendError(res, 400, 'bad_callback', 'cb must be a JavaScript name such as onEvent.');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      // Browsers buffered about 1 KiB of a document before running any of it (sockjs pads the same way).
      res.write(`<!doctype html><html><body><!--${' '.repeat(1024)}-->\n`);
      // BUG (iframe.inert): a chat text with </script> ends the script and starts its own.
      const send = (event: object) => res.write(`<script>parent.${cb}(${JSON.stringify(event)});</script>\n`);
      for (const event of feed.since(since)) send(event);
      const unsubscribe = feed.subscribe(send);
      const keepAlive = setInterval(() => res.write('<!-- keep-alive -->\n'), options.heartbeatMs ?? 15_000);
      res.on('close', () => {
        unsubscribe();
        clearInterval(keepAlive);
      });
    },
  }));
}

await runIfMain(import.meta.url, start);
