/**
 * One WebSocket following the feed: the connection machinery of the `ws`
 * transport (transports/ws.ts routes the upgrade and hands each socket here).
 *
 * Beside stream.ts, its HTTP counterpart: it follows the feed (replay, then live),
 * takes chat from the socket, pings, caps a slow reader's backlog and cleans up,
 * as FeedStream does for the streaming transports.
 */
import type { FastifyRequest } from 'fastify';
import { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { type ChatMessage, allowed, parseChat, publishChat } from './chat.ts';
import { clientAddress } from './client-address.ts';
import type { Closer, LabContext } from './context.ts';
import type { FollowOptions } from './cursor.ts';
import { type ErrorCode, LabError, errorBody } from './errors.ts';
import { type Entry, type Follower, encodeOnce } from './feed.ts';
import { wsTextFrame } from './frames.ts';
import { type Beater, everyPeriod, stopBeating } from './heartbeat.ts';
import { type Carrier, backlogOf, carrierOf } from './carrier.ts';
import { dropSlowReader } from './limits.ts';
import type { Meter } from './stats.ts';
import { processMessage } from './stream.ts';
import type { StepNote } from './trace.ts';
import type { Tap } from './wiretap.ts';

/** Close codes the lab uses (RFC 6455 section 7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  invalidUtf8: 1007,
  policy: 1008,
  tooBig: 1009,
  serverError: 1011,
  tryAgainLater: 1013,
} as const;

/** An event's text frame (frames.ts), built once for every socket of a broadcast and kept with the event (encodeOnce). */
function frameOf(entry: Entry): Buffer {
  return encodeOnce(entry, 'ws-text-frame', (e) => wsTextFrame(Buffer.from(e.json)));
}

/**
 * After an HTTP/1.1 upgrade the socket belongs to ws, but it still points at the
 * ServerResponse @fastify/websocket made to route the upgrade, which holds the
 * request, its headers and Fastify's request and reply: some 2 KB per socket, kept
 * for as long as the WebSocket lives and never used again. Detached, they go.
 */
function releaseUpgradeResponse(socket: Socket): void {
  const response = (socket as Socket & { _httpMessage?: { detachSocket(socket: Socket): void } | null })._httpMessage;
  response?.detachSocket(socket);
}

/** What the socket's other frames are, for a traced socket's steps (trace.ts): constants, so that no frame allocates a note. */
const NOTES = {
  message: { what: 'message' },
  hello: { what: 'hello' },
  ping: { what: 'ping' },
  pong: { what: 'pong' },
} as const satisfies Record<string, StepNote>;

/** Each socket's FeedSocket, for the listeners every socket shares (a WeakMap: see MARKS in stats.ts). */
const FEED = new WeakMap<WebSocket, FeedSocket>();

/** The listeners every WebSocket of the feed shares (`this` is the ws WebSocket): no closures per socket. */
function onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  FEED.get(this)?.received(data, isBinary);
}
function onSocketPong(this: WebSocket): void {
  FEED.get(this)?.ponged();
}
function onSocketClose(this: WebSocket): void {
  FEED.get(this)?.closed();
}
/**
 * ws reports a protocol error (invalid UTF-8, a message too big) after it has sent
 * the fitting close frame (1007, 1009, 1002): a feed socket counts it; a socket ws
 * left open is closed. One shared listener for every socket, whichever protocol
 * carried its handshake, so that none keeps a closure (and its request) alive.
 */
export function onWebSocketError(this: WebSocket): void {
  const feed = FEED.get(this);
  if (feed) feed.failed();
  else if (this.readyState === this.OPEN) this.close(CLOSE.serverError, 'server error');
}

/**
 * Follows the feed over one WebSocket until either side closes it.
 *
 * A class for the reason FeedStream is one (stream.ts): thousands stay open, and
 * prototype methods cost nothing per socket where closures cost a function and a
 * context each. It follows the feed, beats and shuts down as itself, and keeps
 * only what it uses: not the upgrade's request and response, which it lets go.
 */
export class FeedSocket implements Follower, Beater, Closer {
  private open = true;
  private following = false;
  /** Whether the peer answered the last ping; a peer that misses one whole period is dead. */
  private alive = true;
  /** What the WebSocket's frames travel in: the upgraded socket (HTTP/1.1) or the CONNECT stream (HTTP/2). */
  private readonly raw: Carrier;
  /** The client's address, for the chat rate limit. */
  private readonly ip: string;
  private readonly meter: Meter;
  private readonly tap: Tap | undefined;
  private readonly accept: FollowOptions['accept'];
  private readonly heartbeatMs: number;
  /** The chat messages this socket sent, published one after another (made with the first). */
  private chatting: Promise<void> | undefined;

  /** `tap`: the wiretap opened before the upgrade (ws.ts), so that the page saw the 101 response too. */
  constructor(
    private readonly ctx: LabContext,
    private readonly socket: WebSocket,
    request: FastifyRequest,
    follow: FollowOptions,
    tap: Tap | undefined,
  ) {
    this.raw = carrierOf(request.raw);
    this.ip = clientAddress(request);
    this.accept = follow.accept;
    this.heartbeatMs = follow.heartbeatMs;
    this.tap = tap;
    this.meter = ctx.stats.meter('ws', request.raw, undefined, this.tap?.trace);
    this.meter.out({ allHead: true }); // so far only the 101 response (or HTTP/2's 200 HEADERS) has been written
    // First in line: ws unmasks a client's frames in place, and the page must see them as sent,
    // mask and all. (Over HTTP/2 the frame meter taps the stream both ways: wiretap.ts.)
    if (this.tap?.in) this.raw.prependListener('data', this.tap.in);
    if (this.raw instanceof Socket) {
      releaseUpgradeResponse(this.raw);
      // @fastify/websocket's error listener is a closure that keeps the upgrade's request and
      // reply alive with the socket; the shared one (onWebSocketError) does the same job without.
      socket.removeAllListeners('error');
      socket.on('error', onWebSocketError);
    }
    FEED.set(socket, this);
    socket.on('message', onSocketMessage);
    socket.on('pong', onSocketPong);
    socket.on('close', onSocketClose);
    // In a cluster, the first frame names the process serving this socket (stream.ts processMessage).
    if (ctx.config.feedStore !== 'memory') this.send(processMessage(ctx), undefined, undefined, NOTES.hello);
    this.following = true;
    ctx.feed.follow(follow.since, this);
    if (!this.open) {
      ctx.feed.unfollow(this); // the replay alone outran the slow-reader cap
      return;
    }
    ctx.closers.add(this);
    // Last, so that nothing keeps beating for a socket whose start failed.
    if (this.heartbeatMs > 0) everyPeriod(this.heartbeatMs, this);
  }

