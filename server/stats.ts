/**
 * Wire statistics: what really crossed the sockets, per transport and protocol.
 *
 * Bytes are counted where they cross, never estimated, and split into HTTP head,
 * transport framing and event payload. The payload is what the transport knows
 * it sent (each event's JSON), the head is what HTTP wrote around it, and framing
 * is the rest, so the three always add up to exactly what crossed.
 *
 * Over HTTP/1.1 (plain or the plaintext inside TLS) the bytes are read off the
 * socket's own counters (`bytesRead`, `bytesWritten`): each socket carries two
 * marks, how far its bytes have been accounted for, and a meter takes the bytes
 * past them. Over HTTP/2 many streams share one connection, so a frame meter reads
 * the decrypted bytes and credits each frame to its stream (http2/frame-meter.ts).
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { StepNote, StepSink } from './trace.ts';
import { TRANSPORT_IDS, type TransportId } from './transports/registry.ts';

// Still imported from here by a test being reworked; the registry is the list.
export { TRANSPORT_IDS };

export interface ByteSplit {
  head: number;
  framing: number;
  payload: number;
}

import { PROTOCOLS, type Protocol } from './protocols.ts';
import { TlsStats } from './tls-stats.ts';

export { PROTOCOLS, type Protocol };

/** One transport's traffic over one protocol. */
export interface TrafficStats {
  requests: number;
  connectionsOpened: number;
  connectionsOpen: number;
  eventsDelivered: number;
  bytesIn: ByteSplit;
  bytesOut: ByteSplit;
}

/** One transport's traffic: the sums over both protocols (the contract's fields), and each protocol's own. */
export interface TransportStats extends TrafficStats {
  protocols: Record<Protocol, TrafficStats>;
}

/**
 * What a transport tells the lab about the bytes it sends and receives, whatever carries them.
 * A `note` says what the bytes were, for a traced connection's steps (trace.ts); the
 * meter of a connection nobody traces never reads it.
 */
export interface Meter {
  /**
   * Accounts bytes read since the last call: `payloadBytes` of them event payload (a WebSocket chat),
   * the rest framing or, with `head`, all head.
   */
  in(options?: { payloadBytes?: number; head?: boolean; note?: StepNote }): void;
  /**
   * Accounts what was handed to the response since the last call: `body`, the
   * chunk written (if any), carried `payloadBytes` of event JSON and `events`
   * events. With `allHead`, everything written is head (the WebSocket 101 response).
   */
  out(options?: { payloadBytes?: number; events?: number; allHead?: boolean; body?: string | Uint8Array; note?: StepNote }): void;
  /** One event (`seq`) of `payloadBytes` handed over inside `chunk`: the hot path of a broadcast. */
  event(payloadBytes: number, chunk: string | Uint8Array, seq?: number): void;
  /** Accounts whatever is left; call once when the request or socket ends. */
  finish(): void;
}

/** Fields of Node's ServerResponse that are not typed but are stable since Node 0.x. */
interface NodeResponseInternals {
  _header: string;
  _headerSent: boolean;
}

interface Marks {
  read: number;
  written: number;
  /** Transports this socket has carried, one bit per registry index, for connectionsOpened/connectionsOpen. */
  carried: number;
  /** Where the socket's transports are counted, for its 'close'. */
  counts: Record<TransportId, TrafficStats>;
}

/**
 * Each socket's marks. A WeakMap, not a property on the socket: a new property
 * would give every socket an out-of-object property array (about 100 B), where a
 * WeakMap entry costs a few words.
 */
const MARKS = new WeakMap<Socket, Marks>();

/** The one 'close' listener every metered socket shares: one connection fewer open for each transport it carried. */
function onMeteredSocketClose(this: Socket): void {
  const marks = MARKS.get(this);
  if (!marks) return;
  TRANSPORT_IDS.forEach((id, bit) => {
    if (marks.carried & (1 << bit)) marks.counts[id].connectionsOpen--;
  });
  marks.carried = 0;
}

