// Server-Sent Events in the browser: EventSource parses, reconnects and resumes
// (Last-Event-ID) by itself; the page only listens. When EventSource gives up (an
// error status closes it for good), the page starts a new one with since.
import { backoffMs, Cursor, feedUrl, ignore, receivedNow } from './common.js';

const TYPES = ['tick', 'chat', 'gap'];

/** @param {import('./common.js').ClientOptions} options */
export function connect({ origin, since, params = {}, onEvent, onMessage: onOther = ignore, onState = ignore, onRequest = ignore }) {
  const cursor = new Cursor(since);
  let source;
  let closed = false;
  let failures = 0;
  let timer;
  const onMessage = (message) => {
    const event = JSON.parse(message.data);
    if (cursor.see(event)) onEvent(event, receivedNow());
    else if (cursor.restartPending) {
      // The server restarted: EventSource would resume with the old run's Last-Event-ID,
      // so replace it with a new one from 0 (a new EventSource sends no Last-Event-ID).
      source.close();
      cursor.startOver();
      onState('connecting', 'restarted');
      open();
    }
  };
  const open = () => {
    onRequest();
    onState('connecting');
    source = new EventSource(feedUrl(origin, '/feed/sse', { ...params, since: cursor.lastSeq }));
    for (const type of TYPES) source.addEventListener(type, onMessage);
    // In a cluster the stream first names the process serving it (not an event: no id, no seq).
    source.addEventListener('process', (message) => onOther(JSON.parse(message.data)));
    source.onopen = () => {
      failures = 0;
      onState('open');
    };
    source.onerror = () => {
      if (closed) return;
      if (source.readyState === EventSource.CONNECTING) {
        onRequest(); // EventSource reconnects by itself, with Last-Event-ID
        onState('waiting');
        return;
      }
      source.close();
      onState('waiting');
      timer = setTimeout(open, backoffMs(failures++));
    };
  };
  open();
  return {
    cursor,
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
      onState('closed');
    },
  };
}
