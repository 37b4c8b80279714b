// The page side of the wiretap (server/wiretap.ts): the exact bytes of this page's
// own connections, pushed over a WebSocket on the lab's main port.
import { describeFrame, frameBuffer, hex } from './ws-frames.js';

/** How long a page waits for its tap before going on without one (a refusal resolves at once). */
const TAP_WAIT_MS = 5000;

/**
 * Opens a tap on this page's own connections. `ready` resolves with the id the
 * server minted for it (send it as `client` with each request to be tapped), or
 * with undefined when there is no tap (refused, closed, or no answer in time).
 * Byte records go to `onRecord`; the trace's steps (server/trace.ts), which carry
 * no bytes, to `onStep` when given. `process`: in a cluster, the process holding the
 * tap (once ready). `cut()`: the server cuts this page's tapped connections, as a
 * process that dies would. `onClose`: the tap's socket closed after it was ready.
 */
export function openTap(onRecord, onStep = undefined, onClose = undefined) {
  const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/wiretap`);
  let minted;
  let process;
  const ready = new Promise((resolve) => {
    socket.onerror = () => resolve(undefined);
    socket.onclose = () => {
      resolve(undefined);
      if (minted !== undefined) onClose?.();
    };
    setTimeout(() => resolve(undefined), TAP_WAIT_MS);
    socket.onmessage = (message) => {
      const record = JSON.parse(message.data);
      // The first message is the id (server/wiretap.ts TapHello); records follow.
      if (minted === undefined) {
        if (record.type === 'tap') {
          process = record.process;
          resolve((minted = record.client));
        }
        return;
      }
      if (record.type === 'step') return onStep?.(record);
      record.bytes = Uint8Array.from(atob(record.data), (c) => c.charCodeAt(0));
      onRecord(record);
    };
  });
  return {
    ready,
    close: () => socket.close(1000),
    cut: () => socket.readyState === WebSocket.OPEN && socket.send('{"type":"cut"}'),
    get process() {
      return process;
    },
  };
}

/** Shows bytes as text, with CR and LF visible and other control bytes as \xNN. */
export function showBytes(bytes) {
  return new TextDecoder()
    .decode(bytes)
    .replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\r\n|\r|\n/g, (end) => `${end === '\r\n' ? '\\r\\n' : end === '\r' ? '\\r' : '\\n'}\n`);
}

/**
 * Turns one connection's records into readable lines: HTTP/1.1 heads and bodies
 * as text, HTTP/2 frames by type and size, WebSocket frames decoded (inside HTTP/2
 * DATA too). Keeps per-direction state across records, since a frame may arrive
 * in pieces.
 */
export function wireReader() {
  const state = new Map(); // `${connection}:${stream}:${dir}` -> { upgraded, head (a WebSocket head's bytes so far), rest, ws }
  return (record) => {
    const key = `${record.connection}:${record.stream ?? 0}:${record.dir}`;
    let s = state.get(key);
    if (!s) state.set(key, (s = { upgraded: false, rest: new Uint8Array(0) }));
    if (record.protocol === 'h2') return http2Lines(s, record);
    const text = new TextDecoder().decode(record.bytes.slice(0, 16));
    if (!s.upgraded) {
      const whole = new TextDecoder('latin1').decode(record.bytes);
      if (s.head || (record.transport === 'ws' && (whole.startsWith('HTTP/1.1 101') || (record.dir === 'in' && /^GET /.test(text))))) {
        // The head goes first, as text, however many records it takes; anything after it is frames.
        const before = s.head ?? new Uint8Array(0);
        const all = concat(before, record.bytes);
        const end = new TextDecoder('latin1').decode(all).indexOf('\r\n\r\n');
        if (end < 0) {
          s.head = all;
          return [showBytes(record.bytes)];
        }
        s.upgraded = true;
        s.head = undefined;
        const cut = end + 4 - before.length;
        const lines = [showBytes(record.bytes.slice(0, cut))];
        if (cut < record.bytes.length) lines.push(...frameLines(s, record.bytes.slice(cut)));
        return lines;
      }
      return [showBytes(record.bytes)];
    }
    return frameLines(s, record.bytes);
  };
}

function frameLines(s, bytes) {
  s.ws ??= frameBuffer();
  return s.ws(bytes).map(describeFrame);
}

// ---------------------------------------------------------------- HTTP/2

const H2_TYPES = [
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
const H2_ERRORS = [
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
];
const FLAG_END_STREAM = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;

const concat = (a, b) => {
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
};

/**
 * Reads whole HTTP/2 frames (RFC 9113 section 4.1) from `bytes`; returns them and
 * the start of a frame that has not fully arrived. Pure: bytes in, frames out.
 */
function decodeHttp2Frames(bytes) {
  const frames = [];
  let at = 0;
  while (bytes.length - at >= 9) {
    const length = (bytes[at] << 16) | (bytes[at + 1] << 8) | bytes[at + 2];
    if (bytes.length - at < 9 + length) break;
    const type = bytes[at + 3];
    const flags = bytes[at + 4];
    const stream = (((bytes[at + 5] & 0x7f) << 24) | (bytes[at + 6] << 16) | (bytes[at + 7] << 8) | bytes[at + 8]) >>> 0;
    let payload = bytes.slice(at + 9, at + 9 + length);
    // The padding and priority fields are frame, not content: strip them so what is shown is the block or the body.
    if ((type === 0 || type === 1) && flags & FLAG_PADDED) payload = payload.slice(1, payload.length - payload[0]);
    if (type === 1 && flags & FLAG_PRIORITY) payload = payload.slice(5);
    frames.push({ length, type, typeName: H2_TYPES[type] ?? `type ${type}`, flags, stream, payload });
    at += 9 + length;
  }
  return { frames, rest: bytes.slice(at) };
}

/** One HTTP/2 frame as a person reads it; WebSocket frames inside DATA are decoded too. */
function http2FrameLines(s, record, frame) {
  const flags = [
    frame.flags & FLAG_END_STREAM && 'END_STREAM',
    (frame.type === 1 || frame.type === 9) && frame.flags & FLAG_END_HEADERS && 'END_HEADERS',
  ].filter(Boolean);
  const title = `${frame.typeName} · ${frame.length} B${flags.length ? ` · ${flags.join(' ')}` : ''}`;
  if (frame.type === 1 || frame.type === 9)
    return [`${title} · HPACK ${hex(frame.payload.slice(0, 20))}${frame.payload.length > 20 ? ' …' : ''}`];
  if (frame.type === 3 || frame.type === 7) {
    // RST_STREAM is the error code alone; GOAWAY is the last stream id, the error code, then debug data.
    const at = frame.type === 7 ? 4 : 0;
    const p = frame.payload;
    const code = p.length >= at + 4 ? ((p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]) >>> 0 : undefined;
    return [`${title} · ${H2_ERRORS[code] ?? code}`];
  }
  if (frame.type !== 0) return [title];
  if (record.transport !== 'ws') return [`${title}\n${showBytes(frame.payload)}`];
  // Over HTTP/2 a WebSocket's frames travel inside DATA (RFC 8441): the same bytes as over HTTP/1.1.
  s.ws ??= frameBuffer();
  return [title, ...s.ws(frame.payload).map((f) => `  ${describeFrame(f)}`)];
}

function http2Lines(s, record) {
  const lines = [];
  // The server decoded the request's HPACK block; show what it said beside its size.
  if (record.headers) lines.push(record.headers.map(([name, value]) => `${name}: ${value}`).join('\n'));
  s.rest = concat(s.rest, record.bytes);
  const { frames, rest } = decodeHttp2Frames(s.rest);
  s.rest = rest;
  for (const frame of frames) lines.push(...http2FrameLines(s, record, frame));
  return lines;
}

/**
 * The bytes of a request's head, when `record` starts a request: the head up to
 * its blank line over HTTP/1.1, the HEADERS block(s) over HTTP/2 (HPACK-compressed,
 * so a repeated request costs a few dozen bytes where HTTP/1.1 resends hundreds).
 */
export function requestHeadBytes(record) {
  if (record.dir !== 'in') return undefined;
  if (record.protocol === 'h2') {
    if (!record.headers) return undefined;
    return decodeHttp2Frames(record.bytes)
      .frames.filter((f) => f.type === 1 || f.type === 9)
      .reduce((sum, f) => sum + f.payload.length, 0);
  }
  const text = new TextDecoder('latin1').decode(record.bytes);
  if (!/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(text)) return undefined;
  const end = text.indexOf('\r\n\r\n');
  return end < 0 ? record.bytes.length : end + 4;
}
