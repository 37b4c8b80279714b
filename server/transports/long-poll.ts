/**
 * Long polling: short polling, except that the server holds the request until
 * there is news or `timeoutMs` runs out.
 *
 * A held request answers with everything new at that moment, then the client
 * asks again with the last seq it saw; an event published while no request is
 * held waits in the feed's buffer, so the reconnect gap loses nothing.
 */
import type { FastifyInstance } from 'fastify';
import { parseFollow, parseTimeoutMs } from '../cursor.ts';
import type { Entry } from '../feed.ts';
import type { LabContext } from '../context.ts';
import type { Transport } from './transport.ts';
import { answerPoll, readFiltered, startPoll } from '../poll.ts';
import { carrierOf } from '../carrier.ts';
import { readyToServe } from '../feed-store.ts';

const longPoll: Transport = {
  id: 'long-poll',
  register(app: FastifyInstance, ctx: LabContext) {
    app.get('/feed/long-poll', { config: { transport: 'long-poll' } }, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const { since, accept, client } = parseFollow(query, 0);
      const timeoutMs = parseTimeoutMs(query.timeoutMs, ctx.config.longPollTimeoutMs);
      await readyToServe(ctx.source, since);

      // Metered from its arrival: a page's trace shows how long it was held.
      const poll = startPoll(ctx, 'long-poll', request, reply, client);
      const missed = readFiltered(ctx, since, accept);
      if (missed.length > 0) return answerPoll(ctx, poll, reply, missed);

      // Nothing yet: hold. The first event answers; so do the timeout, shutdown and a
      // client that leaves (which only needs the cleanup). The answer waits for the
      // end of the current turn of the event loop, so a burst published together
      // leaves in one response instead of one round trip per event.
      await new Promise<void>((resolve) => {
        let burst: NodeJS.Immediate | undefined;
        const answer = (entries: Entry[]) => {
          cleanup();
          if (!reply.raw.destroyed) answerPoll(ctx, poll, reply, entries);
          resolve();
        };
        const onEvent = (entry: Entry) => {
          if (accept && !accept(entry.event.type)) return;
          const before = entry.event.seq - 1;
          burst ??= setImmediate(() => answer(readFiltered(ctx, before, accept)));
        };
        const onTimeout = () => answer([]);
        const closer = { shutdown: () => answer([]) };
        const follower = { deliver: onEvent };
        const onClose = () => {
          cleanup();
          // Nothing was answered: account what is left (the request head was, on arrival).
          poll.tap?.detach();
          poll.meter.finish();
          resolve();
        };
        ctx.feed.follow(undefined, follower);
        const timer = setTimeout(onTimeout, timeoutMs);
        ctx.closers.add(closer);
        reply.raw.on('close', onClose);
        // Gone before the route ran (an HTTP/2 stream reset with its HEADERS): its 'close' has passed.
        if (carrierOf(request.raw).destroyed) onClose();
        function cleanup() {
          ctx.feed.unfollow(follower);
          clearTimeout(timer);
          if (burst) clearImmediate(burst);
          ctx.closers.delete(closer);
          reply.raw.off('close', onClose);
        }
      });
    });
  },
};

export default longPoll;
