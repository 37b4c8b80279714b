/**
 * WebSocket driver: the `ws` client, one JSON text frame per event; chat goes
 * up the same socket. Reconnects with `since` after a drop (loop.ts).
 */
import WebSocket from 'ws';
import { openWebSocketOverHttp2 } from '../http2/websocket.ts';
import { Cursor, type Driver, HttpClient, backoffMs, isEvent } from './common.ts';
import { reconnectLoop } from './loop.ts';

/** Close codes that mean "not now" (1013 try again later): reconnect with a growing backoff, not at once. */
const REFUSED = new Set([1013]);

const ws: Driver = (options) => {
  const cursor = new Cursor(options.since);
  const abort = new AbortController();
  let socket: WebSocket | undefined;
  // Over HTTP/2 the socket is a stream of the client's one connection (RFC 8441).
  const client = options.protocol === 'h2' ? new HttpClient(options) : undefined;
  const open = async (): Promise<WebSocket> => {
    const path = `/feed/ws${cursor.lastSeq === undefined ? '' : `?since=${cursor.lastSeq}`}`;
    if (client) return openWebSocketOverHttp2(client.connect(), options.baseUrl, path, options.headers);
    const tls = options.baseUrl.startsWith('https:') ? (options.ca ? { ca: options.ca } : { rejectUnauthorized: false }) : {};
    const socket = new WebSocket(`${options.baseUrl.replace(/^http/, 'ws')}${path}`, {
      headers: options.headers,
      agent: options.agent,
      localAddress: options.localAddress,
      ...tls,
    });
    socket.on('upgrade', (response) => options.onHeaders?.(response.headers));
    return socket;
  };
  const once = async () => {
    cursor.startOver(); // after a restart lastSeq is already 0: the URL below starts over
    const s = await open();
    socket = s;
    await new Promise<void>((resolve, reject) => {
      let opened = s.readyState === s.OPEN; // over HTTP/2 it is open as soon as it exists
      if (opened) options.onState?.('open');
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
      // Over HTTP/2 the socket arrives after an await: the client may have been closed meanwhile.
      if (abort.signal.aborted) onAbort();
    });
  };
  const connection = reconnectLoop(
    'ws',
    options,
    cursor,
    abort,
    async () => {
      options.onState?.('connecting');
      await once();
      // A clean close (the lab shutting down, 1001) is followed by a short random pause, as after a failure's first.
      return backoffMs(0);
    },
    () => client?.close(),
  );
  connection.send = (message: unknown) => {
    socket?.send(JSON.stringify(message));
  };
  return connection;
};

export default ws;
