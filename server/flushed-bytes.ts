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
 * native handle, each write and the shutdown that sends close_notify. Before each,
 * the counters of both sockets are noted; a request that fails takes back everything
 * from its start on (the bytes it handed to TCP failed, and nothing written after a
 * reset leaves either). A write fails at once (its result is an error code) or later,
 * and then the TLS socket errs with syscall 'write': the TLS socket hands its handle
 * one write at a time, so the write that failed is the last one handed over. One set
 * of functions serves every connection: no closure and no object per write.
 *
 * Bytes the kernel took and then threw away (its send queue when the reset came) are
 * counted: the kernel does not tell a process about them.
 */

/** A socket's byte counters, as TlsStats reads them (tls-stats.ts). */
export interface Counted {
  bytesRead: number;
  bytesWritten: number;
}

/** The few fields of a native stream handle (TCPWrap, TLSWrap) that this reads. */
interface Handle {
  bytesWritten: number;
  getpeername?: (out: object) => number;
  [LEDGER]?: FlushedBytes;
  [method: string]: unknown;
}

const LEDGER = Symbol('flushed bytes');

/** The requests of a stream handle that put bytes on the wire (lib/internal/stream_base_commons.js, lib/net.js). */
const REQUESTS = ['writeBuffer', 'writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String', 'shutdown'];

/**
 * Whether the TCP connection under `ledger` is still connected: after the peer's reset
 * getpeername(2) says ENOTCONN, and a write would fail. The shutdown's own completion
 * cannot say it: it comes a turn of the event loop after close_notify was written,
 * by when a peer that read close_notify and closed has reset the connection in turn.
 */
const connected = (ledger: FlushedBytes) => ledger.tcpHandle.getpeername?.({}) === 0;

type RequestMethod = (this: Handle, ...args: unknown[]) => unknown;

/**
 * One watched request method per name, shared by every connection. Node 20 hands the
 * handle a request and Node 24 and 26 none; on all three the result is an error code
 * when the write failed at once (or a request, from Node 24, when it goes on).
 */
const watched = new Map<string, RequestMethod>();
for (const name of REQUESTS) {
  // The TLS handle's own method (every watched handle is a TLSWrap), read once.
  let own: RequestMethod | undefined;
  watched.set(name, function (this: Handle, ...args: unknown[]) {
    own ??= Object.getPrototypeOf(this)[name] as RequestMethod;
    const ledger = this[LEDGER];
    if (!ledger) return own.apply(this, args);
    const tcpFrom = ledger.tcpHandle.bytesWritten;
    const plaintextFrom = this.bytesWritten;
    ledger.lastTcp = tcpFrom;
    ledger.lastPlaintext = plaintextFrom;
    // close_notify is written inside the shutdown, and fails if the peer reset first.
    if (name === 'shutdown' && !connected(ledger)) ledger.failedFrom(tcpFrom, plaintextFrom);
    const result = own.apply(this, args);
    if (typeof result === 'number' && result < 0) ledger.failedFrom(tcpFrom, plaintextFrom);
    return result;
  });
}

/** The sockets of one TLS connection: the TCP socket below, the TLS socket (its plaintext) above. */
interface Sockets {
  tcp: Counted & { _handle?: unknown; once(event: 'close', listener: () => void): unknown };
  tls: Counted & { _handle?: unknown; on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown };
}

/**
 * One TLS connection's counters, out as flushed: `tcp` and `plaintext` read as the
 * sockets' own, but what a failed request handed over is not written.
 */
export class FlushedBytes {
  readonly tcpHandle: Handle;
  /** Both counters before the last request handed to the TLS handle. */
  lastTcp = 0;
  lastPlaintext = 0;
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
    // A write that failed after it was handed over (the TLS layer's completion said so).
    tls.on('error', (error) => {
      if (error.syscall === 'write') this.failedFrom(this.lastTcp, this.lastPlaintext);
    });
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
  failedFrom(tcp: number, plaintext: number): void {
    if (!this.failedAt || tcp < this.failedAt.tcp) this.failedAt = { tcp, plaintext };
  }
}
