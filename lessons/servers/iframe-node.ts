/**
 * Hidden-iframe streaming on bare node:http: one HTML document that never ends,
 * padded so browsers start running it, each event a `<script>` chunk calling
 * `parent.<cb>(event)`. The callback name is pasted into script, so only a plain
 * identifier passes; the JSON is escaped so a chat text cannot close the script.
 *
 *   npx tsx lessons/servers/iframe-node.ts     then     npm run check -- http://127.0.0.1:3100 --only iframe
 */
import { type ServerOptions, parseSince, runIfMain, sendError } from './feed.ts';
import { serve } from './http-server.ts';

const CALLBACK = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
/** `<`, `>` and `&` could end the script or start a comment; U+2028/9 ended JavaScript lines before ES2019. */
const scriptSafe = (json: string) => json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function start(options: ServerOptions = {}) {
  return serve(options, (feed) => ({
    '/feed/iframe': (_req, res, url) => {
      const since = parseSince(url.searchParams.get('since'));
      if (since instanceof Error) return sendError(res, 400, 'bad_since', 'since must be a whole number (the last seq you saw).');
      const cb = url.searchParams.get('cb') ?? '';
      if (cb.length > 64 || !CALLBACK.test(cb)) return sendError(res, 400, 'bad_callback', 'cb must be a JavaScript name such as onEvent.');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      // Browsers buffered about 1 KiB of a document before running any of it (sockjs pads the same way).
      res.write(`<!doctype html><html><body><!--${' '.repeat(1024)}-->\n`);
      const send = (event: object) => res.write(`<script>parent.${cb}(${scriptSafe(JSON.stringify(event))});</script>\n`);
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
