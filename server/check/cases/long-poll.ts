/**
 * Long polling: short polling, except that the server holds the request until
 * there is news or `timeoutMs` runs out.
 */
import type { CaseContext } from '../context.ts';
import { type CaseDef, fail, info, nonStrict, pass } from '../types.ts';
import { commonCases } from './common.ts';
import { badSinceCase, cachingOutcome, pollBody, pollProblem, safeEvents } from './http-checks.ts';

/** How long a held poll may take to answer once its event is published. */
const WAKE_MS = 1000;

/** A long poll; its head comes only with its answer, so the head may take the whole hold time. */
async function held(c: CaseContext, since: number, timeoutMs: number) {
  return c.request({ path: `/feed/long-poll?since=${since}&timeoutMs=${timeoutMs}`, headTimeoutMs: timeoutMs + 3000 });
}

const delay = (ms: number) => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms));

export const longPollCases: CaseDef[] = [
  {
    id: 'long-poll.shape',
    transport: 'long-poll',
    title: 'missed events are answered at once, as JSON',
    section: 'contract: five transports',
    async run(c) {
      const seq = await c.publish(c.nonce('shape'));
      const response = await held(c, seq - 1, 5000);
      if (!(await response.end(1500)))
        return fail(`since=${seq - 1} was held though event ${seq} was waiting: missed events answer at once`);
      const problem = pollProblem(response);
      if (problem) return fail(problem);
      return pass(`answered at once with ${pollBody(response).events.length} events`);
    },
  },
  {
    id: 'long-poll.held',
    transport: 'long-poll',
    title: 'held until an event, then answered at once',
    section: 'contract: five transports',
    phase: 'quiet',
    async run(c) {
      const seq = await c.publish(c.nonce('before'));
      const text = c.nonce('wake');
      // A server that ticks may answer with its own event first: ask again from there.
      let cursor = seq;
      // Set once `text` is published: a round whose answer carried another event first leaves it for the next poll.
      let wakePublished = false;
      for (let round = 0; round < 5; round++) {
        const pending = held(c, cursor, 10_000);
        pending.catch(() => undefined);
        const early = await Promise.race([pending, delay(300)]);
        if (early) {
          await early.end(1000);
          const events = safeEvents(early);
          if (events.some((e) => e.data?.text === text)) {
            if (wakePublished)
              return pass('held, then answered; another event woke the poll first, and the next poll had the publish at once');
            return fail('answered with an event not yet published');
          }
          if (events.length === 0)
            return fail(`a held poll answered ${early.status} with no events within 300 ms, though its timeoutMs was 10 s`);
          cursor = events.at(-1)!.seq;
          continue;
        }
        const published = performance.now();
        await c.publish(text);
        wakePublished = true;
        const poll = await pending;
        if (!(await poll.end(WAKE_MS + 2000))) return fail('the event was published, but the held poll was not answered within 3 s');
        const wokeMs = performance.now() - published;
        const problem = pollProblem(poll);
        if (problem) return fail(problem);
        const events = pollBody(poll).events;
        if (!events.some((e) => e.data?.text === text)) {
          if (events.length > 0 && round < 4) {
            cursor = events.at(-1)!.seq; // another event came first
            continue;
          }
          return fail('the held poll was answered without the event that woke it');
        }
        if (wokeMs > WAKE_MS) return nonStrict(`held, but answered ${Math.round(wokeMs)} ms after the event: a long poll answers at once`);
        return pass(`held, then answered ${Math.round(wokeMs)} ms after the publish`);
      }
      return info('the feed was never quiet for 300 ms, so holding could not be observed');
    },
  },
  {
    id: 'long-poll.timeout',
    transport: 'long-poll',
    title: 'timeoutMs answers empty near its bound',
    section: 'contract: five transports',
    phase: 'quiet',
    timeoutMs: 12_000,
    async run(c) {
      // Short enough to fit between the ticks of a server that ticks every second.
      const timeoutMs = 500;
      let since = await c.publish(c.nonce('quiet'));
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        const response = await held(c, since, timeoutMs);
        if (!(await response.end(timeoutMs + 4000))) return fail(`timeoutMs=${timeoutMs}, and no answer after ${timeoutMs + 4000} ms`);
        const elapsedMs = performance.now() - started;
        const problem = pollProblem(response);
        if (problem) return fail(problem);
        const body = pollBody(response);
        if (body.events.length > 0) {
          since = body.events.at(-1)!.seq; // the server's own events (a ticker): ask again right after one
          continue;
        }
        if (elapsedMs < timeoutMs * 0.8)
          return nonStrict(`answered empty after ${Math.round(elapsedMs)} ms, before timeoutMs=${timeoutMs}`);
        return pass(`answered empty after ${Math.round(elapsedMs)} ms (timeoutMs=${timeoutMs})`);
      }
      return info(`the server's own events came more often than every ${timeoutMs} ms, so no poll could time out`);
    },
  },
  {
    id: 'long-poll.burst',
    transport: 'long-poll',
    title: 'a burst across successive polls: none lost, none twice',
    section: 'contract: the cursor since',
    async run(c) {
      let since = await c.publish(c.nonce('start'));
      const texts = Array.from({ length: 6 }, () => c.nonce('burst'));
      const seen: number[] = [];
      const found = new Set<string>();
      const publishing = (async () => {
        for (const text of texts) await c.publish(text);
      })();
      const deadline = performance.now() + 5000;
      while (found.size < texts.length && performance.now() < deadline) {
        const response = await held(c, since, 2000);
        if (!(await response.end(4000))) return fail('a poll was not answered');
        const problem = pollProblem(response);
        if (problem) return fail(problem);
        for (const event of pollBody(response).events) {
          if (seen.includes(event.seq)) return fail(`seq ${event.seq} came twice across polls`);
          if (event.seq !== since + 1) return fail(`after ${since} the next poll brought ${event.seq}`);
          seen.push(event.seq);
          since = event.seq;
          if (typeof event.data?.text === 'string' && texts.includes(event.data.text)) found.add(event.data.text);
        }
      }
      await publishing;
      if (found.size < texts.length) return fail(`${texts.length - found.size} of ${texts.length} events never arrived`);
      return pass(`${texts.length} events published one after another reached successive polls in order (${seen.length} answers' events)`);
    },
  },
  {
    id: 'long-poll.several',
    transport: 'long-poll',
    title: 'several held polls are all woken',
    section: 'contract: five transports',
    phase: 'quiet',
    async run(c) {
      const since = await c.publish(c.nonce('before'));
      const text = c.nonce('wake-all');
      let markPublished = () => {};
      const givenUp = new Promise<undefined>((resolve) => {
        markPublished = () => setTimeout(() => resolve(undefined), WAKE_MS + 2000);
      });
      // Each client asks again from what it got, as its client would, until the event comes.
      const chain = async (): Promise<number | undefined> => {
        let cursor = since;
        for (;;) {
          const pending = held(c, cursor, 10_000);
          pending.catch(() => undefined);
          const poll = await Promise.race([pending, givenUp]);
          if (!poll || !(await Promise.race([poll.end(10_000), givenUp]))) return undefined;
          const events = safeEvents(poll);
          if (events.some((e) => e.data?.text === text)) return performance.now();
          if (events.length === 0) return undefined;
          cursor = events.at(-1)!.seq;
        }
      };
      const chains = [chain(), chain(), chain()];
      await new Promise((resolve) => setTimeout(resolve, 300));
      markPublished();
      const publishedAt = performance.now();
      await c.publish(text);
      const woken = await Promise.all(chains);
      const count = woken.filter((at) => at !== undefined).length;
      if (count < 3) return fail(`${count} of 3 held polls were answered with the event`);
      const slowestMs = Math.max(...woken.map((at) => at! - publishedAt));
      return pass(`3 polls held at once all answered with the one event, the last ${Math.round(slowestMs)} ms after it`);
    },
  },
  {
    id: 'long-poll.no-cache',
    transport: 'long-poll',
    title: 'answers are not cacheable',
    section: 'RFC 9111 §5.2.2',
    async run(c) {
      const seq = await c.publish(c.nonce('cache'));
      const response = await held(c, seq - 1, 1000);
      await response.end(2000);
      return cachingOutcome(response);
    },
  },
  badSinceCase('long-poll'),
  ...commonCases('long-poll'),
];
