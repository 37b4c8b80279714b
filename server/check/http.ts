/**
 * The checker's HTTP client: one request, one response, every byte bounded.
 *
 * Over HTTP/1.1 it writes the request itself and parses the answer by hand (a
 * student's server may answer anything: garbage, a head that never ends, a chunk
 * that claims 4 GiB), so each limit is a Fail with its reason instead of a hang or
 * a crash. Over HTTP/2 Node's client does the framing; the same limits apply to
 * what it hands over.
 */
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { CaseFailure } from './case-failure.ts';
import type { Tape } from './record.ts';

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
    if (this.bodyBytes > MAX_BODY_BYTES) return this.finish(`the body passed ${MAX_BODY_BYTES} bytes, the most a case reads`);
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
      ? tls.connect({ host: endpoint.host, port: endpoint.port, ALPNProtocols: alpn, rejectUnauthorized: false, servername: net.isIP(endpoint.host) ? undefined : endpoint.host })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => fail(new CaseFailure(`no connection to ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error instanceof CaseFailure ? error : new CaseFailure(`could not connect to ${endpoint.host}:${endpoint.port}: ${error.message}`));
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

/** The request head as HTTP/1.1 writes it. */
export function requestHead(endpoint: Endpoint, { method = 'GET', path, headers = {}, body }: RequestSpec): string {
  const lines = [`${method} ${path} HTTP/1.1`];
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has('host')) lines.push(`Host: ${hostHeader(endpoint)}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && !names.has('content-length')) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export function hostHeader(endpoint: Endpoint): string {
  const name = net.isIPv6(endpoint.host) ? `[${endpoint.host}]` : endpoint.host;
  return `${name}:${endpoint.port}`;
}

/** Parses a response head (status line and fields); throws CaseFailure on anything that is not one. */
export function parseHead(head: string): { status: number; headers: Record<string, string> } {
  const [statusLine, ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine ?? '');
  if (!match) throw new CaseFailure(`the answer does not start with an HTTP/1.1 status line: ${JSON.stringify(head.slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new CaseFailure(`a malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(match[1]), headers };
}

/**
 * Reads a response head from `socket`: resolves with the parsed head and the
 * bytes that followed it, or rejects (CaseFailure) on a head over MAX_HEAD_BYTES,
 * garbage, a close, or no head within `timeoutMs`.
 */
export function readHead(socket: net.Socket, tape: Tape, timeoutMs: number): Promise<{ status: number; headers: Record<string, string>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => done(new CaseFailure(`no complete response head within ${timeoutMs} ms (${buffered.length} bytes came)`)), timeoutMs);
    const onData = (data: Buffer) => {
      tape.add(data);
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES) done(new CaseFailure(`the response head passed ${MAX_HEAD_BYTES} bytes without ending (endless headers)`));
        else if (buffered.length >= 5 && !buffered.subarray(0, 5).equals(Buffer.from('HTTP/'))) done(new CaseFailure(`the answer is not HTTP: it starts ${JSON.stringify(buffered.subarray(0, 40).toString('latin1'))}`));
        return;
      }
      try {
        const head = parseHead(buffered.subarray(0, end).toString('latin1'));
        done(undefined, { ...head, rest: buffered.subarray(end + 4) });
      } catch (error) {
        done(error as Error);
      }
    };
    const onEnd = () => done(new CaseFailure(`the server closed the connection ${buffered.length === 0 ? 'without answering' : 'in the middle of its response head'}`));
    const onError = (error: Error) => done(new CaseFailure(`the connection failed before a response head: ${error.message}`));
    const done = (error?: Error, value?: { status: number; headers: Record<string, string>; rest: Buffer }) => {
      clearTimeout(timer);
      socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onError);
      if (error) reject(error);
      else resolve(value!);
    };
    socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onError);
  });
}

/** Decodes an HTTP/1.1 body (chunked, sized, or to the close) into a response's pieces, with bounds. */
class BodyDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private remaining: number;
  private state: string;

  constructor(private readonly response: HttpResponse, contentLength: number | undefined) {
    this.state = response.chunked ? 'size' : 'raw';
    this.remaining = contentLength ?? Infinity;
    if (contentLength === 0) this.finish();
  }

  private finish(error?: string): void {
    this.state = 'done';
    this.response.finish(error);
  }

  push(data: Buffer): void {
    if (this.state === 'done') return;
    if (this.state === 'raw') {
      const part = data.subarray(0, Math.min(data.length, this.remaining));
      this.remaining -= part.length;
      if (part.length > 0) this.response.addPiece(part);
      if (this.remaining === 0) this.finish();
      return;
    }
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    while (this.state !== 'done' && this.step());
  }

  /** One step of the chunked state machine; false when it needs more bytes. */
  private step(): boolean {
    if (this.state === 'size' || this.state === 'crlf' || this.state === 'trailer') {
      const eol = this.buffered.indexOf('\r\n');
      if (eol < 0) {
        if (this.buffered.length > 1024) this.finish('a chunk-size line over 1 KiB');
        return false;
      }
      const line = this.buffered.subarray(0, eol).toString('latin1');
      this.buffered = this.buffered.subarray(eol + 2);
      if (this.state === 'crlf') {
        if (line !== '') this.finish('a chunk not followed by CRLF');
        else this.state = 'size';
      } else if (this.state === 'trailer') {
        if (line === '') this.finish();
      } else {
        const size = /^([0-9a-fA-F]{1,8})(;.*)?$/.exec(line);
        if (!size) this.finish(`a chunk-size line that is not hexadecimal: ${JSON.stringify(line.slice(0, 40))}`);
        else if ((this.remaining = parseInt(size[1], 16)) > MAX_BODY_BYTES) this.finish(`a chunk that claims ${this.remaining} bytes`);
        else this.state = this.remaining === 0 ? 'trailer' : 'data';
      }
      return this.state !== 'done';
    }
    if (this.buffered.length === 0) return false;
    // 'data': a chunk may arrive in several reads; it is one piece once whole, as the server framed it.
    if (this.buffered.length < this.remaining) return false;
    this.response.addPiece(Buffer.from(this.buffered.subarray(0, this.remaining)));
    this.buffered = this.buffered.subarray(this.remaining);
    this.state = 'crlf';
    return true;
  }

  /** The connection ended: complete only for a body read to the close. */
  ended(): void {
    if (this.state === 'done') return;
    if (this.state === 'raw' && this.remaining === Infinity) this.finish();
    else this.finish(this.response.chunked ? 'the connection closed in the middle of a chunked body' : 'the connection closed before Content-Length bytes came');
  }
}

