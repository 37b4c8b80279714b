/**
 * Where each RST_STREAM a client sends ends in its plaintext, so that the plaintext
 * pipe (plaintext.ts) can hand what follows a reset to Node's session one turn of
 * the event loop later.
 *
 * Why: a browser that closes one stream at the server's SETTINGS_MAX_CONCURRENT_STREAMS
 * and has another waiting writes RST_STREAM for the first and HEADERS for the next
 * together. RFC 9113 section 5.1.2: a closed stream no longer counts toward the limit.
 * Node 24 and later (nghttp2 1.70) still count it while it reads the rest of the same
 * input, and refuse the next stream with RST_STREAM ENHANCE_YOUR_CALM; a bare
 * `http2.createSecureServer` does the same. Node 20 does not. Read a turn apart,
 * the reset stream is gone when the HEADERS arrive, on every Node (stream-limit.test.ts).
 */
import { CLIENT_PREFACE, FRAME_HEADER_BYTES, RST_STREAM } from './frames.ts';

/** A piece of the client's plaintext; `endsReset`: its last byte ends a RST_STREAM frame. */
export interface Piece {
  bytes: Buffer;
  endsReset: boolean;
}

export class ResetBoundary {
  /** Preface bytes still to pass (a broken preface ends the connection in nghttp2 anyway). */
  private prefaceLeft = CLIENT_PREFACE.length;
  /** Header bytes of the current frame read so far: its length is the first three, its type the fourth. */
  private headerHave = 0;
  /** Payload bytes of the current frame still to pass. */
  private payloadLeft = 0;
  private inReset = false;

  /** `chunk` cut after every RST_STREAM frame that ends in it; most chunks come back whole. */
  split(chunk: Buffer): Piece[] {
    const pieces: Piece[] = [];
    let from = 0;
    let at = 0;
    while (at < chunk.length) {
      if (this.prefaceLeft > 0) {
        const n = Math.min(this.prefaceLeft, chunk.length - at);
        this.prefaceLeft -= n;
        at += n;
      } else if (this.headerHave < FRAME_HEADER_BYTES) {
        // Read byte by byte where it lies (a header may be cut between chunks): nothing is copied or kept.
        const byte = chunk[at];
        if (this.headerHave < 3) this.payloadLeft = this.payloadLeft * 256 + byte;
        else if (this.headerHave === 3) this.inReset = byte === RST_STREAM;
        this.headerHave++;
        at++;
      } else {
        const n = Math.min(this.payloadLeft, chunk.length - at);
        this.payloadLeft -= n;
        at += n;
      }
      if (this.headerHave === FRAME_HEADER_BYTES && this.payloadLeft === 0) {
        this.headerHave = 0;
        if (this.inReset) {
          this.inReset = false;
          pieces.push({ bytes: chunk.subarray(from, at), endsReset: true });
          from = at;
        }
      }
    }
    if (from < chunk.length) pieces.push({ bytes: from === 0 ? chunk : chunk.subarray(from), endsReset: false });
    return pieces;
  }
}
