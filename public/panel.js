// The live wire panel: one transport's client, its figures, its events and the raw
// bytes of its own connections. Used by the board and by every lesson demo.
import { CLIENTS } from './clients/index.js';
import { config, h, originFor, pageProtocol, t } from './lab.js';
import { onServerStats, perEvent } from './server-stats.js';
import { publishStep } from './ladder-bus.js';
import { openTap, requestHeadBytes, wireReader } from './wiretap.js';

const MAX_LOG = 60;
const MAX_WIRE = 80;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (value) => (value === undefined ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0));

/**
 * Bytes per event split into its kinds, each number in its kind's colour (style.css
 * --byte-head, --byte-framing, --byte-payload, as on the board's bars and /results).
 */
function byteParts() {
  const parts = Object.fromEntries(
    ['head', 'framing', 'payload'].map((kind) => [kind, h('span', { class: `part ${kind}`, title: t(`bars.${kind}`) }, '–')]),
  );
  const node = h(
    'dd',
    { class: 'wide parts', 'data-field': 'per-event-parts', title: t('panel.perEventParts') },
    parts.head,
    ' + ',
    parts.framing,
    ' + ',
    parts.payload,
  );
  return Object.assign(node, {
    /** @param {{ head: number, framing: number, payload: number }} per */
    show(per) {
      for (const kind of ['head', 'framing', 'payload']) parts[kind].textContent = per[kind].toFixed(0);
    },
  });
}

/**
 * Mounts a panel for `transport` into `slot`. Options: since, params (extra query
 * parameters such as types or heartbeatMs), origin (defaults to the transport's
 * own port), wire (show the raw wire, default true), client (with wire false, the id
 * of a tap the caller opened: wiretap.js), title, onActivity(kind, event) (called
 * for each request the client makes and each event it receives).
 */
