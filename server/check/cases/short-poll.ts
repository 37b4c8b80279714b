/**
 * Short polling: one request, one answer at once (the contract's poll body).
 */
import { type CaseDef, fail, pass } from '../types.ts';
import { commonCases } from './common.ts';
import { badSinceCase, cachingOutcome, pollBody, pollProblem } from './http-checks.ts';

export const shortPollCases: CaseDef[] = [
  {
    id: 'short-poll.shape',
    transport: 'short-poll',
    title: 'JSON answer {epoch, lastSeq, events}',
    section: 'contract: five transports',
    async run(c) {
      await c.publish(c.nonce('shape'));
      const response = await c.get('/feed/short-poll?since=0');
      if (!(await response.end(3000))) return fail('the answer did not end within 3 s: a short poll answers at once');
      const problem = pollProblem(response);
      if (problem) return fail(problem);
      const body = pollBody(response);
      if (body.events.length === 0) return fail('since=0 right after a publish answered no events');
      if (body.lastSeq < body.events.at(-1)!.seq)
        return fail(`lastSeq ${body.lastSeq} is below the last event's seq ${body.events.at(-1)!.seq}`);
      return pass(`${body.events.length} events, lastSeq ${body.lastSeq}`);
    },
  },
  {
    id: 'short-poll.since',
    transport: 'short-poll',
    title: 'since filters: only events after the cursor',
    section: 'contract: the cursor since',
    async run(c) {
      const a = await c.publish(c.nonce('a'));
      const b = await c.publish(c.nonce('b'));
      const response = await c.get(`/feed/short-poll?since=${a}`);
      await response.end(3000);
      const problem = pollProblem(response);
      if (problem) return fail(problem);
      const seqs = pollBody(response).events.map((e) => e.seq);
      if (seqs.some((seq) => seq <= a)) return fail(`since=${a} answered seq ${seqs.find((seq) => seq <= a)}, which the client had`);
      if (!seqs.includes(b)) return fail(`since=${a} did not answer ${b}`);
      return pass(`since=${a} answered ${seqs.join(', ')}`);
    },
  },
  {
    id: 'short-poll.empty',
    transport: 'short-poll',
    title: 'nothing new: an empty events array, at once',
    section: 'contract: five transports',
    async run(c) {
      const seq = await c.publish(c.nonce('last'));
      const started = performance.now();
      const response = await c.get(`/feed/short-poll?since=${seq}`);
      if (!(await response.end(2000)))
        return fail('a poll with nothing new was held: a short poll answers at once (a held one is a long poll)');
      const problem = pollProblem(response);
      if (problem) return fail(problem);
      const others = pollBody(response).events.filter((e) => e.seq <= seq);
      if (others.length > 0) return fail(`since=${seq} answered seq ${others[0].seq}`);
      return pass(`answered in ${Math.round(performance.now() - started)} ms with ${pollBody(response).events.length} events`);
    },
  },
  {
    id: 'short-poll.no-cache',
    transport: 'short-poll',
    title: 'answers are not cacheable',
    section: 'RFC 9111 §5.2.2',
    async run(c) {
      const response = await c.get('/feed/short-poll?since=0');
      await response.end(2000);
      return cachingOutcome(response);
    },
  },
  badSinceCase('short-poll'),
  ...commonCases('short-poll', { ahead: false }),
];
