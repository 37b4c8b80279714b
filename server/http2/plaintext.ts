/**
 * The decrypted byte stream of one HTTP/2 connection, passed between the TLS
 * socket and Node's http2 session through the lab's frame meter.
 *
 * Node's http2 server reads a TLS socket natively, below JavaScript, where no
 * byte can be seen. Handed this Duplex instead, it wraps it in a JS stream
 * socket and every byte crosses here once each way: the frame meter reads it
 * (frame-meter.ts), nothing is changed, and nothing is held back but what follows
 * a client's RST_STREAM, for one turn of the event loop (reset-boundary.ts).
 * Backpressure passes through: a peer that stops reading stalls the TLS socket's
 * writes, whose callbacks stall the session's writes, which stops nghttp2 sending.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionMeter } from './frame-meter.ts';
import { type Piece, ResetBoundary } from './reset-boundary.ts';

export class PlaintextPipe extends Duplex {
  private readonly resets = new ResetBoundary();
  /** What the client sent that waits behind a reset: the pieces after it, and its end (null). */
  private readonly pending: (Piece | null)[] = [];
  private held = false;

  constructor(readonly tls: TLSSocket, readonly tcp: Socket, readonly meter: ConnectionMeter) {
    super({ allowHalfOpen: false });
    tls.on('data', (chunk: Buffer) => {
      meter.incoming.push(chunk);
      this.pending.push(...this.resets.split(chunk));
      this.pass();
    });
    tls.on('end', () => {
      this.pending.push(null);
      this.pass();
    });
    tls.on('close', () => this.destroy());
    // A reset peer or a TLS alert: the session ends with this pipe, and says why.
    tls.on('error', (error) => this.destroy(error));
  }

  /**
   * Hands the client's bytes to the session in order, and what follows a RST_STREAM one
   * turn of the event loop later, once Node has let go of the reset stream (reset-boundary.ts).
   */
  private pass(): void {
    while (!this.held && this.pending.length > 0) {
      const piece = this.pending.shift()!;
      if (piece === null) {
        this.push(null);
        continue;
      }
      if (!this.push(piece.bytes)) this.tls.pause();
      if (piece.endsReset) {
        // Held, the TLS socket reads no further: a peer's run of resets waits in TCP, not here.
        this.held = true;
        this.tls.pause();
        setImmediate(() => {
          if (this.destroyed) return;
          this.held = false;
          this.pass();
          if (!this.held && this.readableLength < this.readableHighWaterMark) this.tls.resume();
        });
      }
    }
  }

  override _read(): void {
    if (!this.held) this.tls.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.meter.outgoing.push(chunk);
    this.tls.write(chunk, done);
  }

  /**
   * The session hands a frame's header and its payload over as two chunks; written
   * apart they would leave as two TLS records (22 B of record overhead each), so
   * what arrives together is written together.
   */
  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    const all = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this._write(all, 'latin1', done); // the encoding of a Buffer chunk is not read
  }

  override _final(done: () => void): void {
    this.tls.end();
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.tls.destroy();
    done(error);
  }

  /** Plaintext written towards the peer that has not left yet: ours and the TLS socket's. */
  get backlogBytes(): number {
    return this.writableLength + this.tls.writableLength;
  }

  /** Cuts the connection at the TCP level: a reset frees the kernel's send queue at once (limits.ts). */
  reset(): void {
    if (!this.tcp.destroyed) this.tcp.resetAndDestroy();
    this.destroy();
  }
}
