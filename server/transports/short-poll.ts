/**
 * Short polling: the client asks "anything new since seq N?" and the server
 * answers at once, news or not.
 *
 * Every answer, even an empty one, costs a whole HTTP request and response head:
 * that is the overhead the lab's bench measures against the other transports.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Entry } from '../feed.ts';
import { type FollowOptions, parseFollow } from '../cursor.ts';
import { pollBody } from '../frames.ts';
import type { Meter } from '../stats.ts';
import { FEED_HEADERS } from '../stream.ts';
import { readyToServe } from '../feed-store.ts';
import type { Tap } from '../wiretap.ts';
import type { TransportId } from './registry.ts';
import type { LabContext } from '../context.ts';
import type { Transport } from './index.ts';

/** One poll being answered: its meter, and its wiretap if its page listens. */
export interface Poll {
  meter: Meter;
  tap: Tap | undefined;
}

/** Starts metering (and, for a listening page, tapping) a poll: when it arrives, so that a held one's wait shows. */
export function startPoll(ctx: LabContext, id: TransportId, request: FastifyRequest, reply: FastifyReply, client?: string): Poll {
  // The tap first: over HTTP/2 the meter's claim lets go of the request's HEADERS frames.
  const tap = ctx.wiretap.attach(client, id, request);
  return { tap, meter: ctx.stats.meter(id, request.raw, reply.raw, tap?.trace) };
}

/**
 * Answers a poll with `entries`, writing the bytes ourselves so that the meter
 * accounts them the moment they reach the socket (see stats.ts).
 */
export function answerPoll(ctx: LabContext, { tap, meter }: Poll, reply: FastifyReply, entries: readonly Entry[]): void {
  const body = pollBody(ctx.feed.epoch, ctx.feed.lastSeq, entries);
  reply.hijack();
  reply.raw.writeHead(200, {
    ...FEED_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  reply.raw.end(body);
  tap?.detach();
  let payloadBytes = 0;
  for (const entry of entries) payloadBytes += entry.bytes;
  meter.out({ payloadBytes, events: entries.length, body, note: tap && { what: 'response', label: '200', seqs: entries.map((entry) => entry.event.seq) } });
}

/** What `since` missed, of the types asked for. */
export function readFiltered(ctx: LabContext, since: number | undefined, accept: FollowOptions['accept']): Entry[] {
  const entries = ctx.feed.read(since);
  return accept ? entries.filter((entry) => accept(entry.event.type)) : entries;
}

const shortPoll: Transport = {
  id: 'short-poll',
  register(app: FastifyInstance, ctx: LabContext) {
    app.get('/feed/short-poll', { config: { transport: 'short-poll' } }, async (request, reply) => {
      const { since, accept, client } = parseFollow(request.query as Record<string, unknown>, 0);
      await readyToServe(ctx.source, since);
      answerPoll(ctx, startPoll(ctx, 'short-poll', request, reply, client), reply, readFiltered(ctx, since, accept));
    });
  },
};

export default shortPoll;
