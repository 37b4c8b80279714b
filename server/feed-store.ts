/**
 * What a store of the feed's truth is: the interface both stores implement, and
 * the store in this process (the default). The other keeps it in Redis, shared by
 * every lab process of a cluster (redis/feed.ts); feed-source.ts picks one.
 *
 * Either way the transports read and follow the process's own Feed (feed.ts):
 * over Redis it is a mirror of the shared log, fed by one reader per process, so
 * reading, replaying and fanning out stay in memory and synchronous. What differs
 * goes through this interface: publishing (which may have to cross the network),
 * waiting until the mirror holds a client's cursor, and whether the feed can be
 * served at all right now.
 */
import { LabError } from './errors.ts';
import type { Feed, FeedEvent } from './feed.ts';

export interface FeedSource {
  /** The feed the transports serve (over Redis: this process's mirror of it). */
  readonly feed: Feed;
  /** Publishes an event; resolves once it is in the feed, with its seq. Rejects when the feed cannot take it. */
  publish<D>(type: string, data: D): Promise<FeedEvent<D>>;
  /**
   * Resolves once the local feed holds every event up to `since` (or `since` is
   * from another run of the feed). A client that resumes on another process may
   * be ahead of that process's mirror by a few milliseconds.
   */
  catchUp(since: number | undefined): Promise<void>;
  /** Whether this process can serve the feed truthfully now (false while Redis is out of reach). */
  readonly available: boolean;
  /** Publishes a `tick` every `intervalMs` (over Redis: from one process of the cluster at a time). Returns the stop. */
  startTicker(intervalMs: number): () => void;
  /** What /stats shows of the source. */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

/** The feed in this process: the default, and what tests and the bench use. */
export class LocalFeedSource implements FeedSource {
  readonly available = true;

  constructor(readonly feed: Feed) {}

  publish<D>(type: string, data: D): Promise<FeedEvent<D>> {
    return Promise.resolve(this.feed.publish(type, data));
  }

  catchUp(): Promise<void> {
    return Promise.resolve();
  }

  startTicker(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => {};
    const next = priceWalk();
    const timer = setInterval(() => this.feed.publish('tick', { price: next() }), intervalMs);
    return () => clearInterval(timer);
  }

  describe(): Record<string, unknown> {
    return { store: 'memory' };
  }

  async close(): Promise<void> {}
}

/** A small random walk for the ticker's price, from 100, never below 1. */
export function priceWalk(): () => number {
  let price = 100;
  return () => {
    price = Math.max(1, price + (Math.random() - 0.5));
    return Math.round(price * 100) / 100;
  };
}

/**
 * Before a transport serves a request: the feed must be available (else 503: a
 * process that lost Redis serves nothing rather than stale data), and the mirror
 * must hold the client's cursor.
 */
export async function readyToServe(source: FeedSource, since: number | undefined): Promise<void> {
  if (!source.available) throw new LabError('feed_unavailable');
  await source.catchUp(since);
}
