/**
 * WebSocket driver: the `ws` client, one JSON text frame per event; chat goes
 * up the same socket. Reconnects with `since` after a drop.
 */
import WebSocket from 'ws';
import { Cursor, type Connection, type Driver, backoffMs, isEvent, sleep } from './common.ts';

/** Close codes that mean "not now" (1013 try again later): reconnect with a growing backoff, not at once. */
const REFUSED = new Set([1013]);

const ws: Driver = (options) => {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  let socket: WebSocket | undefined;
  const once = () =>
    new Promise<void>((resolve, reject) => {
      cursor.startOver(); // after a restart lastSeq is already 0: the URL below starts over
      const url = `${options.baseUrl.replace(/^http/, 'ws')}/feed/ws${cursor.lastSeq === undefined ? '' : `?since=${cursor.lastSeq}`}`;
      const s = new WebSocket(url, { headers: options.headers, agent: options.agent, localAddress: options.localAddress });
      socket = s;
      let opened = false;
      s.on('open', () => {
        opened = true;
        options.onState?.('open');
      });
      s.on('message', (data: Buffer) => {
        const receivedAt = performance.timeOrigin + performance.now();
        const message = JSON.parse(data.toString('utf8')) as unknown;
        if (cursor.see(message)) options.onEvent(message, receivedAt);
        else if (!isEvent(message)) options.onMessage?.(message);
        if (cursor.restartPending && s.readyState === s.OPEN) {
          // The server restarted under us: drop this socket, start over from 0.
          options.onState?.('restarted', cursor.epoch);
          s.close(1000, 'starting over');
        }
      });
      s.on('error', (error) => {
        if (!opened) reject(error);
      });
      const onAbort = () => s.close(1000);
      s.on('close', (code, reason) => {
        abort.signal.removeEventListener('abort', onAbort);
        options.onState?.('closed', `${code} ${reason.toString()}`);
        if (REFUSED.has(code)) reject(new Error(`closed ${code} ${reason.toString()}`));
        else resolve();
      });
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  const done = (async () => {
    let failures = 0;
    while (!abort.signal.aborted) {
      try {
        options.onState?.('connecting');
        await once();
        failures = 0;
      } catch (error) {
        failures++;
        options.onState?.('waiting', String(error));
      }
      if (abort.signal.aborted || options.reconnect === false) break;
      await sleep(backoffMs(failures), abort.signal);
    }
  })();
  return {
    id: 'ws',
    get lastSeq() {
      return cursor.lastSeq;
    },
    send(message: unknown) {
      socket?.send(JSON.stringify(message));
    },
    async close() {
      abort.abort();
      await done;
    },
  };
};

export default ws;
