// Iframe streaming in the browser: a hidden iframe whose document never finishes;
// each <script> chunk calls parent.<cb>(event).
//
// A frame on another origin may not call into this page, so when the stream lives
// on its own port (server/listeners.ts) a small relay page on that port holds the
// forever-frame and forwards each event with postMessage.
import { Cursor, backoffMs, feedUrl, receivedNow } from './common.js';

let counter = 0;

export function connect({ origin, since, params = {}, onEvent, onState = () => {}, onRequest = () => {}, container = document.body }) {
  const cursor = new Cursor(since);
  const id = `c${++counter}`;
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = 'iframe stream';
  let closed = false;
  let failures = 0;
  let eventsThisDocument = 0;
  let timer;

  const receive = (event) => {
    if (!cursor.see(event)) return;
    eventsThisDocument++;
    onEvent(event, receivedNow());
  };

  // A finished document (the server's byte limit), an error page or a dropped
  // connection all end in `load`: reconnect with since, sooner if events flowed.
  const reconnect = () => {
    if (closed) return;
    failures = eventsThisDocument > 0 ? 0 : failures + 1;
    onState('waiting');
    timer = setTimeout(open, eventsThisDocument > 0 ? 0 : backoffMs(failures));
  };

  let open;
  if (origin === location.origin) {
    // Same origin: the stream's scripts call window.wirelabIframe.<id>(event) here directly.
    window.wirelabIframe ??= {};
    window.wirelabIframe[id] = receive;
    frame.addEventListener('load', reconnect);
    open = () => {
      eventsThisDocument = 0;
      onRequest();
      onState('open');
      frame.src = feedUrl(origin, '/feed/iframe', { ...params, cb: `wirelabIframe.${id}`, since: cursor.lastSeq });
    };
  } else {
    const onMessage = (message) => {
      if (message.origin !== origin || message.source !== frame.contentWindow || message.data?.wirelab !== 'iframe') return;
      if (message.data.event) receive(message.data.event);
      if (message.data.loaded) reconnect();
    };
    window.addEventListener('message', onMessage);
    frame.cleanup = () => window.removeEventListener('message', onMessage);
    open = () => {
      eventsThisDocument = 0;
      onRequest();
      onState('open');
      const streamUrl = feedUrl(origin, '/feed/iframe', { ...params, cb: 'onEvent', since: cursor.lastSeq });
      frame.src = `${origin}/assets/iframe-relay.html#${encodeURIComponent(streamUrl)}`;
    };
  }
  container.append(frame);
  onState('connecting');
  open();
  return {
    cursor,
    close() {
      closed = true;
      clearTimeout(timer);
      frame.cleanup?.();
      if (window.wirelabIframe) delete window.wirelabIframe[id];
      frame.remove();
      onState('closed');
    },
  };
}
