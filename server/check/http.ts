/**
 * The checker's HTTP client: one request, one response, every byte bounded.
 *
 * Over HTTP/1.1 it writes the request itself and parses the answer by hand (a
 * student's server may answer anything: garbage, a head that never ends, a chunk
 * that claims 4 GiB), so each limit is a Fail with its reason instead of a hang or
 * a crash. Over HTTP/2 Node's client does the framing; the same limits apply to
 * what it hands over. This file holds what both share (the limits, the response,
 * the connection); the requests are http1.ts's and h2-client.ts's.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { CaseFailure } from './case-failure.ts';

/** A response head larger than this is a server that never ends its head (RFC 9112 leaves the limit to us). */
export const MAX_HEAD_BYTES = 16 * 1024;
/** The most body a case reads; past it the response is cut and the case told. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** How long a case waits for a connection or a response head unless it says otherwise. */
export const HEAD_TIMEOUT_MS = 3000;

/** The protocol that carried a case: HTTP/1.1 (plain or over TLS) or HTTP/2. */
export type WireProtocol = 'http/1.1' | 'http/1.1+tls' | 'h2';

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  headTimeoutMs?: number;
}

/** One piece of body as the server framed it: an HTTP/1.1 chunk, an HTTP/2 DATA frame, or a socket read. */
export interface BodyPiece {
  atMs: number;
  bytes: Buffer;
}

/** A response arriving: head first, then body pieces, then its end (or an error). */
export class HttpResponse extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  /** HTTP/1.1 only: whether the body came chunked. */
  chunked = false;
  pieces: BodyPiece[] = [];
  bodyBytes = 0;
  ended = false;
  /** Why the response stopped early: a broken chunk, the byte bound, a reset. */
  error: string | undefined;
  readonly startedAt = performance.now();
  private closer: () => void = () => {};

  setCloser(closer: () => void): void {
    this.closer = closer;
  }

  addPiece(bytes: Buffer): void {
    if (this.ended) return;
    this.pieces.push({ atMs: performance.now() - this.startedAt, bytes });
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > MAX_BODY_BYTES) {
      this.finish(`the body passed ${MAX_BODY_BYTES} bytes, the most a case reads`);
      return;
    }
    this.emit('change');
  }

  finish(error?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.emit('change');
    this.closer();
  }

  body(): Buffer {
    return Buffer.concat(this.pieces.map((p) => p.bytes));
  }

  text(): string {
    return this.body().toString('utf8');
  }

  /** The body as JSON, or a CaseFailure saying what came instead. */
  json(): unknown {
    try {
      return JSON.parse(this.text());
    } catch {
      throw new CaseFailure(`the body is not JSON: ${JSON.stringify(this.text().slice(0, 120))}`);
    }
  }

  /** Resolves true once `condition()` holds, false when the response ends or `timeoutMs` passes first. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return waitChange(this, condition, () => this.ended, timeoutMs);
  }

  /** Resolves when the body has ended (true) or `timeoutMs` passed (false). */
  end(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.ended, timeoutMs);
  }

  close(): void {
    this.finish(this.error);
  }
}

/** Waits on an emitter's 'change' for `condition`; `over()` ends the wait early with false. */
export function waitChange(emitter: EventEmitter, condition: () => boolean, over: () => boolean, timeoutMs: number): Promise<boolean> {
  if (condition()) return Promise.resolve(true);
  if (over()) return Promise.resolve(false);
  return new Promise((resolve) => {
    const check = () => {
      if (condition()) done(true);
      else if (over()) done(false);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (value: boolean) => {
      clearTimeout(timer);
      emitter.off('change', check);
      resolve(value);
    };
    emitter.on('change', check);
  });
}

/** Opens a TCP (or TLS, with `alpn`) connection, bounded in time; TLS certificates are not verified (a student's is self-signed). */
export function connect(endpoint: Endpoint, alpn: string[], timeoutMs = HEAD_TIMEOUT_MS): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket: net.Socket = endpoint.tls
      ? tls.connect({
          host: endpoint.host,
          port: endpoint.port,
          ALPNProtocols: alpn,
          rejectUnauthorized: false,
          servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
        })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(
      () => fail(new CaseFailure(`no connection to ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        error instanceof CaseFailure ? error : new CaseFailure(`could not connect to ${endpoint.host}:${endpoint.port}: ${error.message}`),
      );
    };
    socket.once('error', fail);
    socket.once(endpoint.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

export function hostHeader(endpoint: Endpoint): string {
  const name = net.isIPv6(endpoint.host) ? `[${endpoint.host}]` : endpoint.host;
  return `${name}:${endpoint.port}`;
}
