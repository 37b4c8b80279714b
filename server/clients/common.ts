/**
 * What every Node client of the lab shares: the options a driver takes, the
 * handle it returns, and the reconnect backoff.
 *
 * Drivers pass every event they receive to `onEvent`, duplicates included: they
 * are the lab's reference clients, and the tests judge the server by what
 * they see, so they must not tidy it up.
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import type { FeedEvent } from '../feed.ts';
import type { TransportId } from '../transports/registry.ts';

/**
 * How a driver reaches the lab: HTTP/1.1 (over TLS when baseUrl is https://) or
 * HTTP/2 (always over TLS; one connection per client, every request a stream of it,
 * as a browser does).
 */
export type WireProtocol = 'h1' | 'h2';

export interface DriverOptions {
  /** e.g. http://127.0.0.1:3000, or https://127.0.0.1:3443 for TLS */
  baseUrl: string;
  /** `h2` needs an https baseUrl; default `h1`. */
  protocol?: WireProtocol;
  /** The certificate to trust for https (the lab's own, PEM); without it the certificate is not checked. */
  ca?: string;
  /** The cursor to start from; undefined = only new events. */
  since?: number;
  onEvent: (event: FeedEvent, receivedAt: number) => void;
  /** Connection state changes, for logs and pages: connecting, open, closed, waiting. */
  onState?: (state: string, detail?: string) => void;
  /** Non-event messages (WebSocket error answers; in a cluster, the process a socket is served by). */
  onMessage?: (message: unknown) => void;
  /**
   * Each response head, as it arrives (every poll's, each stream's, a WebSocket's 101):
   * in a cluster the bench reads `x-wirelab-process` from it, to see which process answered.
   */
  onHeaders?: (headers: ResponseHeaders) => void;
  /** Extra request headers (the bench sends a browser's head with these). */
  headers?: Record<string, string>;
  /** Reconnect with backoff after a drop (default true); tests of one connection turn it off. */
  reconnect?: boolean;
  /** Short poll interval. */
  intervalMs?: number;
  /** Long poll hold time asked of the server. */
  timeoutMs?: number;
  agent?: http.Agent;
  /** Source address to connect from (127.0.0.x spreads ports). */
  localAddress?: string;
  /**
   * HTTP/2 only: put this driver's streams on `sharedH2`'s connection instead of one of
   * its own, as a page's transports share the page's one connection (the loss scenario
   * measures what that costs). The driver never closes it: its owner does.
   */
  sharedH2?: HttpClient;
}

export interface Connection {
  readonly id: TransportId;
  /** The last seq seen (the resume cursor). */
  readonly lastSeq: number | undefined;
  /** Publishes chat over this connection (WebSocket only). */
  send?(message: unknown): void;
  /** Stops for good: no reconnect. Resolves when the socket is closed. */
  close(): Promise<void>;
}

export type Driver = (options: DriverOptions) => Connection;

// The cursor, the backoff and the pause are the browser clients' own: one implementation for both.
export { Cursor, backoffMs, isEvent, sleep } from '../../public/clients/common.js';

/** The resume cursor as a query string for a poll: `since=N`, or nothing for "only new events". */
export function sinceQuery(cursor: { lastSeq: number | undefined }): string {
  return cursor.lastSeq === undefined ? '' : `since=${cursor.lastSeq}`;
}

/** Response headers, lower-case names, as Node gives them for HTTP/1.1 and HTTP/2 alike. */
export type ResponseHeaders = Record<string, string | string[] | number | undefined>;

/** An answer whose body is still arriving: read `body`, or `cancel()` to stop it. */
export interface OpenResponse {
  status: number;
  headers: ResponseHeaders;
  body: Readable;
  /** Stops this request: HTTP/1.1 closes its socket, HTTP/2 resets its stream (the connection stays). */
  cancel(): void;
}

/**
 * A client's way to the lab: HTTP/1.1 requests through `http`/`https` (an agent
 * decides the sockets), or HTTP/2 streams on one session, opened on first use and
 * again after it is lost.
 */
export class HttpClient {
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly options: DriverOptions) {
    if (options.protocol === 'h2' && !options.baseUrl.startsWith('https:'))
      throw new Error('HTTP/2 to the lab needs an https:// baseUrl (browsers speak it only over TLS)');
  }

  /** Sends a GET for `path`; resolves when the response head has arrived. */
  get(path: string, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<OpenResponse> {
    return this.options.protocol === 'h2' ? this.getH2(path, headers, signal) : this.getH1(path, headers, signal);
  }

  private tls() {
    const { ca } = this.options;
    return ca ? { ca } : { rejectUnauthorized: false };
  }

  private getH1(path: string, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<OpenResponse> {
    const { baseUrl, agent, localAddress } = this.options;
    const secure = baseUrl.startsWith('https:');
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).get(
        `${baseUrl}${path}`,
        { headers, agent, localAddress, signal, ...(secure ? this.tls() : {}) },
        (response) => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response, cancel: () => request.destroy() });
        },
      );
      request.on('error', reject);
    });
  }

  /** The session, connected (again) if there is none or it was lost. */
  connect(): http2.ClientHttp2Session {
    if (this.options.sharedH2) return this.options.sharedH2.connect();
    if (!this.session || this.session.closed || this.session.destroyed) {
      const { baseUrl, localAddress } = this.options;
      const url = new URL(baseUrl);
      const session = http2.connect(baseUrl, {
        ...this.tls(),
        // The bench spreads clients over source addresses (127.0.0.x) when ports run short.
        // No Nagle, as browsers and Node's own http agents do: a small frame must not wait for an ACK.
        createConnection: () => {
          const host = url.hostname.replace(/^\[|\]$/g, '');
          const socket = net.connect({ host, port: Number(url.port || 443), localAddress, noDelay: true });
          return tls.connect({ socket, host, ALPNProtocols: ['h2'], ...this.tls() });
        },
      });
      // A lost session fails its open streams; the driver's loop reconnects.
      session.on('error', () => session.destroy());
      this.session = session;
    }
    return this.session;
  }

  private getH2(path: string, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<OpenResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.connect().request({ ':method': 'GET', ':path': path, ...headers }, { endStream: true, signal });
      stream.on('response', (head) =>
        resolve({
          status: Number(head[':status']),
          headers: head,
          body: stream,
          cancel: () => stream.close(http2.constants.NGHTTP2_CANCEL),
        }),
      );
      stream.on('error', reject);
    });
  }

  /** Closes the HTTP/2 session, if any and its own (HTTP/1.1 sockets belong to the agent; a shared session to its owner). */
  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

/** GET `path` and resolve with the status, the response headers and the body text; a connection lost mid-answer rejects. */
export async function getText(
  client: HttpClient,
  path: string,
  headers: Record<string, string> | undefined,
  signal: AbortSignal,
): Promise<{ status: number; headers: ResponseHeaders; body: string }> {
  const response = await client.get(path, headers, signal);
  return new Promise((resolve, reject) => {
    let body = '';
    let ended = false;
    response.body.setEncoding('utf8');
    response.body.on('data', (chunk: string) => (body += chunk));
    response.body.on('end', () => {
      ended = true;
      resolve({ status: response.status, headers: response.headers, body });
    });
    response.body.on('error', reject);
    // Without this, an answer cut short could leave the promise pending for ever.
    response.body.on('close', () => {
      if (!ended) reject(new Error('connection closed before the answer was complete'));
    });
  });
}
