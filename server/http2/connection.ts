/**
 * One HTTP/2 connection the lab terminated: its TCP and TLS sockets, the plaintext
 * pipe its session reads and writes through, the frame meter on that pipe, and the
 * session once Node has made it. What needs the connection of a session (the
 * peer's address, the backlog a slow reader left, a reset) finds it here.
 *
 * It also reads what the lab sends for the answers that must end the connection:
 *
 * - A GOAWAY with an error code. nghttp2 sends one by itself for a frame too large,
 *   an invalid frame, a broken HPACK block or a flood of resets, then reads nothing
 *   more, and Node keeps the connection open: a peer could hold any number of them.
 *   RFC 9113 section 5.4.1: "After sending the GOAWAY frame for an error condition,
 *   the endpoint MUST close the TCP connection."
 * - The MAX_REFUSED_STREAMS-th REFUSED_STREAM.
 * - A peer past the meter's bounds (frame-meter.ts): GOAWAY ENHANCE_YOUR_CALM.
 */
import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ConnectionMeter, type Http2Metering } from './frame-meter.ts';
import { type ByteKind, type FrameListener, GOAWAY, RST_STREAM } from './frames.ts';
import { PlaintextPipe } from './plaintext.ts';

const {
  NGHTTP2_NO_ERROR: NO_ERROR,
  NGHTTP2_REFUSED_STREAM: REFUSED_STREAM,
  NGHTTP2_ENHANCE_YOUR_CALM: ENHANCE_YOUR_CALM,
} = http2.constants;

/**
 * How many streams one connection may have had refused (RST_STREAM REFUSED_STREAM,
 * past SETTINGS_MAX_CONCURRENT_STREAMS) before the lab ends it with GOAWAY
 * ENHANCE_YOUR_CALM. A browser's first flight may overshoot a limit it has not
 * seen yet, and it retries those streams; a peer that goes on opening streams
 * that are refused at once would be refused for ever (nghttp2 answers a peer that
 * has not acknowledged the limit with REFUSED_STREAM, and never closes). 100 is
 * Node's own bound on streams it rejects itself (`maxSessionRejectedStreams`).
 */
export const MAX_REFUSED_STREAMS = 100;

/** How long a GOAWAY of the lab's own may take to leave before the session is destroyed anyway. */
const GOAWAY_GRACE_MS = 2000;

/** What counts a connection's open streams (the idle clock keeps a connection with none on a deadline). */
export interface StreamClock {
  streamOpened(): void;
  streamClosed(): void;
}

/** What a connection reports to its listener. */
export interface ConnectionEvents {
  /** The session ended by a protocol error or the lab's own GOAWAY with an error code (counted once per session). */
  failed(session: Http2Session): void;
}

/** The connection of every session the lab's listener opened. */
const connections = new WeakMap<Http2Session, Http2Connection>();

/** The lab's connection under `session`, if the lab's TLS listener opened it. */
export function connectionOf(session: Http2Session | undefined): Http2Connection | undefined {
  return session ? connections.get(session) : undefined;
}

export class Http2Connection {
  readonly pipe: PlaintextPipe;
  readonly meter: ConnectionMeter;
  private session: Http2Session | undefined;
  private clock: StreamClock | undefined;
  /** The first payload bytes of the frame the lab is sending (a GOAWAY's 8, a RST_STREAM's 4). */
  private head: Buffer | undefined;
  private have = 0;
  private refused = 0;

  constructor(
    readonly tcp: Socket,
    readonly tls: TLSSocket,
    private readonly metering: Http2Metering,
    private readonly events: ConnectionEvents,
    options: { maxConcurrentStreams: number; keepRequestHeads: () => boolean },
  ) {
    const watch: FrameListener = { frame: () => (this.have = 0), bytes: (...args) => this.sent(...args) };
    this.meter = new ConnectionMeter(metering.totals, {
      watch,
      keepRequestHeads: options.keepRequestHeads,
      maxOpenAccounts: options.maxConcurrentStreams + MAX_REFUSED_STREAMS,
      onAbuse: () => this.calmDown(),
    });
    this.pipe = new PlaintextPipe(tls, tcp, this.meter);
  }

  /**
   * The session Node made on this connection's pipe: from now on it is found by it.
   * `clock`: told as streams open and close (the idle clock, ../connections.ts).
   */
  attach(session: Http2Session, clock?: StreamClock): void {
    this.session = session;
    this.clock = clock;
    connections.set(session, this);
    this.metering.open(session, this.meter);
  }

  /** Node announced a stream: the meter and the clock are told, and told again when it closes. */
  streamOpened(stream: ServerHttp2Stream): void {
    const id = stream.id;
    if (id === undefined) return;
    this.meter.streamOpened(id);
    this.clock?.streamOpened();
    stream.once('close', () => {
      this.meter.streamClosed(id);
      this.clock?.streamClosed();
    });
  }

  /** The peer's address, as its TCP socket has it: the session's own socket is a JS stream, which has none. */
  get remoteAddress(): string | undefined {
    return this.tcp.remoteAddress;
  }

  /** Plaintext written towards the peer that has not left yet. */
  get backlogBytes(): number {
    return this.pipe.backlogBytes;
  }

  /** Cuts the connection at the TCP level: a reset frees the kernel's send queue at once (limits.ts). */
  reset(): void {
    this.pipe.reset();
  }

  /** A piece of a frame the lab sends: a GOAWAY's error code, a RST_STREAM's. Called while nghttp2 writes. */
  private sent(_streamId: number, kind: ByteKind, count: number, type: number, source: Uint8Array, start: number): void {
    if (kind !== 'control' || (type !== GOAWAY && type !== RST_STREAM)) return;
    const wanted = type === GOAWAY ? 8 : 4;
    const n = Math.min(count, wanted - this.have);
    if (n <= 0) return;
    const head = (this.head ??= Buffer.alloc(8));
    head.set(source.subarray(start, start + n), this.have);
    this.have += n;
    if (this.have < wanted) return;
    if (type === GOAWAY) {
      const code = head.readUInt32BE(4);
      if (code !== NO_ERROR) this.endAfterGoaway(code);
    } else if (head.readUInt32BE(0) === REFUSED_STREAM && ++this.refused === MAX_REFUSED_STREAMS) {
      this.calmDown();
    }
  }

  /**
   * An error GOAWAY has reached TLS: the session ends right after (destroy() sends no
   * second GOAWAY once nghttp2 sent its own), and the socket closes.
   */
  private endAfterGoaway(code: number): void {
    const session = this.session;
    if (!session) return;
    this.events.failed(session);
    setImmediate(() => session.destroy(new Error(`HTTP/2 connection error ${code}`), code));
  }

  /**
   * GOAWAY ENHANCE_YOUR_CALM. The lab's own GOAWAY goes out first (destroy() alone may
   * close the socket before its GOAWAY is written); the watch sees it and ends the
   * session. A peer that does not read is cut off anyway.
   */
  private calmDown(): void {
    setImmediate(() => {
      const session = this.session;
      if (!session || session.destroyed) return;
      session.goaway(ENHANCE_YOUR_CALM, session.state.lastProcStreamID);
      const timer = setTimeout(() => session.destroy(), GOAWAY_GRACE_MS);
      session.once('close', () => clearTimeout(timer));
    });
  }
}
