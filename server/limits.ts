/**
 * The caps that keep the lab serving when many students, or one runaway page,
 * ask for more than it can hold.
 *
 * Two caps, both checked before a request reaches its route:
 * - open connections, over all clients (`MAX_CONNECTIONS`): a connection counts from
 *   accept until it closes, on every port the lab listens on (connections.ts);
 * - held streams per client IP (`MAX_STREAMS_PER_CLIENT`): a long poll, an iframe,
 *   an SSE stream or a WebSocket (the feed's, or a wiretap's) counts while it is open.
 *
 * Past a cap an HTTP request gets `503` with `Retry-After` and the coded body. A
 * WebSocket is upgraded and then closed at once with 1013 "try again later":
 * a browser reports a refused handshake only as close 1006, with neither status
 * nor reason, while it does show 1013 and its reason to the page.
 *
 * The third defense, against readers that stop reading, is checked where bytes are
 * written (stream.ts, feed-socket.ts); the cut-off they share is here with the caps,
 * and what it cuts (a socket or an HTTP/2 stream) is carrier.ts's.
 */
import diagnostics from 'node:diagnostics_channel';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventEmitter } from 'node:events';
import { type Carrier, cutOff } from './carrier.ts';
import { type ErrorCode, sendError } from './errors.ts';
import { HELD_TRANSPORTS } from './transports/registry.ts';
import type { LabContext } from './context.ts';
import { clientAddress } from './client-address.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a route that is not a transport's but is held like one (the wiretap's socket): it counts against the per-client cap. */
    holdsStream?: boolean;
  }
  interface FastifyRequest {
    /** Set when a cap refuses a WebSocket upgrade: ws.ts closes the socket with 1013 right after it. */
    refusedBy: ErrorCode | null;
  }
}

/** What a refused client is told to wait (`Retry-After`, and the 1013 close reason). */
export const RETRY_AFTER_S = 5;

/**
 * Published with `{ carrier }` when a slow reader is dropped and its grace begins:
 * a reader's grace is its own, so whoever watches (a test, a diagnostics tool) can
 * tell which connection it was, which the /stats counter cannot. Free when nobody listens.
 */
export const slowReaderDropped = diagnostics.channel('wirelab:slow-reader-dropped');

/**
 * The end of a reader that stopped reading, once its goodbye (the stream's end,
 * close 1013) is queued: counted for /stats, and its socket reset after the grace
 * (SLOW_READER_GRACE_MS, config.ts)
 * unless the goodbye got through first (call the returned cancel then).
 *
 * A reset, not destroy(): a socket closed with unsent data stays in the kernel as
 * an orphan, holding its send queue (some 4 MB on loopback) for as long as the peer
 * keeps its window shut; a reset drops it at once (slow-readers.test.ts measures it).
 */
export function dropSlowReader(ctx: LabContext, carrier: Carrier): () => void {
  ctx.counters.slowReadersDropped++;
  if (slowReaderDropped.hasSubscribers) slowReaderDropped.publish({ carrier });
  const timer = setTimeout(() => cutOff(carrier), ctx.config.slowReaderGraceMs);
  return () => clearTimeout(timer);
}

/**
 * Whether a request asks for a WebSocket: an HTTP/1.1 Upgrade (@fastify/websocket
 * marks it) or an HTTP/2 extended CONNECT with `:protocol: websocket` (RFC 8441).
 */
export function isWebSocketRequest(request: FastifyRequest): boolean {
  return request.ws || (request.raw.method === 'CONNECT' && request.headers[':protocol'] === 'websocket');
}

/**
 * The stream cap across a cluster's processes (redis/shared-limits.ts): a slot is
 * reserved for the client before a held request is admitted, and given back when
 * it closes.
 */
export interface SharedStreamCounts {
  /** Takes one of `client`'s slots across every process: false at the cap; rejects when the shared store is away. */
  reserve(client: string): Promise<boolean>;
  /** Gives one of `client`'s slots back. */
  release(client: string): void;
}

/** Counters the caps add to /stats. */
export interface LimitCounters {
  connectionsRefused: number;
  streamsRefused: number;
}

/** The lab's counters with the caps' two, once registerLimits has added them. */
export function countersOf(ctx: LabContext): LabContext['counters'] & LimitCounters {
  return ctx.counters as LabContext['counters'] & LimitCounters;
}

/**
 * Who holds each held request's slot for which client: found by the 'close' listener
 * all of them share. A WeakMap rather than properties on sockets and responses,
 * which would cost each an out-of-object property array.
 */
