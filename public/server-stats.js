// One /stats poller per page, shared by every panel on it: the server's own byte
// counts are the ground truth the panels teach from.
const listeners = new Set();
let timer;
let first;

async function poll() {
  try {
    const stats = await (await fetch('/stats', { cache: 'no-store' })).json();
    first ??= stats;
    for (const listener of listeners) listener(stats, first);
  } catch {
    // The lab restarted or the network blinked: the next poll tries again.
  }
}

/** Calls `listener(stats, statsWhenThePageOpened)` about once a second. */
export function onServerStats(listener) {
  listeners.add(listener);
  if (!timer) {
    poll();
    timer = setInterval(poll, 1000);
  }
  return () => listeners.delete(listener);
}

/**
 * Bytes per delivered event since the page opened, as every page of the lab counts
 * them (the board, the lessons, /results and the README use this one definition):
 * every byte that crossed the transport's sockets, both directions, divided by the
 * events it delivered, split into head, framing and payload (the event's JSON).
 * `overhead` is all but the payload. On a live lab the counts are the whole lab's
 * (every client of that transport, empty polls included), since this page opened.
 */
export function perEvent(now, then, transport) {
  const a = now.transports[transport];
  const b = then.transports[transport];
  const events = a.eventsDelivered - b.eventsDelivered;
  if (!events) return undefined;
  const side = (key) => Object.fromEntries(['head', 'framing', 'payload'].map((kind) => [kind, (a[key][kind] - b[key][kind]) / events]));
  const down = side('bytesOut');
  const up = side('bytesIn');
  const head = down.head + up.head;
  const framing = down.framing + up.framing;
  const payload = down.payload + up.payload;
  return {
    down,
    up,
    head,
    framing,
    payload,
    overhead: head + framing,
    total: head + framing + payload,
    requestsPerEvent: (a.requests - b.requests) / events,
  };
}
