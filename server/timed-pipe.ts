/**
 * Relays one direction of a proxied TCP connection with each chunk held until a
 * time of the caller's choosing, in order: the delay proxy (bench/delay-proxy.ts)
 * holds every chunk half a round trip, the stall proxy (stall-proxy.ts) holds a
 * lost segment's chunk a retransmission timeout and everything behind it.
 */
import type net from 'node:net';

/**
 * Writes each chunk read from `from` to `to` at `dueAt(arrivedMs, bytes)` (performance.now()'s clock),
 * never before the chunk ahead of it; when `from` ends or closes, calls `finish` once what is held
 * has been written (a connection that closes behind a held chunk still delivers it, as TCP would).
 */
export function timedPipe(from: net.Socket, to: net.Socket, dueAt: (arrivedMs: number, bytes: number) => number, finish: () => void): void {
  const queue: { dueMs: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const write = (chunk: Buffer) => {
    if (!to.destroyed) to.write(chunk);
  };
  const drain = () => {
    timer = undefined;
    const now = performance.now();
    // A timer fires up to a millisecond late or a hair early: what is due within 0.05 ms goes now.
    while (queue.length && queue[0].dueMs <= now + 0.05) write(queue.shift()!.chunk);
    if (queue.length) timer = setTimeout(drain, Math.max(0, queue[0].dueMs - performance.now()));
    else if (ended) finish();
  };
  from.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const dueMs = Math.max(dueAt(now, chunk.length), queue.at(-1)?.dueMs ?? 0);
    // Nothing held and nothing due later: pass it on now (a timer would add a millisecond of its own).
    if (dueMs <= now && queue.length === 0) return write(chunk);
    queue.push({ dueMs, chunk });
    timer ??= setTimeout(drain, Math.max(0, dueMs - now));
  });
  const onEnd = () => {
    if (ended) return;
    ended = true;
    if (!timer && queue.length === 0) finish();
  };
  from.on('end', onEnd).on('close', onEnd);
  to.on('close', () => {
    if (timer) clearTimeout(timer);
    queue.length = 0;
  });
}
