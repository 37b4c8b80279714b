// WebSocket in the browser: one socket, one JSON text frame per event, chat goes up
// the same socket. After a drop the page reconnects with since (WebSocket does not).
import { backoffMs, Cursor, feedUrl, ignore, receivedNow } from './common.js';

/** @param {import('./common.js').ClientOptions} options */
export function connect({ origin, since, params = {}, onEvent, onMessage = ignore, onState = ignore, onRequest = ignore }) {
  const cursor = new Cursor(since);
  let socket;
  let closed = false;
  let failures = 0;
  let timer;
  const open = () => {
    onRequest();
    onState('connecting');
    socket = new WebSocket(feedUrl(origin.replace(/^http/, 'ws'), '/feed/ws', { ...params, since: cursor.lastSeq }));
    socket.onopen = () => {
      failures = 0;
      onState('open');
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (cursor.see(data)) onEvent(data, receivedNow());
      else if (cursor.restartPending) {
        // The server restarted under this socket: drop it and start over from 0 at once.
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'starting over');
      } else onMessage(data);
    };
    socket.onclose = (close) => {
      if (closed) return;
      if (cursor.startOver()) {
        onState('connecting', 'restarted');
        open();
        return;
      }
      onState('waiting', `${close.code} ${close.reason}`);
      timer = setTimeout(open, backoffMs(failures++));
    };
  };
  open();
  return {
    cursor,
    /** Sends `message` as JSON if the socket is open; returns whether it did. */
    send(message) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'page closed the demo');
      onState('closed');
    },
  };
}
