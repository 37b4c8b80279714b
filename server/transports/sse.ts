/**
 * Server-Sent Events: iframe streaming with a standard envelope.
 *
 * One `text/event-stream` response; each event is `id:`, `event:` and `data:`
 * lines. EventSource reconnects by itself and sends the last id it saw as
 * `Last-Event-ID`, so resume needs no code in the page at all.
 */
import type { FastifyInstance } from 'fastify';
import { parseFollow, parseSince } from '../cursor.ts';
import { encodeOnce } from '../feed.ts';
import { sseComment, sseEvent, sseMessage, sseRetry } from '../frames.ts';
import { FEED_HEADERS } from '../feed-headers.ts';
import { type StreamWire, openStream } from '../stream.ts';
import type { LabContext } from '../context.ts';
import { readyToServe } from '../feed-store.ts';
import type { Transport } from './transport.ts';

/** EventSource's reconnect delay we ask for: quick enough for a lesson, slow enough not to hammer. */
export const SSE_RETRY_MS = 2000;

const HEARTBEAT = sseComment('heartbeat');

/** Every SSE response is framed alike, so one wire description serves them all. */
const SSE_WIRE: StreamWire = {
  id: 'sse',
  headers: {
    ...FEED_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    // no-transform (in FEED_HEADERS) stops compressing proxies from buffering the
    // stream; nginx needs its own header to pass chunks through at once.
    'x-accel-buffering': 'no',
  },
  preamble: sseRetry(SSE_RETRY_MS),
  hello: (message) => sseMessage({ event: 'process', data: message }),
  encode: (entry) => encodeOnce(entry, 'sse', sseEvent),
  heartbeat: () => HEARTBEAT,
};
const sse: Transport = {
  id: 'sse',
  register(app: FastifyInstance, ctx: LabContext) {
    app.get('/feed/sse', { config: { transport: 'sse' } }, async (request, reply) => {
      // EventSource reconnects to its original URL, old `since` included, and adds
      // Last-Event-ID: the header is the newer cursor, so it wins (the contract in README.md).
      const follow = parseFollow(request.query as Record<string, unknown>, ctx.config.heartbeatMs);
      const lastEventId = request.headers['last-event-id'];
      if (lastEventId !== undefined && lastEventId !== '') follow.since = parseSince(lastEventId, 'Last-Event-ID');
      await readyToServe(ctx.source, follow.since);
      openStream(ctx, request, reply, follow, SSE_WIRE);
    });
  },
};

export default sse;
