// The heartbeats lesson's demo: four quiet streams (chat only) through the lab's
// idle proxy, a middlebox that cuts any connection idle for IDLE_PROXY_MS. Two have
// no heartbeat and are cut every few seconds; two send one every second and live.
// The page never sees a heartbeat (EventSource drops comments, the browser answers
// pings itself), so each stream's wiretap shows them: `: heartbeat` lines, ping
// and pong frames.
import { CLIENTS } from '../clients/index.js';
import { chatBox } from '../chat-box.js';
import { WIRE, h, originFor, t } from '../lab.js';
import { frameStream } from '../ws-frames.js';
import { publishStep } from '../ladder-bus.js';
import { openTap } from '../wiretap.js';

/** The proxy's idle limit: IDLE_PROXY_MS in server/listeners.ts (3000 ms); keep the two in step. */
export const IDLE_PROXY_S = 3;

const STREAMS = [
  { id: 'sse-0', transport: 'sse', heartbeatMs: 0 },
  { id: 'sse-1000', transport: 'sse', heartbeatMs: 1000 },
  { id: 'ws-0', transport: 'ws', heartbeatMs: 0 },
  { id: 'ws-1000', transport: 'ws', heartbeatMs: 1000 },
];
const MAX_LOG = 40;

const seconds = (ms) => (ms / 1000).toFixed(1);
const clock = (at) => new Date(at).toLocaleTimeString([], { hour12: false });

/** One stream's card: the client, its tap, and what they saw. */
function streamCard(spec, origin) {
  const field = (name) => h('dd', { 'data-field': name }, '–');
  const f = { drops: field('drops'), connected: field('connected'), heartbeat: field('heartbeat'), opened: field('opened') };
  const state = h('span', { class: 'state', 'data-state': 'closed', role: 'status', style: 'align-self:flex-start' }, t('state.closed'));
  const log = h('div', { class: 'log', tabindex: '0', 'aria-label': t('hb.log'), style: 'height:8rem' });
  const title = t('hb.title', {
    transport: t(`label.${spec.transport}`),
    heartbeat: spec.heartbeatMs ? t('hb.every', { ms: spec.heartbeatMs }) : t('hb.none'),
  });
  // No data-transport on the card: pages.test.ts expects every .panel[data-transport] to receive ticks, and these streams are chat only.
  const card = h(
    'section',
    {
      class: 'panel',
      'data-stream': spec.id,
      'data-stream-transport': spec.transport,
      'data-heartbeat-ms': String(spec.heartbeatMs),
      'data-drops': '0',
      'aria-label': title,
    },
    h('h3', {}, title, state),
    h(
      'dl',
      { class: 'figures' },
      h('dt', {}, t('hb.drops')),
      f.drops,
      h('dt', {}, t('hb.opened')),
      f.opened,
      h('dt', {}, t('hb.connected')),
      f.connected,
      h('dt', {}, t('hb.lastHeartbeat')),
      f.heartbeat,
    ),
    h('details', { open: true }, h('summary', {}, t('hb.log')), log),
  );

  let drops = 0;
  let opened = 0;
  let openSince;
  let lastHeartbeat;
  let lastHeartbeatWhat = '';
  let current = 'closed';
  let frameState = new Map();

  const note = (text, cls) => {
    log.prepend(h('div', { class: cls }, `${clock(Date.now())} ${text}`));
    while (log.childElementCount > MAX_LOG) log.lastElementChild.remove();
  };

  const setState = (name) => {
    if (name === current) return;
    if (name === 'open') {
      opened++;
      openSince = performance.now();
      note(t('hb.note.open'));
    } else if (current === 'open' && name === 'waiting') {
      drops++;
      card.dataset.drops = String(drops);
      note(t('hb.note.drop', { seconds: seconds(performance.now() - openSince) }), 'gap');
      openSince = undefined;
    }
    current = name;
    state.dataset.state = name;
    state.textContent = t(`state.${name}`);
    refresh();
  };

  const sawHeartbeat = (kind) => {
    lastHeartbeat = performance.now();
    lastHeartbeatWhat = t(`hb.what.${kind}`);
    note(t(`hb.note.${kind}`));
  };

  // The tap: only heartbeats are noted (the feed is chat only, so little else flows).
  const onRecord = (record) => {
    if (spec.transport === 'sse') {
      if (record.dir === 'out' && new TextDecoder().decode(record.bytes).includes(': heartbeat')) sawHeartbeat('comment');
      return;
    }
    const key = `${record.connection}:${record.dir}`;
    let read = frameState.get(key);
    if (!read) frameState.set(key, (read = frameStream()));
    for (const frame of read(record.bytes)) {
      if (frame.opcode === 0x9) sawHeartbeat('ping');
      else if (frame.opcode === 0xa) sawHeartbeat('pong');
    }
  };

  function refresh() {
    const now = performance.now();
    f.drops.textContent = String(drops);
    f.opened.textContent = String(opened);
    f.connected.textContent = openSince === undefined ? '–' : `${seconds(now - openSince)} s`;
    f.heartbeat.textContent =
      lastHeartbeat === undefined
        ? spec.heartbeatMs
          ? '–'
          : t('hb.never')
        : t('hb.ago', { seconds: seconds(now - lastHeartbeat), what: lastHeartbeatWhat });
  }

  return {
    element: card,
    refresh,
    async start() {
      let stopped = false;
      let connection;
      frameState = new Map();
      const ownTap = openTap(onRecord, publishStep); // the steps draw the lesson's ladder
      this.stop = () => {
        stopped = true;
        connection?.close();
        ownTap.close();
        openSince = undefined;
        refresh();
      };
      const client = await ownTap.ready;
      if (stopped) return;
      connection = CLIENTS[spec.transport].connect({
        origin,
        params: { client, types: 'chat', heartbeatMs: spec.heartbeatMs },
        onEvent: (event) => note(`#${event.seq} ${event.type}`, event.type),
        onState: setState,
      });
    },
    stop() {},
  };
}

/** It shows the raw bytes of its own connection (wiretap.js): only the process serving that connection can. */
export const readsOwnBytes = true;

export function mount(element) {
  if (WIRE.protocol !== 'h1') {
    element.replaceChildren(
      h('p', { 'data-field': 'heartbeats', 'data-state': 'needs-h1' }, t('hb.h1only'), ' ', h('a', { href: WIRE.h1Url }, WIRE.h1Url)),
    );
    return;
  }
  const origin = originFor('idle-proxy');
  const toggle = h('button', { type: 'button', 'data-action': 'toggle' }, t('hb.stop'));
  const grid = h('div', { class: 'panels' });
  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'heartbeats' },
      h('p', {}, t('hb.proxy', { seconds: IDLE_PROXY_S })),
      h('p', {}, t('hb.watch')),
      h('p', {}, toggle, ' ', h('span', { class: 'mono' }, origin)),
      chatBox(),
      grid,
    ),
  );

  const cards = STREAMS.map((spec) => streamCard(spec, origin));
  grid.append(...cards.map((card) => card.element));
  let running = false;
  let timer;

  const start = () => {
    running = true;
    toggle.textContent = t('hb.stop');
    for (const card of cards) card.start();
    timer = setInterval(() => {
      for (const card of cards) card.refresh();
    }, 250);
  };
  const stop = () => {
    running = false;
    toggle.textContent = t('hb.start');
    clearInterval(timer);
    for (const card of cards) card.stop();
  };
  toggle.addEventListener('click', () => (running ? stop() : start()));
  start();
}
