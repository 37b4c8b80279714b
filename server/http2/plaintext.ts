/**
 * The decrypted byte stream of one HTTP/2 connection, passed between the TLS
 * socket and Node's http2 session through the lab's frame meter.
 *
 * Node's http2 server reads a TLS socket natively, below JavaScript, where no
 * byte can be seen. Handed this stream instead, it wraps it in a JS stream socket
 * (lib/internal/js_stream_socket.js) and every byte crosses here once each way:
 * the frame meter reads it (frame-meter.ts), nothing is changed, and nothing is
 * held back but what follows a client's RST_STREAM, for one turn of the event loop
 * (reset-boundary.ts). Backpressure passes through: a peer that stops reading
 * fills the TLS socket, whose full buffer holds back the session's write, which
 * stops nghttp2 sending; a session that stops reading pauses the TLS socket.
 *
 * Not a stream.Duplex, on purpose. Every event of a fan-out is one write of each
 * connection's session, and a Duplex between the JS stream socket and the TLS
 * socket ran each through a second Writable (cork, buffer, writev, a callback a
 * tick later) only to hand it on: a fifth of the lab's CPU per delivery. The JS
 * stream socket asks its stream for little (pause and resume, cork, write and
 * uncork, end, destroy; 'data', 'end', 'error' and 'close'; the same on Node 20, 24
 * and 26), and this gives exactly that, straight onto the TLS socket.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type Piece, ResetBoundary } from './reset-boundary.ts';

type WriteDone = (error?: Error | null) => void;

/** What reads the plaintext as it crosses: the frame meter's two readers (frame-meter.ts). */
interface PlaintextReaders {
  incoming: { push(chunk: Buffer): void };
  outgoing: { push(chunk: Buffer): void };
}

export class PlaintextPipe extends EventEmitter {
  /** What the JS stream socket reads once, when it wraps this. */
  readonly readableObjectMode = false;
  readable = true;
  writable = true;
  destroyed = false;
  private readonly resets = new ResetBoundary();
  /** What the client sent that waits: behind a reset, or for a session that paused; and its end (null). */
  private readonly pending: (Piece | null)[] = [];
  /** The session asked for no more (the JS stream socket's readStop) and has not asked again. */
  private paused = true;
  /** What follows a reset waits for the next turn of the event loop. */
  private held = false;
  private draining = false;
  /** Writes of one cork (the JS stream socket corks around each write the session makes). */
  private corked = false;
  private readonly batch: Buffer[] = [];
  private readonly batchDone: WriteDone[] = [];
  /** Callbacks of writes the TLS socket has not taken below its high-water mark: they wait for 'drain'. */
  private readonly waiting: WriteDone[] = [];

  constructor(
    readonly tls: TLSSocket,
    readonly tcp: Socket,
    readonly meter: PlaintextReaders,
  ) {
    super();
    tls.pause();
    tls.on('data', (chunk: Buffer) => {
      meter.incoming.push(chunk);
      const pieces = this.resets.split(chunk);
      for (let i = 0; i < pieces.length; i++) this.pending.push(pieces[i]);
      this.pass();
    });
    tls.on('end', () => {
      this.pending.push(null);
      this.pass();
    });
    tls.on('drain', () => this.drained());
    tls.on('close', () => this.destroy());
    // A reset peer or a TLS alert: the session ends with this pipe, and says why.
    tls.on('error', (error) => this.destroy(error));
  }

  /**
   * Hands the client's bytes to the session in order while it reads, and what follows
   * a RST_STREAM one turn of the event loop later, once Node has let go of the reset
   * stream (reset-boundary.ts). The session may pause in the middle ('data' runs it).
   */
  private pass(): void {
    while (!this.paused && !this.held && !this.destroyed && this.pending.length > 0) {
      const piece = this.pending.shift()!;
      if (piece === null) {
        this.readable = false;
        this.emit('end');
        continue;
      }
      this.emit('data', piece.bytes);
      if (piece.endsReset) {
        this.held = true;
        setImmediate(() => {
          this.held = false;
          this.pass();
          this.flowIfWanted();
        });
      }
    }
    // Held or paused, the TLS socket reads no further: a peer's run of resets waits in TCP, not here.
    if (this.paused || this.held) this.tls.pause();
  }

  private flowIfWanted(): void {
    if (!this.paused && !this.held && !this.destroyed && this.pending.length === 0) this.tls.resume();
  }

  /** The session stops reading (the JS stream socket's readStop). */
  pause(): this {
    this.paused = true;
    return this;
  }

  /**
   * The session reads again (readStart). Called from inside the session's own native
   * code: what waits is handed over on the next tick, not from within it.
   */
  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    if (this.pending.length === 0) {
      if (!this.held) this.tls.resume();
    } else if (!this.draining) {
      this.draining = true;
      process.nextTick(() => {
        this.draining = false;
        this.pass();
        this.flowIfWanted();
      });
    }
    return this;
  }

  cork(): void {
    this.corked = true;
  }

  /**
   * One write of the session's, metered and handed to the TLS socket; within a cork,
   * kept until the uncork, so that a frame's header and its payload, handed over as
   * two chunks, leave as one TLS record (not two, 22 B of record overhead each).
   */
  write(chunk: Buffer, done: WriteDone): boolean {
    if (this.corked) {
      this.batch.push(chunk);
      this.batchDone.push(done);
      return true;
    }
    return this.send(chunk, done);
  }

  uncork(): void {
    this.corked = false;
    const n = this.batch.length;
    if (n === 0) return;
    const all = n === 1 ? this.batch[0] : Buffer.concat(this.batch);
    this.batch.length = 0;
    if (n === 1) {
      this.send(all, this.batchDone.pop()!);
      return;
    }
    const callbacks = this.batchDone.splice(0, n);
    this.send(all, (error) => {
      for (const done of callbacks) done(error);
    });
  }

  /**
   * Writes `chunk` on. Below the TLS socket's high-water mark the write is done at once
   * (Writable's own contract: the next may come); above it, when the TLS socket drains.
   */
  private send(chunk: Buffer, done: WriteDone): boolean {
    if (this.destroyed || !this.writable) {
      done(new Error('write after the HTTP/2 connection ended'));
      return false;
    }
    this.meter.outgoing.push(chunk);
    if (this.tls.write(chunk)) {
      done();
      return true;
    }
    this.waiting.push(done);
    return false;
  }

  private drained(): void {
    const callbacks = this.waiting.splice(0);
    for (const done of callbacks) done();
  }

  /** The session is done writing (the JS stream socket's shutdown): TLS sends close_notify, TCP its FIN. */
  end(done?: () => void): this {
    if (this.writable) {
      this.writable = false;
      this.tls.end();
    }
    if (done) process.nextTick(done);
    return this;
  }

  /** Ends both ways at once; 'error' (with `error`) and 'close' follow on the next tick, as a stream's would. */
  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.readable = this.writable = false;
    this.tls.destroy();
    const callbacks = this.waiting.splice(0).concat(this.batchDone.splice(0));
    this.batch.length = 0;
    process.nextTick(() => {
      for (const done of callbacks) done(error ?? new Error('the HTTP/2 connection closed'));
      if (error) this.emit('error', error);
      this.emit('close');
    });
    return this;
  }

  /** Plaintext written towards the peer that has not left yet (the TLS socket holds it). */
  get backlogBytes(): number {
    return this.tls.writableLength;
  }

  /** Cuts the connection at the TCP level: a reset frees the kernel's send queue at once (limits.ts). */
  reset(): void {
    if (!this.tcp.destroyed) this.tcp.resetAndDestroy();
    this.destroy();
  }
}
