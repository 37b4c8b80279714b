/**
 * A traced HTTP/2 stream's frames as steps of its page's trace (../trace.ts): each
 * frame, from its 9-byte header to its last byte, becomes one step, its bytes split
 * the way the frame meter credits them (frame-meter.ts): header block fragments are
 * head, DATA that carried event JSON is payload, everything else framing.
 *
 * The frame meter feeds this only for streams a page traces, so an untraced
 * connection never reaches this file.
 */
import type { Direction, StepKind, StepNote, StepSink } from '../trace.ts';
import {
  type ByteKind,
  CONTINUATION,
  DATA,
  FRAME_HEADER_BYTES,
  type FrameHeader,
  GOAWAY,
  HEADERS,
  RST_STREAM,
  frameTypeName,
} from './frames.ts';

const PING = 0x6;
const FLAG_END_STREAM = 0x1;
/** PING's ACK flag: the answer to a ping (RFC 9113 section 6.7). */
const FLAG_ACK = 0x1;

/** WebSocket opcodes (RFC 6455 section 5.2), read from the first byte of a DATA frame of an RFC 8441 stream. */
const WS_OPCODE_KINDS: Record<number, StepKind> = { 0x1: 'message', 0x2: 'message', 0x8: 'close', 0x9: 'ping', 0xa: 'pong' };

interface OpenFrame {
  type: number;
  flags: number;
  /** Bytes still to come, its header's included. */
  left: number;
  head: number;
  /** Everything else so far: the header, padding, DATA content, control payload. */
  other: number;
  /** DATA content that turned out to be event JSON. */
  payload: number;
  /** What the transport said of the body bytes this frame carried. */
  notes: StepNote[];
  /** The first content byte of a DATA frame (a WebSocket frame's opcode, over RFC 8441). */
  firstByte?: number;
}

export class FrameSteps {
  private readonly open: Record<Direction, OpenFrame | undefined> = { in: undefined, out: undefined };
  /** Notes on body bytes the transport wrote and DATA has not carried yet: [end offset, note], oldest first. */
  private readonly notes: { end: number; note: StepNote }[] = [];

  /**
   * `stream`: the stream id (0: the connection's own frames). `webSocket`: an RFC 8441
   * stream, whose DATA frames carry WebSocket frames.
   */
  constructor(
    private readonly sink: StepSink,
    private readonly stream: number,
    private readonly webSocket = false,
  ) {}

  /** Whether no frame is half-read: the connection's steps may go to another page from here. */
  get idle(): boolean {
    return this.open.in === undefined && this.open.out === undefined;
  }

  /** Reports bytes that crossed before this stream was traced (its request HEADERS) as one step. */
  request(head: number, framing: number): void {
    this.sink('in', { head, framing, payload: 0 }, { what: 'request', frame: 'HEADERS' }, { stream: this.stream });
  }

  /** A frame starts; its 9 header bytes are counted next, then its payload's. */
  frameStarted(dir: Direction, header: FrameHeader): void {
    this.open[dir] = {
      type: header.type,
      flags: header.flags,
      left: FRAME_HEADER_BYTES + header.length,
      head: 0,
      other: 0,
      payload: 0,
      notes: [],
    };
  }

  /** `n` bytes of the frame open in `dir`; they are `source[start, start + n)`. */
  bytes(dir: Direction, kind: ByteKind, n: number, source: Uint8Array, start: number): void {
    const frame = this.open[dir];
    if (!frame) return; // the rest of a frame that started before the stream was traced
    if (kind === 'head') frame.head += n;
    else frame.other += n;
    if (kind === 'data' && frame.firstByte === undefined && n > 0) frame.firstByte = source[start];
    frame.left -= n;
    if (frame.left <= 0) this.finish(dir);
  }

  /**
   * The transport wrote body bytes ending at offset `end` of the stream's body,
   * described by `note`; `dataSent`: how much DATA content has crossed already.
   */
  wrote(end: number, note: StepNote, dataSent: number): void {
    if (end > dataSent) this.notes.push({ end, note });
  }

  /** DATA content sent has reached `dataSent`: the notes it passed belong to the frame crossing now. */
  dataSent(dataSent: number): void {
    const frame = this.open.out;
    while (this.notes.length > 0 && this.notes[0].end <= dataSent) {
      const { note } = this.notes.shift()!;
      frame?.notes.push(note);
    }
  }

  /**
   * `payload` bytes already counted as framing were event JSON: within the frame
   * still crossing, or, when it has passed, as an amend of the step it became.
   */
  settled(dir: Direction, payload: number, note?: StepNote): void {
    const frame = this.open[dir];
    if (frame) {
      frame.payload += payload;
      if (note) frame.notes.push(note);
      return;
    }
    this.sink(dir, { head: 0, framing: -payload, payload }, note ?? { what: dir === 'in' ? 'message' : 'event' }, {
      amend: true,
      stream: this.stream,
    });
  }

  /** The stream closed: a mark without bytes, where the picture ends its span. */
  ended(): void {
    this.sink('out', { head: 0, framing: 0, payload: 0 }, { what: 'end' }, { stream: this.stream });
  }

  private finish(dir: Direction): void {
    const frame = this.open[dir]!;
    this.open[dir] = undefined;
    const endStream = (frame.type === DATA || frame.type === HEADERS) && frame.flags & FLAG_END_STREAM;
    const note: StepNote = { ...this.describe(dir, frame), frame: `${frameTypeName(frame.type)}${endStream ? ' END_STREAM' : ''}` };
    this.sink(dir, { head: frame.head, framing: frame.other - frame.payload, payload: frame.payload }, note, { stream: this.stream });
  }

  private describe(dir: Direction, frame: OpenFrame): StepNote {
    switch (frame.type) {
      case HEADERS:
      case CONTINUATION:
        // The request's own HEADERS crossed before the stream was traced (`request`): later ones are trailers.
        return { what: dir === 'out' ? 'response' : 'frame' };
      case RST_STREAM:
        return { what: 'reset' };
      case GOAWAY:
        return { what: 'goaway' };
      case PING:
        return { what: frame.flags & FLAG_ACK ? 'pong' : 'ping' };
      case DATA:
        break;
      default:
        return { what: 'frame' };
    }
    const seqs = frame.notes.flatMap((note) => note.seqs ?? []);
    // An empty DATA frame that only says END_STREAM: the stream's last word.
    if (frame.other === FRAME_HEADER_BYTES && frame.flags & FLAG_END_STREAM) return { what: 'close' };
    if (this.webSocket && frame.firstByte !== undefined) {
      const kind = WS_OPCODE_KINDS[frame.firstByte & 0x0f] ?? 'data';
      return { what: kind === 'message' && (seqs.length > 0 || (dir === 'out' && frame.payload > 0)) ? 'event' : kind, seqs };
    }
    // What the transport said (a poll's answer is a `response` with its seqs, a stream's chunk an `event`).
    return { what: frame.notes.at(-1)?.what ?? 'data', seqs };
  }
}
