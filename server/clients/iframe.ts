/**
 * Iframe-streaming driver: reads the forever-frame document as a browser would,
 * runs nothing, and takes each `<script>parent.cb(...)</script>` chunk's JSON.
 * When the server ends the document (its byte limit), it reconnects with `since`.
 */
import { Cursor, type Connection, type Driver, type DriverOptions, HttpClient } from './common.ts';
import { reconnectLoop } from './loop.ts';

export const CALLBACK = 'onEvent';

/** Pulls complete script chunks out of an HTML stream; keeps the unfinished tail. */
export class ScriptChunkParser {
  private buffer = '';
  private readonly open = `<script>parent.${CALLBACK}(`;
  private readonly close = ');</script>';

  push(text: string): unknown[] {
    this.buffer += text;
    const out: unknown[] = [];
    for (;;) {
      const start = this.buffer.indexOf(this.open);
      if (start < 0) break;
      // The server escapes "<" inside the JSON, so the first ");</script>" ends it.
      const end = this.buffer.indexOf(this.close, start);
      if (end < 0) break;
      out.push(JSON.parse(this.buffer.slice(start + this.open.length, end)));
      this.buffer = this.buffer.slice(end + this.close.length);
    }
    // Keep at most what could be the start of an unfinished chunk.
    if (this.buffer.length > 0 && this.buffer.indexOf('<script') < 0) this.buffer = this.buffer.slice(-this.open.length);
    return out;
  }
}

export interface StreamRequest {
  path: string;
  headers: Record<string, string>;
}

export interface Decoder {
  push(text: string): unknown[];
}

/**
 * What both streaming drivers share: one long GET, decoded as it arrives, again
 * when it ends (loop.ts: at once after a clean end, with backoff after a failure).
 */
export function streamLoop(
  id: 'iframe' | 'sse',
  options: DriverOptions,
  request: (cursor: Cursor, startOver: boolean) => StreamRequest,
  decoder: () => Decoder,
): Connection {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  const client = new HttpClient(options);
  const once = async () => {
    const { path, headers } = request(cursor, cursor.startOver());
    // The driver's headers are defaults: a browser profile's own Accept (a navigation's long one) wins.
    const response = await client.get(path, { ...headers, ...options.headers }, abort.signal);
    const { body } = response;
    options.onHeaders?.(response.headers);
    if (response.status !== 200) {
      body.resume();
      throw new Error(`HTTP ${response.status}`);
    }
    options.onState?.('open');
    const parser = decoder();
    body.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      body.on('data', (text: string) => {
        const receivedAt = performance.timeOrigin + performance.now();
        for (const event of parser.push(text)) {
          if (cursor.see(event)) options.onEvent(event, receivedAt);
        }
        if (cursor.restartPending) {
          // The server restarted under us: drop this stream, start over from 0 at once.
          options.onState?.('restarted', cursor.epoch);
          response.cancel();
          resolve();
        }
      });
      body.on('end', resolve);
      body.on('error', reject);
      body.on('close', resolve);
    });
  };
  return reconnectLoop(
    id,
    options,
    cursor,
    abort,
    async () => {
      options.onState?.('connecting');
      await once();
      return 0;
    },
    () => client.close(),
  );
}

const iframe: Driver = (options) =>
  streamLoop(
    'iframe',
    options,
    (cursor) => ({
      path: `/feed/iframe?cb=${CALLBACK}${cursor.lastSeq === undefined ? '' : `&since=${cursor.lastSeq}`}`,
      headers: { accept: 'text/html' },
    }),
    () => new ScriptChunkParser(),
  );

export default iframe;
