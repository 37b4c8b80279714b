/**
 * The cases every transport shares, written once over FeedReader: the event's
 * shape, resume from a cursor, order under a burst, a cursor from another run,
 * and the gap event when the cursor fell out of the buffer.
 */
import type { CaseContext } from '../context.ts';
import { FeedReader, eventProblem, orderProblem } from '../feed-reader.ts';
import { CaseFailure } from '../case-failure.ts';
import { type CaseDef, type Outcome, type TransportId, fail, info, pass } from '../types.ts';
import type { FeedEventLike } from '../ws-conn.ts';

const WAIT_MS = 3000;

async function reader(c: CaseContext, transport: TransportId, since: number | undefined): Promise<FeedReader> {
  const feed = new FeedReader(c, transport);
  c.onClose(() => feed.stop());
  return feed.start(since);
}

const withText = (events: FeedEventLike[], text: string) => events.find((e) => e.type === 'chat' && e.data?.text === text);

function eventsCase(transport: TransportId): CaseDef {
  return {
    id: `${transport}.events`,
    transport,
    title: 'events carry seq, epoch, type, at and data',
    section: 'contract: one feed',
    async run(c) {
      const text = c.nonce('shape');
      const before = await c.publish(c.nonce('before'));
      const feed = await reader(c, transport, before);
      const seq = await c.publish(text);
      if (!(await feed.until(() => !!withText(feed.events, text), WAIT_MS)))
        return fail(`the chat event ${seq} did not arrive within ${WAIT_MS} ms${feed.problem ? ` (${feed.problem})` : ''}`);
      for (const event of feed.events) {
        const problem = eventProblem(event);
        if (problem) return fail(problem);
      }
      const mine = withText(feed.events, text)!;
      if (mine.seq !== seq) return fail(`POST answered seq ${seq}, the event says ${mine.seq}`);
      return pass(`event ${seq} arrived with every field of the contract`);
    },
  };
}

function resumeCase(transport: TransportId): CaseDef {
  return {
    id: `${transport}.resume`,
    transport,
    title: 'resume from a cursor: nothing lost, nothing twice',
    section: 'contract: the cursor since',
    async run(c) {
      const texts = [c.nonce('a'), c.nonce('b'), c.nonce('c')];
      const seqs: number[] = [];
      for (const text of texts) seqs.push(await c.publish(text));
      const feed = await reader(c, transport, seqs[0]);
      if (!(await feed.until(() => !!withText(feed.events, texts[2]), WAIT_MS)))
        return fail(`resuming after ${seqs[0]} did not bring ${seqs[2]} within ${WAIT_MS} ms${feed.problem ? ` (${feed.problem})` : ''}`);
      const first = feed.events[0];
      if (first.seq <= seqs[0]) return fail(`resuming after ${seqs[0]} replayed seq ${first.seq}, which the client had`);
      if (first.seq !== seqs[0] + 1) return fail(`resuming after ${seqs[0]} started at ${first.seq}, not ${seqs[0] + 1}`);
      const order = orderProblem(feed.events);
      if (order) return fail(order);
      return pass(`since=${seqs[0]} brought ${seqs[0] + 1} first, then the rest in order`);
    },
  };
}

function orderCase(transport: TransportId): CaseDef {
  return {
    id: `${transport}.order`,
    transport,
    title: 'a burst arrives in seq order, none lost or repeated',
    section: 'contract: one feed (seq +1 per event)',
    async run(c) {
      const start = await c.publish(c.nonce('start'));
      const feed = await reader(c, transport, start);
      const texts = Array.from({ length: 8 }, () => c.nonce('burst'));
      await Promise.all(texts.map((text) => c.publish(text)));
      const all = () => texts.every((text) => withText(feed.events, text));
      if (!(await feed.until(all, WAIT_MS)))
        return fail(
          `${texts.filter((t) => !withText(feed.events, t)).length} ` +
            `of 8 events of the burst never arrived${feed.problem ? ` (${feed.problem})` : ''}`,
        );
      const order = orderProblem(feed.events);
      if (order) return fail(order);
      if (feed.events[0].seq !== start + 1) return fail(`the first event after ${start} was ${feed.events[0].seq}`);
      return pass(`8 events published at once arrived as ${feed.events[0].seq}..${feed.events.at(-1)!.seq}, one by one`);
    },
  };
}

