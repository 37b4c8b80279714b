/**
 * The stalled reader of slow-readers.test.ts: a raw client that sends its request
 * and stops reading (so the kernel's buffers fill, then the lab's), lets it read
 * again to learn how the lab ended its stream, and what the kernel still holds
 * unsent on the lab's connections.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';

/** The streaming transports a stalled reader follows. */
export type Streaming = 'ws' | 'sse' | 'iframe';

/** The GET (or upgrade) each stalled client sends before it stops reading. */
function requestHead(id: Streaming, port: number): string {
  const path = { ws: '/feed/ws', sse: '/feed/sse', iframe: '/feed/iframe?cb=f' }[id];
  const upgrade =
    id === 'ws'
      ? 'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`
      : '';
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${upgrade}\r\n`;
}

/** A raw client that sends its request and stops reading: the kernel's buffers fill, then the lab's. */
export function stall(port: number, id: Streaming): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(requestHead(id, port));
      socket.pause();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Reads a raw WebSocket stream (the 101 head, then unmasked server frames) only
 * far enough to learn how it ended: the close frame's code, if one arrived.
 * Payloads are skipped, not copied: a stalled socket holds megabytes.
 */
class CloseFinder {
  closeCode: number | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private skip = 0;
  private headDone = false;

  push(chunk: Buffer): void {
    let buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.headDone) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        this.pending = buffer;
        return;
      }
      this.headDone = true;
      buffer = buffer.subarray(end + 4);
    }
    while (buffer.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buffer.length);
        this.skip -= n;
        buffer = buffer.subarray(n);
        continue;
      }
      if (buffer.length < 2) break;
      const opcode = buffer[0] & 0x0f;
      let length = buffer[1] & 0x7f;
      let head = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        head = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = Number(buffer.readBigUInt64BE(2));
        head = 10;
      }
      if (opcode === 0x8) {
        if (buffer.length < head + 2) break;
        this.closeCode = buffer.readUInt16BE(head);
      }
      this.skip = length;
      buffer = buffer.subarray(head);
    }
    this.pending = Buffer.from(buffer);
  }
}

/** The last chunk of a chunked HTTP body, after the previous chunk's CRLF: the server ended the stream. */
const LAST_CHUNK = '\r\n0\r\n\r\n';

/**
 * Lets a stalled client read again; resolves with how its connection ended:
 * `close <code>` (WebSocket close frame), `end of stream` (the response's last
 * chunk), or `cut` (the connection ended without either). The client hangs up
 * as soon as it has its goodbye, as a browser would.
 */
export function readAgain(id: Streaming, socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    const finder = new CloseFinder();
    let tail = '';
    let ending = 'cut';
    socket.on('data', (chunk: Buffer) => {
      if (id === 'ws') {
        finder.push(chunk);
        if (finder.closeCode !== undefined) ending = `close ${finder.closeCode}`;
      } else {
        tail = (tail + chunk.toString('latin1')).slice(-64);
        if (tail.endsWith(LAST_CHUNK)) ending = 'end of stream';
      }
      if (ending !== 'cut') socket.destroy();
    });
    socket.once('close', () => resolve(ending));
    socket.resume();
  });
}

/** The kernel's unsent and unacknowledged bytes over the lab's connections on `port` (Linux: /proc/net/tcp), or undefined elsewhere. */
export function kernelQueuedBytes(port: number): number | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;
  let sum = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state, queues] = line.trim().split(/\s+/);
    if (!local || state === '0A') continue; // 0A: the listening socket
    if (parseInt(local.split(':')[1], 16) !== port) continue;
    sum += parseInt(queues.split(':')[0], 16);
  }
  return sum;
}
