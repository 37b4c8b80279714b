/**
 * What a case works with: the target server, its tapes (what was sent, what came
 * back), HTTP requests and WebSocket handshakes over the target's protocol, and
 * publishing through the contract's `POST /feed/chat`. Everything a case opens is
 * registered here and closed when the case ends, however it ends.
 */
import type http2 from 'node:http2';
import { randomBytes } from 'node:crypto';
import { openSession, requestH2 } from './h2-client.ts';
import type { Endpoint, HttpResponse, RequestSpec, WireProtocol } from './http.ts';
import { requestH1 } from './http1.ts';
import { Tape } from './record.ts';
import { CaseFailure } from './case-failure.ts';
import { type HandshakeAnswer, type HandshakeOptions, type WsConn, handshakeH1, handshakeH2 } from './ws-conn.ts';

export interface CheckOptions {
  /** The heartbeat interval the server states (SSE comments, iframe keep-alives); the cases wait 1.5 times it. */
  heartbeatMs: number;
  /** At most this many chat messages are published to push the oldest event out of the server's buffer (the gap cases). */
  publishBudget: number;
}

export const DEFAULT_OPTIONS: CheckOptions = { heartbeatMs: 15_000, publishBudget: 1_200 };

/** The server under check, as the run found it. */
export interface Target {
  url: string;
  endpoint: Endpoint;
  /** The path the contract's paths hang under (`` for a server at the root). */
  basePath: string;
  /** What carries HTTP requests: HTTP/1.1, HTTP/1.1 over TLS, or HTTP/2 when ALPN chose it. */
  protocol: WireProtocol;
  /** Whether WebSockets go over HTTP/2 (the server advertised SETTINGS_ENABLE_CONNECT_PROTOCOL). */
  wsOverH2: boolean;
  options: CheckOptions;
}

/** State shared by the cases of one run (the gap cases push the buffer once for all). */
export interface RunShared {
  /** Serialises the cases that publish past the buffer. */
  evicting: Promise<unknown>;
  published: number;
}

/** The most a case waits on a 429 before publishing again (the lab's Retry-After is 10 s). */
const MAX_RETRY_AFTER_MS = 10_000;

export class CaseContext {
  readonly sent = new Tape();
  readonly received = new Tape();
  private readonly open = new Set<{ close?(): void; destroy?(): void }>();
  private session: http2.ClientHttp2Session | undefined;
  private closed = false;
  private readonly sockets: WsConn[] = [];

  constructor(
    readonly target: Target,
    readonly shared: RunShared,
  ) {}

  get protocol(): WireProtocol {
    return this.target.protocol;
  }

  get wsProtocol(): WireProtocol {
    return this.target.wsOverH2 ? 'h2' : this.target.endpoint.tls ? 'http/1.1+tls' : 'http/1.1';
  }

  /** The path of the contract's `path` on this server. */
  path(path: string): string {
    return this.target.basePath + path;
  }

  /** A unique text, so a case recognises its own chat message among everyone's. */
  nonce(label = 'check'): string {
    return `${label}-${randomBytes(6).toString('hex')}`;
  }

  private async h2(): Promise<http2.ClientHttp2Session> {
    if (this.closed) throw new CaseFailure('the case is over');
    if (!this.session || this.session.destroyed || this.session.closed) {
      const session = await openSession(this.target.endpoint);
      this.session = session;
      // Closed gracefully once the case's streams are cancelled: destroying a session with
      // streams still open has crashed Node's HTTP/2 in native code (nodejs/node#49307).
      this.track({ close: () => gracefulClose(session) });
    }
    return this.session;
  }

  private track<T extends { close?(): void; destroy?(): void }>(thing: T): T {
    if (this.closed) {
      thing.close?.();
      thing.destroy?.();
    } else this.open.add(thing);
    return thing;
  }

