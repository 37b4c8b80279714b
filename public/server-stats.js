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

/** Bytes per delivered event since the page opened, downstream and upstream. */
export function perEvent(now, then, transport) {
  const a = now.transports[transport];
  const b = then.transports[transport];
  const events = a.eventsDelivered - b.eventsDelivered;
  if (!events) return undefined;
  const per = (side, part) => (a[side][part] - b[side][part]) / events;
  return {
    out: { head: per('bytesOut', 'head'), framing: per('bytesOut', 'framing'), payload: per('bytesOut', 'payload') },
    in: per('bytesIn', 'head') + per('bytesIn', 'framing') + per('bytesIn', 'payload'),
    requestsPerEvent: (a.requests - b.requests) / events,
  };
}
