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
import type { TransportId } from '../../server/transports/registry.ts';

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

  /**
   * Set when a streaming connection brought an event of another epoch: the server
   * restarted, and this connection was opened with a cursor from the old run, so
   * it may have skipped the new run's first events. The driver drops it and
   * connects again from 0 (`startOver()`); until then its events are ignored.
   */
  restartPending = false;

  /**
   * Records an event; returns false for objects that are not events (no numeric
   * seq), and for events that must not be delivered because the run changed.
   */
  see(event: unknown): event is FeedEvent {
    if (!isEvent(event) || this.restartPending) return false;
    const { seq, epoch } = event;
    if (this.epoch !== undefined && epoch !== this.epoch) {
      this.epoch = epoch;
      this.lastSeq = 0;
      this.restartPending = true;
      return false;
    }
    this.epoch = epoch;
    this.lastSeq = seq;
    return true;
  }

  /** Called as a connection opens: whether it starts over (cursor 0) after a restart. */
  startOver(): boolean {
    const pending = this.restartPending;
    this.restartPending = false;
    return pending;
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

/** Whether a message is a feed event: only objects with a numeric seq are (DESIGN.md). */
export function isEvent(message: unknown): message is FeedEvent {
  return typeof message === 'object' && message !== null && typeof (message as FeedEvent).seq === 'number';
}

/** GET `url` and resolve with the status and the body text; a connection lost mid-answer rejects. */
export function getText(url: string, options: DriverOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: options.headers, agent: options.agent, localAddress: options.localAddress, signal }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
      // Without this, an answer cut short could leave the promise pending for ever.
      response.on('close', () => {
        if (!response.complete) reject(new Error('connection closed before the answer was complete'));
      });
    });
    request.on('error', reject);
  });
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    // The listener goes when the sleep ends: a client that reconnects all day must not pile them up.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
