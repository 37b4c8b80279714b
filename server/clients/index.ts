/** The drivers, keyed by the same transport ids as the server's registry. */
import type { TransportId } from '../transports/registry.ts';
import type { Driver } from './common.ts';
import shortPoll from './short-poll.ts';
import longPoll from './long-poll.ts';
import iframe from './iframe.ts';
import sse from './sse.ts';
import ws from './ws.ts';

export const DRIVERS: Record<TransportId, Driver> = { 'short-poll': shortPoll, 'long-poll': longPoll, iframe, sse, ws };
