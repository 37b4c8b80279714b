/**
 * Pure wire encoders: strings in, strings out, never a socket.
 *
 * Each transport module calls these to turn an event's JSON into the bytes its
 * wire format needs; `frames.test.ts` checks them byte for byte.
 */
import type { Entry } from './feed.ts';

// ---------------------------------------------------------------- polls

/**
 * The body of a short or long poll: `{ "epoch", "lastSeq", "events": [...] }`.
 * Built from each event's cached JSON, so an event is never serialised twice.
 */
export function pollBody(epoch: string, lastSeq: number, entries: readonly Entry[]): string {
  return `{"epoch":${JSON.stringify(epoch)},"lastSeq":${lastSeq},"events":[${entries.map((e) => e.json).join(',')}]}`;
}

// ---------------------------------------------------------------- Server-Sent Events

export interface SseMessage {
  id?: string | number;
  event?: string;
  data: string;
}

/**
 * One SSE message: `id:`, `event:`, then one `data:` line per line of data, then a blank line.
 *
 * Data containing CR, LF or CRLF is split into several `data:` lines, which the
 * EventSource joins back with LF (WHATWG HTML, "event stream interpretation").
 * An `id` or `event` with CR or LF could inject fields of its own, and an `id`
 * with NUL is ignored by browsers: both are refused rather than sent (as better-sse does).
 */
export function sseMessage({ id, event, data }: SseMessage): string {
  let out = '';
  if (id !== undefined) {
    const text = String(id);
    if (/[\r\n\0]/.test(text)) throw new TypeError('SSE id must not contain CR, LF or NUL');
    out += `id: ${text}\n`;
  }
  if (event !== undefined) {
    if (/[\r\n]/.test(event)) throw new TypeError('SSE event name must not contain CR or LF');
    out += `event: ${event}\n`;
  }
  for (const line of data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A feed event as SSE: its seq is the id (so Last-Event-ID resumes), its type the event name. */
export function sseEvent(entry: Entry): string {
  return sseMessage({ id: entry.event.seq, event: entry.event.type, data: entry.json });
}

/** How long EventSource waits before reconnecting, in ms. */
export function sseRetry(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError('retry must be a non-negative integer');
  return `retry: ${ms}\n\n`;
}

/** A comment line: ignored by EventSource, but it keeps idle proxies from closing the stream. */
export function sseComment(text: string): string {
  if (/[\r\n]/.test(text)) throw new TypeError('SSE comment must not contain CR or LF');
  return `: ${text}\n\n`;
}

// ---------------------------------------------------------------- iframe streaming

/** What a callback name may be (the contract in README.md): an identifier path, at most 64 characters. */
const CALLBACK_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

export function isCallbackName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 64 && CALLBACK_NAME.test(name);
}

/**
 * Makes JSON safe inside an inline `<script>`.
 *
 * `</script>` would end the script and `<!--` switches the HTML tokenizer into its
 * "script data escaped" state, so `<` and `>` become \u003c and \u003e; `&` too, for
 * pages parsed as XHTML. U+2028 and U+2029 are valid in JSON strings but were line
 * terminators in JavaScript before ES2019, so older engines choke on them raw.
 * The escapes are still the same JSON: the callback receives the identical object.
 */
export function escapeJsonForScript(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first chunk of an iframe stream: a small HTML document, padded.
 *
 * The padding is there because browsers buffer the start of a document before they
 * render or run anything: Safari and old Chrome waited for about 1 KiB, IE for 256 B
 * (sockjs-node's htmlfile transport pads to 1024 B for this reason). Without it the
 * first events sit in the browser's buffer instead of reaching the page.
 */
export function iframePreamble(): string {
  const head =
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>Wirelab iframe stream</title></head><body>\n' +
    '<p>This document is a stream: each script below arrives as its own chunk.</p>\n';
  return `${head}<!--${' '.repeat(Math.max(0, 1024 - head.length - 8))}-->\n`;
}

/** One event as a script chunk calling `parent.<callback>(event)`. */
export function iframeScript(callback: string, json: string): string {
  if (!isCallbackName(callback)) throw new TypeError('invalid callback name');
  return iframeCall(callback, escapeJsonForScript(json));
}

/**
 * The script chunk for JSON that escapeJsonForScript has already made safe, with a
 * callback name already checked: the escaping is shared by every client of an
 * event, the callback name is each client's own.
 */
export function iframeCall(callback: string, scriptSafeJson: string): string {
  return `<script>parent.${callback}(${scriptSafeJson});</script>\n`;
}

/** A keep-alive chunk: markup that does nothing, so idle middleboxes see traffic. */
export function iframeKeepAlive(): string {
  return '<!-- keep-alive -->\n';
}

/** The last chunk before the server ends a full response: the client's load handler reconnects. */
export function iframeEnd(): string {
  return '</body></html>\n';
}

// ---------------------------------------------------------------- WebSocket

/**
 * One server-to-client text frame (RFC 6455 section 5.2): FIN and opcode 1 in the
 * first byte, no mask (only clients mask), then the payload length in 7 bits, or
 * 126 and 16 bits, or 127 and 64 bits, then the payload. For an event of up to
 * 125 bytes that is 2 bytes of framing, the floor the bench reports.
 *
 * The lab frames each event once and writes the same bytes to every socket, where
 * ws's send() would build the frame again for each socket of a broadcast.
 */
export function wsTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headBytes = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headBytes + length);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (headBytes === 2) {
    frame[1] = length;
  } else if (headBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headBytes);
  return frame;
}
