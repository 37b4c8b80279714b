/**
 * The lab closes (app.close(), as npm start does on Ctrl-C) however its clients
 * left: a held request (SSE, long poll, iframe) opened with fetch and an
 * AbortController and aborted before its head came, after it, or after a first
 * chunk, or still open at the close; on the main port and on the transport's own
 * port. Node's fetch opens a fresh connection to the lab after such an abort and
 * sends nothing on it (a browser's preconnection does the same): a server's close()
 * waits for every connection, and Node's closeIdleConnections() passes over one
 * that never asked, so close() hung until the idle clock (IDLE_TIMEOUT_MS) cut it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { type RunningLab, delay, startLab } from './test-helpers.ts';

/** Far above what a close takes on a loaded machine, far below the idle clock the lab is started with. */
const CLOSE_BOUND_MS = 5000;
const IDLE_TIMEOUT_MS = 120_000;

const HELD = {
  sse: '/feed/sse',
  'long-poll': '/feed/long-poll?since=0&timeoutMs=60000',
  iframe: '/feed/iframe?cb=onEvent',
} as const;

/** Resolves with how long `lab.close()` took; fails if it takes longer than CLOSE_BOUND_MS. */
async function closeInTime(lab: RunningLab, what: string): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    lab.close().then(() => 'closed'),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still closing'), CLOSE_BOUND_MS))),
  ]);
  clearTimeout(timer);
  assert.equal(outcome, 'closed', `${what}: close() within ${CLOSE_BOUND_MS} ms`);
  return Date.now() - started;
}

/** Every socket the lab's main port and its own ports accept from now on. */
function acceptedSockets(lab: RunningLab): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  const servers = [lab.app.server, ...((lab.ctx as { extraServers?: net.Server[] }).extraServers ?? [])];
  for (const server of servers) server.on('connection', (socket: net.Socket) => sockets.add(socket));
  return sockets;
}

for (const when of ['before its head', 'after its head', 'after a first chunk', 'never: open at the close'] as const) {
  for (const [id, path] of Object.entries(HELD)) {
    // A long poll's head comes with its answer: held, it has none to abort after.
    if (id === 'long-poll' && when.startsWith('after')) continue;
    for (const port of ['main', 'own'] as const) {
      test(`${id} on the ${port} port, aborted ${when}: close() ends`, async () => {
        // A heartbeat soon, for a first chunk; an idle clock far away, so that it cannot be what ends the close.
        const lab = await startLab({ idleTimeoutMs: IDLE_TIMEOUT_MS, heartbeatMs: 200 });
        const accepted = acceptedSockets(lab);
        let closed = false;
        try {
          const own = (lab.ctx.ports?.extra as Record<string, number> | undefined)?.[id];
          assert.ok(port === 'main' || own, `${id} has a port of its own`);
          const base = port === 'main' ? lab.baseUrl : `http://127.0.0.1:${own}`;
          const controller = new AbortController();
          const pending = fetch(`${base}${path}`, { signal: controller.signal });
          if (when === 'before its head') controller.abort();
          else {
            const response = await pending;
            assert.equal(response.status, 200);
            if (when === 'after a first chunk') await response.body!.getReader().read();
            if (when !== 'never: open at the close') controller.abort();
          }
          await pending.catch(() => {});
          await delay(100);
          await closeInTime(lab, `${id}, ${port} port, aborted ${when}`);
          closed = true;
        } finally {
          // A close that hung (or never began) is finished by force, so that one failure does not hold the others.
          if (!closed) {
            for (const socket of accepted) socket.destroy();
            await lab.close();
          }
        }
      });
    }
  }
}

test('connections that never asked anything, on every port, do not hold close() open', async () => {
  const lab = await startLab({ idleTimeoutMs: IDLE_TIMEOUT_MS });
  const ports = [lab.port, ...Object.values((lab.ctx.ports?.extra ?? {}) as Record<string, number>)];
  const sockets = await Promise.all(
    ports.map(
      (port) =>
        new Promise<net.Socket>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(socket)).on('error', reject);
        }),
    ),
  );
  const closedBy = sockets.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
  for (const socket of sockets) socket.on('error', () => {});
  // Half a request head on one of them too: at the close it is the same as silence.
  sockets[0].write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  await delay(100);
  const early = sockets.filter((socket) => socket.destroyed).length;
  assert.equal(early, 0, 'every connection still open before the close');
  let closed = false;
  try {
    await closeInTime(lab, `${sockets.length} silent connections`);
    closed = true;
    // The silent ones closed by the lab (the one with half a head gets a 408 first, and may still be reading it).
    await Promise.all(closedBy.slice(1));
  } finally {
    for (const socket of sockets) socket.destroy();
    if (!closed) await lab.close();
  }
});
