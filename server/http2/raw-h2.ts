/**
 * HTTP/2 by hand, for the hostile-input tests: frames encoded byte by byte (RFC 9113
 * section 6, HPACK literals of RFC 7541) and a client that writes them on one TLS
 * connection and reads whole frames back. Node's own client will not send malformed
 * HTTP/2, nor floods; this one sends whatever a row asks.
 *
 * Nothing here decodes the lab's HPACK but `:status: 200`, which nghttp2 sends as
 * static table index 8, the byte 0x88; requests use literal header fields without
 * indexing (RFC 7541 section 6.2.2), which need no table.
 */
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { waitFor } from '../test-helpers.ts';
import {
  CLIENT_PREFACE,
  CONTINUATION,
  DATA,
  FRAME_TYPES,
  GOAWAY,
  HEADERS,
  PING,
  PRIORITY,
  RST_STREAM,
  SETTINGS,
  WINDOW_UPDATE,
  encodeFrame,
} from './frames.ts';

export { CONTINUATION, DATA, GOAWAY, HEADERS, PING, PRIORITY, RST_STREAM, SETTINGS, WINDOW_UPDATE };

/**
 * Every answer is awaited at most this long: a passing row never waits so long,
 * a missing defense shows as a failed row rather than a hung test.
 */
export const ANSWER_MS = 5000;

// ------------------------------------------------------------------ HTTP/2 frames by hand (RFC 9113 section 6)

export const TYPE_NAMES = FRAME_TYPES;

export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;

/** Error codes (RFC 9113 section 7) by name, so that a failing row prints names. */
export const H2_ERRORS = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;
export type H2Error = (typeof H2_ERRORS)[number];
export const errorName = (code: number): string => H2_ERRORS[code] ?? `0x${code.toString(16)}`;

export const frame = encodeFrame;

export const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};
export const rstStream = (streamId: number, code: H2Error) => frame(RST_STREAM, 0, streamId, u32(H2_ERRORS.indexOf(code)));
/** A PING whose 8 opaque bytes carry `n`, so that its ACK can be matched. */
export const ping = (n: number) => frame(PING, 0, 0, Buffer.concat([u32(0), u32(n)]));
/** A PRIORITY frame (RFC 9113 section 6.3, deprecated but legal): `streamId` depends on stream 0, weight 16. */
export const priority = (streamId: number) => frame(PRIORITY, 0, streamId, Buffer.from([0, 0, 0, 0, 15]));

/** An HPACK integer with an N-bit prefix (RFC 7541 section 5.1). */
export function hpackInteger(value: number, prefixBits: number, firstByte = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([firstByte | value]);
  const bytes = [firstByte | max];
  for (value -= max; value >= 128; value = Math.floor(value / 128)) bytes.push((value % 128) | 0x80);
  bytes.push(value);
  return Buffer.from(bytes);
}

/** A string literal, not Huffman-coded (RFC 7541 section 5.2). */
export const hpackString = (text: string) => Buffer.concat([hpackInteger(Buffer.byteLength(text), 7), Buffer.from(text)]);

/** A header block of literal fields without indexing, new names (RFC 7541 section 6.2.2: 0x00, name, value). */
export const headerBlock = (fields: [string, string][]) =>
  Buffer.concat(fields.flatMap(([name, value]) => [Buffer.from([0]), hpackString(name), hpackString(value)]));

export const requestFields = (path: string, method = 'GET'): [string, string][] => [
  [':method', method],
  [':scheme', 'https'],
  [':authority', '127.0.0.1'],
  [':path', path],
];

/** A request's HEADERS frame (END_HEADERS), with END_STREAM unless a body is to follow. */
export const request = (streamId: number, path: string, { method = 'GET', endStream = true, fields = [] as [string, string][] } = {}) =>
  frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, headerBlock([...requestFields(path, method), ...fields]));

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export const describeFrame = (f: Frame) => {
  const name = TYPE_NAMES[f.type] ?? `0x${f.type.toString(16)}`;
  if (f.type === GOAWAY) return `GOAWAY(${errorName(f.payload.readUInt32BE(4))}, last ${f.payload.readUInt32BE(0) & 0x7fffffff})`;
  if (f.type === RST_STREAM) return `RST_STREAM#${f.streamId}(${errorName(f.payload.readUInt32BE(0))})`;
  return `${name}#${f.streamId}${f.flags & ACK && (f.type === SETTINGS || f.type === PING) ? '(ACK)' : ''}`;
};

/**
 * A hand-written HTTP/2 client on one TLS connection with ALPN h2. `open` sends the
 * preface and SETTINGS, acknowledges the lab's SETTINGS (unless told not to) and
 * returns once the lab has acknowledged ours: what arrives after that is the answer
 * to what the row sends.
 */
export class RawH2 {
  readonly frames: Frame[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  /** Index in `frames` where the row's answer starts. */
  private answerFrom = 0;

  private constructor(
    readonly socket: tls.TLSSocket,
    private readonly ackSettings: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {}); // a reset after the lab's GOAWAY: `closed` says all
  }

  static async open(
    port: number,
    { preface = true, ackSettings = true, ca }: { preface?: boolean; ackSettings?: boolean; ca: string },
  ): Promise<RawH2> {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'] });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    assert.equal(socket.alpnProtocol, 'h2', 'the lab chose h2 by ALPN');
    const connection = new RawH2(socket, ackSettings);
    if (preface) {
      connection.send(CLIENT_PREFACE, frame(SETTINGS, 0, 0));
      const settings = (ack: number) => () => connection.frames.some((f) => f.type === SETTINGS && (f.flags & ACK) === ack);
      await waitFor(settings(0), "the lab's SETTINGS", ANSWER_MS);
      await waitFor(settings(ACK), "the lab's ACK of our SETTINGS", ANSWER_MS);
    }
    connection.answerFrom = connection.frames.length;
    return connection;
  }

  private read(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) return;
      const f: Frame = {
        type: this.pending[3],
        flags: this.pending[4],
        streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
        payload: this.pending.subarray(9, 9 + length),
      };
      this.pending = this.pending.subarray(9 + length);
      this.frames.push(f);
      if (f.type === SETTINGS && !(f.flags & ACK) && this.ackSettings) this.send(frame(SETTINGS, ACK, 0));
    }
  }

  send(...parts: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(parts));
  }

  /** The frames that answered the row, as names: `GOAWAY(FRAME_SIZE_ERROR, last 0)`, `HEADERS#1`. */
  answer(): string[] {
    return this.frames.slice(this.answerFrom).map(describeFrame);
  }

  answerFrames(type: number): Frame[] {
    return this.frames.slice(this.answerFrom).filter((f) => f.type === type);
  }

  goaway(): { code: string; lastStreamId: number; debug: string } | undefined {
    const f = this.answerFrames(GOAWAY)[0];
    return (
      f && {
        code: errorName(f.payload.readUInt32BE(4)),
        lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff,
        debug: f.payload.subarray(8).toString('utf8'),
      }
    );
  }

  /** Whether `streamId` was answered `:status: 200` (0x88 first in its header block). */
  answered200(streamId: number): boolean {
    return this.answerFrames(HEADERS).some((f) => f.streamId === streamId && f.payload[0] === 0x88);
  }

  async closedByLab(what: string): Promise<void> {
    await waitFor(() => this.closed, `${what}: the lab closes the connection (frames: ${this.answer().join(' ')})`, ANSWER_MS);
  }

  close(): void {
    this.socket.destroy();
  }
}
