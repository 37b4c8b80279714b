/**
 * Experiments a page cannot run by itself, run by the server on its behalf.
 *
 * `GET /experiments/foreign-origin` (the security lesson): a browser attaches the
 * page's true `Origin` to every WebSocket handshake and no script can change it, so
 * a page cannot show what a foreign site's handshake gets. The server plays both
 * clients itself: it opens raw TCP connections to its own main port on loopback and
 * sends two upgrade requests that differ only in `Origin` (a foreign site's, then
 * the lab's own), and answers JSON with each request as sent and each response head
 * as received, byte for byte. Nothing from the query is used, so the endpoint can
 * only ever talk to the lab itself.
 */
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { LabContext } from './context.ts';

/** The foreign site the experiment pretends to be (RFC 2606 reserves .example). */
export const FOREIGN_ORIGIN = 'http://evil.example';

/** How long one attempt may take before it is reported as a timeout. */
const ATTEMPT_TIMEOUT_MS = 3000;

/** What the response head (and a short error body) may grow to before the attempt stops reading. */
const MAX_RESPONSE_BYTES = 16 * 1024;

export interface UpgradeAttempt {
  origin: string;
  /** The request exactly as written to the socket. */
  request: string;
  /** The response head exactly as received (latin1), up to and including the blank line. */
  responseHead: string;
  /** For a refusal, the body that followed the head (the coded JSON error); empty after a 101. */
  responseBody: string;
  /** The status code, or 0 when no response arrived. */
  status: number;
  /** Set when the attempt failed below HTTP (refused connection, timeout). */
  error?: string;
}

/** The address to dial for the lab's main port: where it listens, a wildcard read as loopback. */
function mainAddress(app: FastifyInstance, ctx: LabContext): { host: string; port: number } {
  const address = app.server.address() as AddressInfo | null;
  const port = ctx.ports?.main ?? address?.port ?? ctx.config.port;
  let host = address?.address ?? '127.0.0.1';
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return { host, port };
}

/** One WebSocket upgrade over a raw socket, claiming `origin`; never throws. */
export function tryUpgrade(host: string, port: number, origin: string): Promise<UpgradeAttempt> {
  const hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A quiet stream (chat only, no heartbeat), so that nothing but the head arrives after a 101.
  const request =
    `GET /feed/ws?types=chat&heartbeatMs=0 HTTP/1.1\r\n` +
    `Host: ${hostHeader}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    'Sec-WebSocket-Version: 13\r\n' +
    `Origin: ${origin}\r\n` +
    '\r\n';
  return new Promise((resolve) => {
    const attempt: UpgradeAttempt = { origin, request, responseHead: '', responseBody: '', status: 0 };
    let received = Buffer.alloc(0);
    let done = false;
    const socket = net.connect(port, host, () => socket.write(request));
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      attempt.responseHead = end < 0 ? text : text.slice(0, end + 4);
      attempt.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      if (end >= 0 && attempt.status !== 101) attempt.responseBody = received.subarray(end + 4).toString('utf8');
      if (error && attempt.status === 0) attempt.error = error;
      if (attempt.status === 101 && !socket.destroyed) {
        // Say goodbye properly: a masked close frame with code 1000 (a client's frames are masked).
        const mask = randomBytes(4);
        const payload = Buffer.from([0x03 ^ mask[0], 0xe8 ^ mask[1]]);
        socket.end(Buffer.concat([Buffer.from([0x88, 0x82]), mask, payload]));
        setTimeout(() => socket.destroy(), 500).unref();
      } else {
        socket.destroy();
      }
      resolve(attempt);
    };
    const timer = setTimeout(() => finish(`no complete answer within ${ATTEMPT_TIMEOUT_MS} ms`), ATTEMPT_TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      received = Buffer.concat([received, chunk]);
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > MAX_RESPONSE_BYTES) finish('the response head is too long');
        return;
      }
      if (/^HTTP\/1\.[01] 101/.test(text)) return finish();
      // A refusal has a body: read it to its content-length (or to the socket's end).
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? NaN);
      if ((Number.isFinite(length) && received.length >= end + 4 + length) || received.length > MAX_RESPONSE_BYTES) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (error) => finish(error.message));
  });
}

export function registerExperiments(app: FastifyInstance, ctx: LabContext): void {
  app.get('/experiments/foreign-origin', async (_request, reply) => {
    const { host, port } = mainAddress(app, ctx);
    const ownOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // One after the other, so that the two answers are easy to tell apart on /stats and in logs.
    const foreign = await tryUpgrade(host, port, FOREIGN_ORIGIN);
    const own = await tryUpgrade(host, port, ownOrigin);
    reply.header('cache-control', 'no-store');
    return { foreign, own };
  });
}
