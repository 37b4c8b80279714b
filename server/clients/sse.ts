/**
 * SSE driver: an EventSource for Node, following the WHATWG "event stream
 * interpretation" rules, and reconnecting with `Last-Event-ID` as browsers do.
 */
import type { Driver } from './common.ts';
import { streamLoop } from './iframe.ts';

export interface SseEvent {
  type: string;
  data: string;
  lastEventId: string;
}

/** Parses an event stream incrementally, exactly as EventSource does. */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private type = '';
  private started = false;
  /** The `id:` field seen last; it becomes lastEventId only when its event is dispatched. */
  private idBuffer = '';
  /**
   * What a reconnection sends as Last-Event-ID. WHATWG sets it at the blank line
   * that ends a message, not at the `id:` line: a stream cut between the two must
   * not resume past an event that never arrived.
   */
  lastEventId = '';
  retryMs: number | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    if (!this.started && this.buffer.length > 0) {
      this.started = true;
      if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1);
    }
    const events: SseEvent[] = [];
    // Lines end in CRLF, LF or CR; a CR at the very end may be half of a CRLF.
    const pattern = /\r\n|\n|\r(?!$)/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(this.buffer))) {
      const line = this.buffer.slice(start, match.index);
      start = match.index + match[0].length;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      this.lastEventId = this.idBuffer;
      if (this.data.length === 0) {
        this.type = '';
        return undefined;
      }
      const event = { type: this.type || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId };
      this.data = [];
      this.type = '';
      return event;
    }
    if (line.startsWith(':')) return undefined; // a comment: heartbeats
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.type = value;
    else if (field === 'id' && !value.includes('\0')) this.idBuffer = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}

const sse: Driver = (options) => {
  let since = options.since;
  let lastEventId = '';
  return streamLoop(
    'sse',
    options,
    (_cursor, startOver) => {
      // After a server restart a page closes its EventSource and opens a new one from 0; so does this.
      if (startOver) {
        since = 0;
        lastEventId = '';
      }
      return {
        // Like EventSource: the original URL every time, plus Last-Event-ID once an id was seen.
        path: `/feed/sse${since === undefined ? '' : `?since=${since}`}`,
        headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      };
    },
    () => {
      const parser = new SseParser();
      return {
        push(text: string) {
          const events = parser.push(text);
          lastEventId = parser.lastEventId || lastEventId;
          return events.map((e) => JSON.parse(e.data) as unknown);
        },
      };
    },
  );
};

export default sse;
