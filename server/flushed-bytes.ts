/**
 * What a TLS connection flushed to the kernel, as against what was handed to its sockets.
 *
 * Node's `bytesWritten` (a net.Socket's, and the native stream's under it) counts a
 * write's bytes when the write is handed to libuv, before it is tried, and keeps them
 * when it then fails. A write that meets a connection the peer has reset fails
 * (EPIPE, ECONNRESET) and its bytes never leave; and the TLS layer writes records of
 * its own below JavaScript, which no JavaScript callback reports: the close_notify
 * that ending the TLS session sends is one. A client that sends its close_notify and
 * resets at once leaves the lab answering with a close_notify of its own (24 B of
 * TLS 1.3) that `bytesWritten` counts and that never leaves.
 *
 * So the count is taken where each outcome is known: the TLS socket's requests of its
 * native handle, each write and the shutdown that sends close_notify, each with its
 * completion status. Before each request the counters of both sockets are noted on
 * it; a request that completes with an error takes back everything from its start
 * on (the bytes it handed to TCP failed, and nothing written after a reset leaves
 * either). One set of functions serves every connection: no closure per write.
 *
 * Bytes the kernel took and then threw away (its send queue when the reset came) are
 * counted: the kernel does not tell a process about them.
 */
import { getSystemErrorName } from 'node:util';

/** A socket's byte counters, as TlsStats reads them (tls-stats.ts). */
export interface Counted {
  bytesRead: number;
  bytesWritten: number;
}

/** The few fields of a native stream handle (TCPWrap, TLSWrap) and its requests that this reads. */
interface Handle {
  bytesWritten: number;
  writeQueueSize?: number;
  getpeername?: (out: object) => number;
  [LEDGER]?: FlushedBytes;
  [method: string]: unknown;
}

interface Request {
  handle?: Handle;
  oncomplete: (this: Request, status: number, ...rest: unknown[]) => unknown;
  [TCP_FROM]?: number;
  [PLAINTEXT_FROM]?: number;
  [COMPLETE]?: (this: Request, status: number, ...rest: unknown[]) => unknown;
}

const LEDGER = Symbol('flushed bytes');
const TCP_FROM = Symbol('TCP bytes before the request');
const PLAINTEXT_FROM = Symbol('plaintext bytes before the request');
const COMPLETE = Symbol("the request's own completion");

/** The requests of a stream handle that put bytes on the wire (lib/internal/stream_base_commons.js, lib/net.js). */
const REQUESTS = ['writeBuffer', 'writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String', 'shutdown'];

/**
 * A write's completion, for every write of every watched connection: an error takes
 * the write's bytes back. ECANCELED is the lab's own destroy, not the wire's answer:
 * the write's bytes left unless libuv still held some (a write it could not finish).
 */
function completed(this: Request, status: number, ...rest: unknown[]): unknown {
  const ledger = this.handle?.[LEDGER];
  const lost = status < 0 && (getSystemErrorName(status) !== 'ECANCELED' || (ledger?.tcpHandle.writeQueueSize ?? 0) > 0);
  if (lost) ledger?.failedFrom(this[TCP_FROM], this[PLAINTEXT_FROM]);
  return this[COMPLETE]!.call(this, status, ...rest);
}

/**
 * From Node 24 a write request is made by the handle and returned, and net.js sets its
 * completion after: one accessor, shared, keeps that completion and hands out `completed`.
 */
const WATCHED_COMPLETION: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: Request) {
    return completed;
  },
  set(this: Request, own: Request['oncomplete']) {
    this[COMPLETE] = own;
  },
};

/**
 * Whether the TCP connection under `ledger` is still connected: after the peer's reset
 * getpeername(2) says ENOTCONN, and a write would fail. The shutdown's own completion
 * cannot say it: it comes a turn of the event loop after close_notify was written,
 * by when a peer that read close_notify and closed has reset the connection in turn.
 */
