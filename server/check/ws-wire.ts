/**
 * WebSocket frames as the checker writes and reads them (RFC 6455 section 5.2),
 * by hand: the checker must be able to send what no library would (an unmasked
 * frame, reserved bits, a control frame of 126 bytes, a length of 2^63) and to
 * read a server's frames without trusting their lengths.
 */
import { randomBytes } from 'node:crypto';

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** The largest frame the checker reads from a server; a larger declared length ends the case (a 4 GiB claim must not be believed). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

export interface FrameSpec {
  fin?: boolean;
  /** RSV1..RSV3 as three bits (4, 2, 1). */
  rsv?: number;
  opcode: number;
  payload?: Buffer | string;
  /** Clients mask every frame (section 5.3); `false` sends one unmasked on purpose. */
  mask?: boolean;
  /** A length field other than the payload's own (sent with whatever payload is given). */
  declaredLength?: bigint;
}

/** One frame as a client sends it. */
export function encodeFrame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), mask = true, declaredLength }: FrameSpec): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = declaredLength ?? BigInt(data.length);
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 0x10000n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), extended, data]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) masked[i] = data[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

/** A close frame's payload: the code, then the reason in UTF-8 (section 5.5.1). */
export function closePayload(code: number, reason: string | Buffer = ''): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code);
  return Buffer.concat([head, typeof reason === 'string' ? Buffer.from(reason) : reason]);
}

export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/**
 * Reads a server's frames from a byte stream. Returns the whole frames found
 * so far; throws on a declared length over MAX_FRAME_BYTES (or with its top bit
 * set), before waiting for a single byte of it.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(data: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  /** Bytes of a frame begun but not finished (a server that closed mid-frame leaves some). */
  get pendingBytes(): number {
    return this.buffered.length;
  }

  private next(): Frame | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    const masked = (b[1] & 0x80) !== 0;
    let length = BigInt(b[1] & 0x7f);
    let offset = 2;
    if (length === 126n) {
      if (b.length < 4) return undefined;
      length = BigInt(b.readUInt16BE(2));
      offset = 4;
    } else if (length === 127n) {
      if (b.length < 10) return undefined;
      length = b.readBigUInt64BE(2);
      offset = 10;
    }
    if (length > BigInt(MAX_FRAME_BYTES)) {
      const topBit = length >> 63n ? ' (the top bit of a 64-bit length must be 0, RFC 6455 §5.2)' : '';
      throw new Error(`the server declared a frame of ${length} bytes${topBit}; ` + `the checker reads at most ${MAX_FRAME_BYTES}`);
    }
    const key = masked ? b.subarray(offset, offset + 4) : undefined;
    if (masked) offset += 4;
    const end = offset + Number(length);
    if (b.length < end) return undefined;
    const payload = Buffer.from(b.subarray(offset, end));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    this.buffered = b.subarray(end);
    return { fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0xf, masked, payload };
  }
}

/** How a frame reads in a report: `text fin 12 B`, `close 1002 "protocol error"`. */
export function describeFrame(frame: Frame): string {
  const name = Object.entries(OPCODE).find(([, code]) => code === frame.opcode)?.[0] ?? `opcode 0x${frame.opcode.toString(16)}`;
  if (frame.opcode === OPCODE.close && frame.payload.length >= 2)
    return `close ${frame.payload.readUInt16BE(0)} ${JSON.stringify(frame.payload.subarray(2).toString())}`;
  const flags = `${frame.fin ? '' : ' (not fin)'}${frame.rsv ? ` rsv=${frame.rsv}` : ''}${frame.masked ? ' MASKED' : ''}`;
  return `${name}${flags} ${frame.payload.length} B`;
}
