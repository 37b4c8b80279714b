/**
 * Wire statistics: what really crossed the sockets, per transport.
 *
 * Bytes are read off the sockets themselves (`bytesRead`, `bytesWritten`), never
 * estimated. Each socket carries two marks, how far its bytes have already been
 * accounted for; a meter takes the bytes past the marks and splits them into
 * HTTP head, transport framing and event payload. The payload is what the
 * transport knows it sent (each event's JSON), the head is the response head Node
 * wrote, and framing is the rest, so the three always add up to exactly what the
 * socket carried.
 */
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';

import { TRANSPORT_IDS, type TransportId } from './transports/registry.ts';

// Still imported from here by a test being reworked; the registry is the list.
export { TRANSPORT_IDS };

export interface ByteSplit {
  head: number;
  framing: number;
  payload: number;
}

export interface TransportStats {
  requests: number;
  connectionsOpened: number;
  connectionsOpen: number;
  eventsDelivered: number;
  bytesIn: ByteSplit;
  bytesOut: ByteSplit;
}

/** Fields of Node's ServerResponse that are not typed but are stable since Node 0.x. */
interface NodeResponseInternals {
  _header: string;
  _headerSent: boolean;
}

interface Marks {
  read: number;
  written: number;
  /** Transports this socket has carried, for connectionsOpened/connectionsOpen. */
  transports: Set<TransportId>;
}

const split = (): ByteSplit => ({ head: 0, framing: 0, payload: 0 });

function emptyStats(): TransportStats {
  return { requests: 0, connectionsOpened: 0, connectionsOpen: 0, eventsDelivered: 0, bytesIn: split(), bytesOut: split() };
}

export class WireStats {
  readonly transports: Record<TransportId, TransportStats>;
  private readonly marks = new WeakMap<Socket, Marks>();
  /** Meters holding deliveries whose socket bytes are not yet split (see Meter.event). */
  private readonly unsettled = new Set<Meter>();

  constructor() {
    this.transports = Object.fromEntries(TRANSPORT_IDS.map((id) => [id, emptyStats()])) as Record<TransportId, TransportStats>;
  }

  /** The marks of `socket`, created at zero the first time the lab sees it. */
  private marksOf(socket: Socket): Marks {
    let marks = this.marks.get(socket);
    if (!marks) {
      marks = { read: 0, written: 0, transports: new Set() };
      this.marks.set(socket, marks);
    }
    return marks;
  }

  /**
   * Accounts a socket's bytes so far to nothing: traffic that is not a transport's
   * (pages, /stats) on a keep-alive socket that a transport may use next.
   */
  skip(socket: Socket): void {
    const marks = this.marksOf(socket);
    marks.read = socket.bytesRead;
    marks.written = socket.bytesWritten;
  }

  /**
   * Starts metering one transport request (or WebSocket) on `socket`: counts the
   * request, the connection if this socket is new to the transport, and the
   * request head already read.
   */
  meter(id: TransportId, socket: Socket, response?: ServerResponse): Meter {
    const stats = this.transports[id];
    const marks = this.marksOf(socket);
    stats.requests++;
    if (!marks.transports.has(id)) {
      marks.transports.add(id);
      stats.connectionsOpened++;
      stats.connectionsOpen++;
      // An inline listener, not a named one: tsx gives every named closure a `name`
      // property of its own, a few hundred bytes on each of thousands of sockets.
      if (socket.destroyed) stats.connectionsOpen--;
      else socket.once('close', () => stats.connectionsOpen--);
    }
    return new Meter(stats, socket, marks, this.unsettled, response);
  }

  /**
   * The `/stats` body's per-transport part: every meter settled first, so that head,
   * framing and payload add up to exactly what the sockets carried; a deep copy, safe
   * to serialise later.
   */
  snapshot(): Record<TransportId, TransportStats> {
    for (const meter of this.unsettled) meter.out(); // out() removes it: a Set allows that mid-walk
    return structuredClone(this.transports);
  }
}

/**
 * Meters one request or WebSocket: call `in`/`out` after reading or writing, and
 * `event` for each event written in a broadcast.
 */
export class Meter {
  private headCounted = false;
  /** Payload bytes counted by `event` since the socket's bytes were last split. */
  private unsettledPayload = 0;

  constructor(
    private readonly stats: TransportStats,
    private readonly socket: Socket,
    private readonly marks: Marks,
    private readonly unsettled: Set<Meter>,
    private readonly response?: ServerResponse,
  ) {
    // Everything read before the handler ran is the request head (GET has no body).
    this.in({ head: true });
  }

  /** Accounts bytes read since the last mark: `payloadBytes` of events, the rest framing (or all head). */
  in({ payloadBytes = 0, head = false }: { payloadBytes?: number; head?: boolean } = {}): void {
    const now = this.socket.bytesRead;
    const delta = now - this.marks.read;
    this.marks.read = now;
    if (head) {
      this.stats.bytesIn.head += delta;
    } else {
      this.stats.bytesIn.payload += payloadBytes;
      this.stats.bytesIn.framing += delta - payloadBytes;
    }
  }

  /**
   * Accounts bytes written since the last mark: the response head (once, when Node
   * has sent it), `payloadBytes` of event JSON, the rest framing. `events` counts
   * deliveries. With `allHead`, everything is head (the WebSocket 101 response).
   */
  out({ payloadBytes = 0, events = 0, allHead = false }: { payloadBytes?: number; events?: number; allHead?: boolean } = {}): void {
    // Events written since the last split (see `event`) are payload already counted.
    const earlierPayload = this.unsettledPayload;
    if (earlierPayload > 0) {
      this.unsettledPayload = 0;
      this.unsettled.delete(this);
    }
    const now = this.socket.bytesWritten;
    const delta = now - this.marks.written;
    this.marks.written = now;
    let head = 0;
    if (allHead) {
      head = delta;
    } else if (!this.headCounted && this.response && (this.response as unknown as NodeResponseInternals)._headerSent) {
      // Node keeps the head it wrote (`_header`); `_headerSent` says it has reached
      // the socket, which happens with the first body write, not at writeHead().
      head = Buffer.byteLength((this.response as unknown as NodeResponseInternals)._header, 'latin1');
      this.headCounted = true;
    }
    this.stats.bytesOut.head += head;
    this.stats.bytesOut.payload += payloadBytes;
    this.stats.bytesOut.framing += delta - head - payloadBytes - earlierPayload;
    this.stats.eventsDelivered += events;
  }

  /**
   * One event of `payloadBytes` handed to the socket: the hot path of a broadcast.
   * The event and its payload count at once; the socket's byte counter (a getter
   * that walks Node's write queue) is read at the next `out`, `finish` or /stats
   * snapshot, and framing is what it shows beyond head and payload, as always.
   */
  event(payloadBytes: number): void {
    this.stats.bytesOut.payload += payloadBytes;
    this.stats.eventsDelivered++;
    if (this.unsettledPayload === 0) this.unsettled.add(this);
    this.unsettledPayload += payloadBytes;
  }

  /** Accounts whatever is left on both sides; call once when the request or socket ends. */
  finish(): void {
    this.in();
    this.out();
  }
}
