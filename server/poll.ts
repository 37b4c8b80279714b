/**
 * The mechanism the two polling transports share: read what a cursor missed and
 * answer it in one JSON response.
 *
 * Short polling answers at once (transports/short-poll.ts); long polling holds
 * the request until there is news, then answers the same way
 * (transports/long-poll.ts): "short polling that waits", in code as in the lesson.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LabContext } from './context.ts';
import type { FollowOptions } from './cursor.ts';
import type { Entry } from './feed.ts';
import { FEED_HEADERS } from './feed-headers.ts';
import { pollBody } from './frames.ts';
import { type MeteredRequest, meterRequest } from './request-meter.ts';
import type { StepNote } from './trace.ts';
import type { TransportId } from './transports/registry.ts';

/** One poll being answered: its meter, and its wiretap if its page listens. */
export type Poll = MeteredRequest;

/** Starts metering (and, for a listening page, tapping) a poll: when it arrives, so that a held one's wait shows. */
export function startPoll(ctx: LabContext, id: TransportId, request: FastifyRequest, reply: FastifyReply, client?: string): Poll {
  return meterRequest(ctx, id, request, reply.raw, client);
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
  const note: StepNote | undefined = tap && { what: 'response', label: '200', seqs: entries.map((entry) => entry.event.seq) };
  meter.out({ payloadBytes, events: entries.length, body, note });
}

/** What `since` missed, of the types asked for. */
export function readFiltered(ctx: LabContext, since: number | undefined, accept: FollowOptions['accept']): Entry[] {
  const entries = ctx.feed.read(since);
  return accept ? entries.filter((entry) => accept(entry.event.type)) : entries;
}
