/**
 * Chat: what users publish into the feed, over `POST /feed/chat` or a WebSocket.
 *
 * Both doors share one validator and one rate limiter, so a message is judged the
 * same whichever transport carried it.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FeedSource } from './feed-store.ts';
import { LabError, sendError } from './errors.ts';
import { checkOrigin } from './origin.ts';
import { clientAddress } from './client-address.ts';

export const MAX_TEXT_CHARS = 2000;
export const MAX_NAME_CHARS = 64;
export const MAX_BODY_BYTES = 64 * 1024;
export const RATE_WINDOW_MS = 10_000;

/**
 * Characters a message may not carry. Both exclude the C0 and C1 controls (NUL
 * cuts strings short in C-based tools; the others have no visible form); text
 * keeps tab, LF and CR, and U+2028/U+2029, since messages may have several
 * lines. A name is one line, so it has none of them.
 */
const TEXT_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/**
 * A lone surrogate (`"\ud800"` arrives as six ASCII bytes of valid JSON) is not
 * Unicode text: it has no UTF-8 form, so every client that encodes it (Buffer,
 * TextEncoder, a page's text node) shows U+FFFD instead, the same silent change
 * the body parser refuses for broken bytes.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

export interface ChatMessage {
  name: string;
  text: string;
}

/** Checks the shape of a chat message; throws LabError('bad_chat') saying what is wrong. */
export function parseChat(value: unknown): ChatMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LabError('bad_chat', 'A chat message is a JSON object {"name", "text"}.');
  }
  const { name = '', text } = value as Record<string, unknown>;
  if (typeof text !== 'string' || text.trim() === '') throw new LabError('bad_chat', '`text` must be a non-empty string.');
  if ([...text].length > MAX_TEXT_CHARS) throw new LabError('bad_chat', `\`text\` is over ${MAX_TEXT_CHARS} characters.`);
  if (TEXT_FORBIDDEN.test(text)) throw new LabError('bad_chat', '`text` has a control character (only tab and line breaks are allowed).');
  if (LONE_SURROGATE.test(text)) throw new LabError('bad_chat', '`text` has a lone surrogate, which is not Unicode text.');
  if (typeof name !== 'string') throw new LabError('bad_chat', '`name` must be a string.');
  if ([...name].length > MAX_NAME_CHARS) throw new LabError('bad_chat', `\`name\` is over ${MAX_NAME_CHARS} characters.`);
  if (NAME_FORBIDDEN.test(name)) throw new LabError('bad_chat', '`name` has a control character or line break.');
  if (LONE_SURROGATE.test(name)) throw new LabError('bad_chat', '`name` has a lone surrogate, which is not Unicode text.');
  return { name: name.trim() || 'anonymous', text };
}

/**
 * Chat messages a client may publish: counted in this process (ChatLimiter), or
 * across a cluster's processes in Redis (redis/shared-limits.ts), per client either way.
 */
export interface RateLimiter {
  /** Whether `ip` may publish one more message now; counts it if so. */
  allow(ip: string): boolean | Promise<boolean>;
}

/** Asks `limiter`; a limiter that cannot answer (Redis out of reach) means the feed is unavailable. */
export async function allowed(limiter: RateLimiter, ip: string): Promise<boolean> {
  try {
    return await limiter.allow(ip);
  } catch {
    throw new LabError('feed_unavailable');
  }
}

/** Counts chat messages per client IP in fixed 10 s windows; `perWindow` 0 = unlimited. */
export class ChatLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly perWindow: number) {}

  /** Whether `ip` may publish one more message now; counts it if so. */
  allow(ip: string, now = Date.now()): boolean {
    if (this.perWindow === 0) return true;
    let window = this.windows.get(ip);
    if (!window || now - window.start >= RATE_WINDOW_MS) {
      if (this.windows.size >= 10_000) this.prune(now); // bounded without a timer to clean up
      window = { start: now, count: 0 };
      this.windows.set(ip, window);
    }
    if (window.count >= this.perWindow) return false;
    window.count++;
    return true;
  }

  private prune(now: number): void {
    for (const [ip, window] of this.windows) if (now - window.start >= RATE_WINDOW_MS) this.windows.delete(ip);
  }
}

/**
 * Publishes a checked chat message; the one place chat enters the feed. A feed that
 * cannot take it (Redis out of reach) is a 503, never a message quietly dropped.
 */
export async function publishChat(source: FeedSource, message: ChatMessage) {
  try {
    return await source.publish('chat', message);
  } catch {
    throw new LabError('feed_unavailable');
  }
}

export interface ChatRouteOptions {
  source: FeedSource;
  limiter: RateLimiter;
  allowedOrigins: readonly string[];
  /** The lab's own ports, known once it listens. */
  ownPorts: () => readonly number[];
}

/**
 * The chat body's parser: JSON that is valid UTF-8. Node would decode broken
 * bytes to U+FFFD and publish a message other than the one sent; here they are a 400.
 */
function parseJsonBody(_request: FastifyRequest, body: Buffer, done: (error: Error | null, value?: unknown) => void): void {
  if (!isUtf8(body)) {
    done(new LabError('bad_json', 'The body is not valid UTF-8.'));
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    done(new LabError('bad_json'));
    return;
  }
  done(null, value);
}

/** `POST /feed/chat` (and its CORS preflight for the origins the lab allows). */
export function registerChatRoute(root: FastifyInstance, options: ChatRouteOptions): void {
  // A scope of its own, so that the strict parser governs this route and no other.
  root.register(async (app) => {
    // JSON only (README, security lesson: anything else is 415). Fastify's default text/plain parser
    // would hand the route a string and answer 400 bad_chat instead; text/plain is also
    // the type a foreign page may post without a CORS preflight.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
    registerChatRoutes(app, options);
  });
}

function registerChatRoutes(app: FastifyInstance, { source, limiter, allowedOrigins, ownPorts }: ChatRouteOptions): void {
  app.options('/feed/chat', async (request, reply) => {
    const verdict = checkOrigin(request.headers, allowedOrigins, ownPorts());
    if (!verdict.allowed) return sendError(reply, 'foreign_origin');
    return reply
      .code(204)
      .header('access-control-allow-origin', request.headers.origin ?? '*')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .header('vary', 'origin')
      .send();
  });

  app.post('/feed/chat', { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
    const verdict = checkOrigin(request.headers, allowedOrigins, ownPorts());
    if (!verdict.allowed) return sendError(reply, 'foreign_origin', `The origin ${verdict.origin} may not post chat here.`);
    if (request.headers.origin) reply.header('access-control-allow-origin', request.headers.origin).header('vary', 'origin');
    const message = parseChat(request.body);
    if (!(await allowed(limiter, clientAddress(request)))) return sendError(reply, 'rate_limited'); // with Retry-After
    const event = await publishChat(source, message);
    return reply.code(201).header('cache-control', 'no-store').send({ seq: event.seq });
  });
}
