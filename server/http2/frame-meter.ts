/**
 * Wire statistics over HTTP/2: every decrypted byte of a connection credited to
 * the stream it belongs to, and through the stream to its transport.
 *
 * Node's http2 API tells the lab about streams, never about bytes, and one
 * connection carries many transports' streams at once. So each connection's
 * plaintext passes through two FrameReaders (one per direction, frames.ts), and
 * every byte lands in exactly one place:
 * - a transport's stream: HEADERS and CONTINUATION blocks are its head; frame
 *   headers, padding, its WINDOW_UPDATE and RST_STREAM frames and DATA are its
 *   framing, until the transport says which DATA bytes were event JSON (payload);
 * - the `connection` line: the client preface and every frame on stream 0
 *   (SETTINGS, PING, GOAWAY, the connection's WINDOW_UPDATE);
 * - the `other` line: streams no transport claimed (pages, /stats, chat posts, refusals).
 * A stream's bytes wait in its account (stream-account.ts) until a transport claims
 * it (its request HEADERS arrive before any route runs) or it closes unclaimed.
 */
import type { Http2ServerRequest, Http2Session } from 'node:http2';
import { type Meter, type StreamMetering, type TrafficStats, emptyTraffic } from '../stats.ts';
import type { StepSink } from '../trace.ts';
import type { TransportId } from '../transports/registry.ts';
import { FrameSteps } from './frame-steps.ts';
import {
  type ByteKind,
  CONTINUATION,
  FRAME_TYPES,
  type FrameHeader,
  type FrameListener,
  FrameReader,
  HEADERS,
  RST_STREAM,
  frameTypeName,
} from './frames.ts';
import { type Direction, StreamAccount, StreamMeter, type StreamTap } from './stream-account.ts';

/** HTTP/2 traffic that belongs to no transport, and the frames seen: the `/stats` `http2` section. */
export interface Http2Totals {
  sessionsOpened: number;
  sessionsOpen: number;
  /** Sessions ended by a protocol error (a bad preface, an invalid frame, a flood): nghttp2 sent GOAWAY. */
  sessionErrors: number;
  /** The client preface and every frame on stream 0. */
  connection: { bytesIn: number; bytesOut: number };
  /** Streams no transport claimed (pages, /stats, chat posts, refusals): head and the rest (framing). */
  other: TrafficStats;
  /** Frames by type, both ways. */
  frames: { in: Record<string, number>; out: Record<string, number> };
}

export function emptyHttp2Totals(): Http2Totals {
  const perType = () => Object.fromEntries([...FRAME_TYPES, 'UNKNOWN'].map((name) => [name, 0]));
  return {
    sessionsOpened: 0,
    sessionsOpen: 0,
    sessionErrors: 0,
    connection: { bytesIn: 0, bytesOut: 0 },
    other: emptyTraffic(),
    frames: { in: perType(), out: perType() },
  };
}

/** The largest request head kept for a tap that attaches after it arrived. */
const MAX_KEPT_HEAD_BYTES = 16 * 1024;

/** Closed streams remembered for frames that arrive after the close (a late WINDOW_UPDATE or RST_STREAM). */
const CLOSED_REMEMBERED = 32;

/**
 * Frames a peer may send on stream ids no stream has used yet (only PRIORITY is
 * legal there, RFC 9113 section 5.1) before the lab calls it abuse. Such a frame
 * opens no account and carries nothing for any transport. A browser sends none
 * (Firefox once sent a few for its priority placeholders); a peer sending them by
 * the thousand only makes the lab read them, a cost nghttp2 does not bound.
 */
export const MAX_IDLE_STREAM_FRAMES = 1000;