function aheadCase(transport: TransportId): CaseDef {
  return {
    id: `${transport}.ahead`,
    transport,
    title: 'a cursor from another run is served from now',
    section: 'contract: the cursor since',
    async run(c) {
      const last = await c.publish(c.nonce('now'));
      const feed = await reader(c, transport, last + 1000);
      const text = c.nonce('after');
      const seq = await c.publish(text);
      if (await feed.until(() => !!withText(feed.events, text), WAIT_MS))
        return pass(`since=${last + 1000} (past the last seq ${last}) still received event ${seq}`);
      return fail(
        `since=${last + 1000}, past the server's last seq, filtered out the new event ` +
          `${seq}: a client that remembers a previous run would hear nothing${feed.problem ? ` (${feed.problem})` : ''}`,
      );
    },
  };
}

/** Reads the first event since=0 brings, or undefined. */
async function firstEvent(c: CaseContext, transport: TransportId): Promise<FeedEventLike[]> {
  const feed = new FeedReader(c, transport);
  await feed.start(0);
  await feed.until(() => feed.events.length >= 2, 1500);
  feed.stop();
  return feed.events;
}

/**
 * Publishes until seq 1 has left the server's buffer (since=0 then starts with a gap),
 * in batches, within the run's budget. One case at a time: the first does the work.
 */
async function evictFirst(c: CaseContext, transport: TransportId): Promise<FeedEventLike[] | Outcome> {
  const batch = 100;
  for (;;) {
    const events = await firstEvent(c, transport);
    if (events.length === 0) return fail('since=0 brought no event to read');
    if (events[0].type === 'gap') return events;
    if (c.shared.published >= c.target.options.publishBudget) {
      return info(
        `after ${c.shared.published} published events the server still keeps seq ${events[0]?.seq ?? 1}: ` +
          `its buffer is larger than the checker's budget (--publish-budget), so no gap could be provoked`,
      );
    }
    const texts = Array.from({ length: batch }, (_, i) => `fill-${i}`);
    for (let i = 0; i < texts.length; i += 10) await Promise.all(texts.slice(i, i + 10).map((text) => c.publish(text, 'checker-fill')));
  }
}

function gapCase(transport: TransportId): CaseDef {
  return {
    id: `${transport}.gap`,
    transport,
    title: 'a cursor older than the buffer gets one gap event first',
    section: 'contract: the gap event',
    phase: 'last',
    timeoutMs: 60_000,
    async run(c) {
      const turn = c.shared.evicting.then(() => evictFirst(c, transport));
      c.shared.evicting = turn.catch(() => undefined);
      let found: FeedEventLike[] | Outcome;
      try {
        found = await turn;
      } catch (error) {
        if (error instanceof CaseFailure && /429/.test(error.message))
          return info(`publishing was refused (429) before the buffer could be overrun: ${error.message}`);
        throw error;
      }
      if (!Array.isArray(found)) return found;
      const [gap, next] = found;
      const from = gap.data?.from;
      const to = gap.data?.to;
      if (typeof from !== 'number' || typeof to !== 'number')
        return fail(`the gap event's data has no numeric from/to: ${JSON.stringify(gap.data)}`);
      if (from !== 1) return fail(`since=0 missed from seq 1, the gap says from ${from}`);
      if (to < from) return fail(`the gap runs backwards: from ${from} to ${to}`);
      if (gap.seq !== to)
        return fail(`the gap's seq is ${gap.seq}, not its last missing seq ${to} (so resuming from it would skip or repeat)`);
      if (typeof gap.epoch !== 'string') return fail('the gap event has no epoch');
      if (next && next.seq !== to + 1) return fail(`after the gap ${from}..${to} came seq ${next.seq}, not ${to + 1}`);
      return pass(`since=0 began with gap ${from}..${to}, then seq ${next?.seq ?? to + 1}`);
    },
  };
}

/** The shared cases of `transport`: every transport has these. */
export function commonCases(transport: TransportId, { ahead = true } = {}): CaseDef[] {
  return [eventsCase(transport), resumeCase(transport), orderCase(transport), ...(ahead ? [aheadCase(transport)] : []), gapCase(transport)];
}
