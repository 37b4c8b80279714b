/**
 * An event-stream parser that follows WHATWG HTML §9.2.6 ("Interpreting an event
 * stream") line by line, so that the checker reads a server's bytes exactly as
 * EventSource would: CR, LF and CRLF all end lines, a leading BOM is dropped,
 * `data:` lines join with LF, one space after the colon is dropped, an `id` with
 * NUL is ignored, `retry` takes only ASCII digits, comments start with `:`.
 */

export interface SseEvent {
  type: string;
  data: string;
  /** The last event ID in force when the event was dispatched. */
  lastEventId: string;
  /** Whether this event set the id itself. */
  hadId: boolean;
  /** How many `data:` lines made it. */
  dataLines: number;
}

export class SseParser {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** Every `retry:` value as sent, valid or not. */
  readonly retries: string[] = [];
  /** The reconnection time in force (valid retry values only). */
  retryMs: number | undefined;
  lastEventId = '';
  private pending = '';
  private started = false;
  private data: string[] = [];
  private eventType = '';
  private idSet = false;
  private decoder = new TextDecoder('utf-8');

  push(bytes: Buffer | string): void {
    let text = typeof bytes === 'string' ? bytes : this.decoder.decode(bytes, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.pending += text;
    // A CR at the very end may be the first half of a CRLF: keep it for the next push.
    for (;;) {
      const match = /\r\n|\r(?!$)|\n/.exec(this.pending);
      if (!match) return;
      const line = this.pending.slice(0, match.index);
      this.pending = this.pending.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventType = value;
    else if (field === 'id') {
      if (!value.includes('\0')) {
        this.lastEventId = value;
        this.idSet = true;
      }
    } else if (field === 'retry') {
      this.retries.push(value);
      if (/^\d+$/.test(value)) this.retryMs = Number(value);
    }
  }

  private dispatch(): void {
    const hadId = this.idSet;
    this.idSet = false;
    if (this.data.length === 0) {
      this.eventType = '';
      return;
    }
    this.events.push({
      type: this.eventType || 'message',
      data: this.data.join('\n'),
      lastEventId: this.lastEventId,
      hadId,
      dataLines: this.data.length,
    });
    this.data = [];
    this.eventType = '';
  }
}
