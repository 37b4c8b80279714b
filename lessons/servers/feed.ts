/**
 * The lab's feed contract in one small module, for the example servers beside it:
 * events with seq and epoch, a buffer of the last N, the gap event, the cursor
 * `since`, coded errors and `POST /feed/chat`. Each server file adds one transport.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FeedEvent {
  seq: number;
  epoch: string;
  type: string;
  at: number;
  data: Record<string, unknown>;
}

export interface ServerOptions {
  port?: number;
  host?: string;
  /** The ticker's interval; 0 for none. */
  tickMs?: number;
  bufferSize?: number;
  heartbeatMs?: number;
}

export const now = () => performance.timeOrigin + performance.now();

export class Feed {
  readonly epoch = randomBytes(4).toString('hex');
  lastSeq = 0;
  private kept: FeedEvent[] = [];
  private listeners = new Set<(event: FeedEvent) => void>();

  constructor(private readonly bufferSize = 1000) {}

  publish(type: string, data: Record<string, unknown>): FeedEvent {
    const event = { seq: ++this.lastSeq, epoch: this.epoch, type, at: now(), data };
    this.kept.push(event);
    if (this.kept.length > this.bufferSize) this.kept.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** What a client holding `since` missed: a gap first if the buffer no longer has it all. */
  since(since: number | undefined): FeedEvent[] {
    if (since === undefined || since >= this.lastSeq) return [];
    const first = this.kept[0]?.seq ?? this.lastSeq + 1;
    const missed: FeedEvent[] = [];
    if (since + 1 < first)
      missed.push({ seq: first - 1, epoch: this.epoch, type: 'gap', at: now(), data: { from: since + 1, to: first - 1 } });
    return missed.concat(this.kept.filter((event) => event.seq > since));
  }

  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ticks like the lab does; returns the stop. */
  tick(ms: number): () => void {
    if (ms <= 0) return () => {};
    const timer = setInterval(() => this.publish('tick', { price: Math.round(10000 + Math.random() * 100) / 100 }), ms);
    return () => clearInterval(timer);
  }
}

/** `since` from a query: absent, or a whole number; anything else is an error (undefined means "only new"). */
export function parseSince(raw: string | null): number | undefined | Error {
  if (raw === null) return undefined;
  return /^\d{1,16}$/.test(raw) && Number(raw) <= Number.MAX_SAFE_INTEGER ? Number(raw) : new Error('bad_since');
}

export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}

/** A chat message as the contract has it, or an error message. */
export function parseChat(value: unknown): { name: string; text: string } | string {
  const { name = 'anonymous', text } = (value ?? {}) as { name?: unknown; text?: unknown };
  if (typeof text !== 'string' || text.trim() === '' || text.length > 2000)
    return 'text must be a non-empty string of at most 2000 characters';
  if (typeof name !== 'string' || name.length > 64) return 'name must be a string of at most 64 characters';
  return { name, text };
}

/** `POST /feed/chat`: JSON `{ name, text }` in, `201 { seq }` out. */
export function handleChat(feed: Feed, req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
    if (body.length > 64 * 1024) req.destroy();
  });
  req.on('end', () => {
    let chat;
    try {
      chat = parseChat(JSON.parse(body));
    } catch {
      return sendError(res, 400, 'bad_json', 'The body is not JSON.');
    }
    if (typeof chat === 'string') return sendError(res, 400, 'bad_chat', chat);
    res.writeHead(201, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ seq: feed.publish('chat', chat).seq }));
  });
}

/** Whether an Origin may open a WebSocket: none (curl, Node), or this server's own. */
export function ownOrigin(origin: string | undefined, host: string | undefined): boolean {
  return origin === undefined || origin === `http://${host}` || origin === `https://${host}`;
}

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Runs `start` when the file is run directly (`npx tsx lessons/servers/sse-node.ts`), on PORT or 3100. */
export async function runIfMain(moduleUrl: string, start: (options: ServerOptions) => Promise<Running>): Promise<void> {
  if (process.argv[1] && moduleUrl === new URL(`file://${process.argv[1]}`).href) {
    const running = await start({
      port: Number(process.env.PORT ?? 3100),
      tickMs: Number(process.env.TICK_MS ?? 1000),
      heartbeatMs: Number(process.env.HEARTBEAT_MS ?? 15000),
    });
    console.log(`Listening on ${running.url}; check it with: npm run check -- ${running.url}`);
  }
}
