/**
 * Checks several transports make on a plain HTTP answer: a poll body's shape,
 * caching headers, and the coded error for a bad cursor.
 */
import type { CaseContext } from '../context.ts';
import type { HttpResponse } from '../http.ts';
import { eventProblem } from '../feed-reader.ts';
import { type CaseDef, type Outcome, type TransportId, fail, nonStrict, pass } from '../types.ts';
import type { FeedEventLike } from '../ws-conn.ts';

export interface PollBody {
  epoch: string;
  lastSeq: number;
  events: FeedEventLike[];
}

/** What is wrong with a poll's answer under the contract, or undefined. */
export function pollProblem(response: HttpResponse): string | undefined {
  if (response.status !== 200) return `answered ${response.status}, not 200`;
  if (!/^application\/json\b/i.test(response.headers['content-type'] ?? ''))
    return `Content-Type is ${JSON.stringify(response.headers['content-type'] ?? null)}, not application/json`;
  let body: Partial<PollBody>;
  try {
    body = JSON.parse(response.text());
  } catch {
    return `the body is not JSON: ${JSON.stringify(response.text().slice(0, 80))}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `the body is ${JSON.stringify(body)}, not a JSON object`;
  if (typeof body.epoch !== 'string') return 'the body has no epoch string';
  if (!Number.isSafeInteger(body.lastSeq)) return 'the body has no integer lastSeq';
  if (!Array.isArray(body.events)) return 'the body has no events array';
  for (const event of body.events) {
    const problem = eventProblem(event);
    if (problem) return problem;
  }
  return undefined;
}

/** A poll's events, or none when the body is not the contract's (for waits; the cases check the shape apart). */
export function safeEvents(response: HttpResponse): FeedEventLike[] {
  try {
    const events = (JSON.parse(response.text()) as Partial<PollBody>).events;
    return Array.isArray(events) ? events : [];
  } catch {
    return [];
  }
}

export function pollBody(response: HttpResponse): PollBody {
  return JSON.parse(response.text()) as PollBody;
}

/**
 * Whether a response may be stored by a cache (RFC 9111 §5.2.2): a feed answer
 * that a browser or proxy keeps would hand the next poll stale events.
 */
export function cachingOutcome(response: HttpResponse): Outcome {
  const control = (response.headers['cache-control'] ?? '').toLowerCase();
  if (/\bno-store\b/.test(control) || /\bno-cache\b/.test(control) || /\bmax-age=0\b/.test(control))
    return pass(`Cache-Control: ${control}`);
  if (/\bmax-age=[1-9]/.test(control) || /\bpublic\b/.test(control) || response.headers.expires)
    return fail(
      `the answer is explicitly cacheable (${control || `Expires: ${response.headers.expires}`}): ` +
        'a cache would replay old events (RFC 9111 §4.2)',
    );
  return nonStrict('no Cache-Control: a cache may store the answer heuristically (RFC 9111 §4.2.2); send no-store or no-cache');
}

/** The contract's coded error: a status and `{ "error": { "code", "message" } }`. */
export function codedErrorOutcome(response: HttpResponse, status: number, code: string, what: string): Outcome {
  if (response.status !== status) return fail(`${what} was answered ${response.status}, not ${status}`);
  try {
    const body = JSON.parse(response.text()) as { error?: { code?: unknown; message?: unknown } };
    if (body.error?.code === code && typeof body.error.message === 'string') return pass(`${status} with code ${code}`);
    return nonStrict(
      `${status}, but the body is not {"error":{"code":"${code}","message":...}}: ${JSON.stringify(response.text().slice(0, 100))}`,
    );
  } catch {
    return nonStrict(`${status}, but the body is not the contract's coded JSON error: ${JSON.stringify(response.text().slice(0, 100))}`);
  }
}

/** `<transport>.bad-since`: a cursor that is not a number is a coded 400 before any header of a stream. */
export function badSinceCase(transport: TransportId, extra = ''): CaseDef {
  return {
    id: `${transport}.bad-since`,
    transport,
    title: 'a bad since gets a coded 400',
    section: 'contract: the cursor since',
    async run(c: CaseContext) {
      const response = await c.get(`/feed/${transport}?since=abc${extra}`);
      await response.end(2000);
      return codedErrorOutcome(response, 400, 'bad_since', 'since=abc');
    },
  };
}