const connected = (ledger: FlushedBytes) => ledger.tcpHandle.getpeername?.({}) === 0;

type RequestMethod = (this: Handle, request: Request | null, ...rest: unknown[]) => unknown;

/**
 * One watched request method per name, shared by every connection. Node 20 hands the
 * handle a request and reads its result as an error code; Node 24 and 26 hand it none
 * and get back an error code (the write is over, done or failed) or a request.
 */
const watched = new Map<string, RequestMethod>();
for (const name of REQUESTS) {
  // The TLS handle's own method (every watched handle is a TLSWrap), read once.
  let own: RequestMethod | undefined;
  watched.set(name, function (this: Handle, request: Request | null, ...rest: unknown[]) {
    own ??= Object.getPrototypeOf(this)[name] as RequestMethod;
    const ledger = this[LEDGER];
    if (!ledger) return own.call(this, request, ...rest);
    const tcpFrom = ledger.tcpHandle.bytesWritten;
    const plaintextFrom = this.bytesWritten;
    if (name === 'shutdown') {
      // close_notify is written now, inside the shutdown, and fails if the peer reset first.
      if (!connected(ledger)) ledger.failedFrom(tcpFrom, plaintextFrom);
      return own.call(this, request, ...rest);
    }
    if (request && typeof request.oncomplete === 'function') {
      request[TCP_FROM] = tcpFrom;
      request[PLAINTEXT_FROM] = plaintextFrom;
      request[COMPLETE] = request.oncomplete;
      request.oncomplete = completed;
    }
    const result = own.call(this, request, ...rest);
    if (typeof result === 'number') {
      if (result < 0) ledger.failedFrom(tcpFrom, plaintextFrom);
    } else if (result && typeof result === 'object') {
      const made = result as Request;
      made[TCP_FROM] = tcpFrom;
      made[PLAINTEXT_FROM] = plaintextFrom;
      Object.defineProperty(made, 'oncomplete', WATCHED_COMPLETION);
    }
    return result;
  });
}

/** The sockets of one TLS connection: the TCP socket below, the TLS socket (its plaintext) above. */
interface Sockets {
  tcp: Counted & { _handle?: unknown; once(event: 'close', listener: () => void): unknown };
  tls: Counted & { _handle?: unknown };
}

/**
 * One TLS connection's counters, out as flushed: `tcp` and `plaintext` read as the
 * sockets' own, but what a failed request handed over is not written.
 */
export class FlushedBytes {
  readonly tcpHandle: Handle;
  /** The counters where the first failed request began; undefined while none has failed. */
  private failedAt: { tcp: number; plaintext: number } | undefined;
  readonly tcp: Counted & { once(event: 'close', listener: () => void): unknown };
  readonly plaintext: Counted;

  constructor(sockets: Sockets) {
    const { tcp, tls } = sockets;
    this.tcpHandle = tcp._handle as Handle;
    const tlsHandle = tls._handle as Handle;
    tlsHandle[LEDGER] = this;
    for (const [name, method] of watched) {
      if (typeof Object.getPrototypeOf(tlsHandle)[name] === 'function') tlsHandle[name] = method;
    }
    const ledger = this;
    this.tcp = {
      get bytesRead() {
        return tcp.bytesRead;
      },
      get bytesWritten() {
        return ledger.failedAt ? ledger.failedAt.tcp : tcp.bytesWritten;
      },
      once: (event, listener) => tcp.once(event, listener),
    };
    this.plaintext = {
      get bytesRead() {
        return tls.bytesRead;
      },
      get bytesWritten() {
        return ledger.failedAt ? ledger.failedAt.plaintext : tls.bytesWritten;
      },
    };
  }

  /** A request that began at these counters failed: nothing from there on left. */
  failedFrom(tcp: number | undefined, plaintext: number | undefined): void {
    if (tcp === undefined || plaintext === undefined) return;
    if (!this.failedAt || tcp < this.failedAt.tcp) this.failedAt = { tcp, plaintext };
  }
}
