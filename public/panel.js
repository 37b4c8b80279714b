// The live wire panel: one transport's client, its figures, its events and the raw
// bytes of its own connections. Used by the board and by every lesson demo.
import { CLIENTS } from './clients/index.js';
import { config, h, originFor, t } from './lab.js';
import { onServerStats, perEvent } from './server-stats.js';
import { openTap, requestHeadBytes, wireReader } from './wiretap.js';

const MAX_LOG = 60;
const MAX_WIRE = 80;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (value) => (value === undefined ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0));

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
    events: field('events'), lastSeq: field('last-seq'), gaps: field('gaps'), latency: field('latency', true),
    requests: field('requests'), connections: field('connections'), perEvent: field('per-event', true),
    protocol: field('protocol', true), heads: field('heads', true), process: field('process', true),
  };
  // A label never wraps: one that does not fit is cut, and says itself in full on hover.
  const label = (key, wide = false) => h('dt', { title: t(key), class: wide ? 'wide' : undefined }, t(key));
  // Shown only in a cluster, once a process has named itself.
  const processLabel = label('panel.process', true);
  processLabel.hidden = figures.process.hidden = true;
  const state = h('span', { class: 'state', 'data-state': 'connecting', role: 'status' }, t('state.connecting'));
  const log = h('div', { class: 'log', tabindex: '0', 'aria-label': t('panel.log'), 'data-field': 'log' });
  const wire = h('div', { class: 'wire', tabindex: '0', 'aria-label': t('panel.wire'), 'data-field': 'wire' }, t('panel.waitingWire'));
  const panel = h('section', { class: 'panel', 'data-transport': transport, 'aria-label': t(`label.${transport}`) },
    h('h3', {}, h('span', { class: 'title', title: options.title ?? t(`label.${transport}`) }, options.title ?? t(`label.${transport}`)), state),
    h('dl', { class: 'figures' },
      label('panel.events'), figures.events,
      label('panel.lastSeq'), figures.lastSeq,
      label('panel.gaps'), figures.gaps,
      label('panel.requests'), figures.requests,
      label('panel.connections'), figures.connections,
      label('panel.latency', true), figures.latency,
      label('panel.perEvent', true), figures.perEvent,
      label('panel.protocol', true), figures.protocol,
      label('panel.heads', true), figures.heads,
      processLabel, figures.process),
    h('details', { open: options.wire !== false }, h('summary', {}, t('panel.wire')), wire),
    h('details', { open: true }, h('summary', {}, t('panel.log')), log));
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
    panel.dataset.events = String(events);
    // Chat text is set as text, never parsed as HTML: a message is data, not markup.
    const line = h('div', { class: event.type }, `#${event.seq} ${event.type} `,
      event.type === 'chat' ? `${event.data.name}: ${event.data.text}` : JSON.stringify(event.data));
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
    for (const text of read(record)) wire.append(h('div', { class: `rec ${record.dir}` }, h('span', { class: 'meta' }, `#${record.connection} `), text));
    while (wire.childElementCount > MAX_WIRE) wire.firstElementChild.remove();
    wire.scrollTop = wire.scrollHeight;
  };

  // What carried this panel's connections, as the server saw it (the wiretap) and, for
  // requests that have finished, as the browser reports it (Resource Timing).
  const showProtocol = (protocol) => {
    const seen = protocol === 'h2' ? 'HTTP/2' : origin.startsWith('https:') ? 'HTTP/1.1 + TLS' : 'HTTP/1.1';
    const entry = performance.getEntriesByType('resource').filter((e) => e.name.startsWith(`${origin}/feed/${transport}`)).pop();
    panel.dataset.protocol = protocol;
    figures.protocol.textContent = entry?.nextHopProtocol ? `${seen} · ${t('panel.browserSays', { protocol: entry.nextHopProtocol })}` : seen;
    return Boolean(entry?.nextHopProtocol);
  };

  // In a cluster (npm run cluster) each connection names the lab process serving it: a
  // stream keeps one until it is cut, polls may reach a different one every time.
  const processes = new Set();
  const showProcess = (name) => {
    processLabel.hidden = figures.process.hidden = false;
    processes.add(name);
    panel.dataset.process = name;
    panel.dataset.processes = String(processes.size);
    figures.process.textContent = processes.size > 1 ? t('panel.processNow', { name, count: processes.size }) : name;
  };

  const stopStats = onServerStats((now, then) => {
    const per = perEvent(now, then, transport);
    if (per) figures.perEvent.textContent = `↓ ${per.out.head.toFixed(0)} / ${per.out.framing.toFixed(1)} / ${per.out.payload.toFixed(1)} · ↑ ${per.in.toFixed(0)}`;
  });

  // In a cluster the tap's socket and the panel's connections land on different processes
  // (round robin), and a process can only show the bytes of its own connections.
  if (config.cluster) wire.textContent = t('panel.wireCluster');
  const tap = options.wire === false || config.cluster ? undefined : openTap(onRecord);
  let connection;
  let closed = false;
  // The id the server minted for this panel's tap (or a demo's, passed in): sent with every request.
  (tap?.ready ?? Promise.resolve(options.client)).then((client) => {
    if (closed) return;
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
        if (!tap) figures.requests.textContent = String(requestsMade);
      },
    });
  });

  return {
    element: panel,
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
