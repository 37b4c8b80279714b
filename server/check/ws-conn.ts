/**
 * A raw WebSocket connection for the cases: the handshake over HTTP/1.1 (GET with
 * Upgrade, RFC 6455 section 4) or HTTP/2 (extended CONNECT, RFC 8441), then frames
 * both ways with nothing hidden: every frame the server sends is kept in order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { type Endpoint, HEAD_TIMEOUT_MS, connect, hostHeader, waitChange } from './http.ts';
import { readHead, requestHead } from './http1.ts';
import type { Tape } from './record.ts';
import { CaseFailure } from './case-failure.ts';
import { type Frame, type FrameSpec, FrameReader, OPCODE, encodeFrame } from './ws-wire.ts';

/** The GUID every server appends to the key (RFC 6455 section 1.3). */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const acceptFor = (key: string) =>
  createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');

export interface HandshakeAnswer {
  status: number;
  headers: Record<string, string>;
  /** The key sent (HTTP/1.1 only), so a case can check Sec-WebSocket-Accept. */
  key?: string;
  /** The open connection when the server accepted (101, or 200 over HTTP/2). */
  conn?: WsConn;
}

export interface HandshakeOptions {
  path: string;
  /** Replaces or removes (`null`) the usual handshake headers. */
  headers?: Record<string, string | null>;
  method?: string;
}

/** Sends a handshake over HTTP/1.1 on a fresh connection; the answer says whether a WebSocket opened. */
export async function handshakeH1(endpoint: Endpoint, options: HandshakeOptions, sent: Tape, received: Tape): Promise<HandshakeAnswer> {
  const key = randomBytes(16).toString('base64');
  const base: Record<string, string | null> = {
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...base, ...options.headers })) if (value !== null) headers[name] = value;
  const socket = await connect(endpoint, ['http/1.1']);
  const head = requestHead(endpoint, { method: options.method ?? 'GET', path: options.path, headers });
  sent.add(head);
  socket.write(head);
  let answer;
  try {
    answer = await readHead(socket, received, HEAD_TIMEOUT_MS);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  if (answer.status !== 101) {
    socket.destroy();
    return { status: answer.status, headers: answer.headers, key };
  }
  const conn = new WsConn(socket, sent, received);
  if (answer.rest.length > 0) conn.push(answer.rest);
  return { status: 101, headers: answer.headers, key, conn };
}

