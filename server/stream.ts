/**
 * The mechanism the two streaming transports share: one long HTTP response that
 * follows the feed.
 *
 * Like sockjs-node's session/receiver split, this file owns the lifetime (replay
 * then live, heartbeats, the byte limit, the slow-reader cap, cleanup, shutdown)
 * and the transport module only says how an event looks on its wire: iframe.ts
 * frames `<script>` chunks, sse.ts frames `id:/event:/data:` lines.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Entry } from './feed.ts';
import type { TransportId } from './stats.ts';
import type { FollowOptions } from './cursor.ts';
import type { LabContext } from './transports/index.ts';
import { SLOW_READER_GRACE_MS } from './limits.ts';

export interface StreamWire {
  id: TransportId;
  headers: Record<string, string>;
  /** Written once before any event (the iframe's padded document, SSE's `retry:`). */
  preamble: string;
  encode(entry: Entry): string;
  heartbeat(): string;
  /** Written before the server ends the response on its own (byte limit, shutdown). */
  epilogue?: string;
  /** End the response after this many body bytes; the client reconnects with `since`. */
  maxBodyBytes?: number;
}

/** Streams the feed from `since` into the reply until the client leaves or a limit ends it. */
export function openStream(ctx: LabContext, request: FastifyRequest, reply: FastifyReply, follow: FollowOptions, wire: StreamWire): void {
  const { feed, stats, config } = ctx;
  const res = reply.raw;
  const socket = request.raw.socket;
  reply.hijack(); // the response is ours now: Fastify neither serialises nor ends it
  const meter = stats.meter(wire.id, socket, res);
  const tap = ctx.wiretap.attach(follow.client, wire.id, request);

  let bodyBytes = 0;
  let open = true;
  const write = (chunk: string, payloadBytes = 0, events = 0) => {
    res.write(chunk);
    bodyBytes += Buffer.byteLength(chunk);
    meter.out({ payloadBytes, events });
  };

  /** Ends the response from the server's side, with the wire's epilogue. */
  const end = () => {
    if (!open) return;
    if (wire.epilogue) write(wire.epilogue);
    res.end();
    meter.out();
    cleanup();
  };

  const deliver = (entry: Entry) => {
    if (!open) return;
    // A reader that stopped reading leaves its backlog in our memory: past the cap
    // the stream ends as if it were full, and the client resumes with `since` or
    // Last-Event-ID (no loss). A stalled reader never takes even the end, so after
    // a grace period its socket, backlog and all, is reset. Not destroy(): a socket
    // closed with unsent data stays in the kernel as an orphan, holding its send
    // queue (some 4 MB on loopback) for as long as the peer keeps its window shut;
    // a reset drops it at once (slow-readers.test.ts measures it).
    if (socket.writableLength > config.maxQueuedBytes) {
      ctx.counters.slowReadersDropped++;
      end();
      const cutOff = setTimeout(() => socket.resetAndDestroy(), SLOW_READER_GRACE_MS);
      res.once('finish', () => clearTimeout(cutOff)).once('close', () => clearTimeout(cutOff));
      return;
    }
    write(wire.encode(entry), entry.bytes, 1);
    if (wire.maxBodyBytes !== undefined && bodyBytes >= wire.maxBodyBytes) end();
  };

  res.writeHead(200, wire.headers);
  write(wire.preamble);

  const heartbeat = follow.heartbeatMs > 0 ? setInterval(() => write(wire.heartbeat()), follow.heartbeatMs) : undefined;
  let unfollow: (() => void) | undefined;
  const cleanup = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    unfollow?.();
    tap?.detach();
    ctx.closers.delete(end);
    res.off('close', onClose);
  };
  const onClose = () => {
    cleanup();
    meter.finish();
  };
  res.on('close', onClose);
  ctx.closers.add(end);

  unfollow = feed.follow(follow.since, follow.accept ? (entry) => follow.accept!(entry.event.type) && deliver(entry) : deliver);
  if (!open) unfollow(); // the replay alone reached the byte limit
}

/** Headers every feed response carries: the feed is public and must never be cached. */
export const FEED_HEADERS = {
  'cache-control': 'no-cache, no-store, no-transform',
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
} as const;
