/**
 * A client of the Socket.IO example (lessons/servers/ws-socketio.ts), for the bench
 * only: the `ws` client on /feed/ws, reading Engine.IO 3 packets as a Socket.IO 2
 * client does. `0{...}` opens (it names the ping interval), `42["event",{...}]`
 * carries one event, the client sends `2` (ping) every interval and the server
 * answers `3`. What the driver hands on is the event inside, so the bench measures
 * Socket.IO on the same schedule as every other WebSocket server.
 */
import WebSocket from 'ws';
import { Cursor, type Driver, backoffMs } from './common.ts';
import { reconnectLoop } from './loop.ts';

/** The event of one `42["event",{...}]` message packet; undefined for any other packet. */
function engineIoEvent(text: string): unknown {
  if (!text.startsWith('42')) return undefined;
  const [name, event] = JSON.parse(text.slice(2)) as [string, unknown];
  return name === 'event' ? event : undefined;
}

const socketIo: Driver = (options) => {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  const once = () =>
    new Promise<void>((resolve, reject) => {
      cursor.startOver();
      const query = cursor.lastSeq === undefined ? '' : `?since=${cursor.lastSeq}`;
      const url = `${options.baseUrl.replace(/^http/, 'ws')}/feed/ws${query}`;
      const s = new WebSocket(url, { headers: options.headers, localAddress: options.localAddress });
      let opened = false;
      let pinger: NodeJS.Timeout | undefined;
      s.on('open', () => {
        opened = true;
        options.onState?.('open');
      });
      s.on('message', (data: Buffer) => {
        const receivedAt = performance.timeOrigin + performance.now();
        const text = data.toString('utf8');
        if (text.startsWith('0{')) {
          // Engine.IO 3: the client keeps the socket alive with a ping every pingInterval.
          const { pingInterval = 25_000 } = JSON.parse(text.slice(1)) as { pingInterval?: number };
          pinger = setInterval(() => s.readyState === s.OPEN && s.send('2'), pingInterval);
          return;
        }
        const event = engineIoEvent(text);
        if (event !== undefined && cursor.see(event)) options.onEvent(event as never, receivedAt);
      });
      s.on('error', (error) => {
        if (!opened) reject(error);
      });
      const onAbort = () => s.close(1000);
      s.on('close', () => {
        clearInterval(pinger);
        abort.signal.removeEventListener('abort', onAbort);
        options.onState?.('closed');
        resolve();
      });
      abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  return reconnectLoop(
    'ws',
    options,
    cursor,
    abort,
    async () => {
      options.onState?.('connecting');
      await once();
      return backoffMs(0);
    },
    () => {},
  );
};

export default socketIo;