/** How a connection's meter is set up (listener.ts). */
export interface ConnectionMeterOptions {
  /** Also shown every frame the lab sends, on the same single reading (listener.ts watches for error GOAWAYs). */
  watch?: FrameListener;
  /**
   * Whether a new stream's request HEADERS are worth keeping for a wiretap that may claim it:
   * no page listening, no copy of every request's head.
   */
  keepRequestHeads?: () => boolean;
  /**
   * Stream accounts open at once past which the peer is abusing the meter: streams that
   * nghttp2 neither serves nor refuses. The listener gives SETTINGS_MAX_CONCURRENT_STREAMS
   * plus the refusals it tolerates.
   */
  maxOpenAccounts?: number;
  /** Called once when the peer passes a bound above; the listener ends the connection (GOAWAY ENHANCE_YOUR_CALM). */
  onAbuse?: (reason: string) => void;
}

/**
 * The frame meter of one HTTP/2 connection: feed it the plaintext both ways
 * (`incoming`, `outgoing`), tell it when streams open and close, and transports
 * claim their streams through it.
 *
 * Its state is bounded whatever the peer sends. A stream's account opens with the
 * client's HEADERS on a new stream id, the only frame that opens a stream; any
 * other frame on a stream without an account (PRIORITY on an idle stream, a late
 * WINDOW_UPDATE on a stream long closed) is credited to the `connection` line,
 * byte for byte. An account closes with its stream, or, for a stream nghttp2
 * refused or reset before Node announced it, with the lab's RST_STREAM. Past
 * MAX_IDLE_STREAM_FRAMES or `maxOpenAccounts` the peer is told (onAbuse), and
 * nothing more is kept.
 */
export class ConnectionMeter {
  private readonly accounts = new Map<number, StreamAccount>();
  private readonly closedOrder: number[] = [];
  /** The highest client stream id a HEADERS opened: a frame above it names an idle stream. */
  private highestOpened = 0;
  private openAccounts = 0;
  private idleStreamFrames = 0;
  private abused = false;
  /** The transports this connection has carried, for their connectionsOpen. */
  private readonly carried = new Set<TrafficStats>();
  /** Whether a page traces any stream of this connection; then stream 0's frames are steps too. */
  private traced = false;
  private connectionSteps: FrameSteps | undefined;
  readonly incoming: FrameReader;
  readonly outgoing: FrameReader;
  private readonly keepRequestHeads: () => boolean;
  private readonly maxOpenAccounts: number;
  private readonly onAbuse: (reason: string) => void;
  private readonly watch: FrameListener | undefined;

  constructor(
    private readonly totals: Http2Totals,
    options: ConnectionMeterOptions = {},
  ) {
    this.keepRequestHeads = options.keepRequestHeads ?? (() => true);
    this.maxOpenAccounts = options.maxOpenAccounts ?? Infinity;
    this.onAbuse = options.onAbuse ?? (() => {});
    totals.sessionsOpened++;
    totals.sessionsOpen++;
    this.watch = options.watch;
    this.incoming = new FrameReader(this.listener('in'), true);
    this.outgoing = new FrameReader(this.listener('out'), false);
  }

  private listener(dir: Direction): FrameListener {
    const frames = this.totals.frames[dir];
    const connection = this.totals.connection;
    const watch = dir === 'out' ? this.watch : undefined;
    // The account the frame being read belongs to (undefined: the connection line), found once per frame.
    let current: StreamAccount | undefined;
    return {
      frame: (header: FrameHeader) => {
        frames[frameTypeName(header.type)]++;
        watch?.frame?.(header);
        current = header.streamId === 0 ? undefined : this.accountOf(dir, header.type, header.streamId);
        if (this.traced) (header.streamId === 0 ? this.connectionSteps : current?.steps)?.frameStarted(dir, header);
      },
      bytes: (streamId: number, kind: ByteKind, n: number, type: number, source: Uint8Array, start: number) => {
        watch?.bytes(streamId, kind, n, type, source, start);
        const account = current;
        if (account === undefined) {
          if (dir === 'in') connection.bytesIn += n;
          else connection.bytesOut += n;
          if (streamId === 0) this.connectionSteps?.bytes(dir, kind, n, source, start);
          return;
        }
        account.count(dir, kind, n, source, start);
        if (account.tap) account.tap(dir, Buffer.from(source.subarray(start, start + n)), type);
        else if (dir === 'in' && account.requestFrames && (type === HEADERS || type === CONTINUATION))
          this.keep(account, source.subarray(start, start + n));
      },
    };
  }