export function mountPanel(slot, transport, options = {}) {
  // Short figures sit beside their label; long ones (several numbers) take a row of their own.
  const field = (name, wide = false) => h('dd', { 'data-field': name, class: wide ? 'wide' : undefined }, '–');
  const figures = {
    events: field('events'),
    latencyP50: field('latency-p50'),
    benchP50: field('bench-p50'),
    perEvent: field('per-event'),
    perEventParts: byteParts(),
    requests: field('requests'),
    protocol: field('protocol'),
    lastSeq: field('last-seq'),
    gaps: field('gaps'),
    latency: field('latency', true),
    connections: field('connections'),
    heads: field('heads', true),
    process: field('process', true),
  };
  // A label never wraps and is never cut: the key figures' labels are short, the others take a row.
  const label = (key, wide = false) =>
    h('dt', { title: t(`${key}.title`) === `${key}.title` ? t(key) : t(`${key}.title`), class: wide ? 'wide' : undefined }, t(key));
  // Shown only when this panel sees its own connections (the wiretap), and in a cluster once a process has named itself.
  const tapOnly = [label('panel.connections'), figures.connections, label('panel.heads', true), figures.heads];
  const clusterOnly = [label('panel.process', true), figures.process];
  // The bench's figure beside the live one, when a page asks for it (setBenchP50).
  const benchOnly = [label('panel.benchP50'), figures.benchP50];
  for (const node of [...clusterOnly, ...benchOnly]) node.hidden = true;
  const state = h('span', { class: 'state', 'data-state': 'connecting', role: 'status' }, t('state.connecting'));
  const log = h('div', { class: 'log', tabindex: '0', 'aria-label': t('panel.log'), 'data-field': 'log' });
  const wire = h('div', { class: 'wire', tabindex: '0', 'aria-label': t('panel.wire'), 'data-field': 'wire' }, t('panel.waitingWire'));
  const title = options.title ?? t(`label.${transport}`);
  // The key figures first (what a class reads from the back of the room), the detail after them.
  const panel = h(
    'section',
    { class: 'panel', 'data-transport': transport, 'aria-label': t(`label.${transport}`) },
    h('h3', {}, h('span', { class: 'title', title }, title), state),
    h(
      'dl',
      { class: 'figures key' },
      label('panel.events'),
      figures.events,
      label('panel.latencyP50'),
      figures.latencyP50,
      ...benchOnly,
      label('panel.perEvent'),
      figures.perEvent,
      figures.perEventParts,
      label('panel.requests'),
      figures.requests,
      label('panel.protocol'),
      figures.protocol,
    ),
    h(
      'dl',
      { class: 'figures more' },
      label('panel.lastSeq'),
      figures.lastSeq,
      label('panel.gaps'),
      figures.gaps,
      label('panel.latency', true),
      figures.latency,
      ...tapOnly,
      ...clusterOnly,
    ),
    h('details', { open: options.wire !== false }, h('summary', {}, t('panel.wire')), wire),
    h('details', { open: true }, h('summary', {}, t('panel.log')), log),
  );
  slot.replaceChildren(panel);

  let events = 0;
  let gaps = 0;
  let requestsMade = 0;
  const latencies = [];
  let requestsSeen = 0; // request heads seen on the wire
  const lastHeads = []; // the bytes of the last few, oldest first
  const connections = new Set();
  const origin = options.origin ?? originFor(transport);

  const setState = (name, detail) => {
    state.dataset.state = name;
    state.textContent = t(`state.${name}`);
    state.title = detail ?? '';
    if (detail === 'restarted') {
      // Seq numbers start again at 1: say so, or the log reads like events went back in time.
      panel.dataset.restarts = String(Number(panel.dataset.restarts ?? 0) + 1);
      log.prepend(h('div', { class: 'restart' }, t('panel.restarted')));
    }
  };

  const onEvent = (event, receivedAt) => {
    options.onActivity?.('event', event);
    events++;
    if (event.type === 'gap') gaps++;
    const latencyMs = Math.max(0, receivedAt - event.at);
    latencies.push(latencyMs);
    if (latencies.length > 500) latencies.shift();
    const sorted = [...latencies].sort((a, b) => a - b);
    figures.events.textContent = String(events);
    figures.lastSeq.textContent = String(event.seq);
    figures.gaps.textContent = String(gaps);
    figures.latency.textContent = `${ms(latencyMs)} / ${ms(percentile(sorted, 50))} / ${ms(percentile(sorted, 95))}`;
    figures.latencyP50.textContent = `${ms(percentile(sorted, 50))} ms`;
    panel.dataset.events = String(events);
    // Chat text is set as text, never parsed as HTML: a message is data, not markup.
    const line = h(
      'div',
      { class: event.type },
      `#${event.seq} ${event.type} `,
      event.type === 'chat' ? `${event.data.name}: ${event.data.text}` : JSON.stringify(event.data),
    );
    log.prepend(line);
    while (log.childElementCount > MAX_LOG) log.lastElementChild.remove();
  };

  const read = wireReader();
  let wireStarted = false;
  let browserSaid = false;
  const onRecord = (record) => {
    const headBytes = requestHeadBytes(record);
    if (headBytes !== undefined) {
      requestsSeen++;
      lastHeads.push(headBytes);
      if (lastHeads.length > 8) lastHeads.shift();
      // The last few heads side by side: over HTTP/2 the first is full size, the next ones are
      // mostly references into HPACK's table; over HTTP/1.1 every one is full size.
      figures.heads.textContent = lastHeads.join(' · ');
    }
    // A connection's protocol is settled when it opens; the browser's own account comes
    // once one of its requests has finished: looked up until then, not on every record.
    const isNew = !connections.has(record.connection);
    connections.add(record.connection);
    if (isNew || !browserSaid) browserSaid = showProtocol(record.protocol);
    figures.requests.textContent = String(Math.max(requestsSeen, requestsMade));
    figures.connections.textContent = String(connections.size);
    if (!wireStarted) {
      wire.textContent = '';
      wireStarted = true;
    }
    for (const text of read(record))
      wire.append(h('div', { class: `rec ${record.dir}` }, h('span', { class: 'meta' }, `#${record.connection} `), text));
    while (wire.childElementCount > MAX_WIRE) wire.firstElementChild.remove();
    wire.scrollTop = wire.scrollHeight;
  };

  // What carried this panel's connections, as the server saw it (the wiretap: `protocol`) and
  // as the browser reports it (Resource Timing, once one of its requests has finished). Without
  // the tap, the browser's account alone: plain http:// is HTTP/1.1 (browsers speak HTTP/2 only
  // over TLS), and a stream that never finishes shares the page's own connection when it goes
  // to the page's origin (over HTTP/2, WebSockets too: RFC 8441).
  const showProtocol = (protocol) => {
    const entry = performance
      .getEntriesByType('resource')
      .filter((e) => e.name.startsWith(`${origin}/feed/${transport}`))
      .pop();
    const browser = entry?.nextHopProtocol || (origin === location.origin ? pageProtocol() : undefined);
    const tls = origin.startsWith('https:');
    const seen = protocol ?? (!tls ? 'h1' : browser === 'h2' ? 'h2' : browser ? 'h1-tls' : undefined);
    if (!seen) return false;
    const name = seen === 'h2' ? 'HTTP/2' : tls ? 'HTTP/1.1 + TLS' : 'HTTP/1.1';
    panel.dataset.protocol = seen === 'h2' ? 'h2' : 'h1';
    figures.protocol.textContent =
      protocol && entry?.nextHopProtocol ? `${name} · ${t('panel.browserSays', { protocol: entry.nextHopProtocol })}` : name;
    return Boolean(entry?.nextHopProtocol);
  };

  // In a cluster (npm run cluster) each connection names the lab process serving it: a
  // stream keeps one until it is cut, polls may reach a different one every time.
  const processes = new Set();
  const showProcess = (name) => {
    for (const node of clusterOnly) node.hidden = false;
    processes.add(name);
    panel.dataset.process = name;
    panel.dataset.processes = String(processes.size);
    figures.process.textContent = processes.size > 1 ? t('panel.processNow', { name, count: processes.size }) : name;
  };

  // Bytes per event as every page counts them (server-stats.js): both directions, head + framing + payload.
  let tapped = false;
  const stopStats = onServerStats((now, then) => {
    const per = perEvent(now, then, transport);
    if (per) {
      figures.perEvent.textContent = `${per.total.toFixed(0)} B`;
      figures.perEventParts.show(per);
    }
    // Without the tap, what carried the connections is the browser's own account.
    if (!tapped) showProtocol(undefined);
  });

  // In a cluster the tap's socket and the panel's connections land on different processes
  // (round robin), and a process can only show the bytes of its own connections.
  if (config.cluster) wire.textContent = t('panel.wireCluster');
  // Its trace's steps go to the page's ladder diagrams (ladder-bus.js, ladder.js).
  const tap = options.wire === false || config.cluster ? undefined : openTap(onRecord, publishStep);
  let connection;
  let closed = false;
  // The id the server minted for this panel's tap (or a demo's, passed in): sent with every request.
  (tap?.ready ?? Promise.resolve(options.client)).then((client) => {
    if (closed) return;
    // A panel that does not see its own connections shows no figure it cannot have.
    tapped = Boolean(tap && client);
    for (const node of tapOnly) node.hidden = !tapped;
    if (!tapped && !config.cluster) wire.closest('details').hidden = true;
    connection = CLIENTS[transport].connect({
      origin,
      since: options.since,
      params: { client, ...options.params },
      intervalMs: options.intervalMs,
      // Five tick intervals of silence on a stream that carries ticks: its server is gone.
      quietMs: config.tickMs > 0 && !options.params?.types ? Math.max(3000, 5 * config.tickMs) : 0,
      onEvent,
      onState: setState,
      onMessage: (message) => {
        if (message?.type === 'process') showProcess(message.process);
        options.onMessage?.(message);
      },
      onRequest: () => {
        options.onActivity?.('request');
        requestsMade++;
        if (!tapped) figures.requests.textContent = String(requestsMade);
      },
    });
  });

  return {
    element: panel,
    /** Shows the bench's p50 for one idle client of this transport beside the live p50. */
    setBenchP50(valueMs) {
      figures.benchP50.textContent = `${ms(valueMs)} ms`;
      for (const node of benchOnly) node.hidden = false;
    },
    get connection() {
      return connection;
    },
    close() {
      closed = true;
      connection?.close();
      tap?.close();
      stopStats();
    },
  };
}
