/**
 * The feed-source factory: where this process keeps the feed's truth, chosen by
 * FEED_STORE, and the per-client limits that go with it.
 *
 * - `memory` (the default): the feed in this process (feed-store.ts), the chat rate
 *   and the stream cap counted here (chat.ts, limits.ts);
 * - `redis://...`: the feed in Redis, shared by a cluster's processes (redis/feed.ts),
 *   and the limits counted across them in the same Redis (redis/shared-limits.ts),
 *   since a client behind a round-robin balancer reaches every process.
 *
 * The app asks for one backend and never names Redis itself.
 */
import { ChatLimiter, type RateLimiter } from './chat.ts';
import type { Config } from './config.ts';
import { Feed } from './feed.ts';
import { type FeedSource, LocalFeedSource } from './feed-store.ts';
import type { SharedStreamCounts } from './limits.ts';
import { RedisFeedSource } from './redis/feed.ts';
import { SharedLimits } from './redis/shared-limits.ts';
import { RedisTraceRelay } from './redis/trace-relay.ts';
import type { StepRelay } from './trace.ts';

export interface FeedBackend {
  /** The feed the transports serve, and how events reach it. */
  source: FeedSource;
  /** The chat rate, per client. */
  limiter: RateLimiter;
  /** In a cluster, the stream cap's counts on the other processes; undefined for one process. */
  streams: SharedStreamCounts | undefined;
  /** In a cluster, how a page's trace reaches its tap on another process (trace.ts); undefined for one process. */
  relay: StepRelay | undefined;
  /** Closes what the backend opened (the limits before the connection they share). */
  close(): Promise<void>;
}

/** Opens the backend FEED_STORE names; over Redis, resolves once the mirror holds what the log keeps. */
export async function openFeedSource(
  config: Pick<Config, 'feedStore' | 'bufferSize' | 'processName' | 'chatRate' | 'maxStreamsPerClient'>,
): Promise<FeedBackend> {
  if (config.feedStore === 'memory') {
    const source = new LocalFeedSource(new Feed(config.bufferSize));
    return { source, limiter: new ChatLimiter(config.chatRate), streams: undefined, relay: undefined, close: () => source.close() };
  }
  const source = await RedisFeedSource.open({ url: config.feedStore, bufferSize: config.bufferSize, processName: config.processName });
  const shared = new SharedLimits(source.commands, {
    processName: config.processName,
    chatRate: config.chatRate,
    maxStreamsPerClient: config.maxStreamsPerClient,
  });
  const relay = new RedisTraceRelay(config.feedStore, source.commands);
  return {
    source,
    limiter: shared,
    streams: shared,
    relay,
    close: async () => {
      await relay.close();
      await shared.close();
      await source.close();
    },
  };
}
