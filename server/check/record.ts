/**
 * What a case sent and what came back, kept short and printable: the first
 * few hundred bytes each way, escaped, so that a report shows the wire as it was
 * (a stray CR, a masked byte, a NUL) without ever holding a hostile server's megabytes.
 */

/** How many bytes of each direction a case keeps for its report. */
export const RECORD_BYTES = 600;

/** Bytes as printable text: ASCII as it is, CR/LF/tab as \r \n \t (LF also breaks the line), anything else as \xNN. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x0a) out += '\\n\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** One direction of a case's traffic: appends until RECORD_BYTES, then only counts. */
export class Tape {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  totalBytes = 0;

  add(bytes: Buffer | string): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    this.totalBytes += buffer.length;
    if (this.keptBytes >= RECORD_BYTES) return;
    const part = buffer.subarray(0, RECORD_BYTES - this.keptBytes);
    this.kept.push(Buffer.from(part));
    this.keptBytes += part.length;
  }

  /** A note in the tape's flow (`[new connection]`, `[frame: ping, 4 B]`), kept as text. */
  note(text: string): void {
    this.add(`[${text}]\n`);
  }

  text(): string {
    const more = this.totalBytes - this.keptBytes;
    return escapeBytes(Buffer.concat(this.kept)) + (more > 0 ? `\n… ${more} more bytes` : '');
  }
}
