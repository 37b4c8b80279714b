/**
 * The wiretap: the exact bytes of one page's connections, shown to that page.
 *
 * Browsers hide the wire (DevTools shows headers rebuilt, not bytes; EventSource
 * and WebSocket hide their framing entirely), so the lab shows it from the
 * server's side. A page opens `/wiretap` (a WebSocket, guarded like the feed's:
 * same Origin check, counted against the per-client stream cap); the server mints
 * a random `client` id for that socket and sends it as the socket's first message;
 * the page sends it with every transport request, and only that socket receives
 * the records of requests that carry it. The id is 128 random bits that travel
 * only on the page's own socket and in its own requests, and it dies with the
 * socket: another page cannot read the bytes by guessing it.
 * Only connections with a listener are tapped: nobody pays for a tap nobody reads.
 *
 * Outgoing bytes are exact: the tapped socket's `write` is wrapped for as long as
 * the request (or WebSocket) lasts, so chunk-size lines, the 101 response and
 * frame headers all appear as sent. The request head is rebuilt from the parsed
 * request (Node's parser consumes it below JavaScript): names, values and order
 * are the browser's own. After a WebSocket upgrade, incoming frames are exact,
 * masking key included.
 *
 * The same socket carries the page's trace (trace.ts): each tapped request's meter
 * reports what it accounts as steps, which the page draws as a ladder diagram.
 * The socket's route is in wiretap-route.ts.
 *
 * In a cluster the page's tap and its connections may be in different processes: a
 * process that serves a connection carrying an id it did not mint hands that
 * connection's steps (not its bytes) to the relay (trace.ts StepRelay), which brings
 * them to the process that minted it, if any listens; each step names its process.
 * And a page may cut its own tapped connections (`cut`), as a process that dies would:
 * the scale-out lesson's picture of a client resuming, on a single lab.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Http2ServerRequest } from 'node:http2';
import type { StreamMetering } from './stats.ts';
import { type StepRelay, type StepSink, type TraceStep, requestLabel, stepSink } from './trace.ts';
import type { TransportId } from './transports/registry.ts';

export interface WireRecord {
  transport: TransportId;
  /** `h1`: HTTP/1.1 bytes as they crossed (the plaintext, over TLS); `h2`: HTTP/2 frames of one stream, decrypted. */
  protocol: 'h1' | 'h2';
  /** Over HTTP/2, the stream the frames belong to. */
  stream?: number;
  /** Over HTTP/2, the request's header list as the server decoded it from HPACK (on the first record). */
  headers?: [string, string][];
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
  /**
   * Records bytes read (WebSocket frames after an HTTP/1.1 upgrade); absent over HTTP/2, where the
   * stream's frames are tapped both ways.
   */
  in?(bytes: Buffer): void;
  /** Stops tapping this connection; the socket's own write is restored. */
  detach(): void;
  /**
   * Where the request's meter reports its steps (HTTP/1.1: pass it to stats.meter; over
   * HTTP/2 the frame meter already reports the stream's frames, and this is undefined).
   */
  trace?: StepSink;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,40}$/;

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

/** 16 random bytes: 128 bits, 22 characters of base64url, within CLIENT_ID. */
const MINTED_ID_BYTES = 16;

/** The first message on a tap's socket: the id its page sends with its requests. */
export interface TapHello {
  type: 'tap';
  client: string;
  /** In a cluster, the process that holds the tap. */
  process?: string;
}

/** What a cluster gives the wiretap: this process's name for its steps, and the relay to the others. */
export interface WiretapCluster {
  process?: string;
  relay?: StepRelay;
}

export class Wiretap {
  /** One listener per minted id: the socket it was minted for. */
  private readonly listeners = new Map<string, (record: WireRecord | TraceStep) => void>();
  private nextConnection = 1;
  private readonly connectionIds = new WeakMap<object, number>();
  /** What each tap's connections can be cut by, while they are tapped here. */
  private readonly cutters = new Map<string, Set<() => void>>();

  /** `metering`: where HTTP/2 streams are tapped, once the TLS ports listen (ctx.stats.streams). */
  constructor(
    private readonly metering: () => StreamMetering | undefined = () => undefined,
    private readonly cluster: WiretapCluster = {},
  ) {}

