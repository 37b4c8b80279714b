/**
 * HTTP/2 frames as bytes on the wire (RFC 9113 section 4), read incrementally.
 *
 * Node's http2 module speaks the protocol through nghttp2 and tells JavaScript
 * about streams and headers, never about bytes. To count what a transport costs
 * over HTTP/2 the lab reads the decrypted byte stream itself, passively: this
 * reader classifies every byte as it passes, without decoding HPACK and without
 * judging validity (nghttp2 does that and answers malformed input with GOAWAY).
 *
 * Every byte is reported exactly once, as one of:
 * - `preface`: the client's 24-byte connection preface;
 * - `frame`: a frame header (9 bytes) or a frame's padding and priority fields;
 * - `head`: a header block fragment (HEADERS, CONTINUATION, PUSH_PROMISE), HPACK-compressed;
 * - `data`: the content of a DATA frame (what the application wrote);
 * - `control`: the payload of any other frame (SETTINGS, WINDOW_UPDATE, PING, RST_STREAM, GOAWAY, PRIORITY...).
 * Bytes are reported as they arrive, so a frame split over several TCP reads is
 * accounted piece by piece; only a frame header cut in two waits (at most 8 bytes)
 * until its stream id is known.
 */

/** The first bytes a client sends on an HTTP/2 connection (RFC 9113 section 3.4). */
export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Every HTTP/2 frame starts with a header of this many bytes. */
export const FRAME_HEADER_BYTES = 9;

export const FRAME_TYPES = [
  'DATA',
  'HEADERS',
  'PRIORITY',
  'RST_STREAM',
  'SETTINGS',
  'PUSH_PROMISE',
  'PING',
  'GOAWAY',
  'WINDOW_UPDATE',
  'CONTINUATION',
] as const;
export type FrameTypeName = (typeof FRAME_TYPES)[number] | 'UNKNOWN';

/** The frame type's name (RFC 9113 section 6); types this reader does not know are `UNKNOWN`. */
export function frameTypeName(type: number): FrameTypeName {
  return FRAME_TYPES[type] ?? 'UNKNOWN';
}

/** Frame type codes (RFC 9113 section 6), for the readers here, the frame meter and the listener. */
export const DATA = 0x0;
export const HEADERS = 0x1;
export const PRIORITY = 0x2;
export const RST_STREAM = 0x3;
export const SETTINGS = 0x4;
export const PUSH_PROMISE = 0x5;
export const PING = 0x6;
export const GOAWAY = 0x7;
export const WINDOW_UPDATE = 0x8;
export const CONTINUATION = 0x9;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;

