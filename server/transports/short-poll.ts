/**
 * Short polling: the client asks "anything new since seq N?" and the server
 * answers at once, news or not.
 *
 * Every answer, even an empty one, costs a whole HTTP request and response head:
 * that is the overhead the lab's bench measures against the other transports.
 * The answering itself (answerPoll) is shared with long polling: ../poll.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { LabContext } from '../context.ts';
import { parseFollow } from '../cursor.ts';
import { readyToServe } from '../feed-store.ts';
import { answerPoll, readFiltered, startPoll } from '../poll.ts';
import type { Transport } from './transport.ts';

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
