/**
 * The TLS layer's figures (/stats `tls`): what TCP carried on the TLS ports, what was
 * plaintext, and the difference, per protocol; apart from stats.ts's per-transport
 * meters, which count the plaintext side.
 */
import { PROTOCOLS, type Protocol } from './protocols.ts';

/** The TLS layer of one kind of connection: what TCP carried, what was plaintext, and the difference. */
export interface TlsTraffic {
  connectionsOpened: number;
  connectionsOpen: number;
  /** Bytes of each side's handshake records on the TCP socket, ClientHello to its Finished (tickets that follow are records). */
  handshakeBytesIn: number;
  handshakeBytesOut: number;
  tcpBytesIn: number;
  tcpBytesOut: number;
  plaintextBytesIn: number;
  plaintextBytesOut: number;
  /** TCP minus plaintext: the handshake, record headers, authentication tags, alerts, tickets. */
  recordBytesIn: number;
  recordBytesOut: number;
}

/** A socket whose byte counters are readable (a net.Socket, or a TLSSocket for its plaintext). */
interface Counted {
  bytesRead: number;
  bytesWritten: number;
}

interface LiveTls {
  tcp: Counted;
  plaintext: Counted;
  handshakeIn: number;
  handshakeOut: number;
}

function emptyTls(): TlsTraffic {
  return {
    connectionsOpened: 0,
    connectionsOpen: 0,
    handshakeBytesIn: 0,
    handshakeBytesOut: 0,
    tcpBytesIn: 0,
    tcpBytesOut: 0,
    plaintextBytesIn: 0,
    plaintextBytesOut: 0,
    recordBytesIn: 0,
    recordBytesOut: 0,
  };
}

/**
 * TLS costs, by the protocol negotiated inside (ALPN): the TCP socket's counters
 * against the TLS socket's plaintext counters, read live for open connections and
 * kept for closed ones. The listener hands over counters whose bytes out are those
 * flushed to the kernel, not those handed to the socket (flushed-bytes.ts).
 */
export class TlsStats {
  private readonly closed: Record<Protocol, TlsTraffic> = { h1: emptyTls(), h2: emptyTls() };
  private readonly live: Record<Protocol, Set<LiveTls>> = { h1: new Set(), h2: new Set() };
  /** Connections that never finished a handshake (not TLS at all, a bad ClientHello, a timeout). */
  handshakesFailed = 0;
  /** Plain HTTP sent to a TLS port, answered with a pointer to https:// (http2/listener.ts). */
  plainHttpRefused = 0;

  /**
   * A handshake finished on `tcp`, negotiating `protocol`; counts it until the TCP socket closes.
   * `handshakeIn`: the client's handshake records, where they are known (http2/handshake-bytes.ts); else
   * what TCP has read by now, which may hold the client's first application records too.
   */
  opened(
    protocol: Protocol,
    tcp: Counted & { once(event: 'close', listener: () => void): unknown },
    plaintext: Counted,
    handshakeIn?: number,
  ): void {
    const read = tcp.bytesRead;
    const entry: LiveTls = {
      tcp,
      plaintext,
      handshakeIn: handshakeIn !== undefined && handshakeIn <= read ? handshakeIn : read,
      handshakeOut: tcp.bytesWritten,
    };
    const closed = this.closed[protocol];
    closed.connectionsOpened++;
    this.live[protocol].add(entry);
    tcp.once('close', () => {
      this.live[protocol].delete(entry);
      add(closed, entry);
    });
  }

  snapshot(): Record<Protocol, TlsTraffic> & { handshakesFailed: number; plainHttpRefused: number } {
    const out = { h1: { ...this.closed.h1 }, h2: { ...this.closed.h2 } };
    for (const protocol of PROTOCOLS) {
      for (const entry of this.live[protocol]) {
        out[protocol].connectionsOpen++;
        add(out[protocol], entry);
      }
    }
    return { ...out, handshakesFailed: this.handshakesFailed, plainHttpRefused: this.plainHttpRefused };
  }
}

function add(into: TlsTraffic, entry: LiveTls): void {
  into.handshakeBytesIn += entry.handshakeIn;
  into.handshakeBytesOut += entry.handshakeOut;
  into.tcpBytesIn += entry.tcp.bytesRead;
  into.tcpBytesOut += entry.tcp.bytesWritten;
  into.plaintextBytesIn += entry.plaintext.bytesRead;
  into.plaintextBytesOut += entry.plaintext.bytesWritten;
  into.recordBytesIn += entry.tcp.bytesRead - entry.plaintext.bytesRead;
  into.recordBytesOut += entry.tcp.bytesWritten - entry.plaintext.bytesWritten;
}
