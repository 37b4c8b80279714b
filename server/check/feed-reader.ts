/**
 * Reads the feed through any one transport, the way its client would, so that
 * the cases every transport shares (resume, gap, order) are written once: polls
 * ask again with the last seq they saw, streams are read as they arrive.
 */
import { EventEmitter } from 'node:events';
import type { CaseContext } from './context.ts';
import { type HttpResponse, waitChange } from './http.ts';
import { scriptChunks } from './iframe-parser.ts';
import { SseParser } from './sse-parser.ts';
import { CaseFailure } from './case-failure.ts';
import type { TransportId } from './types.ts';
import type { FeedEventLike, WsConn } from './ws-conn.ts';

/** The callback name the checker's iframe requests use. */
export const IFRAME_CB = 'onEvent';

/** The URL a transport's client opens, resuming after `since` (absent: only new events). */
export function feedPath(transport: TransportId, since: number | undefined, extra = ''): string {
  const query = [since === undefined ? '' : `since=${since}`, transport === 'iframe' ? `cb=${IFRAME_CB}` : '', extra]
    .filter(Boolean)
    .join('&');
  return `/feed/${transport}${query ? `?${query}` : ''}`;
}

export class FeedReader extends EventEmitter {
  readonly events: FeedEventLike[] = [];
  /** Set when the transport broke (a bad status, a stream that ended, a poll that failed). */
  problem: string | undefined;
  private stopped = false;
  private closeStream: (() => void) | undefined;

  constructor(
    private readonly c: CaseContext,
    readonly transport: TransportId,
  ) {
    super();
  }

  /** Opens the transport from `since`; resolves once the first answer (or stream head) is in. */
  async start(since: number | undefined): Promise<this> {
    const { transport } = this;
    if (transport === 'ws') {
      const conn = await this.c.ws(feedPath('ws', since));
      this.closeStream = () => conn.destroy();
      this.follow(conn);
    } else if (transport === 'sse' || transport === 'iframe') {
      const response = await this.c.get(feedPath(transport, since), transport === 'sse' ? { Accept: 'text/event-stream' } : undefined);
      if (response.status !== 200) throw new CaseFailure(`GET ${feedPath(transport, since)} answered ${response.status}`);
      this.closeStream = () => response.close();
      this.stream(response);
    } else {
      await this.poll(since, true);
    }
    return this;
  }

  private add(events: FeedEventLike[]): void {
    for (const event of events) this.events.push(event);
    this.emit('change');
  }

  private fail(problem: string): void {
    this.problem ??= problem;
    this.emit('change');
  }

  private follow(conn: WsConn): void {
    let seen = 0;
    // Frames that came with the handshake's answer are already in: read them at once, then on each change.
    const update = () => {
      const events = conn.events();
      if (events.length > seen) this.add(events.slice(seen));
      seen = events.length;
      if (conn.ended || conn.error) this.fail(conn.error ?? `the WebSocket closed${conn.closeFrame ? ` (${conn.closeFrame.code})` : ''}`);
    };
    conn.on('change', update);
    update();
  }

  private stream(response: HttpResponse): void {
    const sse = new SseParser();
    let text = '';
    let seen = 0;
    let offset = 0;
    response.on('change', () => {
      const pieces = response.pieces.slice(offset);
      offset = response.pieces.length;
      const fresh: FeedEventLike[] = [];
      if (this.transport === 'sse') {
        for (const piece of pieces) sse.push(piece.bytes);
        for (const event of sse.events.slice(seen)) {
          const value = parseEvent(event.data);
          if (value) fresh.push(value);
        }
        seen = sse.events.length;
      } else {
        for (const piece of pieces) text += piece.bytes.toString('utf8');
        const chunks = scriptChunks(text);
        for (const chunk of chunks.slice(seen)) {
          const value = chunk.value as FeedEventLike | undefined;
          if (value && typeof value.seq === 'number') fresh.push(value);
        }
        seen = chunks.length;
      }
      if (fresh.length > 0) this.add(fresh);
      if (response.ended) this.fail(response.error ?? 'the stream ended');
    });
  }

  /** One poll (and, unless stopped, the next with the last seq seen). */
  private async poll(since: number | undefined, first: boolean): Promise<void> {
    const path = feedPath(this.transport, since, this.transport === 'long-poll' ? 'timeoutMs=2000' : '');
    let response: HttpResponse;
    try {
      response = await this.c.get(path);
      await response.end(this.transport === 'long-poll' ? 5000 : 3000);
    } catch (error) {
      if (first) throw error;
      return this.fail((error as Error).message);
    }
    if (response.status !== 200 || !response.ended) {
      const problem = `GET ${path} answered ${response.status}${response.ended ? '' : ' and did not end its body'}`;
      if (first) throw new CaseFailure(problem);
      return this.fail(problem);
    }
    let body: { events?: unknown; lastSeq?: unknown };
    try {
      body = JSON.parse(response.text());
    } catch {
      return this.fail(`GET ${path} answered a body that is not JSON`);
    }
    if (!Array.isArray(body.events)) return this.fail(`GET ${path} answered no events array`);
    const events = body.events as FeedEventLike[];
    this.add(events);
    if (this.stopped) return;
    const last = events.length > 0 ? events[events.length - 1].seq : since;
    const next = () => void this.poll(last, false);
    if (this.transport === 'short-poll') setTimeout(next, 100);
    else next();
  }

  /** Resolves true once `condition()` holds, false when the transport broke or `timeoutMs` passed. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return waitChange(this, condition, () => this.problem !== undefined, timeoutMs);
  }

  /** Polls stop asking; streams close. */
  stop(): void {
    this.stopped = true;
    this.closeStream?.();
  }
}

/** The event JSON in `text`, if it is an object with a numeric seq. */
export function parseEvent(text: string): FeedEventLike | undefined {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && typeof value.seq === 'number' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with an event's shape under the contract (seq, epoch, type, at, data), or undefined. */
export function eventProblem(event: FeedEventLike): string | undefined {
  // A server under check may send anything in an events array.
  if (typeof event !== 'object' || event === null) return `an event is ${JSON.stringify(event)}, not an object`;
  if (!Number.isSafeInteger(event.seq) || event.seq < 1) return `seq ${JSON.stringify(event.seq)} is not a positive integer`;
  if (typeof event.epoch !== 'string' || event.epoch === '') return `event ${event.seq} has no epoch string`;
  if (typeof event.type !== 'string' || event.type === '') return `event ${event.seq} has no type string`;
  if (typeof event.at !== 'number' || !Number.isFinite(event.at)) return `event ${event.seq} has no numeric at`;
  if (typeof event.data !== 'object' || event.data === null) return `event ${event.seq} has no data object`;
  if (event.type === 'chat' && (typeof event.data.text !== 'string' || typeof event.data.name !== 'string'))
    return `chat event ${event.seq} lacks data.name or data.text`;
  return undefined;
}

/** Whether `events` run in seq order, each +1 from the one before; the first break, or undefined. */
export function orderProblem(events: FeedEventLike[]): string | undefined {
  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1].seq;
    const seq = events[i].seq;
    if (seq === before) return `seq ${seq} came twice`;
    if (seq < before) return `seq ${seq} came after ${before}`;
    if (seq !== before + 1 && events[i].type !== 'gap') return `seq ${before + 1}..${seq - 1} never came (between ${before} and ${seq})`;
  }
  return undefined;
}