const HOLDS = new WeakMap<EventEmitter, { limits: ConnectionLimits; client: string }>();

/** The 'close' listener every held request shares (`this` is its response or socket). */
function onHeldClose(this: EventEmitter): void {
  const hold = HOLDS.get(this);
  if (!hold) return;
  HOLDS.delete(this);
  hold.limits.release(hold.client);
}

export class ConnectionLimits {
  private readonly streamsByClient = new Map<string, number>();

  /** `shared`: in a cluster, where each slot is also reserved across processes, and given back. */
  constructor(
    readonly maxStreamsPerClient: number,
    private readonly shared?: SharedStreamCounts,
  ) {}

  /** Streams `client` holds now. */
  streamsOf(client: string): number {
    return this.streamsByClient.get(client) ?? 0;
  }

  /** Takes one of `client`'s stream slots until `until` emits 'close'; false at the cap (in this process). */
  hold(client: string, until: EventEmitter): boolean {
    const held = this.streamsOf(client);
    if (this.maxStreamsPerClient > 0 && held >= this.maxStreamsPerClient) return false;
    this.streamsByClient.set(client, held + 1);
    HOLDS.set(until, { limits: this, client });
    until.on('close', onHeldClose);
    return true;
  }

  /**
   * In a cluster: reserves `client`'s slot across processes first (one Redis round
   * trip), then holds it here. False at the cap; rejects while the shared store is
   * away. A request that closed while the reservation was on its way gives it back.
   */
  async holdShared(client: string, until: EventEmitter & { destroyed?: boolean; closed?: boolean }): Promise<boolean> {
    if (!this.shared || this.maxStreamsPerClient === 0) return this.hold(client, until);
    if (!(await this.shared.reserve(client))) return false;
    if (until.destroyed || until.closed) {
      this.shared.release(client);
      return true; // nothing left to answer
    }
    if (this.hold(client, until)) return true;
    this.shared.release(client);
    return false;
  }

  /** Gives back one of `client`'s stream slots (and its reservation in a cluster). */
  release(client: string): void {
    const left = this.streamsOf(client) - 1;
    if (left > 0) this.streamsByClient.set(client, left);
    else this.streamsByClient.delete(client); // the map holds only clients that hold something
    if (this.maxStreamsPerClient > 0) this.shared?.release(client);
  }
}

/**
 * Puts both caps in front of every route; returns them (tests read the counts).
 * The refusals are counted in ctx.counters, so /stats shows them.
 */
export function registerLimits(app: FastifyInstance, ctx: LabContext, shared?: SharedStreamCounts): ConnectionLimits {
  const limits = new ConnectionLimits(ctx.config.maxStreamsPerClient, shared);
  // ctx.counters is shared with /stats and the bench; the caps add their own two.
  const counters = Object.assign(ctx.counters, { connectionsRefused: 0, streamsRefused: 0 } satisfies LimitCounters);
  app.decorateRequest('refusedBy', null);

  app.addHook('onRequest', async (request, reply) => {
    const refuse = (code: ErrorCode) => {
      if (isWebSocketRequest(request)) {
        request.refusedBy = code;
        return;
      }
      // A refused connection is not kept: the socket closes after the answer (HTTP/2 has no such header).
      if (code === 'too_many_connections' && request.raw.httpVersionMajor !== 2) reply.header('connection', 'close');
      return sendError(reply, code);
    };
    if (!ctx.connections.admitted(request.raw)) {
      counters.connectionsRefused++;
      return refuse('too_many_connections');
    }
    const { transport, holdsStream } = request.routeOptions.config;
    if (!holdsStream && (transport === undefined || !HELD_TRANSPORTS.has(transport))) return;
    // Held until the response closes, for any reason (answered, ended, client gone); an
    // HTTP/1.1 WebSocket until its socket closes (ws.ts lets go of the upgrade's response).
    const until = request.ws ? request.raw.socket : reply.raw;
    const client = clientAddress(request);
    // In a cluster the cap is per client across processes, reserved in Redis (redis/shared-limits.ts).
    let admitted: boolean;
    try {
      admitted = shared ? await limits.holdShared(client, until) : limits.hold(client, until);
    } catch {
      return refuse('feed_unavailable'); // the shared store is away: no stream can be served truthfully now
    }
    if (!admitted) {
      counters.streamsRefused++;
      return refuse('too_many_streams');
    }
  });
  return limits;
}
