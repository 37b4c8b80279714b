/**
 * The example servers under the checker: what each library gets right or wrong
 * is asserted case by case, and each broken server fails exactly the cases of
 * its bugs. Every server runs on its own loopback port, all checked at once.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { runCheck } from '../../server/check/runner.ts';
import { TRANSPORTS, type TransportId, type Verdict } from '../../server/check/types.ts';
import type { Running, ServerOptions } from './feed.ts';

interface Expectation {
  /** The transports the server serves; every other one must be Missing. */
  serves: TransportId[];
  /** Every case not listed here must pass. */
  verdicts: Record<string, Verdict>;
}

const fails = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'fail' as Verdict]));
const nonStrict = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'non-strict' as Verdict]));

const EXPECTED: Record<string, Expectation> = {
  'sse-node': { serves: ['sse'], verdicts: {} },
  'sse-better-sse': { serves: ['sse'], verdicts: {} },
  'long-poll-node': { serves: ['short-poll', 'long-poll'], verdicts: {} },
  'iframe-node': { serves: ['iframe'], verdicts: {} },
  'ws-ws': { serves: ['ws'], verdicts: {} },
  // WebSocket-Node reads unmasked client frames, accepts any key and a POST, and answers every close with 1000.
  'ws-websocket': {
    serves: ['ws'],
    verdicts: { ...fails('ws.bad-key', 'ws.post', 'ws.unmasked-client'), ...nonStrict('ws.close-3000', 'ws.close-4000') },
  },
  // nodejs-websocket checks no UTF-8, no control-frame rule and no frame length, cannot refuse a handshake,
  // echoes bad close codes, and leaves the TCP connection to the client after the close handshake.
  'ws-nodejs-websocket': {
    serves: ['ws'],
    verdicts: {
      ...fails(
        'ws.bad-version',
        'ws.bad-key',
        'ws.length-top-bit',
        'ws.declared-4gib',
        'ws.fragmented-bytes',
        'ws.ping-between-fragments',
        'ws.utf8-overlong',
        'ws.utf8-surrogate',
        'ws.utf8-too-high',
        'ws.utf8-fragmented',
        'ws.ping-binary',
        'ws.ping-126',
        'ws.bad-since',
      ),
      ...nonStrict(
        'ws.foreign-origin',
        'ws.close',
        'ws.close-empty',
        'ws.close-3000',
        'ws.close-4000',
        'ws.close-one-byte',
        'ws.close-1005',
        'ws.close-999',
        'ws.close-bad-utf8',
      ),
    },
  },
  // faye-websocket names no version when it refuses one, accepts any key, and closes an unmasked frame with 1003.
  'ws-faye': { serves: ['ws'], verdicts: { ...fails('ws.bad-version', 'ws.bad-key'), ...nonStrict('ws.unmasked-client') } },
  // Socket.IO is sound WebSocket underneath (ws), but its frames are Engine.IO packets, not the contract's events.
  'ws-socketio': {
    serves: ['ws'],
    verdicts: {
      ...fails(
        'ws.event-frame',
        'ws.empty-text',
        'ws.length-16',
        'ws.fragmented',
        'ws.fragmented-bytes',
        'ws.ping-between-fragments',
        'ws.utf8-valid',
        'ws.chat',
        'ws.bad-message',
        'ws.message-64k',
        'ws.bad-since',
        'ws.events',
        'ws.resume',
        'ws.order',
        'ws.ahead',
        'ws.gap',
      ),
      ...nonStrict('ws.foreign-origin', 'ws.plain-get'),
    },
  },
  'broken-poll': {
    serves: ['short-poll', 'long-poll'],
    verdicts: fails('short-poll.no-cache', 'short-poll.bad-since', 'long-poll.several'),
  },
  'broken-iframe': { serves: ['iframe'], verdicts: fails('iframe.bad-callback', 'iframe.inert') },
  'broken-sse': { serves: ['sse'], verdicts: fails('sse.content-type', 'sse.header-wins') },
  'broken-ws': { serves: ['ws'], verdicts: fails('ws.subprotocol', 'ws.bad-message') },
};

test('each example server gets its asserted verdicts, case by case; each broken one fails exactly its bugs', async () => {
  const results = await Promise.all(
    Object.entries(EXPECTED).map(async ([name, expected]) => {
      const { start } = (await import(`./${name}.ts`)) as { start: (options: ServerOptions) => Promise<Running> };
      const server = await start({ heartbeatMs: 1000, bufferSize: 100 });
      try {
        return { name, expected, report: await runCheck(server.url, { heartbeatMs: 1000 }) };
      } finally {
        await server.close();
      }
    }),
  );
  for (const { name, expected, report } of results) {
    for (const transport of TRANSPORTS) {
      const cases = report.cases.filter((c) => c.transport === transport);
      if (!expected.serves.includes(transport)) {
        assert.ok(
          cases.every((c) => c.verdict === 'missing'),
          `${name}: ${transport} is Missing`,
        );
        continue;
      }
      for (const c of cases) assert.equal(c.verdict, expected.verdicts[c.id] ?? 'pass', `${name}: ${c.id} (${c.reason})`);
    }
    for (const id of Object.keys(expected.verdicts))
      assert.ok(
        report.cases.some((c) => c.id === id),
        `${name}: ${id} ran`,
      );
  }
});

// A client that resets its connection right after being refused must not end the server: an 'error'
// event with no listener is thrown, and a refusal (foreign Origin, bad cursor) is where an example is
// most tempted to return before listening for errors.
test('each WebSocket example outlives clients that reset after being refused', async () => {
  for (const name of ['ws-ws', 'ws-websocket', 'ws-nodejs-websocket', 'ws-faye']) {
    const { start } = (await import(`./${name}.ts`)) as { start: (options: ServerOptions) => Promise<Running> };
    const server = await start({ heartbeatMs: 60_000, bufferSize: 100 });
    const { port } = new URL(server.url);
    try {
      for (const query of ['', '?since=abc']) {
        const origin = query ? server.url : 'http://elsewhere.example';
        await resetAfterAnswer(Number(port), `/feed/ws${query}`, origin);
      }
      const answer = await fetch(`${server.url}/feed/ws`);
      assert.equal(answer.status, 426, `${name}: still answers after the resets`);
    } finally {
      await server.close();
    }
  }
});

/** Opens a WebSocket handshake, waits for the server's first answer bytes, then resets the connection (RST). */
function resetAfterAnswer(port: number, path: string, origin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\n\r\n`,
      );
    });
    socket.once('data', () => {
      // Let the server's refusal (a close frame after a 101, or a 4xx) arrive and be acted on first.
      setTimeout(() => {
        socket.resetAndDestroy();
        setTimeout(resolve, 100);
      }, 50);
    });
    socket.on('error', reject);
  });
}
