/** Long-poll driver: short polling that lets the server hold each request; no pause between polls. */
import type { Driver } from './common.ts';
import { pollLoop } from './short-poll.ts';

const longPoll: Driver = (options) =>
  pollLoop(
    'long-poll',
    options,
    (query) => {
      const timeout = options.timeoutMs === undefined ? '' : `timeoutMs=${options.timeoutMs}`;
      return `/feed/long-poll?${[query, timeout].filter(Boolean).join('&')}`;
    },
    0,
  );

export default longPoll;
