/**
 * The figures /stats should show, worked out from a decrypted capture alone
 * (wire-capture.ts) and the client's own knowledge of which stream or connection
 * carried which transport. Written apart from the lab's meters (its frame reader
 * included): the capture test holds one against the other, byte for byte.
 *
 * The split is the README's: HTTP head (HEADERS and CONTINUATION blocks over
 * HTTP/2, the request and response heads over HTTP/1.1), payload (the event
 * JSON as carried, and a WebSocket's chat messages in), framing (the rest).
 */
import type { TlsTraffic } from '../tls-stats.ts';
import type { CapturedConnection, Direction } from './wire-capture.ts';

export interface Split {
  head: number;
  framing: number;
  payload: number;
}

export interface Traffic {
  requests: number;
  eventsDelivered: number;
  bytesIn: Split;
  bytesOut: Split;
}

/** /stats' TLS figures as a capture gives them: every one but the connections open now, which a capture cannot tell. */
export type TlsFigures = Omit<TlsTraffic, 'connectionsOpen'>;

const HANDSHAKE = 22;
const FINISHED = 20;
const PREFACE_BYTES = 24;
const FRAME_NAMES = [
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
];

export const emptySplit = (): Split => ({ head: 0, framing: 0, payload: 0 });
export const emptyTraffic = (): Traffic => ({ requests: 0, eventsDelivered: 0, bytesIn: emptySplit(), bytesOut: emptySplit() });

/** Event JSON objects in `text`, as carried (the iframe's escapes included). */
export const eventJson = (text: string) =>
  [...text.matchAll(/\{"seq":\d+,"epoch":"[^"]+","type":"[a-z]+","at":[\d.]+,"data":\{[^}]*\}\}/g)].map((m) => m[0]);

const bytesOf = (texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

/** One direction's handshake: its records up to the one that carries its Finished, by record type. */
function handshakeBytes(direction: Direction): number {
  let bytes = 0;
  for (const record of direction.records) {
    bytes += record.bytes;
    if (record.innerType === HANDSHAKE && record.handshakeTypes.includes(FINISHED)) return bytes;
  }
  throw new Error('the capture holds no Finished in this direction: was it decrypted?');
}

/** The TLS section of /stats for `connections`. */
export function tlsFigures(connections: CapturedConnection[]): TlsFigures {
  const f: TlsFigures = {
    connectionsOpened: 0,
    handshakeBytesIn: 0,
    handshakeBytesOut: 0,
    tcpBytesIn: 0,
    tcpBytesOut: 0,
    plaintextBytesIn: 0,
    plaintextBytesOut: 0,
    recordBytesIn: 0,
    recordBytesOut: 0,
  };
  for (const c of connections) {
    f.connectionsOpened++;
    f.handshakeBytesIn += handshakeBytes(c.in);
    f.handshakeBytesOut += handshakeBytes(c.out);
    f.tcpBytesIn += c.in.tcpBytes;
    f.tcpBytesOut += c.out.tcpBytes;
    f.plaintextBytesIn += c.in.plaintext.length;
    f.plaintextBytesOut += c.out.plaintext.length;
  }
  f.recordBytesIn = f.tcpBytesIn - f.plaintextBytesIn;
  f.recordBytesOut = f.tcpBytesOut - f.plaintextBytesOut;
  return f;
}

// ---------------------------------------------------------------- HTTP/2

interface StreamBytes {
  in: Split;
  out: Split;
  requests: number;
  data: { in: Buffer[]; out: Buffer[] };
}

export interface Http2Figures {
  /** By whatever the client says each stream was (a transport id, or undefined: the `other` line). */
  streams: Map<number, StreamBytes>;
  connection: { bytesIn: number; bytesOut: number };
  frames: { in: Record<string, number>; out: Record<string, number> };
}

/** Splits one direction of a decrypted HTTP/2 connection by stream. */
function readFrames(bytes: Buffer, dir: 'in' | 'out', figures: Http2Figures): void {
  let at = 0;
  if (dir === 'in') {
    figures.connection.bytesIn += PREFACE_BYTES;
    at = PREFACE_BYTES;
  }
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    const type = bytes[at + 3];
    const flags = bytes[at + 4];
    const streamId = bytes.readUInt32BE(at + 5) & 0x7fffffff;
    const payload = bytes.subarray(at + 9, at + 9 + length);
    figures.frames[dir][FRAME_NAMES[type] ?? 'UNKNOWN'] = (figures.frames[dir][FRAME_NAMES[type] ?? 'UNKNOWN'] ?? 0) + 1;
    at += 9 + length;
    if (streamId === 0) {
      figures.connection[dir === 'in' ? 'bytesIn' : 'bytesOut'] += 9 + length;
      continue;
    }
    let s = figures.streams.get(streamId);
    if (!s) figures.streams.set(streamId, (s = { in: emptySplit(), out: emptySplit(), requests: 0, data: { in: [], out: [] } }));
    const split = s[dir];
    const padded = (flags & 0x8) !== 0 && (type === 0 || type === 1);
    const padding = padded ? 1 + payload[0] : 0;
    const content = payload.subarray(padded ? 1 : 0, payload.length - (padded ? payload[0] : 0));
    if (type === 1 || type === 9) {
      const lead = type === 1 && (flags & 0x20) !== 0 ? 5 : 0;
      split.head += content.length - lead;
      split.framing += 9 + padding + lead;
      if (type === 1 && dir === 'in') s.requests++;
    } else {
      split.framing += 9 + length;
      if (type === 0) s.data[dir].push(content);
    }
  }
  if (at !== bytes.length) throw new Error(`${bytes.length - at} bytes of a partial HTTP/2 frame at the end of the ${dir} direction`);
}

export function http2Figures(connections: CapturedConnection[]): Http2Figures[] {
  return connections.map((c) => {
    const figures: Http2Figures = { streams: new Map(), connection: { bytesIn: 0, bytesOut: 0 }, frames: { in: {}, out: {} } };
    readFrames(c.in.plaintext, 'in', figures);
    readFrames(c.out.plaintext, 'out', figures);
    return figures;
  });
}

/** WebSocket frames in `bytes` (RFC 6455 section 5.2), unmasked: opcode and payload. */
export function webSocketFrames(bytes: Buffer): { opcode: number; payload: Buffer }[] {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at] & 0x0f;
    const masked = (bytes[at + 1] & 0x80) !== 0;
    let length = bytes[at + 1] & 0x7f;
    let head = 2;
    if (length === 126) [length, head] = [bytes.readUInt16BE(at + 2), 4];
    else if (length === 127) [length, head] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    const mask = masked ? bytes.subarray(at + head, at + head + 4) : undefined;
    const start = at + head + (masked ? 4 : 0);
    const payload = Buffer.from(bytes.subarray(start, start + length));
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
    frames.push({ opcode, payload });
    at = start + length;
  }
  return frames;
}

