// The page side of the wiretap (server/wiretap.ts): the exact bytes of this page's
// own connections, pushed over a WebSocket on the lab's main port.
import { decodeFrames, describeFrame } from './ws-frames.js';

/** Opens a tap for `client`; resolves once it listens (or after a second, tap or not). */
export function openTap(client, onRecord) {
  const socket = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/wiretap?client=${client}`);
  socket.onmessage = (message) => {
    const record = JSON.parse(message.data);
    record.bytes = Uint8Array.from(atob(record.data), (c) => c.charCodeAt(0));
    onRecord(record);
  };
  const ready = new Promise((resolve) => {
    socket.onopen = resolve;
    socket.onerror = resolve;
    setTimeout(resolve, 1000);
  });
  return { ready, close: () => socket.close(1000) };
}

/** Shows bytes as text, with CR and LF visible and other control bytes as \xNN. */
export function showBytes(bytes) {
  return new TextDecoder()
    .decode(bytes)
    .replace(/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/\r\n|\r|\n/g, (end) => `${end === '\r\n' ? '\\r\\n' : end === '\r' ? '\\r' : '\\n'}\n`);
}

/**
 * Turns one connection's records into readable lines: HTTP heads and bodies as
 * text, WebSocket frames decoded. Keeps per-direction state across records,
 * since a frame may arrive in two pieces.
 */
export function wireReader() {
  const state = new Map(); // `${connection}:${dir}` -> { upgraded, rest }
  return (record) => {
    const key = `${record.connection}:${record.dir}`;
    let s = state.get(key);
    if (!s) state.set(key, (s = { upgraded: false, rest: new Uint8Array(0) }));
    const text = new TextDecoder().decode(record.bytes.slice(0, 16));
    if (!s.upgraded) {
      const whole = new TextDecoder('latin1').decode(record.bytes);
      if (record.transport === 'ws' && (whole.startsWith('HTTP/1.1 101') || (record.dir === 'in' && /^GET /.test(text)))) {
        // The head goes first; anything after it is frames.
        s.upgraded = true;
        const end = whole.indexOf('\r\n\r\n') + 4;
        const lines = [showBytes(record.bytes.slice(0, end))];
        if (end < record.bytes.length) lines.push(...frameLines(s, record.bytes.slice(end)));
        return lines;
      }
      return [showBytes(record.bytes)];
    }
    return frameLines(s, record.bytes);
  };
}

function frameLines(s, bytes) {
  const all = new Uint8Array(s.rest.length + bytes.length);
  all.set(s.rest);
  all.set(bytes, s.rest.length);
  const { frames, rest } = decodeFrames(all);
  s.rest = rest;
  return frames.map(describeFrame);
}
