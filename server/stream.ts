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
import type { Entry, Follower } from './feed.ts';
import type { Meter } from './stats.ts';
import type { StepNote } from './trace.ts';
import type { TransportId } from './transports/registry.ts';
import type { Tap } from './wiretap.ts';
import type { FollowOptions } from './cursor.ts';
import type { Closer, LabContext } from './context.ts';
import { type Beater, everyPeriod, stopBeating } from './heartbeat.ts';
import { type Carrier, backlogOf, carrierOf } from './carrier.ts';
import { dropSlowReader } from './limits.ts';
import { meterRequest } from './request-meter.ts';

export interface StreamWire {
  id: TransportId;
  headers: Record<string, string>;
  /** Written once before any event (the iframe's padded document, SSE's `retry:`). */
  preamble: string;
  /**
   * In a cluster, a message that is not an event, naming the process that serves this
   * stream (`{"type":"process","process":...}`): the scale-out lesson's panels show it.
   */
  hello(message: string): string;
  encode(entry: Entry): string;
  /** The bytes of event JSON inside `encode(entry)`, as carried (the iframe's is escaped); the JSON's own bytes if absent. */
  payloadBytes?(entry: Entry): number;
  heartbeat(): string;
  /** Written before the server ends the response on its own (byte limit, shutdown). */
  epilogue?: string;
  /** End the response after this many body bytes; the client reconnects with `since`. */
  maxBodyBytes?: number;
}

/** What a stream writes besides events, for a traced stream's steps (trace.ts): constants, so that no write allocates a note. */
const NOTES = {
  preamble: { what: 'response' },
  hello: { what: 'hello' },
  heartbeat: { what: 'heartbeat' },
  epilogue: { what: 'close' },
} as const satisfies Record<string, StepNote>;

/** Streams the feed from `since` into the reply until the client leaves or a limit ends it. */
export function openStream(ctx: LabContext, request: FastifyRequest, reply: FastifyReply, follow: FollowOptions, wire: StreamWire): void {
  reply.hijack(); // the response is ours now: Fastify neither serialises nor ends it
  releaseFastifyListeners(reply.raw);
  new FeedStream(ctx, request, reply.raw, follow, wire);
}

/**
 * Fastify listens for the response's 'finish' and 'error' to run onResponse hooks
 * and log, and the listener keeps its request and reply objects (with the parsed
 * query and route context) alive until then: some 700 B per stream for hours. A
 * hijacked stream has no onResponse work (the lab's hooks skip transport routes),
 * so the listener goes now. Matched by name: were Fastify to rename it, nothing
 * breaks, the memory is only kept again (the bench's "what the framework costs"
 * would show it).
 */
