/**
 * WebSocket driver: the `ws` client, one JSON text frame per event; chat goes
 * up the same socket. Reconnects with `since` after a drop.
 */
import WebSocket from 'ws';
import { Cursor, type Connection, type Driver, backoffMs, sleep } from './common.ts';

const ws: Driver = (options) => {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  let socket: WebSocket | undefined;
  const once = () =>
    new Promise<void>((resolve, reject) => {
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
        else options.onMessage?.(message);
      });
      s.on('error', (error) => {
        if (!opened) reject(error);
      });
      s.on('close', (code, reason) => {
        options.onState?.('closed', `${code} ${reason.toString()}`);
        resolve();
      });
      abort.signal.addEventListener('abort', () => s.close(1000), { once: true });
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
