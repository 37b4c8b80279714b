// The browser clients by transport id: the same ids as the server's registry.
import * as shortPoll from './short-poll.js';
import * as longPoll from './long-poll.js';
import * as iframe from './iframe.js';
import * as sse from './sse.js';
import * as ws from './ws.js';

export const CLIENTS = { 'short-poll': shortPoll, 'long-poll': longPoll, iframe, sse, ws };
