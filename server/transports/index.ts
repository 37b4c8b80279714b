/**
 * The transport modules, keyed by the registry's ids (registry.ts), as in
 * engine.io's transports/index.
 *
 * Adding a transport is one file, one line in the registry and one line here
 * (the compiler refuses a registry id without a module); the app, the contract
 * tests and `/stats` all loop over the list.
 */
import { TRANSPORT_INFO, type TransportId } from './registry.ts';
import type { Transport } from './transport.ts';
import shortPoll from './short-poll.ts';
import longPoll from './long-poll.ts';
import iframe from './iframe.ts';
import sse from './sse.ts';
import ws from './ws.ts';

const MODULES: Record<TransportId, Transport> = { 'short-poll': shortPoll, 'long-poll': longPoll, iframe, sse, ws };

/** Every transport, in the registry's order. */
export const TRANSPORTS: readonly Transport[] = TRANSPORT_INFO.map((info) => MODULES[info.id]);
