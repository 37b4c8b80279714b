/**
 * Server-Sent Events, read as EventSource reads them (WHATWG HTML §9.2).
 */
import type { CaseContext } from '../context.ts';
import type { HttpResponse } from '../http.ts';
import { parseEvent } from '../feed-reader.ts';
import { SseParser } from '../sse-parser.ts';
import { type CaseDef, fail, info, nonStrict, pass } from '../types.ts';
import { commonCases } from './common.ts';
import { badSinceCase, cachingOutcome } from './http-checks.ts';

const ACCEPT = { Accept: 'text/event-stream' };

/** Opens an SSE stream and parses it as it arrives. */
async function open(
  c: CaseContext,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ response: HttpResponse; parser: SseParser }> {
  const response = await c.get(`/feed/sse${query}`, { ...ACCEPT, ...headers });
  const parser = new SseParser();
  let offset = 0;
  const feed = () => {
    for (const piece of response.pieces.slice(offset)) parser.push(piece.bytes);
    offset = response.pieces.length;
  };
  response.on('change', feed);
  feed();
  return { response, parser };
}

const hasText = (parser: SseParser, text: string) => parser.events.some((e) => parseEvent(e.data)?.data?.text === text);

export const sseCases: CaseDef[] = [
  {
    id: 'sse.content-type',
    transport: 'sse',
    title: 'Content-Type: text/event-stream',
    section: 'WHATWG HTML §9.2.3',
    async run(c) {
      const { response } = await open(c, '');
      if (response.status !== 200) return fail(`answered ${response.status}, not 200: EventSource fails the connection`);
      const type = response.headers['content-type'] ?? '';
      if (!/^text\/event-stream\s*(;|$)/i.test(type))
        return fail(`Content-Type is ${JSON.stringify(type || null)}: EventSource fails any other type`);
      return pass(`200, ${type}`);
    },
  },
  {
    id: 'sse.live',
    transport: 'sse',
    title: 'an event arrives while the response stays open (no buffering)',
    section: 'WHATWG HTML §9.2.7',
    async run(c) {
      const seq = await c.publish(c.nonce('before'));
      const { response, parser } = await open(c, `?since=${seq}`);
      const text = c.nonce('live');
      await c.publish(text);
      if (!(await response.until(() => hasText(parser, text), 2000))) {
        return fail(
          response.ended
            ? 'the response ended instead of staying open'
            : 'the event did not arrive within 2 s: the server (or something in front of it) buffers the stream',
        );
      }
      return pass(`event arrived ${Math.round(response.pieces.at(-1)!.atMs)} ms into the response, which is still open`);
    },
  },
  {
    id: 'sse.no-compression',
    transport: 'sse',
    title: 'no compression, even when the client accepts gzip',
    section: 'WHATWG HTML §9.2.7',
    async run(c) {
      const { response } = await open(c, '', { 'Accept-Encoding': 'gzip, deflate, br' });
      const encoding = response.headers['content-encoding'];
      if (encoding && encoding !== 'identity')
        return nonStrict(`Content-Encoding: ${encoding}: a compressor holds events until its buffer fills`);
      return pass('no Content-Encoding');
    },
  },
  {
    id: 'sse.fields',
    transport: 'sse',
    title: 'id: seq, event: type, data: the event JSON',
    section: 'contract: five transports; WHATWG HTML §9.2.6',
    async run(c) {
      const seq = await c.publish(c.nonce('before'));
      const { response, parser } = await open(c, `?since=${seq - 1}`);
      if (!(await response.until(() => parser.events.length > 0, 2000))) return fail('no event came');
      const event = parser.events[0];
      const value = parseEvent(event.data);
      if (!value) return fail(`data is not the event JSON: ${JSON.stringify(event.data.slice(0, 80))}`);
      if (!event.hadId || event.lastEventId !== String(value.seq))
        return fail(
          `id is ${JSON.stringify(event.hadId ? event.lastEventId : null)}, not the seq ${value.seq}: Last-Event-ID could not resume`,
        );
      if (event.type !== value.type)
        return fail(`event: is ${JSON.stringify(event.type)}, the JSON's type is ${JSON.stringify(value.type)}`);
      return pass(`id: ${event.lastEventId}, event: ${event.type}, ${event.dataLines} data: line(s)`);
    },
  },
  {
    id: 'sse.multiline',
    transport: 'sse',
    title: 'a chat text with line breaks stays one event',
    section: 'WHATWG HTML §9.2.6',
    async run(c) {
      const text = `${c.nonce('lines')}\nsecond line\r\nthird\rfourth`;
      const seq = await c.publish(text);
      const { response, parser } = await open(c, `?since=${seq - 1}`);
      const found = () => parser.events.find((e) => e.lastEventId === String(seq) || parseEvent(e.data)?.seq === seq);
      if (!(await response.until(() => !!found(), 2000)))
        return fail(`event ${seq} never arrived as one event: a raw line break in data: splits it`);
      const value = parseEvent(found()!.data);
      if (!value) return fail(`event ${seq}'s data is not JSON once its lines are joined: ${JSON.stringify(found()!.data.slice(0, 80))}`);
      if (value.data?.text !== text) return fail(`the text came back changed: ${JSON.stringify(value.data?.text)}`);
      return pass(`the text with LF, CRLF and CR came back exact (${found()!.dataLines} data: line(s))`);
    },
  },
  {
    id: 'sse.retry',
    transport: 'sse',
    title: 'retry: tells EventSource how long to wait',
    section: 'WHATWG HTML §9.2.6',
    async run(c) {
      const { response, parser } = await open(c, '');
      await response.until(() => parser.retries.length > 0, 1500);
      if (parser.retries.length === 0)
        return info('no retry: field; EventSource waits its own default (about 3 s in browsers) before reconnecting');
      const bad = parser.retries.find((value) => !/^\d+$/.test(value));
      if (bad !== undefined) return nonStrict(`retry: ${JSON.stringify(bad)} is not ASCII digits, so EventSource ignores it`);
      return pass(`retry: ${parser.retryMs} ms`);
    },
  },
  {
    id: 'sse.last-event-id',
    transport: 'sse',
    title: 'Last-Event-ID resumes exactly',
    section: 'WHATWG HTML §9.2.4; contract: the cursor since',
    async run(c) {
      const seqs: number[] = [];
      for (let i = 0; i < 3; i++) seqs.push(await c.publish(c.nonce('resume')));
      const { response, parser } = await open(c, '', { 'Last-Event-ID': String(seqs[0]) });
      if (!(await response.until(() => parser.events.some((e) => parseEvent(e.data)?.seq === seqs[2]), 2000)))
        return fail(`Last-Event-ID: ${seqs[0]} did not bring ${seqs[2]}`);
      const got = parser.events.map((e) => parseEvent(e.data)?.seq).filter((s): s is number => s !== undefined);
      if (got[0] !== seqs[0] + 1) return fail(`Last-Event-ID: ${seqs[0]} started at ${got[0]}, not ${seqs[0] + 1}`);
      if (new Set(got).size !== got.length) return fail('an event came twice');
      return pass(`Last-Event-ID: ${seqs[0]} brought ${got.slice(0, 3).join(', ')}…`);
    },
  },
  {
    id: 'sse.header-wins',
    transport: 'sse',
    title: "Last-Event-ID wins over the URL's since",
    section: 'contract: the cursor since',
    async run(c) {
      const a = await c.publish(c.nonce('old'));
      const b = await c.publish(c.nonce('new'));
      const { response, parser } = await open(c, `?since=${a - 1}`, { 'Last-Event-ID': String(a) });
      if (!(await response.until(() => parser.events.length > 0, 2000))) return fail('no event came');
      const first = parseEvent(parser.events[0].data)?.seq;
      if (first === a)
        return fail(
          `EventSource reconnects to its first URL (since=${a - 1}) adding Last-Event-ID: ${a}; the server replayed ${a} from the URL`,
        );
      if (first !== a + 1) return fail(`the first event was ${first}, not ${a + 1}`);
      return pass(`since=${a - 1} with Last-Event-ID: ${a} resumed at ${a + 1}${b === a + 1 ? '' : ` (events ${a + 1}..${b} in between)`}`);
    },
  },
  {
    id: 'sse.heartbeat',
    transport: 'sse',
    title: 'a comment line at least every stated interval',
    section: 'WHATWG HTML §9.2.7',
    timeoutMs: (options) => Math.round(options.heartbeatMs * 1.5) + 5000,
    async run(c) {
      const boundMs = Math.round(c.target.options.heartbeatMs * 1.5) + 1000;
      const { response, parser } = await open(c, '');
      if (await response.until(() => parser.comments.length > 0, boundMs))
        return pass(`a comment came within ${Math.round(performance.now() - response.startedAt)} ms`);
      if (response.ended) return fail('the stream ended before any heartbeat');
      return nonStrict(
        `no comment line within ${boundMs} ms (--heartbeat-ms ${c.target.options.heartbeatMs}): ` +
          `proxies may cut a quiet stream; send one every 15 s or so`,
      );
    },
  },
  {
    id: 'sse.no-cache',
    transport: 'sse',
    title: 'the stream is not cacheable',
    section: 'RFC 9111 §5.2.2',
    async run(c) {
      const { response } = await open(c, '');
      return cachingOutcome(response);
    },
  },
  badSinceCase('sse'),
  ...commonCases('sse'),
];