  /** One request to the contract's `spec.path`; resolves when the head is in. */
  async request(spec: RequestSpec, tapes: { sent: Tape; received: Tape } = this): Promise<HttpResponse> {
    const full = { ...spec, path: this.path(spec.path) };
    const response =
      this.target.protocol === 'h2'
        ? await requestH2(await this.h2(), this.target.endpoint, full, tapes.sent, tapes.received)
        : await requestH1(this.target.endpoint, full, tapes.sent, tapes.received);
    return this.track(response);
  }

  get(path: string, headers?: Record<string, string>): Promise<HttpResponse> {
    return this.request({ path, headers });
  }

  /** A WebSocket handshake to the contract's `options.path`, over HTTP/2 when the server offers it. */
  async handshake(options: HandshakeOptions): Promise<HandshakeAnswer> {
    const full = { ...options, path: this.path(options.path) };
    const answer = this.target.wsOverH2
      ? await handshakeH2(await this.h2(), this.target.endpoint, full, this.sent, this.received)
      : await handshakeH1(this.target.endpoint, full, this.sent, this.received);
    if (answer.conn) {
      this.track(answer.conn);
      this.sockets.push(answer.conn);
    }
    return answer;
  }

  /** An open WebSocket on `path`, or a CaseFailure saying how the handshake was refused. */
  async ws(path = '/feed/ws'): Promise<WsConn> {
    const answer = await this.handshake({ path });
    if (!answer.conn)
      throw new CaseFailure(
        `the WebSocket handshake on ${path} was answered ${answer.status}, not ${this.target.wsOverH2 ? '200' : '101'}`,
      );
    return answer.conn;
  }

  /**
   * Publishes a chat message through `POST /feed/chat` and returns its seq. A 429
   * is waited out (its Retry-After, at most 10 s) and tried again, twice at most.
   */
  async publish(text: string, name = 'checker'): Promise<number> {
    const quiet = { sent: new Tape(), received: new Tape() };
    this.sent.note(`POST /feed/chat ${JSON.stringify({ name, text }).slice(0, 100)}`);
    for (let attempt = 0; ; attempt++) {
      const response = await this.request(
        { method: 'POST', path: '/feed/chat', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, text }) },
        quiet,
      );
      await response.end(3000);
      response.close();
      if (response.status === 429 && attempt < 2) {
        const retryAfterMs = Math.min(MAX_RETRY_AFTER_MS, 1000 * (Number(response.headers['retry-after']) || 1));
        this.sent.note(`429: waiting ${retryAfterMs} ms as Retry-After asks`);
        await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
        continue;
      }
      if (response.status !== 201)
        throw new CaseFailure(
          `POST /feed/chat answered ${response.status}, not 201 (the contract's ` +
            `way to publish): ${JSON.stringify(response.text().slice(0, 100))}`,
        );
      const seq = (response.json() as { seq?: unknown }).seq;
      if (typeof seq !== 'number')
        throw new CaseFailure(`POST /feed/chat answered 201 without a numeric seq: ${JSON.stringify(response.text().slice(0, 100))}`);
      this.shared.published++;
      return seq;
    }
  }

  /** What broke the reading of a WebSocket of this case (a frame too large to believe, a cut mid-frame), if anything did. */
  wireError(): string | undefined {
    return this.sockets.find((conn) => conn.error)?.error;
  }

  /** Runs `fn` when the case ends. */
  onClose(fn: () => void): void {
    this.track({ close: fn });
  }

  /** Closes everything the case opened: streams and sockets first, then the HTTP/2 session. */
  close(): void {
    this.closed = true;
    for (const thing of [...this.open].reverse()) {
      try {
        thing.close?.();
        thing.destroy?.();
      } catch {
        // already gone
      }
    }
    this.open.clear();
  }
}

/** Closes an HTTP/2 session once its streams are done, and destroys it if they are not within 2 s. */
function gracefulClose(session: http2.ClientHttp2Session): void {
  if (session.destroyed) return;
  session.close();
  setTimeout(() => session.destroy(), 2000).unref();
}