/**
 * A stream's traffic as its transport's meter should count it: payload is the
 * event JSON in the DATA it sent (WebSocket: the events' text frames) and, for a
 * WebSocket, the text messages it read.
 */
export function streamTraffic(s: StreamBytes, webSocket: boolean): Traffic {
  const t: Traffic = { requests: s.requests, eventsDelivered: 0, bytesIn: { ...s.in }, bytesOut: { ...s.out } };
  const dataOut = Buffer.concat(s.data.out);
  const dataIn = Buffer.concat(s.data.in);
  let payloadOut: number;
  let payloadIn = 0;
  if (webSocket) {
    const events = webSocketFrames(dataOut).filter((f) => f.opcode === 1 && f.payload.toString().startsWith('{"seq":'));
    payloadOut = events.reduce((sum, f) => sum + f.payload.length, 0);
    t.eventsDelivered = events.length;
    payloadIn = webSocketFrames(dataIn)
      .filter((f) => f.opcode === 1)
      .reduce((sum, f) => sum + f.payload.length, 0);
  } else {
    const events = eventJson(dataOut.toString());
    payloadOut = bytesOf(events);
    t.eventsDelivered = events.length;
  }
  t.bytesOut.framing -= payloadOut;
  t.bytesOut.payload += payloadOut;
  t.bytesIn.framing -= payloadIn;
  t.bytesIn.payload += payloadIn;
  return t;
}

// ---------------------------------------------------------------- HTTP/1.1 over TLS

/**
 * One HTTP/1.1 connection's traffic (GET requests only, as the test sends): the
 * request heads are head in; each response's head is head out, the event JSON in
 * its body payload, the rest (chunk sizes, a poll's wrapper, the iframe's markup) framing.
 */
export function http1Traffic(c: CapturedConnection): Traffic {
  const t = emptyTraffic();
  const requestText = c.in.plaintext.toString('latin1');
  t.requests = requestText.split('\r\n\r\n').length - 1;
  t.bytesIn.head = c.in.plaintext.length;
  const out = c.out.plaintext;
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error('a response head that never ends');
    const head = out.subarray(at, end + 4).toString('latin1');
    t.bytesOut.head += end + 4 - at;
    at = end + 4;
    const length = /\r\ncontent-length: (\d+)/i.exec(head);
    let bodyEnd: number;
    if (length) {
      bodyEnd = at + Number(length[1]);
    } else if (/\r\ntransfer-encoding: chunked/i.test(head)) {
      const last = out.indexOf('\r\n0\r\n\r\n', at);
      bodyEnd = last < 0 ? out.length : last + 7;
    } else {
      bodyEnd = out.length;
    }
    const body = out.subarray(at, bodyEnd);
    const events = eventJson(body.toString());
    t.eventsDelivered += events.length;
    t.bytesOut.payload += bytesOf(events);
    t.bytesOut.framing += body.length - bytesOf(events);
    at = bodyEnd;
  }
  return t;
}

export function addTraffic(into: Traffic, from: Traffic): void {
  into.requests += from.requests;
  into.eventsDelivered += from.eventsDelivered;
  for (const dir of ['bytesIn', 'bytesOut'] as const) {
    into[dir].head += from[dir].head;
    into[dir].framing += from[dir].framing;
    into[dir].payload += from[dir].payload;
  }
}