/** Sends an extended CONNECT (RFC 8441 section 4) on `session`; 200 opens the WebSocket on that stream. */
export function handshakeH2(
  session: http2.ClientHttp2Session,
  endpoint: Endpoint,
  options: HandshakeOptions,
  sent: Tape,
  received: Tape,
): Promise<HandshakeAnswer> {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': options.method ?? 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':authority': hostHeader(endpoint),
    ':path': options.path,
    'sec-websocket-version': '13',
  };
  if (headers[':method'] !== 'CONNECT') delete headers[':protocol'];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (['upgrade', 'connection', 'sec-websocket-key'].includes(lower)) continue; // HTTP/1.1 only
    if (value === null) delete headers[lower];
    else headers[lower] = value;
  }
  sent.add(
    `${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n\n`,
  );
  return new Promise((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (error) {
      reject(new CaseFailure(`the extended CONNECT could not be sent: ${(error as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new CaseFailure(`no answer to the extended CONNECT within ${HEAD_TIMEOUT_MS} ms`));
    }, HEAD_TIMEOUT_MS);
    stream.on('error', () => {});
    stream.once('close', () => {
      clearTimeout(timer);
      reject(new CaseFailure(`the CONNECT stream closed before an answer${stream.rstCode ? ` (RST_STREAM ${stream.rstCode})` : ''}`));
    });
    stream.once('response', (head) => {
      clearTimeout(timer);
      const status = Number(head[':status']);
      const fields: Record<string, string> = {};
      for (const [name, value] of Object.entries(head)) if (!name.startsWith(':')) fields[name] = String(value);
      received.add(
        `:status: ${status}\n${Object.entries(fields)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n\n`,
      );
      if (status !== 200) {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        resolve({ status, headers: fields });
        return;
      }
      resolve({ status, headers: fields, conn: new WsConn(stream, sent, received) });
    });
  });
}

export interface Message {
  opcode: number;
  data: Buffer;
}

/** An open WebSocket, client side: frames out as asked, frames in as they come. */
export class WsConn extends EventEmitter {
  readonly frames: Frame[] = [];
  readonly messages: Message[] = [];
  /** The server's close frame: its code (1005 when it had none) and reason. */
  closeFrame: { code: number; reason: Buffer } | undefined;
  /** The connection (or HTTP/2 stream) ended. */
  ended = false;
  /** Why reading stopped early: a frame too large to believe, a server that closed mid-frame. */
  error: string | undefined;
  private readonly reader = new FrameReader();
  private fragments: Frame[] = [];

  constructor(
    private readonly stream: Duplex,
    private readonly sent: Tape,
    private readonly received: Tape,
  ) {
    super();
    stream.on('data', (data: Buffer) => {
      this.received.add(data);
      this.push(data);
    });
    const end = () => {
      if (this.ended) return;
      if (this.reader.pendingBytes > 0 && !this.error)
        this.error = `the server closed the connection in the middle of a frame (${this.reader.pendingBytes} bytes of it came)`;
      this.ended = true;
      this.emit('change');
    };
    stream.on('end', end).on('close', end).on('error', end);
  }

  push(data: Buffer): void {
    if (this.error) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(data);
    } catch (error) {
      this.error = (error as Error).message;
      this.destroy();
      return;
    }
    for (const frame of frames) this.take(frame);
    if (frames.length > 0) this.emit('change');
  }

  private take(frame: Frame): void {
    this.frames.push(frame);
    if (frame.opcode === OPCODE.close) {
      this.closeFrame ??= { code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005, reason: frame.payload.subarray(2) };
      return;
    }
    // The server's heartbeat: answered as any client must (section 5.5.2), so a long case is not dropped as dead.
    if (frame.opcode === OPCODE.ping && !this.closeFrame) {
      this.write({ opcode: OPCODE.pong, payload: frame.payload }, false);
      return;
    }
    if (frame.opcode >= 0x8) return;
    this.fragments.push(frame);
    if (frame.fin) {
      this.messages.push({ opcode: this.fragments[0].opcode, data: Buffer.concat(this.fragments.map((f) => f.payload)) });
      this.fragments = [];
    }
  }

  /** Sends one frame (masked unless the spec says not). */
  send(spec: FrameSpec): void {
    this.write(spec, true);
  }

  private write(spec: FrameSpec, note: boolean): void {
    if (this.stream.destroyed || !this.stream.writable) return;
    const bytes = encodeFrame(spec);
    if (note)
      this.sent.note(
        `frame opcode 0x${spec.opcode.toString(16)}${spec.fin === false ? ' not fin' : ''}` +
          `${spec.rsv ? ` rsv=${spec.rsv}` : ''}${spec.mask === false ? ' UNMASKED' : ''}, ${bytes.length} B`,
      );
    this.stream.write(bytes);
  }

  /** Raw bytes, for frames the encoder would not make. */
  sendRaw(bytes: Buffer, what: string): void {
    this.sent.note(what);
    if (!this.stream.destroyed && this.stream.writable) this.stream.write(bytes);
  }

  sendText(text: string): void {
    this.send({ opcode: OPCODE.text, payload: text });
  }

  /** Text messages that parse as feed events (objects with a numeric seq), in arrival order. */
  events(): FeedEventLike[] {
    const events: FeedEventLike[] = [];
    for (const message of this.messages) {
      if (message.opcode !== OPCODE.text) continue;
      try {
        const value = JSON.parse(message.data.toString('utf8'));
        if (value && typeof value.seq === 'number') events.push(value);
      } catch {
        // not an event: the event cases say so where it matters
      }
    }
    return events;
  }

  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return waitChange(this, condition, () => this.ended || this.error !== undefined, timeoutMs);
  }

  /** Sends a ping and waits for a pong with the same payload. */
  async pingPong(payload: Buffer | string, timeoutMs = 2000): Promise<boolean> {
    const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const from = this.frames.length;
    this.send({ opcode: OPCODE.ping, payload: data });
    return this.until(() => this.frames.slice(from).some((f) => f.opcode === OPCODE.pong && f.payload.equals(data)), timeoutMs);
  }

  destroy(): void {
    // An HTTP/2 stream is cancelled (RST_STREAM), which leaves its session to close in order.
    const h2stream = this.stream as Duplex & { close?: (code: number) => void; rstCode?: number };
    if (typeof h2stream.close === 'function' && 'rstCode' in h2stream) h2stream.close(http2.constants.NGHTTP2_CANCEL);
    else this.stream.destroy();
  }
}

export interface FeedEventLike {
  seq: number;
  epoch?: unknown;
  type?: unknown;
  at?: unknown;
  data?: { name?: unknown; text?: unknown; from?: unknown; to?: unknown } & Record<string, unknown>;
}
