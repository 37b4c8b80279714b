/**
 * A body refused for its size (413) is still read to its end, and dropped, before
 * the connection is used again: only then does the 413 surely reach the client.
 *
 * Fastify answers `Connection: close` when it refuses a body, and Node then closes
 * the socket as soon as the answer is written, with the rest of the body unread.
 * A sender still writing that body gets a broken pipe or a reset. Behind nginx
 * (`proxy_request_buffering off` streams a chat post on as it arrives) that was a
 * 502 page instead of the lab's coded 413, and it marked the process failed for
 * fail_timeout, so that other clients' requests found no live process (measured:
 * 126 of 240 such posts with both cores busy, nginx's log saying "writev() failed
 * (32: Broken pipe) while sending request to upstream"). A close with unread bytes
 * in the socket's buffer is also a reset, which can discard an answer the peer has
 * not read yet (RFC 9112 section 9.6: a server closes in stages for this reason).
 *
 * So the connection stays open and Node reads the rest of the body and drops it, as
 * it does for any body a route leaves unread; then the connection carries the
 * next request. Bounded: a body that declares more than DRAIN_MAX_BYTES is closed
 * on at once as before, and one that takes longer than DRAIN_MAX_MS, or sends more
 * than DRAIN_MAX_BYTES without declaring its length, is cut.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The most of a refused body the lab reads to deliver its 413 (nginx's client_max_body_size in the cluster). */
export const DRAIN_MAX_BYTES = 1024 * 1024;
/** How long the rest of a refused body may take to arrive. */
export const DRAIN_MAX_MS = 5000;

/** Keeps `request`'s connection open after its 413 until the rest of its body is read, within the bounds above. */
export function drainRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  if (raw.httpVersionMajor !== 1 || raw.complete) return; // HTTP/2 resets the one stream; a whole body is read already
  if (Number(request.headers['content-length']) > DRAIN_MAX_BYTES) return; // Fastify's close stands
  reply.removeHeader('connection');
  const socket = raw.socket;
  let dropped = 0;
  const cut = () => {
    finish();
    socket.destroy();
  };
  const count = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_MAX_BYTES) cut();
  };
  const timer = setTimeout(cut, DRAIN_MAX_MS);
  const finish = () => {
    clearTimeout(timer);
    raw.off('data', count);
    raw.off('end', finish);
    socket.off('close', finish);
  };
  raw.on('data', count);
  raw.once('end', finish);
  socket.once('close', finish);
  raw.resume();
}