function releaseFastifyListeners(res: ServerResponse): void {
  for (const event of ['finish', 'error'] as const) {
    for (const listener of res.listeners(event)) {
      if (listener.name === 'onResFinished') res.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
}

/** Each response's stream, for the one 'close' listener they share (a WeakMap: see MARKS in stats.ts). */
const STREAMS = new WeakMap<object, FeedStream>();

/**
 * One open stream.
 *
 * A class rather than a nest of closures: thousands of streams stay open at once,
 * and methods on the prototype cost nothing per stream, where each closure costs a
 * function object and a context (and, compiled by tsx with esbuild's keepNames, a
 * `name` property that moves it into a dictionary of its own: some 250 B each). So
 * the stream follows the feed, beats and shuts down as itself (Follower, Beater,
 * Closer), and its response's 'close' reaches it through one shared listener.
 */
class FeedStream implements Follower, Beater, Closer {
  private open = true;
  private following = false;
  private bodyBytes = 0;
  private readonly meter: Meter;
  private readonly tap: Tap | undefined;
  /** What the response travels on: its socket, or its HTTP/2 stream. */
  private readonly carrier: Carrier;
  private readonly accept: FollowOptions['accept'];
  private readonly heartbeatMs: number;

  constructor(
    private readonly ctx: LabContext,
    request: FastifyRequest,
    private readonly res: ServerResponse,
    follow: FollowOptions,
    private readonly wire: StreamWire,
  ) {
    this.carrier = carrierOf(request.raw);
    this.accept = follow.accept;
    this.heartbeatMs = follow.heartbeatMs;
    const { tap, meter } = meterRequest(ctx, wire.id, request, res, follow.client);
    this.tap = tap;
    this.meter = meter;
    res.writeHead(200, wire.headers);
    flattenHead(res);
    this.writeOther(wire.preamble, NOTES.preamble);
    if (ctx.config.feedStore !== 'memory') this.writeOther(wire.hello(processMessage(ctx)), NOTES.hello);
    STREAMS.set(res, this);
    res.on('close', onStreamResponseClose);
    if (this.carrier.destroyed) {
      // Gone before the route ran (an HTTP/2 stream reset in the same read as its HEADERS):
      // its 'close' has passed, so nothing may start following, beating or waiting for shutdown.
      this.closed();
      return;
    }
    ctx.closers.add(this);
    this.following = true;
    ctx.feed.follow(follow.since, this);
    if (!this.open) {
      ctx.feed.unfollow(this); // the replay alone reached the byte limit
      return;
    }
    // Last, so that nothing keeps beating for a stream whose start failed.
    if (this.heartbeatMs > 0) everyPeriod(this.heartbeatMs, this);
  }

  private write(chunk: string): void {
    this.res.write(chunk);
    if (this.wire.maxBodyBytes !== undefined) this.bodyBytes += Buffer.byteLength(chunk);
  }

  /** Writes what is not an event (preamble, heartbeat, epilogue) and accounts it at once. */
  private writeOther(chunk: string, note: StepNote): void {
    this.write(chunk);
    this.meter.out({ body: chunk, note });
  }

  /** The heartbeat (Beater): a comment or keep-alive chunk that carries no event. */
  beat(): void {
    this.writeOther(this.wire.heartbeat(), NOTES.heartbeat);
  }

  /** A new event (Follower), unless this stream filters its type out. */
  deliver(entry: Entry): void {
    if (!this.open || (this.accept && !this.accept(entry.event.type))) return;
    // A reader that stopped reading leaves its backlog in our memory: past the cap
    // the stream ends as if it were full, and the client resumes with `since` or
    // Last-Event-ID (no loss); a reader that does not even take the end is cut off.
    if (backlogOf(this.carrier, this.res) > this.ctx.config.maxQueuedBytes) {
      this.shutdown();
      const cancel = dropSlowReader(this.ctx, this.carrier);
      this.res.once('finish', cancel).once('close', cancel);
      return;
    }
    const chunk = this.wire.encode(entry);
    this.write(chunk);
    this.meter.event(this.wire.payloadBytes?.(entry) ?? entry.bytes, chunk, entry.event.seq);
    if (this.wire.maxBodyBytes !== undefined && this.bodyBytes >= this.wire.maxBodyBytes) this.shutdown();
  }

  /** Ends the response from the server's side (Closer): byte limit, slow reader, shutdown. */
  shutdown(): void {
    if (!this.open) return;
    if (this.wire.epilogue) this.writeOther(this.wire.epilogue, NOTES.epilogue);
    this.res.end();
    this.meter.out();
    this.cleanup();
  }

  /** The client left, or the response ended. */
  closed(): void {
    this.cleanup();
    this.meter.finish();
  }

  /** Every `on` of this stream has its `off` here. */
  private cleanup(): void {
    if (!this.open) return;
    this.open = false;
    if (this.heartbeatMs > 0) stopBeating(this.heartbeatMs, this);
    // While the constructor's replay is still running the constructor unfollows.
    if (this.following) this.ctx.feed.unfollow(this);
    this.tap?.detach();
    this.ctx.closers.delete(this);
    this.res.off('close', onStreamResponseClose);
    STREAMS.delete(this.res);
  }
}

/** The one 'close' listener every stream's response shares (`this` is the response). */
function onStreamResponseClose(this: ServerResponse): void {
  STREAMS.get(this)?.closed();
}

/**
 * What a cluster's process says of itself to a stream or socket it serves: a
 * message, not an event (no seq), so clients that do not look for it ignore it.
 */
export function processMessage(ctx: LabContext): string {
  return JSON.stringify({ type: 'process', process: ctx.config.processName });
}

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