/** One frame as bytes: the 9-byte header (RFC 9113 section 4.1), then the payload. For tests and raw peers. */
export function encodeFrame(type: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

export type ByteKind = 'preface' | 'frame' | 'head' | 'data' | 'control';

export interface FrameHeader {
  length: number;
  type: number;
  flags: number;
  streamId: number;
}

export interface FrameListener {
  /** A frame header has been read; its bytes and then its payload's follow (the payload possibly in later chunks). */
  frame?(header: FrameHeader): void;
  /**
   * `count` bytes of `kind`, belonging to `streamId` (0 for the connection and the
   * preface), of a frame of `type` (-1 for the preface); they are
   * `source[start, start + count)`, valid only during the call.
   */
  bytes(streamId: number, kind: ByteKind, count: number, type: number, source: Uint8Array, start: number): void;
}

/**
 * Reads one direction of one connection. `expectPreface` for bytes a client sent.
 *
 * A payload is walked in segments: for DATA and HEADERS with PADDED, one pad-length
 * byte first and that many padding bytes last; for HEADERS with PRIORITY, 5 bytes
 * of priority before the header block; for PUSH_PROMISE, a 4-byte promised stream
 * id. Those are `frame` bytes; what is left is `head` or `data`.
 */
export class FrameReader {
  /** Preface bytes still expected; after a mismatch, everything is counted as preface (nghttp2 will close the connection). */
  private prefaceLeft: number;
  private prefaceBroken = false;
  /** A frame header cut between two chunks, gathered; made the first time one is (most never are). */
  private header: Buffer | undefined;
  private headerHave = 0;
  private current: FrameHeader | undefined;
  /** Payload bytes of the current frame not yet read. */
  private payloadLeft = 0;
  /** Leading `frame` bytes of the payload still to come (pad length, priority, promised id). */
  private leadLeft = 0;
  /** Whether the pad length byte is still to be read (PADDED frames). */
  private padLengthPending = false;
  /** Trailing padding bytes at the end of the current payload. */
  private padding = 0;

  constructor(
    private readonly listener: FrameListener,
    expectPreface: boolean,
  ) {
    this.prefaceLeft = expectPreface ? CLIENT_PREFACE.length : 0;
  }

  /** Classifies every byte of `chunk`. */
  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.prefaceLeft > 0 || this.prefaceBroken) {
        at = this.readPreface(chunk, at);
      } else if (this.current === undefined) {
        at = this.readHeader(chunk, at);
      } else {
        at = this.readPayload(chunk, at);
      }
    }
  }

  private readPreface(chunk: Uint8Array, at: number): number {
    if (this.prefaceBroken) {
      this.listener.bytes(0, 'preface', chunk.length - at, -1, chunk, at);
      return chunk.length;
    }
    const n = Math.min(this.prefaceLeft, chunk.length - at);
    const offset = CLIENT_PREFACE.length - this.prefaceLeft;
    for (let i = 0; i < n; i++) {
      if (chunk[at + i] !== CLIENT_PREFACE[offset + i]) this.prefaceBroken = true;
    }
    this.prefaceLeft -= n;
    this.listener.bytes(0, 'preface', n, -1, chunk, at);
    return at + n;
  }

  private readHeader(chunk: Uint8Array, at: number): number {
    // Mostly the whole header is in the chunk: it is read where it lies, not copied first.
    let h: Uint8Array = chunk;
    let from = at;
    let next = at + FRAME_HEADER_BYTES;
    if (this.headerHave > 0 || chunk.length - at < FRAME_HEADER_BYTES) {
      const n = Math.min(FRAME_HEADER_BYTES - this.headerHave, chunk.length - at);
      const header = (this.header ??= Buffer.alloc(FRAME_HEADER_BYTES));
      header.set(chunk.subarray(at, at + n), this.headerHave);
      this.headerHave += n;
      // Not yet known which stream these bytes belong to: they are reported with the rest of the header.
      if (this.headerHave < FRAME_HEADER_BYTES) return at + n;
      this.headerHave = 0;
      h = header;
      from = 0;
      next = at + n;
    }
    const frame: FrameHeader = {
      length: (h[from] << 16) | (h[from + 1] << 8) | h[from + 2],
      type: h[from + 3],
      flags: h[from + 4],
      streamId: ((h[from + 5] & 0x7f) << 24) | (h[from + 6] << 16) | (h[from + 7] << 8) | h[from + 8],
    };
    // The frame first, then its header's bytes: a listener knows whose bytes they are before it counts them.
    this.listener.frame?.(frame);
    this.listener.bytes(frame.streamId, 'frame', FRAME_HEADER_BYTES, frame.type, h, from);
    this.current = frame;
    this.payloadLeft = frame.length;
    const padded = (frame.type === DATA || frame.type === HEADERS || frame.type === PUSH_PROMISE) && (frame.flags & FLAG_PADDED) !== 0;
    this.padLengthPending = padded;
    this.padding = 0;
    this.leadLeft = (frame.type === HEADERS && (frame.flags & FLAG_PRIORITY) !== 0 ? 5 : 0) + (frame.type === PUSH_PROMISE ? 4 : 0);
    if (this.payloadLeft === 0) this.current = undefined;
    return next;
  }

  private readPayload(chunk: Uint8Array, at: number): number {
    const frame = this.current!;
    const { streamId, type } = frame;
    const contentKind: ByteKind =
      type === DATA ? 'data' : type === HEADERS || type === CONTINUATION || type === PUSH_PROMISE ? 'head' : 'control';
    while (at < chunk.length && this.payloadLeft > 0) {
      if (this.padLengthPending) {
        // A pad length larger than the payload is a PROTOCOL_ERROR; clamp so the count stays exact.
        this.padding = Math.min(chunk[at], this.payloadLeft - 1);
        this.padLengthPending = false;
        this.emit(streamId, 'frame', 1, type, chunk, at);
        at += 1;
        continue;
      }
      const available = chunk.length - at;
      if (this.leadLeft > 0) {
        const n = Math.min(this.leadLeft, available, this.payloadLeft);
        this.leadLeft -= n;
        this.emit(streamId, 'frame', n, type, chunk, at);
        at += n;
        continue;
      }
      const contentLeft = Math.max(0, this.payloadLeft - this.padding);
      if (contentLeft > 0) {
        const n = Math.min(contentLeft, available);
        this.emit(streamId, contentKind, n, type, chunk, at);
        at += n;
        continue;
      }
      const n = Math.min(this.payloadLeft, available);
      this.emit(streamId, 'frame', n, type, chunk, at);
      at += n;
    }
    if (this.payloadLeft === 0) this.current = undefined;
    return at;
  }

  private emit(streamId: number, kind: ByteKind, n: number, type: number, chunk: Uint8Array, at: number): void {
    this.payloadLeft -= n;
    this.listener.bytes(streamId, kind, n, type, chunk, at);
  }
}
