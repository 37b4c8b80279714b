// Decodes WebSocket frames (RFC 6455 section 5.2) from raw bytes, as the frames lesson
// and the wire panels show them. Pure: bytes in, frames out.

export const OPCODES = { 0x0: 'continuation', 0x1: 'text', 0x2: 'binary', 0x8: 'close', 0x9: 'ping', 0xa: 'pong' };

/**
 * Reads as many whole frames as `bytes` holds; returns them and the bytes left over
 * (the start of a frame that has not fully arrived).
 */
export function decodeFrames(bytes) {
  const frames = [];
  let offset = 0;
  while (bytes.length - offset >= 2) {
    const b0 = bytes[offset];
    const b1 = bytes[offset + 1];
    let length = b1 & 0x7f;
    let header = 2;
    if (length === 126) {
      if (bytes.length - offset < 4) break;
      length = (bytes[offset + 2] << 8) | bytes[offset + 3];
      header = 4;
    } else if (length === 127) {
      if (bytes.length - offset < 10) break;
      length = 0;
      for (let i = 2; i < 10; i++) length = length * 256 + bytes[offset + i];
      header = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskKey = masked ? bytes.slice(offset + header, offset + header + 4) : null;
    if (masked) header += 4;
    if (bytes.length - offset < header + length) break;
    const payload = bytes.slice(offset + header, offset + header + length);
    if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i % 4];
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 0x7,
      opcode: b0 & 0x0f,
      opcodeName: OPCODES[b0 & 0x0f] ?? 'reserved',
      masked,
      maskKey,
      length,
      header: bytes.slice(offset, offset + header),
      payload,
    });
    offset += header + length;
  }
  return { frames, rest: bytes.slice(offset) };
}

/** A close frame's payload: a 2-byte code, then a UTF-8 reason. */
export function closeReason(payload) {
  if (payload.length < 2) return { code: undefined, reason: '' };
  return { code: (payload[0] << 8) | payload[1], reason: new TextDecoder().decode(payload.slice(2)) };
}

export const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** One line a person can read: "FIN text, 91 B, unmasked: {...}". */
export function describeFrame(frame) {
  const flags = `${frame.fin ? 'FIN ' : ''}${frame.opcodeName}${frame.rsv ? ` RSV=${frame.rsv}` : ''}`;
  const mask = frame.masked ? `masked with ${hex(frame.maskKey)}` : 'unmasked';
  let body = '';
  if (frame.opcode === 0x1) body = new TextDecoder().decode(frame.payload);
  else if (frame.opcode === 0x8) {
    const { code, reason } = closeReason(frame.payload);
    body = code === undefined ? '(no code)' : `code ${code}${reason ? ` "${reason}"` : ''}`;
  } else if (frame.length) body = hex(frame.payload.slice(0, 32));
  return `[${hex(frame.header)}] ${flags}, ${frame.length} B, ${mask}${body ? `: ${body}` : ''}`;
}

/** `a` then `b`, in one array. */
const joined = (a, b) => {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
};

/**
 * Follows one direction of one tapped WebSocket connection: skips its HTTP head
 * (the upgrade request, or the 101), handing it to `onHead` whole, however many
 * pieces it came in, then returns the frames each new piece of bytes completes,
 * keeping a frame that arrived in parts.
 * @param {(head: string) => void} [onHead]
 */
export function frameStream(onHead = () => {}) {
  /** The head's bytes so far; null once it has ended. */
  let head = new Uint8Array(0);
  const read = frameBuffer();
  return (bytes) => {
    if (head) {
      const all = joined(head, bytes);
      // latin1 (windows-1252) gives one character per byte: an index in the text is an offset in the bytes.
      const text = new TextDecoder('latin1').decode(all);
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        head = all;
        return [];
      }
      head = null;
      onHead(text.slice(0, end + 4));
      bytes = all.slice(end + 4);
    }
    return read(bytes);
  };
}

/**
 * A reader of WebSocket frames that arrive in pieces (TCP segments, HTTP/2 DATA
 * frames): each call returns the frames completed so far and keeps a partial one.
 */
export function frameBuffer() {
  let rest = new Uint8Array(0);
  /** @param {Uint8Array} bytes */
  return (bytes) => {
    const decoded = decodeFrames(joined(rest, bytes));
    rest = decoded.rest;
    return decoded.frames;
  };
}