  /**
   * Mints a fresh id and sends `listener` the records of every request that carries
   * it, until `stop()`; an id is never minted twice, so nobody else receives them.
   * In a cluster, `listening` resolves once the steps other processes forward for it
   * arrive too (before it, the page should not use the id); otherwise at once.
   */
  open(listener: (record: WireRecord | TraceStep) => void): { client: string; process?: string; listening: Promise<void>; stop(): void } {
    let client: string;
    do client = randomBytes(MINTED_ID_BYTES).toString('base64url');
    while (this.listeners.has(client));
    this.listeners.set(client, listener);
    const relayed = this.cluster.relay?.listen(client, listener);
    let stopped = false;
    return {
      client,
      process: this.cluster.process,
      // A relay that cannot listen (Redis away) leaves the tap its own process's steps.
      listening: relayed
        ? relayed.then(
            () => {},
            () => {},
          )
        : Promise.resolve(),
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.listeners.delete(client);
        this.cutters.delete(client);
        relayed?.then(
          (unlisten) => unlisten(),
          () => {},
        );
      },
    };
  }

  /** Cuts every connection of `client`'s page tapped here now, with no goodbye, as a process that dies would; returns how many. */
  cut(client: string): number {
    const cutters = [...(this.cutters.get(client) ?? [])];
    for (const cutter of cutters) cutter();
    return cutters.length;
  }

  private cuttable(client: string, cutter: () => void): () => void {
    let set = this.cutters.get(client);
    if (!set) this.cutters.set(client, (set = new Set()));
    set.add(cutter);
    return () => set.delete(cutter);
  }

  get listening(): number {
    return this.listeners.size;
  }

  /**
   * Starts tapping `request`'s socket if someone listens for `client`: records the
   * request head at once, then every byte written until `detach()`.
   */
  attach(client: string | undefined, transport: TransportId, request: FastifyRequest): Tap | undefined {
    if (client === undefined) return undefined;
    if (!this.listeners.has(client)) return this.attachRelayed(client, transport, request);
    if (request.raw.httpVersionMajor === 2) return this.attachStream(client, transport, request.raw as unknown as Http2ServerRequest);
    const socket = request.raw.socket;
    const connection = this.connectionOf(socket);
    const emit = (dir: 'in' | 'out', bytes: Buffer) => {
      const record: WireRecord = { transport, protocol: 'h1', dir, connection, at: Date.now(), data: bytes.toString('base64') };
      this.listeners.get(client)?.(record);
    };
    const raw = request.raw;
    let head = `${raw.method} ${raw.url} HTTP/${raw.httpVersion}\r\n`;
    for (let i = 0; i < raw.rawHeaders.length; i += 2) head += `${raw.rawHeaders[i]}: ${raw.rawHeaders[i + 1]}\r\n`;
    emit('in', Buffer.from(`${head}\r\n`, 'latin1'));
    const trace = stepSink(
      { transport, protocol: 'h1', connection, ...this.named },
      requestLabel(raw.method ?? 'GET', raw.url ?? ''),
      (step) => {
        this.listeners.get(client)?.(step);
      },
    );
    const uncut = this.cuttable(client, () => socket.destroy());

    const write = socket.write;
    // Wrapped on this socket object only, and only while this request owns it.
    socket.write = function tappedWrite(this: Socket, chunk: unknown, ...rest: unknown[]) {
      if (typeof chunk === 'string') emit('out', Buffer.from(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) emit('out', Buffer.from(chunk));
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof socket.write;
    let attached = true;
    return {
      trace,
      in: (bytes) => attached && emit('in', bytes),
      detach: () => {
        if (!attached) return;
        attached = false;
        uncut();
        socket.write = write;
      },
    };
  }

  /** This process's name on its steps, in a cluster. */
  private get named(): { process?: string } {
    return this.cluster.process === undefined ? {} : { process: this.cluster.process };
  }

  private connectionOf(key: object): number {
    let connection = this.connectionIds.get(key);
    if (connection === undefined) this.connectionIds.set(key, (connection = this.nextConnection++));
    return connection;
  }

  /**
   * A connection whose page's tap is not here: in a cluster, its steps go to the relay
   * (its bytes stay here: a step is a few numbers, the bytes would be every byte twice).
   * Without a relay, or for an id that cannot be one, nothing is tapped.
   */
  private attachRelayed(client: string, transport: TransportId, request: FastifyRequest): Tap | undefined {
    const relay = this.cluster.relay;
    if (!relay || !isClientId(client)) return undefined;
    const send = relay.forward(client);
    const raw = request.raw;
    const label = requestLabel(raw.method ?? 'GET', raw.url ?? '');
    if (raw.httpVersionMajor === 2) {
      const metering = this.metering();
      const h2 = raw as unknown as Http2ServerRequest;
      if (!metering) return undefined;
      const base = {
        transport,
        protocol: 'h2' as const,
        connection: this.connectionOf(h2.stream.session as object),
        stream: h2.stream.id,
        ...this.named,
      };
      metering.tap(h2, () => {}, stepSink(base, label, send));
      return { detach: () => metering.untap(h2) };
    }
    return {
      trace: stepSink({ transport, protocol: 'h1', connection: this.connectionOf(raw.socket), ...this.named }, label, send),
      detach: () => {},
    };
  }

  /**
   * Over HTTP/2 the socket is shared by every stream of the connection, so the tap
   * sits on one stream in the frame meter instead: each piece of that stream's
   * frames, both ways, as it crossed in plaintext. The request's HEADERS frames
   * passed before any route ran; the meter kept them, so the page sees them first.
   */
  private attachStream(client: string, transport: TransportId, request: Http2ServerRequest): Tap | undefined {
    const metering = this.metering();
    if (!metering) return undefined;
    const connection = this.connectionOf(request.stream.session as object);
    const stream = request.stream.id;
    const emit = (dir: 'in' | 'out', bytes: Buffer, headers?: [string, string][]) => {
      const record: WireRecord = {
        transport,
        protocol: 'h2',
        stream,
        dir,
        connection,
        at: Date.now(),
        data: bytes.toString('base64'),
        ...(headers ? { headers } : {}),
      };
      this.listeners.get(client)?.(record);
    };
    const headers: [string, string][] = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) headers.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
    const trace = stepSink(
      { transport, protocol: 'h2', connection, stream, ...this.named },
      requestLabel(request.method, request.url),
      (step) => {
        this.listeners.get(client)?.(step);
      },
    );
    emit('in', Buffer.concat(metering.tap(request, (dir, bytes) => emit(dir, bytes), trace)), headers);
    // Over HTTP/2 a connection is the page's and every other stream's: the cut resets this stream only.
    const uncut = this.cuttable(client, () => request.stream.close(0x8)); // CANCEL
    let attached = true;
    return {
      detach: () => {
        if (!attached) return;
        attached = false;
        uncut();
        metering.untap(request);
      },
    };
  }
}
