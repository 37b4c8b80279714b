/**
 * The checker's HTTP/1.1: it writes the request itself and parses the answer by
 * hand, every byte bounded (http.ts says why), on a fresh connection per request.
 */
import type net from 'node:net';
import { CaseFailure } from './case-failure.ts';
import {
  type Endpoint,
  HEAD_TIMEOUT_MS,
  HttpResponse,
  MAX_BODY_BYTES,
  MAX_HEAD_BYTES,
  type RequestSpec,
  connect,
  hostHeader,
} from './http.ts';
import type { Tape } from './record.ts';

/** The request head as HTTP/1.1 writes it. */
export function requestHead(endpoint: Endpoint, { method = 'GET', path, headers = {}, body }: RequestSpec): string {
  const lines = [`${method} ${path} HTTP/1.1`];
  const names = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (!names.has('host')) lines.push(`Host: ${hostHeader(endpoint)}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && !names.has('content-length')) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
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
export function readHead(
  socket: net.Socket,
  tape: Tape,
  timeoutMs: number,
): Promise<{ status: number; headers: Record<string, string>; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(
      () => done(new CaseFailure(`no complete response head within ${timeoutMs} ms (${buffered.length} bytes came)`)),
      timeoutMs,
    );
    const onData = (data: Buffer) => {
      tape.add(data);
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_HEAD_BYTES)
          done(new CaseFailure(`the response head passed ${MAX_HEAD_BYTES} bytes without ending (endless headers)`));
        else if (buffered.length >= 5 && !buffered.subarray(0, 5).equals(Buffer.from('HTTP/')))
          done(new CaseFailure(`the answer is not HTTP: it starts ${JSON.stringify(buffered.subarray(0, 40).toString('latin1'))}`));
        return;
      }
      try {
        const head = parseHead(buffered.subarray(0, end).toString('latin1'));
        done(undefined, { ...head, rest: buffered.subarray(end + 4) });
      } catch (error) {
        done(error as Error);
      }
    };
    const onEnd = () =>
      done(
        new CaseFailure(
          `the server closed the connection ${buffered.length === 0 ? 'without answering' : 'in the middle of its response head'}`,
        ),
      );
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

  constructor(
    private readonly response: HttpResponse,
    contentLength: number | undefined,
  ) {
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
    else
      this.finish(
        this.response.chunked
          ? 'the connection closed in the middle of a chunked body'
          : 'the connection closed before Content-Length bytes came',
      );
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
  const bodyless =
    spec.method === 'HEAD' || parsed.status === 204 || parsed.status === 304 || (parsed.status >= 100 && parsed.status < 200);
  const decoder = new BodyDecoder(
    response,
    bodyless ? 0 : !response.chunked && length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
  );
  socket.on('data', (data: Buffer) => {
    received.add(data);
    decoder.push(data);
  });
  socket.on('close', () => decoder.ended());
  socket.on('error', () => decoder.ended());
  if (parsed.rest.length > 0) decoder.push(parsed.rest);
  return response;
}
