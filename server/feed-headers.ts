/**
 * Headers every feed response carries, whichever transport: the feed is public
 * and must never be cached. Polls (poll.ts) and streams (stream.ts) both start
 * from these.
 */
export const FEED_HEADERS = {
  'cache-control': 'no-cache, no-store, no-transform',
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
} as const;