/** The request a meter is for: Node's HTTP/1.1 request or its HTTP/2 compatibility request. */
export type AnyRequest = IncomingMessage | Http2ServerRequest;

/** How the HTTP/2 side meters and taps its streams (http2/frame-meter.ts registers itself here, so this file does not import it). */
export interface StreamMetering {
  meter(id: TransportId, stats: TrafficStats, request: Http2ServerRequest): Meter;
  /**
   * Starts showing `request`'s stream to `tap`, frame pieces both ways; returns the request's HEADERS frames already passed.
   * `trace`: also reports the stream's frames as steps (trace.ts), until the stream closes.
   */
  tap(request: Http2ServerRequest, tap: (dir: 'in' | 'out', bytes: Buffer, frameType: number) => void, trace?: StepSink): Buffer[];
  untap(request: Http2ServerRequest): void;
  /** The `/stats` `http2` section. */
  snapshot(): object;
}

export const emptySplit = (): ByteSplit => ({ head: 0, framing: 0, payload: 0 });

export function emptyTraffic(): TrafficStats {
  return { requests: 0, connectionsOpened: 0, connectionsOpen: 0, eventsDelivered: 0, bytesIn: emptySplit(), bytesOut: emptySplit() };
}

function addSplit(into: ByteSplit, from: ByteSplit): void {
  into.head += from.head;
  into.framing += from.framing;
  into.payload += from.payload;
}

function addTraffic(into: TrafficStats, from: TrafficStats): void {
  into.requests += from.requests;
  into.connectionsOpened += from.connectionsOpened;
  into.connectionsOpen += from.connectionsOpen;
  into.eventsDelivered += from.eventsDelivered;
  addSplit(into.bytesIn, from.bytesIn);
  addSplit(into.bytesOut, from.bytesOut);
}

export class WireStats {
  /** The counters, per protocol and transport; `transports` and `snapshot()` add them up. */
  readonly byProtocol: Record<Protocol, Record<TransportId, TrafficStats>>;
  /** Set by the HTTP/2 listener when it starts (http2/listener.ts). */
  streams: StreamMetering | undefined;
  readonly tls = new TlsStats();
  /** Meters holding deliveries whose socket bytes are not yet split (see SocketMeter.event). */
  private readonly unsettled = new Set<SocketMeter>();

  constructor() {
    const perTransport = () => Object.fromEntries(TRANSPORT_IDS.map((id) => [id, emptyTraffic()])) as Record<TransportId, TrafficStats>;
    this.byProtocol = { h1: perTransport(), h2: perTransport() };
  }

  /** Each transport's traffic so far, both protocols added up (a fresh object; unsettled deliveries not yet split). */
  get transports(): Record<TransportId, TransportStats> {
    return Object.fromEntries(
      TRANSPORT_IDS.map((id) => {
        const protocols = { h1: this.byProtocol.h1[id], h2: this.byProtocol.h2[id] };
        const sum = emptyTraffic();
        for (const p of PROTOCOLS) addTraffic(sum, protocols[p]);
        return [id, { ...sum, protocols: structuredClone(protocols) }];
      }),
    ) as Record<TransportId, TransportStats>;
  }

  /** The marks of `socket`, created at zero the first time the lab sees it. */
  private marksOf(socket: Socket): Marks {
    let marks = MARKS.get(socket);
    if (!marks) {
      marks = { read: 0, written: 0, carried: 0, counts: this.byProtocol.h1 };
      MARKS.set(socket, marks);
    }
    return marks;
  }

  /**
   * Accounts an HTTP/1.1 socket's bytes so far to nothing: traffic that is not a
   * transport's (pages, /stats) on a keep-alive socket that a transport may use
   * next. (Over HTTP/2 every stream is accounted on its own: http2/frame-meter.ts.)
   */
  skip(request: AnyRequest): void {
    if (request.httpVersionMajor === 2) return;
    const socket = request.socket as Socket | null;
    if (!socket) return;
    const marks = this.marksOf(socket);
    marks.read = socket.bytesRead;
    marks.written = socket.bytesWritten;
  }

