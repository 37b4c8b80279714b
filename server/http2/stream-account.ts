/**
 * One HTTP/2 stream's bytes, as the frame meter (frame-meter.ts) credits them: held
 * in the stream's account until a transport claims the stream, then added to that
 * transport's figures as they cross; and the transport's own meter on the stream,
 * which says which of its DATA bytes were event JSON (payload).
 *
 * Payload over HTTP/2 is counted when its DATA bytes cross, not when the transport
 * hands them over: the stream's flow-control window may hold them back. The
 * transport reports each chunk it writes with the payload inside (Meter.event),
 * and the account moves that payload out of framing once the stream's DATA
 * content has passed the end of the chunk.
 */
import type { Meter, TrafficStats } from '../stats.ts';
import type { StepNote } from '../trace.ts';
import type { FrameSteps } from './frame-steps.ts';
import type { ByteKind } from './frames.ts';

export type Direction = 'in' | 'out';

/** A tap on one stream: each piece of its frames, both ways, as it crosses (wiretap.ts). */
export type StreamTap = (dir: Direction, bytes: Buffer, frameType: number) => void;

/** One stream's bytes: waiting for an owner, or credited to its transport as they cross. */
export class StreamAccount {
  owner: TrafficStats | undefined;
  /** Bytes counted before a transport claimed the stream (or for good, if none does). */
  inHead = 0;
  inOther = 0;
  outHead = 0;
  outOther = 0;
  /** DATA content sent so far, the body bytes the transport handed over, and the payload inside them. */
  private dataOut = 0;
  private bodyWritten = 0;
  /** Pairs [body offset where a payload ends, its bytes], oldest first, from `queueHead` on. */
  private readonly payloadQueue: number[] = [];
  private queueHead = 0;
  closed = false;
  /** Node has announced the stream ('stream' event), so its close will be reported. */
  announced = false;
  tap: StreamTap | undefined;
  /** The request's HEADERS frames as they crossed, kept until claimed (a tap attaches only then), while a wiretap listens. */
  requestFrames: Buffer[] | undefined;
  /** A page traces this stream: its frames become steps (frame-steps.ts). */
  steps: FrameSteps | undefined;

  count(dir: Direction, kind: ByteKind, n: number, source: Uint8Array, start: number): void {
    const owner = this.owner;
    if (owner === undefined) {
      if (dir === 'in') {
        if (kind === 'head') this.inHead += n;
        else this.inOther += n;
      } else if (kind === 'head') this.outHead += n;
      else this.outOther += n;
    } else {
      const split = dir === 'in' ? owner.bytesIn : owner.bytesOut;
      if (kind === 'head') split.head += n;
      else split.framing += n;
      if (kind === 'data' && dir === 'out') {
        this.dataOut += n;
        this.settlePayload();
        this.steps?.dataSent(this.dataOut);
      }
    }
    this.steps?.bytes(dir, kind, n, source, start);
  }

  /** The transport handed over `bodyBytes` of body carrying `payloadBytes` of event JSON; `note` says what, for a trace. */
  wrote(bodyBytes: number, payloadBytes: number, note?: StepNote): void {
    this.bodyWritten += bodyBytes;
    if (note && this.steps) this.steps.wrote(this.bodyWritten, note, this.dataOut);
    if (payloadBytes > 0) {
      this.payloadQueue.push(this.bodyWritten, payloadBytes);
      this.settlePayload();
    }
  }

  /** Moves payload out of framing once the DATA that carries it has crossed. */
  private settlePayload(): void {
    const queue = this.payloadQueue;
    const out = this.owner!.bytesOut;
    while (this.queueHead < queue.length && queue[this.queueHead] <= this.dataOut) {
      const payload = queue[this.queueHead + 1];
      out.framing -= payload;
      out.payload += payload;
      this.steps?.settled('out', payload);
      this.queueHead += 2;
    }
    if (this.queueHead === queue.length && queue.length > 0) {
      queue.length = 0;
      this.queueHead = 0;
    }
  }

  /** Hands what was counted so far to `owner`. */
  claim(owner: TrafficStats): void {
    this.owner = owner;
    owner.bytesIn.head += this.inHead;
    owner.bytesIn.framing += this.inOther;
    owner.bytesOut.head += this.outHead;
    owner.bytesOut.framing += this.outOther;
    this.inHead = this.inOther = this.outHead = this.outOther = 0;
  }
}

/** What a transport reports of a write that is not an event (Meter.out). */
type OutReport = { payloadBytes?: number; events?: number; allHead?: boolean; body?: string | Uint8Array; note?: StepNote };

/** A transport's meter over HTTP/2: the frame meter counts the bytes; this says which are payload. */
export class StreamMeter implements Meter {
  constructor(
    private readonly account: StreamAccount,
    private readonly stats: TrafficStats,
  ) {}

  in({ payloadBytes = 0, note }: { payloadBytes?: number; head?: boolean; note?: StepNote } = {}): void {
    // DATA bytes were counted as framing when they arrived, before the WebSocket layer parsed them.
    this.stats.bytesIn.framing -= payloadBytes;
    this.stats.bytesIn.payload += payloadBytes;
    if (payloadBytes > 0) this.account.steps?.settled('in', payloadBytes, note);
  }

  out({ payloadBytes = 0, events = 0, body, note }: OutReport = {}): void {
    this.account.wrote(body === undefined ? 0 : byteLength(body), payloadBytes, note);
    this.stats.eventsDelivered += events;
  }

  event(payloadBytes: number, chunk: string | Uint8Array, seq?: number): void {
    // The note is made only for a traced stream: a broadcast's hot path allocates nothing more.
    this.account.wrote(byteLength(chunk), payloadBytes, this.account.steps && { what: 'event', seqs: seq === undefined ? [] : [seq] });
    this.stats.eventsDelivered++;
  }

  finish(): void {}
}

const byteLength = (chunk: string | Uint8Array) => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