  /** The account a frame of `type` on `streamId` is credited to, opening or closing one as the frame says. */
  private accountOf(dir: Direction, type: number, streamId: number): StreamAccount | undefined {
    const known = this.accounts.get(streamId);
    if (known !== undefined) {
      // nghttp2 refused or reset a stream Node never announced: no 'close' will come for it.
      if (dir === 'out' && type === RST_STREAM && !known.announced) this.streamClosed(streamId);
      return known;
    }
    if (dir === 'out' || streamId <= this.highestOpened) return undefined;
    // A client stream opens with HEADERS on a new odd id (RFC 9113 section 5.1.1); anything else names an idle stream.
    if (type !== HEADERS || streamId % 2 === 0) {
      if (++this.idleStreamFrames > MAX_IDLE_STREAM_FRAMES) this.abuse(`more than ${MAX_IDLE_STREAM_FRAMES} frames on idle streams`);
      return undefined;
    }
    if (this.openAccounts >= this.maxOpenAccounts) {
      this.abuse(`more than ${this.maxOpenAccounts} streams neither served nor refused`);
      return undefined;
    }
    this.highestOpened = streamId;
    const account = new StreamAccount();
    if (this.keepRequestHeads()) account.requestFrames = [];
    this.accounts.set(streamId, account);
    this.openAccounts++;
    return account;
  }

  private abuse(reason: string): void {
    if (this.abused) return;
    this.abused = true;
    this.onAbuse(reason);
  }

  /** Node announced `streamId` (the server's 'stream' event): its close will be reported. */
  streamOpened(streamId: number): void {
    const account = this.accounts.get(streamId);
    if (account) account.announced = true;
  }

  private keep(account: StreamAccount, bytes: Uint8Array): void {
    const kept = account.requestFrames!;
    const size = kept.reduce((sum, b) => sum + b.length, 0);
    if (size + bytes.length > MAX_KEPT_HEAD_BYTES) account.requestFrames = undefined;
    else kept.push(Buffer.from(bytes));
  }

  /**
   * A transport's meter for `streamId`: counts the request and, if new to it, the
   * connection. The request's HEADERS frames are let go here: a wiretap that wants
   * them attaches first (wiretap.attach before stats.meter).
   */
  claim(streamId: number, stats: TrafficStats): StreamMeter {
    // No account: a stream opened past a bound, or forgotten; its request is counted, its bytes are the connection's.
    const account = this.accounts.get(streamId) ?? new StreamAccount();
    account.claim(stats);
    account.requestFrames = undefined;
    stats.requests++;
    if (!this.carried.has(stats)) {
      this.carried.add(stats);
      stats.connectionsOpened++;
      stats.connectionsOpen++;
    }
    return new StreamMeter(account, stats);
  }

  /**
   * Attaches a tap to `streamId`; returns the request's HEADERS frames as they crossed (if kept).
   * `trace`: the stream's frames become steps from now until it is forgotten, those
   * that crossed before (its request) one step; and the connection's own frames too.
   */
  tap(streamId: number, tap: StreamTap, trace?: StepSink, webSocket = false): Buffer[] {
    const account = this.accounts.get(streamId);
    if (!account) return [];
    account.tap = tap;
    if (trace && !account.steps) {
      account.steps = new FrameSteps(trace, streamId, webSocket);
      account.steps.request(account.inHead, account.inOther);
      this.traced = true;
      // Stream 0's frames go to the page tracing the connection's latest stream, from a frame boundary.
      if (!this.connectionSteps || this.connectionSteps.idle) this.connectionSteps = new FrameSteps(trace, 0);
    }
    const kept = account.requestFrames ?? [];
    account.requestFrames = undefined;
    return kept;
  }