  /**
   * Starts metering one transport request (or WebSocket): counts the request, the
   * connection if it is new to the transport, and the request head already read.
   * `trace`: where to report each accounting as a step (HTTP/1.1; over HTTP/2 the
   * stream's tap reports its frames, http2/frame-meter.ts).
   */
  meter(id: TransportId, request: AnyRequest, response?: ServerResponse, trace?: StepSink): Meter {
    if (request.httpVersionMajor === 2) {
      if (!this.streams) throw new Error('an HTTP/2 request arrived before the HTTP/2 listener registered its meter');
      return this.streams.meter(id, this.byProtocol.h2[id], request as Http2ServerRequest);
    }
    const socket = request.socket as Socket;
    const stats = this.byProtocol.h1[id];
    const marks = this.marksOf(socket);
    stats.requests++;
    const bit = 1 << TRANSPORT_IDS.indexOf(id);
    if (!(marks.carried & bit)) {
      stats.connectionsOpened++;
      if (!socket.destroyed) {
        // One listener per socket, shared by all sockets: no closure per connection.
        if (marks.carried === 0) socket.on('close', onMeteredSocketClose);
        marks.carried |= bit;
        stats.connectionsOpen++;
      }
    }
    return new SocketMeter(stats, socket, marks, this.unsettled, response, trace);
  }

  /**
   * The `/stats` body's per-transport part: every meter settled first, so that head,
   * framing and payload add up to exactly what the sockets carried; a deep copy, safe
   * to serialise later.
   */
  snapshot(): Record<TransportId, TransportStats> {
    for (const meter of this.unsettled) meter.out(); // out() removes it (a Set allows that mid-walk) or keeps it
    return this.transports;
  }
}

/** Which write names a step that holds several (SocketMeter.holdStep): the higher, the weightier. */
const HOLD_RANK: Partial<Record<StepNote['what'], number>> = { heartbeat: 1, message: 2, event: 3, close: 4, response: 5 };

/**
 * Meters one HTTP/1.1 request or WebSocket by its socket's byte counters: call
 * `in`/`out` after reading or writing, and `event` for each event written in a broadcast.
 * Traced (`trace`), it reports each accounting as a step with the same split.
 */
class SocketMeter implements Meter {
  private headCounted = false;
  /** Payload bytes counted by `event` since the socket's bytes were last split. */
  private unsettledPayload = 0;
  /** A traced accounting waiting for the bytes the response still holds (see `out`). */
  private heldStep: { payloadBytes: number; events: number; note: StepNote } | undefined;

  constructor(
    private readonly stats: TrafficStats,
    private readonly socket: Socket,
    private readonly marks: Marks,
    private readonly unsettled: Set<SocketMeter>,
    private readonly response?: ServerResponse,
    private readonly trace?: StepSink,
  ) {
    // Everything read before the handler ran is the request head (GET has no body).
    this.in({ head: true });
  }

  /** Accounts bytes read since the last mark: `payloadBytes` of events, the rest framing (or all head). */
  in({ payloadBytes = 0, head = false, note }: { payloadBytes?: number; head?: boolean; note?: StepNote } = {}): void {
    const now = this.socket.bytesRead;
    const delta = now - this.marks.read;
    this.marks.read = now;
    if (head) {
      this.stats.bytesIn.head += delta;
    } else {
      this.stats.bytesIn.payload += payloadBytes;
      this.stats.bytesIn.framing += delta - payloadBytes;
    }
    if (this.trace) {
      const split = head ? { head: delta, framing: 0, payload: 0 } : { head: 0, framing: delta - payloadBytes, payload: payloadBytes };
      this.trace('in', split, note ?? { what: head ? 'request' : payloadBytes > 0 ? 'message' : 'close' });
    }
  }

