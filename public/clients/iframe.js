// Iframe streaming in the browser: a hidden iframe whose document never finishes;
// each <script> chunk calls parent.<cb>(event).
//
// A frame on another origin may not call into this page, so when the stream lives
// on its own port (server/listeners.ts) a small relay page on that port holds the
// forever-frame and forwards each event with postMessage.
import { backoffMs, Cursor, feedUrl, ignore, isEvent, receivedNow } from './common.js';

let counter = 0;

/** @param {import('./common.js').ClientOptions} options */
export function connect({
  origin,
  since,
  params = {},
  onEvent,
  onMessage = ignore,
  onState = ignore,
  onRequest = ignore,
  container = document.body,
  quietMs = 0,
}) {
  const cursor = new Cursor(since);
  const id = `c${++counter}`;
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = 'iframe stream';
  let closed = false;
  let failures = 0;
  let eventsThisDocument = 0;
  let timer;

  // Each document the frame loads has a number. After a server restart the frame
  // is sent to a new document at once, and the old one may still run a script or
  // two: events from any document but the current one do not count.
  let doc = 0;
  /** When the current document last brought something (the watchdog below). */
  let heardAt = 0;

  const receive = (fromDoc, event) => {
    if (fromDoc !== doc) return;
    heardAt = performance.now();
    if (!isEvent(event)) return onMessage(event); // a cluster's process naming itself
    if (!cursor.see(event)) {
      // The server restarted: this document followed the old run's cursor; load a new one from 0.
      if (cursor.startOver()) {
        onState('connecting', 'restarted');
        reopen();
      }
      return;
    }
    eventsThisDocument++;
    onEvent(event, receivedNow());
  };

  // A finished document (the server's byte limit), an error page or a dropped
  // connection all end in `load`: reconnect with since, sooner if events flowed.
  // Two signals may report one document's end (see the relay below): act on the first.
  let reconnectingFor = 0;
  const reconnect = () => {
    if (closed || reconnectingFor === doc) return;
    reconnectingFor = doc;
    failures = eventsThisDocument > 0 ? 0 : failures + 1;
    onState('waiting');
    timer = setTimeout(open, eventsThisDocument > 0 ? 0 : backoffMs(failures));
  };

  /** What every new document starts with, on either path below. */
  const begin = () => {
    eventsThisDocument = 0;
    heardAt = performance.now();
    onRequest();
    onState('open');
  };
  let open;
  if (origin === location.origin) {
    // Same origin: the stream's scripts call window.wirelabIframe.<id>_<doc>(event) here directly.
    window.wirelabIframe ??= {};
    frame.addEventListener('load', reconnect);
    open = () => {
      const current = ++doc;
      // The previous document's name stays callable (a late script must not throw), the one before goes.
      delete window.wirelabIframe[`${id}_${current - 2}`];
      window.wirelabIframe[`${id}_${current}`] = (event) => receive(current, event);
      begin();
      frame.src = feedUrl(origin, '/feed/iframe', { ...params, cb: `wirelabIframe.${id}_${current}`, since: cursor.lastSeq });
    };
    frame.cleanup = () => {
      for (const name of Object.keys(window.wirelabIframe)) if (name.startsWith(`${id}_`)) delete window.wirelabIframe[name];
    };
  } else {
    const onMessage = (message) => {
      if (message.origin !== origin || message.source !== frame.contentWindow || message.data?.wirelab !== 'iframe') return;
      if (message.data.doc !== doc) return;
      if (message.data.event) receive(doc, message.data.event);
      if (message.data.loaded) reconnect();
    };
    window.addEventListener('message', onMessage);
    // The relay reports its stream's end, but a relay that could not load at all (the
    // port is down while the lab restarts) is an error page that reports nothing: its
    // `load` here is the only sign. The relay's own `load` waits for its stream, so
    // for a working relay this fires only after the stream ended too.
    frame.addEventListener('load', reconnect);
    frame.cleanup = () => window.removeEventListener('message', onMessage);
    open = () => {
      doc++;
      begin();
      const streamUrl = feedUrl(origin, '/feed/iframe', { ...params, cb: 'onEvent', since: cursor.lastSeq });
      frame.src = `${origin}/assets/iframe-relay.html?doc=${doc}#${encodeURIComponent(streamUrl)}`;
    };
  }
  // A stream whose server vanished mid-response (a process killed behind a proxy: the
  // bytes just stop, with no last chunk) ends the document in Chromium without a `load`
  // event, and the page would wait forever. The keep-alive comments cannot tell: a page
  // never sees them. But the feed ticks, so a stream that brought nothing for `quietMs`
  // is taken for dead and opened again from the cursor, as the heartbeats lesson says.
  // (A document is streaming until reconnect() has taken note of its end.)
  const watchdog =
    quietMs > 0
      ? setInterval(
          () => {
            if (closed || reconnectingFor === doc || performance.now() - heardAt < quietMs) return;
            onState('waiting', 'silent');
            reopen();
          },
          Math.min(1000, quietMs / 2),
        )
      : undefined;
  /** A new document from the cursor now, whatever the current one is doing. */
  function reopen() {
    clearTimeout(timer);
    open();
  }

  container.append(frame);
  onState('connecting');
  open();
  return {
    cursor,
    /** Gives up the current stream for a new one from the cursor: for a caller that knows its server is gone. */
    reopen,
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(watchdog);
      frame.cleanup?.();
      frame.remove();
      onState('closed');
    },
  };
}
