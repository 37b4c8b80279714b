/**
 * Every connection the lab accepts, on every port, from accept until it closes.
 *
 * - It counts against MAX_CONNECTIONS from the moment it is accepted: a TLS
 *   handshake not yet finished, a connection that has not asked anything yet, all
 *   take a place. A request on a connection that found no place gets 503 (limits.ts
 *   asks `admitted`); one that frees a place lets the next connection in.
 * - It runs on one idle clock, IDLE_TIMEOUT_MS, whatever the port: a connection
 *   with no request in progress (none yet, half a request head, a keep-alive
 *   connection between requests, an HTTP/2 connection with no open stream) is closed
 *   when it has been so for that long. Node's own clocks differ by port: a plain
 *   port's server cuts a head after 60 s, but HTTP/1.1 handed over from the lab's
 *   TLS listener and every HTTP/2 session had none, and a silent TLS connection
 *   stayed open for minutes. So the lab keeps its own, the same on every port.
 *
 * A connection is known by its TCP socket. What carries its requests (the TLS
 * socket of HTTP/1.1 over TLS, an HTTP/2 session) is linked to it.
 *
 * The clock is a sweep, not a timer per connection: idle connections sit in a map
 * with the time they went idle, and every quarter of the timeout the ones past it
 * are closed. A connection in the middle of a request (a held stream) costs the
 * clock nothing.
 */