  untap(streamId: number): void {
    const account = this.accounts.get(streamId);
    if (account) account.tap = undefined;
  }

  /** A stream closed: unclaimed bytes go to `other`; the account stays a while for late frames. */
  streamClosed(streamId: number): void {
    const account = this.accounts.get(streamId);
    if (!account || account.closed) return;
    account.closed = true;
    this.openAccounts--;
    account.tap = undefined;
    account.requestFrames = undefined;
    // Its steps go on until the account is forgotten: a late WINDOW_UPDATE still belongs to it.
    account.steps?.ended();
    if (!account.owner) account.claim(this.totals.other);
    this.closedOrder.push(streamId);
    if (this.closedOrder.length > CLOSED_REMEMBERED) this.accounts.delete(this.closedOrder.shift()!);
  }

  /** The connection closed: its transports have one connection fewer open, and nothing is left pending. */
  closed(): void {
    for (const streamId of [...this.accounts.keys()]) this.streamClosed(streamId);
    this.accounts.clear();
    for (const stats of this.carried) stats.connectionsOpen--;
    this.carried.clear();
    this.totals.sessionsOpen--;
  }

  /** Bytes of streams still open and unclaimed: counted, not yet anybody's (/stats shows them as pending). */
  pending(): { bytesIn: number; bytesOut: number } {
    let bytesIn = 0;
    let bytesOut = 0;
    for (const account of this.accounts.values()) {
      if (account.owner) continue;
      bytesIn += account.inHead + account.inOther;
      bytesOut += account.outHead + account.outOther;
    }
    return { bytesIn, bytesOut };
  }
}

/**
 * Every HTTP/2 connection's meter, found by its session: what WireStats calls for
 * an HTTP/2 request (stats.ts), and what the listener and the wiretap use.
 */
export class Http2Metering implements StreamMetering {
  readonly totals = emptyHttp2Totals();
  private readonly bySession = new WeakMap<Http2Session, ConnectionMeter>();
  private readonly live = new Set<ConnectionMeter>();

  /** A meter for a new connection, found later by `session`. */
  open(session: Http2Session, meter: ConnectionMeter): void {
    this.bySession.set(session, meter);
    this.live.add(meter);
    session.once('close', () => {
      this.live.delete(meter);
      meter.closed();
    });
  }

  connectionMeterOf(session: Http2Session): ConnectionMeter | undefined {
    return this.bySession.get(session);
  }

  connectionOf(request: Http2ServerRequest): ConnectionMeter | undefined {
    const session = request.stream.session;
    return session ? this.bySession.get(session) : undefined;
  }

  meter(_id: TransportId, stats: TrafficStats, request: Http2ServerRequest): Meter {
    const connection = this.connectionOf(request);
    // A session the listener did not open (none today): count the request, not its bytes.
    if (!connection) {
      stats.requests++;
      const account = new StreamAccount();
      account.claim(stats);
      return new StreamMeter(account, stats);
    }
    return connection.claim(request.stream.id!, stats);
  }

  tap(request: Http2ServerRequest, tap: StreamTap, trace?: StepSink): Buffer[] {
    return this.connectionOf(request)?.tap(request.stream.id!, tap, trace, request.method === 'CONNECT') ?? [];
  }

  untap(request: Http2ServerRequest): void {
    this.connectionOf(request)?.untap(request.stream.id!);
  }

  /** The `/stats` `http2` section: the totals, with open unclaimed streams as `pending`. */
  snapshot(): Http2Totals & { pending: { bytesIn: number; bytesOut: number } } {
    const pending = { bytesIn: 0, bytesOut: 0 };
    for (const meter of this.live) {
      const p = meter.pending();
      pending.bytesIn += p.bytesIn;
      pending.bytesOut += p.bytesOut;
    }
    return { ...structuredClone(this.totals), pending };
  }
}