  /**
   * Accounts bytes written since the last mark: the response head (once, when Node
   * has sent it), `payloadBytes` of event JSON, the rest framing. `events` counts
   * deliveries. With `allHead`, everything is head (the WebSocket 101 response).
   */
  out({
    payloadBytes = 0,
    events = 0,
    allHead = false,
    note,
  }: {
    payloadBytes?: number;
    events?: number;
    allHead?: boolean;
    body?: string | Uint8Array;
    note?: StepNote;
  } = {}): void {
    // From Node 24 a chunked response holds the writes of one turn and hands them to
    // the socket as one chunk when the turn ends: a traced step waits for them, so it
    // carries its own bytes (the response head with its preamble, not the next
    // heartbeat), and writes of one turn make one step, as they make one chunk.
    if (this.trace && note && !allHead && this.response && this.response.writableLength > this.socket.writableLength) {
      this.holdStep(payloadBytes, events, note);
      return;
    }
    this.releaseStep();
    this.account(payloadBytes, events, allHead, note);
  }

  /** The split of `out`, done now. */
  private account(payloadBytes: number, events: number, allHead: boolean, note: StepNote | undefined): void {
    // Events written since the last split (see `event`) are payload already counted.
    const earlierPayload = this.unsettledPayload;
    this.unsettledPayload = 0;
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
    const framing = delta - head - payloadBytes - earlierPayload;
    this.stats.bytesOut.head += head;
    this.stats.bytesOut.payload += payloadBytes;
    this.stats.bytesOut.framing += framing;
    this.stats.eventsDelivered += events;
    if (this.trace) {
      const what = note?.what ?? (allHead ? 'upgrade' : head > 0 ? 'response' : events > 0 ? 'event' : 'close');
      this.trace('out', { head, framing, payload: payloadBytes + earlierPayload }, { ...note, what });
    }
    // From Node 24 a chunked response holds the writes of one turn of the event loop
    // and hands them to the socket at the turn's end (see backlogOf in limits.ts): the
    // socket's count lacks them until then, so the meter waits for the next settling.
    const response = this.response;
    if (response && !this.socket.destroyed && response.writableLength > this.socket.writableLength) this.unsettled.add(this);
    else this.unsettled.delete(this);
  }

  /**
   * One event of `payloadBytes` handed to the socket: the hot path of a broadcast.
   * The event and its payload count at once; the socket's byte counter (a getter
   * that walks Node's write queue) is read at the next `out`, `finish` or /stats
   * snapshot, and framing is what it shows beyond head and payload, as always.
   * A traced meter reads it at once: its step is this event's bytes.
   */
  event(payloadBytes: number, _chunk: string | Uint8Array, seq?: number): void {
    this.stats.bytesOut.payload += payloadBytes;
    this.stats.eventsDelivered++;
    if (this.unsettledPayload === 0) this.unsettled.add(this);
    this.unsettledPayload += payloadBytes;
    if (this.trace) this.out({ note: { what: 'event', seqs: seq === undefined ? undefined : [seq] } });
  }

  /** Keeps a traced accounting until the end of the turn; notes of one turn merge into the first (events' seqs joined). */
  private holdStep(payloadBytes: number, events: number, note: StepNote): void {
    const held = this.heldStep;
    if (!held) {
      this.heldStep = { payloadBytes, events, note };
      setImmediate(() => this.releaseStep());
      return;
    }
    held.payloadBytes += payloadBytes;
    held.events += events;
    const seqs = [...(held.note.seqs ?? []), ...(note.seqs ?? [])];
    // The step is named by the weightiest write of the chunk: a heartbeat before an event
    // makes an event step, an event before the stream's end a close step.
    const first = (HOLD_RANK[note.what] ?? 0) > (HOLD_RANK[held.note.what] ?? 0) ? note : held.note;
    held.note = seqs.length ? { ...first, seqs } : first;
  }

  /** Accounts a held step now that its bytes have reached the socket (or before anything else is accounted). */
  private releaseStep(): void {
    const held = this.heldStep;
    if (!held) return;
    this.heldStep = undefined;
    this.account(held.payloadBytes, held.events, false, held.note);
  }

  /** Accounts whatever is left on both sides; call once when the request or socket ends. */
  finish(): void {
    this.releaseStep();
    this.in();
    this.out();
    this.trace?.('out', { head: 0, framing: 0, payload: 0 }, { what: 'end' });
  }
}