import type http from 'node:http';
import type { Http2ServerRequest, Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { errorBody } from './errors.ts';

/** A request of either protocol: what `admitted` needs of it. */
type AnyRequest = http.IncomingMessage | Http2ServerRequest;

/** What the clock does with a connection that stayed idle too long. */
interface Idle {
  since: number;
  /** What counts the carrier's bytes, and how many it had read when it went idle: more at expiry means a request head was begun. */
  counted: { readonly bytesRead: number };
  bytesRead: number;
  expire: (headBegun: boolean) => void;
}

/** The TCP socket under each carrier the lab linked (a TLS socket, an HTTP/2 session). */
const TCP_UNDER = new WeakMap<object, Socket>();

/** The 408 a connection gets when it began a request head and did not finish it in time (RFC 9110 section 15.5.9). */
function requestTimeoutAnswer(): string {
  const body = JSON.stringify(errorBody('request_timeout'));
  const head = [
    'HTTP/1.1 408 Request Timeout',
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    'connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

export class Connections {
  /** Connections holding a place under MAX_CONNECTIONS, by TCP socket. */
  private readonly placed = new Set<Socket>();
  private readonly idle = new Map<object, Idle>();
  /** Requests in progress per HTTP/1.1 carrier (pipelining may put several on one). */
  private readonly inProgress = new WeakMap<object, number>();
  private sweeper: NodeJS.Timeout | undefined;
  /** Set by closeIdle(): a connection that goes idle is closed at once. */
  private closing = false;
  /** What close() takes off the servers watched. */
  private readonly listening: (() => void)[] = [];

  constructor(
    readonly maxConnections: number,
    readonly idleTimeoutMs: number,
  ) {}

  /** Connections accepted and not yet closed that hold a place. */
  get open(): number {
    return this.placed.size;
  }

  /** A connection was accepted: it takes a place if there is one, until it closes. */
  accept(tcp: Socket): void {
    this.place(tcp);
    tcp.once('close', () => {
      this.placed.delete(tcp);
      this.idle.delete(tcp);
    });
  }

  /** `carrier` carries the requests of the connection on `tcp`. */
  link(carrier: object, tcp: Socket): void {
    TCP_UNDER.set(carrier, tcp);
  }

  /**
   * Whether `request`'s connection holds a place: yes if it took one at accept, or if
   * one is free now (a connection that found none at accept may find one later).
   */
  admitted(request: AnyRequest): boolean {
    const carrier = request.httpVersionMajor === 2 ? (request as Http2ServerRequest).stream.session : request.socket;
    if (!carrier) return true;
    const tcp = TCP_UNDER.get(carrier) ?? (carrier as Socket);
    return this.placed.has(tcp) || this.place(tcp);
  }

  private place(tcp: Socket): boolean {
    if (this.maxConnections > 0 && this.placed.size >= this.maxConnections) return false;
    if (tcp.destroyed) return false;
    this.placed.add(tcp);
    return true;
  }

  /**
   * Puts an HTTP/1.1 server's connections on the clock: idle from their first byte
   * until a request head is complete, and again after each response, until they close
   * or upgrade (a WebSocket keeps its own heartbeat). One listener each, shared.
   */
  watchHttp1(server: http.Server): void {
    this.listen(server, 'connection', (socket: Socket) => {
      this.idleFrom(socket, socket, this.expireHttp1(socket));
      socket.once('close', () => this.idle.delete(socket));
    });
    this.listen(server, 'request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      const socket = request.socket;
      this.inProgress.set(socket, (this.inProgress.get(socket) ?? 0) + 1);
      this.idle.delete(socket);
      response.once('close', () => {
        const left = (this.inProgress.get(socket) ?? 1) - 1;
        this.inProgress.set(socket, left);
        if (left === 0 && !socket.destroyed) this.idleFrom(socket, socket, this.expireHttp1(socket));
      });
    });
    this.listen(server, 'upgrade', (request: http.IncomingMessage) => this.idle.delete(request.socket));
  }

  /** `server.on(event, listener)`, taken off again by close(). */
  // biome-ignore lint/suspicious/noExplicitAny: the listeners of different events take different arguments, as in server.on
  private listen(server: http.Server, event: string, listener: (...args: any[]) => void): void {
    server.on(event, listener);
    this.listening.push(() => server.off(event, listener));
  }

  /** An HTTP/1.1 connection past its time: a 408 if it began a request head, else closed without a word. */
  private expireHttp1(socket: Socket): (headBegun: boolean) => void {
    return (headBegun) => {
      if (!headBegun || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end(requestTimeoutAnswer());
      // A peer that does not take the answer is not waited for.
      setTimeout(() => socket.destroy(), 1000).unref();
    };
  }

  /**
   * Puts an HTTP/2 session on the clock: idle while it has no open stream. Past its
   * time it is closed as a server closes an idle connection: GOAWAY NO_ERROR, then
   * the connection ends. Returns what to call as streams open and close.
   */
  watchHttp2(session: Http2Session, tcp: Socket): { streamOpened(): void; streamClosed(): void } {
    let open = 0;
    const expire = () => {
      if (!session.destroyed) session.close();
      setTimeout(() => session.destroy(), 1000).unref();
    };
    this.idleFrom(session, tcp, expire);
    session.once('close', () => this.idle.delete(session));
    return {
      streamOpened: () => {
        if (open++ === 0) this.idle.delete(session);
      },
      streamClosed: () => {
        if (--open === 0 && !session.destroyed) this.idleFrom(session, tcp, expire);
      },
    };
  }

  private idleFrom(key: object, counted: Idle['counted'], expire: Idle['expire']): void {
    if (this.closing) {
      expire(false);
      return;
    }
    this.idle.set(key, { since: Date.now(), counted, bytesRead: counted.bytesRead, expire });
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(25, this.idleTimeoutMs / 4)).unref();
  }

  private sweep(): void {
    const deadline = Date.now() - this.idleTimeoutMs;
    for (const [key, idle] of this.idle) {
      if (idle.since > deadline) continue;
      this.idle.delete(key);
      idle.expire(idle.counted.bytesRead > idle.bytesRead);
    }
  }

  /**
   * The lab is closing: every connection with no request in progress is closed now,
   * as the clock would close it later, and so is every one that goes idle from now on
   * (a new one, or one whose response just ended). A server's close() waits for every
   * connection, and Node's closeIdleConnections() passes over one that never sent a
   * request: a browser's preconnection, or the connection Node's fetch opens after a
   * request is aborted. Without this, close() waited for IDLE_TIMEOUT_MS.
   */
  closeIdle(): void {
    this.closing = true;
    for (const [key, idle] of this.idle) {
      this.idle.delete(key);
      idle.expire(idle.counted.bytesRead > idle.bytesRead);
    }
  }

  /** Stops the clock and lets go of the servers (the lab is closing). */
  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const off of this.listening.splice(0)) off();
  }
}
