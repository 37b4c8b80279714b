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
import type { ServerResponse } from 'node:http';
import type { Entry } from './feed.ts';
import type { AnyRequest, Meter } from './stats.ts';
import type { TransportId } from './transports/registry.ts';
import type { Tap } from './wiretap.ts';
import type { FollowOptions } from './cursor.ts';
import type { LabContext } from './context.ts';
import { everyPeriod } from './heartbeat.ts';
import { backlogOf, dropSlowReader } from './limits.ts';

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
  reply.hijack(); // the response is ours now: Fastify neither serialises nor ends it
  new FeedStream(ctx, request, reply.raw, follow, wire);
}

/**
 * One open stream.
 *
 * A class rather than a nest of closures: thousands of streams stay open at once,
 * and methods on the prototype cost nothing per stream, where each closure would
 * carry its own function object (and, compiled by tsx with esbuild's keepNames, a
 * `name` property that moves it into a dictionary of its own: some 250 B each).
 * The two functions handed out (to the shutdown hooks and the response's `close`)
 * are bound once.
 */
class FeedStream {
  private open = true;
  private bodyBytes = 0;
  private readonly meter: Meter;
  private readonly tap: Tap | undefined;
  private readonly request: AnyRequest;
  private stopHeartbeat: (() => void) | undefined;
  private readonly unfollow: () => void;
  /** Ends the response from the server's side (byte limit, slow reader, shutdown). */
  private readonly end = FeedStream.prototype.endByServer.bind(this);
  private readonly onClose = FeedStream.prototype.closed.bind(this);

  constructor(
    private readonly ctx: LabContext,
    request: FastifyRequest,
    private readonly res: ServerResponse,
    follow: FollowOptions,
    private readonly wire: StreamWire,
  ) {
    this.request = request.raw;
    // The tap first: over HTTP/2 the meter's claim lets go of the request's HEADERS frames.
    this.tap = ctx.wiretap.attach(follow.client, wire.id, request);
    this.meter = ctx.stats.meter(wire.id, request.raw, res);
    res.writeHead(200, wire.headers);
    flattenHead(res);
    this.writeOther(wire.preamble);
    res.on('close', this.onClose);
    ctx.closers.add(this.end);
    const { accept } = follow;
    this.unfollow = ctx.feed.follow(follow.since, accept ? (entry) => accept(entry.event.type) && this.deliver(entry) : (entry) => this.deliver(entry));
    if (!this.open) {
      this.unfollow(); // the replay alone reached the byte limit
      return;
    }
    // Last, so that nothing keeps beating for a stream whose start failed.
    if (follow.heartbeatMs > 0) this.stopHeartbeat = everyPeriod(follow.heartbeatMs, () => this.writeOther(wire.heartbeat()));
  }

  private write(chunk: string): void {
    this.res.write(chunk);
    if (this.wire.maxBodyBytes !== undefined) this.bodyBytes += Buffer.byteLength(chunk);
  }

  /** Writes what is not an event (preamble, heartbeat, epilogue) and accounts it at once. */
  private writeOther(chunk: string): void {
    this.write(chunk);
    this.meter.out({ body: chunk });
  }

  private deliver(entry: Entry): void {
    if (!this.open) return;
    // A reader that stopped reading leaves its backlog in our memory: past the cap
    // the stream ends as if it were full, and the client resumes with `since` or
    // Last-Event-ID (no loss); a reader that does not even take the end is cut off.
    if (backlogOf(this.request) > this.ctx.config.maxQueuedBytes) {
      this.endByServer();
      const cancel = dropSlowReader(this.ctx, this.request);
      this.res.once('finish', cancel).once('close', cancel);
      return;
    }
    const chunk = this.wire.encode(entry);
    this.write(chunk);
    this.meter.event(entry.bytes, chunk);
    if (this.wire.maxBodyBytes !== undefined && this.bodyBytes >= this.wire.maxBodyBytes) this.endByServer();
  }

  private endByServer(): void {
    if (!this.open) return;
    if (this.wire.epilogue) this.writeOther(this.wire.epilogue);
    this.res.end();
    this.meter.out();
    this.cleanup();
  }

  private closed(): void {
    this.cleanup();
    this.meter.finish();
  }

  /** Every `on` of this stream has its `off` here. */
  private cleanup(): void {
    if (!this.open) return;
    this.open = false;
    this.stopHeartbeat?.();
    // Undefined only while the constructor's replay is still running; it unfollows then.
    this.unfollow?.();
    this.tap?.detach();
    this.ctx.closers.delete(this.end);
    this.res.off('close', this.onClose);
  }
}

/** Headers every feed response carries: the feed is public and must never be cached. */
export const FEED_HEADERS = {
  'cache-control': 'no-cache, no-store, no-transform',
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
} as const;

/**
 * Node builds a response head by appending each header line to a string, which V8
 * keeps as a rope of some thirty pieces, and keeps it (`_header`) for as long as
 * the response is open: about 1 KB per stream, several times the head's own size.
 * Reading it as a number makes V8 flatten the rope in place into one plain string
 * with the same bytes (the trick of the `flatstr` package).
 */
function flattenHead(res: ServerResponse): void {
  const head = (res as unknown as { _header?: unknown })._header;
  if (typeof head === 'string') void (Number(head) | 0);
}

