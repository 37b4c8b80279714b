/**
 * What every Node client of the lab shares: the options a driver takes, the
 * handle it returns, and the reconnect backoff.
 *
 * Drivers pass every event they receive to `onEvent`, duplicates included: they
 * are the lab's reference clients, and the tests judge the server by what
 * they see, so they must not tidy it up.
 */
import http from 'node:http';
import type { FeedEvent } from '../../server/feed.ts';
import type { TransportId } from '../../server/stats.ts';

export interface DriverOptions {
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** The cursor to start from; undefined = only new events. */
  since?: number;
  onEvent: (event: FeedEvent, receivedAt: number) => void;
  /** Connection state changes, for logs and pages: connecting, open, closed, waiting. */
  onState?: (state: string, detail?: string) => void;
  /** Non-event messages (WebSocket error answers). */
  onMessage?: (message: unknown) => void;
  /** Extra request headers (the bench sends a browser's head with these). */
  headers?: Record<string, string>;
  /** Reconnect with backoff after a drop (default true); tests of one connection turn it off. */
  reconnect?: boolean;
  /** Short poll interval. */
  intervalMs?: number;
  /** Long poll hold time asked of the server. */
  timeoutMs?: number;
  agent?: http.Agent;
  /** Source address to connect from (127.0.0.x spreads ports). */
  localAddress?: string;
}

export interface Connection {
  readonly id: TransportId;
  /** The last seq seen (the resume cursor). */
  readonly lastSeq: number | undefined;
  /** Publishes chat over this connection (WebSocket only). */
  send?(message: unknown): void;
  /** Stops for good: no reconnect. Resolves when the socket is closed. */
  close(): Promise<void>;
}

export type Driver = (options: DriverOptions) => Connection;

/** Exponential backoff with full jitter: 100 ms, 200 ms, ... capped at 5 s, times a random factor. */
export function backoffMs(attempt: number, baseMs = 100, capMs = 5000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

/** Tracks the cursor and the epoch: a new epoch means the server restarted, so start over. */
export class Cursor {
  epoch: string | undefined;
  lastSeq: number | undefined;

  constructor(since: number | undefined) {
    this.lastSeq = since;
  }

  /** Records an event; returns false for objects that are not events (no numeric seq). */
  see(event: unknown): event is FeedEvent {
    if (typeof event !== 'object' || event === null || typeof (event as FeedEvent).seq !== 'number') return false;
    const { seq, epoch } = event as FeedEvent;
    this.epoch = epoch;
    this.lastSeq = seq;
    return true;
  }

  /**
   * Reads a poll answer's envelope. Another epoch means the server restarted:
   * start over from 0. A cursor above the server's lastSeq comes from another run
   * too (DESIGN.md): adopt the server's lastSeq, or the next poll asks the same again.
   */
  restartIfNewEpoch(epoch: string, lastSeq: number): boolean {
    const restarted = this.epoch !== undefined && this.epoch !== epoch;
    this.epoch = epoch;
    // No cursor yet ("only new events"), or one from another run: start from the server's lastSeq.
    if (restarted) this.lastSeq = 0;
    else if (this.lastSeq === undefined || this.lastSeq > lastSeq) this.lastSeq = lastSeq;
    return restarted;
  }

  query(): string {
    return this.lastSeq === undefined ? '' : `since=${this.lastSeq}`;
  }
}

/** GET `url` and resolve with the status and the body text. */
export function getText(url: string, options: DriverOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: options.headers, agent: options.agent, localAddress: options.localAddress, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
