/**
 * Hidden-iframe streaming ("forever frame", Comet): one HTML response that never
 * finishes loading; each event arrives as a `<script>` chunk calling
 * `parent.<cb>(event)` in the page that holds the iframe.
 *
 * The browser keeps the whole document in memory, so the server ends it after
 * `IFRAME_MAX_BYTES`; the iframe's `load` event tells the client to reconnect
 * with `since` (sockjs-node ends its htmlfile responses the same way).
 */
import type { FastifyInstance } from 'fastify';
import { parseFollow } from '../cursor.ts';
import { LabError } from '../errors.ts';
import { type Entry, encodeOnce } from '../feed.ts';
import { escapeJsonForScript, iframeCall, iframeEnd, iframeKeepAlive, iframePreamble, isCallbackName } from '../frames.ts';
import { FEED_HEADERS } from '../feed-headers.ts';
import { openStream } from '../stream.ts';
import { framingPages, iframeStreamPolicy } from '../security-headers.ts';
import type { LabContext } from '../context.ts';
import { readyToServe } from '../feed-store.ts';
import type { Transport } from './transport.ts';

/** An event's JSON as a script chunk carries it: escaped once per event, shared by every stream (frames.ts). */
const scriptSafeJson = (entry: Entry) => encodeOnce(entry, 'script-safe-json', (e) => escapeJsonForScript(e.json));

/**
 * The payload of a script chunk is the event JSON as carried, escapes and all (README,
 * "Bytes per event"): an escape only ever lengthens the text, so an unchanged length is the JSON's own bytes.
 */
function scriptSafeBytes(entry: Entry): number {
  const carried = scriptSafeJson(entry);
  return carried.length === entry.json.length ? entry.bytes : Buffer.byteLength(carried);
}

const iframe: Transport = {
  id: 'iframe',
  register(app: FastifyInstance, ctx: LabContext) {
    app.get('/feed/iframe', { config: { transport: 'iframe' } }, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const follow = parseFollow(query, ctx.config.heartbeatMs);
      // The callback name is pasted into script: only a plain identifier path may pass.
      const cb = query.cb;
      if (!isCallbackName(cb))
        throw new LabError(
          'bad_callback',
          `\`cb\` must be a JavaScript name or dotted path such as onEvent (at most 64 characters), got ${JSON.stringify(cb ?? null)}.`,
        );
      await readyToServe(ctx.source, follow.since);
      openStream(ctx, request, reply, follow, {
        id: 'iframe',
        headers: {
          ...FEED_HEADERS,
          'content-type': 'text/html; charset=utf-8',
          // Inline script chunks and nothing else, framed only by the lab (security-headers.ts).
          'content-security-policy': iframeStreamPolicy(framingPages(request, ctx)),
          // nginx buffers proxied responses unless told not to; a stream must not wait in a buffer.
          'x-accel-buffering': 'no',
        },
        preamble: iframePreamble(),
        hello: (message) => iframeCall(cb, escapeJsonForScript(message)),
        encode: (entry) => iframeCall(cb, scriptSafeJson(entry)),
        payloadBytes: scriptSafeBytes,
        heartbeat: iframeKeepAlive,
        epilogue: iframeEnd(),
        maxBodyBytes: ctx.config.iframeMaxBytes,
      });
    });
  },
};

export default iframe;