/** One HTTP/1.1 request on a fresh connection. Resolves once the head is in; the body keeps arriving. */
export async function requestH1(endpoint: Endpoint, spec: RequestSpec, sent: Tape, received: Tape): Promise<HttpResponse> {
  const socket = await connect(endpoint, ['http/1.1'], spec.headTimeoutMs ?? HEAD_TIMEOUT_MS);
  const head = requestHead(endpoint, spec);
  sent.add(head);
  if (spec.body !== undefined) sent.add(spec.body);
  socket.write(spec.body === undefined ? head : head + spec.body);
  let parsed;
  try {
    parsed = await readHead(socket, received, spec.headTimeoutMs ?? HEAD_TIMEOUT_MS);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  const response = new HttpResponse();
  response.status = parsed.status;
  response.headers = parsed.headers;
  response.setCloser(() => socket.destroy());
  response.chunked = /\bchunked\b/i.test(parsed.headers['transfer-encoding'] ?? '');
  const length = parsed.headers['content-length'];
  const bodyless = spec.method === 'HEAD' || parsed.status === 204 || parsed.status === 304 || (parsed.status >= 100 && parsed.status < 200);
  const decoder = new BodyDecoder(response, bodyless ? 0 : !response.chunked && length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined);
  socket.on('data', (data: Buffer) => {
    received.add(data);
    decoder.push(data);
  });
  socket.on('close', () => decoder.ended());
  socket.on('error', () => decoder.ended());
  if (parsed.rest.length > 0) decoder.push(parsed.rest);
  return response;
}

/** An HTTP/2 session to `endpoint`, bounded in time; rejects when ALPN did not choose h2. */
export function openSession(endpoint: Endpoint, timeoutMs = HEAD_TIMEOUT_MS): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${hostHeader(endpoint)}`, {
      rejectUnauthorized: false,
      maxHeaderListSize: MAX_HEAD_BYTES,
      servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
    } as http2.SecureClientSessionOptions);
    const timer = setTimeout(() => fail(new Error(`no HTTP/2 SETTINGS within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(new CaseFailure(`HTTP/2 session failed: ${error.message}`));
    };
    session.once('error', fail);
    session.once('remoteSettings', () => {
      clearTimeout(timer);
      session.off('error', fail);
      session.on('error', () => {}); // reported per stream
      resolve(session);
    });
  });
}

/** One HTTP/2 request on `session`. Resolves once the head is in. */
export function requestH2(session: http2.ClientHttp2Session, endpoint: Endpoint, spec: RequestSpec, sent: Tape, received: Tape): Promise<HttpResponse> {
  const headers: http2.OutgoingHttpHeaders = { ':method': spec.method ?? 'GET', ':path': spec.path, ':scheme': 'https', ':authority': hostHeader(endpoint) };
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const lower = name.toLowerCase();
    // Connection-specific fields are forbidden in HTTP/2 (RFC 9113 §8.2.2).
    if (!['host', 'connection', 'upgrade', 'keep-alive', 'transfer-encoding'].includes(lower)) headers[lower] = value;
  }
  sent.add(`${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${spec.body ?? ''}`);
  const timeoutMs = spec.headTimeoutMs ?? HEAD_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: spec.body === undefined });
    } catch (error) {
      reject(new CaseFailure(`the HTTP/2 request could not be sent: ${(error as Error).message}`));
      return;
    }
    if (spec.body !== undefined) stream.end(spec.body);
    const response = new HttpResponse();
    response.setCloser(() => stream.close(http2.constants.NGHTTP2_CANCEL));
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new CaseFailure(`no response HEADERS within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.once('response', (head) => {
      clearTimeout(timer);
      response.status = Number(head[':status']);
      for (const [name, value] of Object.entries(head)) if (!name.startsWith(':')) response.headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      received.add(`:status: ${response.status}\n${Object.entries(response.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n`);
      resolve(response);
    });
    stream.on('data', (data: Buffer) => {
      received.add(data);
      response.addPiece(data);
    });
    stream.on('end', () => response.finish());
    stream.on('close', () => {
      clearTimeout(timer);
      if (!response.ended) response.finish(stream.rstCode ? `the stream was reset (code ${stream.rstCode})` : undefined);
      reject(new CaseFailure(`the stream closed before a response head${stream.rstCode ? ` (RST_STREAM code ${stream.rstCode})` : ''}`));
    });
    stream.on('error', () => {});
  });
}
