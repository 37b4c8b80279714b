/**
 * The wiretap: the exact bytes of one page's connections, shown to that page.
 *
 * Browsers hide the wire (DevTools shows headers rebuilt, not bytes; EventSource
 * and WebSocket hide their framing entirely), so the lab shows it from the
 * server's side. A page picks a random `client` id, sends it with every transport
 * request, and listens on `/wiretap?client=<id>` (a WebSocket on the main port).
 * Only connections with a listener are tapped: nobody pays for a tap nobody reads.
 *
 * Outgoing bytes are exact: the tapped socket's `write` is wrapped for as long as
 * the request (or WebSocket) lasts, so chunk-size lines, the 101 response and
 * frame headers all appear as sent. The request head is rebuilt from the parsed
 * request (Node's parser consumes it below JavaScript): names, values and order
 * are the browser's own. After a WebSocket upgrade, incoming frames are exact,
 * masking key included.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TransportId } from './transports/registry.ts';

export interface WireRecord {
  transport: TransportId;
  /** `in`: client to server; `out`: server to client. */
  dir: 'in' | 'out';
  /** Which connection: a number per tapped socket, so a page can tell its connections apart. */
  connection: number;
  /** ms since 1970. */
  at: number;
  /** The bytes, base64. */
  data: string;
}

export interface Tap {
  /** Records bytes read (WebSocket frames after the upgrade). */
  in(bytes: Buffer): void;
  /** Stops tapping this connection; the socket's own write is restored. */
  detach(): void;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,40}$/;

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

export class Wiretap {
  private readonly listeners = new Map<string, Set<(record: WireRecord) => void>>();
  private nextConnection = 1;
  private readonly connectionIds = new WeakMap<Socket, number>();

  /** Subscribes to one client's records; returns the unsubscribe. */
  listen(client: string, listener: (record: WireRecord) => void): () => void {
    let set = this.listeners.get(client);
    if (!set) this.listeners.set(client, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(client);
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  /**
   * Starts tapping `request`'s socket if someone listens for `client`: records the
   * request head at once, then every byte written until `detach()`.
   */
  attach(client: string | undefined, transport: TransportId, request: FastifyRequest): Tap | undefined {
    if (client === undefined || !this.listeners.has(client)) return undefined;
    const socket = request.raw.socket;
    let connection = this.connectionIds.get(socket);
    if (connection === undefined) this.connectionIds.set(socket, (connection = this.nextConnection++));
    const emit = (dir: 'in' | 'out', bytes: Buffer) => {
      const record: WireRecord = { transport, dir, connection: connection!, at: Date.now(), data: bytes.toString('base64') };
      for (const listener of this.listeners.get(client) ?? []) listener(record);
    };
    const raw = request.raw;
    let head = `${raw.method} ${raw.url} HTTP/${raw.httpVersion}\r\n`;
    for (let i = 0; i < raw.rawHeaders.length; i += 2) head += `${raw.rawHeaders[i]}: ${raw.rawHeaders[i + 1]}\r\n`;
    emit('in', Buffer.from(head + '\r\n', 'latin1'));

    const write = socket.write;
    // Wrapped on this socket object only, and only while this request owns it.
    socket.write = function tappedWrite(this: Socket, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string') emit('out', Buffer.from(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) emit('out', Buffer.from(chunk));
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof socket.write;
    let attached = true;
    return {
      in: (bytes) => attached && emit('in', bytes),
      detach: () => {
        if (!attached) return;
        attached = false;
        socket.write = write;
      },
    };
  }
}

/** `GET /wiretap?client=<id>`, upgraded: one JSON text frame per WireRecord. */
export function registerWiretapRoute(app: FastifyInstance, wiretap: Wiretap, closers: Set<() => void>): void {
  app.route({
    method: 'GET',
    url: '/wiretap',
    handler: async (_request, reply) => reply.code(426).header('upgrade', 'websocket').send({ error: { code: 'upgrade_required', message: 'Open /wiretap with a WebSocket.' } }),
    wsHandler: (socket, request) => {
      const client = (request.query as Record<string, unknown>).client;
      if (!isClientId(client)) {
        socket.close(1008, 'client must be 1-40 letters, digits, _ or -');
        return;
      }
      const stop = wiretap.listen(client, (record) => {
        // A tap that cannot keep up loses records rather than memory: it is a view, not the feed.
        if (socket.bufferedAmount < 1 << 20) socket.send(JSON.stringify(record));
      });
      const close = () => {
        stop();
        closers.delete(close);
        socket.close(1001, 'server shutting down');
      };
      closers.add(close);
      socket.once('close', () => {
        stop();
        closers.delete(close);
      });
    },
  });
}