  /** ws reported a protocol error: it has sent the fitting close frame already (onWebSocketError). */
  failed(): void {
    this.ctx.counters.wsProtocolErrors++;
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(CLOSE.serverError, 'server error');
  }

  ponged(): void {
    this.alive = true;
    this.meter.in({ note: NOTES.pong });
  }

  closed(): void {
    this.cleanup();
    this.meter.finish();
    FEED.delete(this.socket);
  }

  /** A new event (Follower), unless this socket filters its type out. */
  deliver(entry: Entry): void {
    if (this.accept && !this.accept(entry.event.type)) return;
    this.send(frameOf(entry), entry.bytes, entry.event.seq);
  }

  /**
   * Sends one text frame, unless the peer has stopped reading. Its backlog would
   * stay in our memory, so past MAX_QUEUED_BYTES the socket is closed with 1013
   * "try again later" and the client resumes with `since` (nothing lost). A peer
   * that is only slow reads its backlog and the close frame; one that is stalled
   * cannot, and is cut off (dropSlowReader in limits.ts).
   * `eventBytes` is the payload of a feed event (`seq`); other frames (error answers) have none.
   */
  private send(message: string | Buffer, eventBytes?: number, seq?: number, note: StepNote = NOTES.message): void {
    const { socket, raw, ctx } = this;
    if (socket.readyState !== socket.OPEN) return;
    if (backlogOf(raw) > ctx.config.maxQueuedBytes) {
      socket.close(CLOSE.tryAgainLater, 'slow reader: resume with since');
      this.cleanup(); // after the close frame is written, so that a wiretap shows it
      socket.once('close', dropSlowReader(ctx, raw));
      return;
    }
    // A Buffer is a whole frame already: written as it is, in order with what ws
    // writes itself (ws writes at once; it queues only to compress, which is off).
    if (typeof message === 'string') socket.send(message);
    else raw.write(message);
    if (eventBytes === undefined) this.meter.out({ note });
    else this.meter.event(eventBytes, message, seq);
  }

  /** Error answers go through the same cap: a client that floods bad frames and never reads grows nothing. */
  private answerError(code: ErrorCode, message?: string): void {
    this.ctx.counters.wsErrorsAnswered++;
    this.send(JSON.stringify({ type: 'error', error: errorBody(code, message).error }));
  }

  received(data: Buffer, isBinary: boolean): void {
    this.meter.in({ payloadBytes: data.length, note: NOTES.message });
    if (isBinary) {
      this.answerError('bad_message', 'Binary frames are not part of this protocol: send JSON text frames.');
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      this.answerError('bad_message', 'That frame is not JSON.');
      return;
    }
    if ((message as { type?: unknown } | null)?.type !== 'chat') {
      this.answerError('bad_message', 'The only message a client sends is {"type":"chat","name":"...","text":"..."}.');
      return;
    }
    let chat: ChatMessage;
    try {
      chat = parseChat(message);
    } catch (error) {
      if (error instanceof LabError) {
        this.answerError(error.code, error.message);
        return;
      }
      throw error;
    }
    // Published in the order the frames came, even when the rate check and the publish
    // wait on Redis: each message waits for the one before it.
    this.chatting = (this.chatting ?? Promise.resolve()).then(() => this.publish(chat));
  }

  private async publish(chat: ChatMessage): Promise<void> {
    try {
      if (!(await allowed(this.ctx.limiter, this.ip))) return this.answerError('rate_limited');
      await publishChat(this.ctx.source, chat);
    } catch (error) {
      if (error instanceof LabError) return this.answerError(error.code, error.message);
      this.ctx.counters.internalErrors++;
      console.error('Wirelab: internal error publishing a WebSocket chat message:', error);
    }
  }

  /** Heartbeat (Beater): ping every period; a peer that has not answered the previous ping is dead. */
  beat(): void {
    if (!this.alive) {
      this.ctx.counters.deadPeersTerminated++;
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
    this.meter.out({ note: NOTES.ping });
  }

  /** Shutdown (Closer) stops the feed at once; the close handshake may finish after app.close(). */
  shutdown(): void {
    this.cleanup();
    this.socket.close(CLOSE.goingAway, 'server shutting down');
  }

  /** Every `on` of this socket's feed has its `off` here (ws removes the socket's own listeners). */
  private cleanup(): void {
    if (!this.open) return;
    this.open = false;
    if (this.heartbeatMs > 0) stopBeating(this.heartbeatMs, this);
    if (this.tap) {
      if (this.tap.in) this.raw.off('data', this.tap.in);
      this.tap.detach();
    }
    // While the constructor's replay is still running the constructor unfollows.
    if (this.following) this.ctx.feed.unfollow(this);
    this.ctx.closers.delete(this);
  }
}
