// The SSE lesson's experiment: Chromium's six connections per host and port over
// HTTP/1.1. Every stream here goes to the lab's `experiment` port, which exists to
// be exhausted (server/listeners.ts), so the page's own port, the board and other
// tabs keep working. Nothing opens until the reader presses a button.
// Over HTTP/2 the same button shows the wall gone: every stream shares one
// connection, up to the server's own stream limit (the TLS experiment port's
// SETTINGS_MAX_CONCURRENT_STREAMS, server/http2/listener.ts), past which they wait too.
import { WIRE, h, originFor, t } from '../lab.js';

const elapsed = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

export function mount(element) {
  const origin = originFor('experiment');
  const button = (action, label) => h('button', { type: 'button', 'data-action': action }, label);
  const buttons = {
    open: button('open', t('cl.open')),
    stats: button('stats', t('cl.stats')),
    closeOne: button('close-one', t('cl.closeOne')),
    closeAll: button('close-all', t('cl.closeAll')),
    ws: button('ws', t('cl.ws')),
  };
  const summary = h(
    'p',
    { role: 'status', 'aria-live': 'polite', 'data-field': 'summary', style: 'font-weight:700' },
    t('cl.summary', { open: 0, connecting: 0 }),
  );
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'frames-table', 'data-field': 'streams' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, '#'),
        h('th', { scope: 'col' }, t('cl.col.state')),
        h('th', { scope: 'col' }, t('cl.col.events')),
        h('th', { scope: 'col' }, t('cl.col.time')),
        h('th', { scope: 'col' }, t('cl.col.errors')),
      ),
    ),
    body,
  );
  const statsLine = h(
    'p',
    { role: 'status', 'aria-live': 'polite', 'data-field': 'stats', 'data-state': 'idle', class: 'mono' },
    t('cl.stats.idle'),
  );
  const wsLine = h(
    'p',
    { role: 'status', 'aria-live': 'polite', 'data-field': 'ws', 'data-state': 'idle', class: 'mono' },
    t('cl.ws.idle'),
  );
  const root = h(
    'div',
    {
      'data-field': 'connection-limit',
      'data-open': '0',
      'data-connecting': '0',
      'data-protocol': WIRE.protocol,
      'data-limit': String(WIRE.experimentStreams),
    },
    h('p', {}, t('cl.intro', { origin })),
    h('p', { style: 'display:flex;gap:.5rem;flex-wrap:wrap' }, buttons.open, buttons.closeOne, buttons.closeAll),
    summary,
    table,
    h('p', { style: 'display:flex;gap:.5rem;flex-wrap:wrap' }, buttons.stats, buttons.ws),
    statsLine,
    wsLine,
    h('p', {}, t(WIRE.protocol === 'h2' ? 'cl.note.h2' : 'cl.note', { limit: WIRE.experimentStreams })),
  );
  element.replaceChildren(root);

  const streams = []; // { n, source, state, events, errors, since, openedAfterMs, row, cells }
  let next = 1;
  let pendingStats; // { since }
  let socket;
  let wsSince;

  const render = () => {
    for (const s of streams) {
      s.row.dataset.state = s.state;
      s.cells.state.dataset.state = s.state === 'open' ? 'open' : s.state === 'closed' ? 'closed' : 'connecting';
      s.cells.state.textContent = t(`cl.state.${s.state}`);
      s.cells.events.textContent = String(s.events);
      s.cells.time.textContent =
        s.state === 'connecting'
          ? t('cl.waiting', { time: elapsed(s.since) })
          : s.openedAfterMs !== undefined
            ? t('cl.openedAfter', { ms: s.openedAfterMs.toFixed(0) })
            : '–';
      s.cells.errors.textContent = String(s.errors);
    }
    const open = streams.filter((s) => s.state === 'open').length;
    const connecting = streams.filter((s) => s.state === 'connecting' || s.state === 'reconnecting').length;
    root.dataset.open = String(open);
    root.dataset.connecting = String(connecting);
    const wall = open >= WIRE.experimentStreams && connecting > 0;
    summary.textContent = t(wall ? 'cl.summary.wall' : 'cl.summary', {
      open,
      connecting,
      limit: WIRE.experimentStreams,
      why: t(WIRE.protocol === 'h2' ? 'cl.why.h2' : 'cl.why.h1'),
    });
    summary.className = wall ? 'bad' : '';
    root.dataset.wall = String(wall);
    if (pendingStats) statsLine.textContent = t('cl.stats.pending', { time: elapsed(pendingStats.since) });
    if (socket?.readyState === WebSocket.CONNECTING) wsLine.textContent = t('cl.ws.connecting', { time: elapsed(wsSince) });
    buttons.closeOne.disabled = buttons.closeAll.disabled = !streams.some((s) => s.state !== 'closed');
  };
  const timer = setInterval(() => {
    if (!root.isConnected) return clearInterval(timer);
    if (streams.some((s) => s.state === 'connecting') || pendingStats || socket?.readyState === WebSocket.CONNECTING) render();
  }, 200);

  buttons.open.addEventListener('click', () => {
    const n = next++;
    const cells = { state: h('span', { class: 'state' }), events: h('td'), time: h('td'), errors: h('td') };
    const row = h(
      'tr',
      { 'data-stream': String(n) },
      h('td', {}, String(n)),
      h('td', {}, cells.state),
      cells.events,
      cells.time,
      cells.errors,
    );
    body.append(row);
    const stream = { n, state: 'connecting', events: 0, errors: 0, since: performance.now(), row, cells };
    // No `client`, no `since`: the plainest EventSource there is, to the experiment port.
    stream.source = new EventSource(`${origin}/feed/sse`);
    stream.source.onopen = () => {
      stream.state = 'open';
      stream.openedAfterMs ??= performance.now() - stream.since;
      render();
    };
    for (const type of ['tick', 'chat', 'gap']) {
      stream.source.addEventListener(type, () => {
        stream.events++;
        render();
      });
    }
    stream.source.onerror = () => {
      // The seventh never gets here: it waits in the browser's queue without an error.
      stream.errors++;
      stream.state = stream.source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
      render();
    };
    streams.push(stream);
    render();
  });

  const close = (stream) => {
    stream.source.close();
    stream.state = 'closed';
  };
  buttons.closeOne.addEventListener('click', () => {
    // The oldest open stream: its connection goes back to the pool, and the first one waiting takes it.
    const victim = streams.find((s) => s.state === 'open') ?? [...streams].reverse().find((s) => s.state !== 'closed');
    if (victim) close(victim);
    render();
  });
  buttons.closeAll.addEventListener('click', () => {
    for (const s of streams) if (s.state !== 'closed') close(s);
    streams.length = 0;
    body.replaceChildren();
    next = 1;
    render();
  });

  buttons.stats.addEventListener('click', async () => {
    if (pendingStats) return;
    const attempt = (pendingStats = { since: performance.now() });
    statsLine.dataset.state = 'pending';
    render();
    try {
      const response = await fetch(`${origin}/stats`, { cache: 'no-store' });
      const stats = await response.json();
      statsLine.dataset.state = 'answered';
      statsLine.textContent = t('cl.stats.answered', {
        time: elapsed(attempt.since),
        status: response.status,
        open: stats.transports?.sse?.connectionsOpen ?? '?',
      });
    } catch (error) {
      statsLine.dataset.state = 'failed';
      statsLine.textContent = t('cl.stats.failed', { error: error.message });
    }
    pendingStats = undefined;
  });

  // How many WebSocket requests the lab has counted per protocol, asked on the page's own origin
  // (never the exhausted port): the words say what carried the socket, not what should have.
  const wsRequests = async () => {
    try {
      const stats = await (await fetch('/stats', { cache: 'no-store' })).json();
      const by = stats.transports.ws.protocols ?? {};
      return { h1: by.h1?.requests ?? 0, h2: by.h2?.requests ?? 0 };
    } catch {
      return undefined;
    }
  };

  buttons.ws.addEventListener('click', async () => {
    if (socket && socket.readyState <= WebSocket.OPEN) {
      socket.close(1000, 'demo done');
      return;
    }
    wsSince = performance.now();
    wsLine.dataset.state = 'connecting';
    const before = WIRE.protocol === 'h2' ? await wsRequests() : undefined;
    // Chat only and no heartbeat: the socket stays quiet, it only proves it could open.
    const ws = (socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/feed/ws?types=chat&heartbeatMs=0`));
    buttons.ws.textContent = t('cl.wsClose');
    ws.onopen = async () => {
      const words = { time: elapsed(wsSince), open: streams.filter((s) => s.state === 'open').length, limit: WIRE.experimentStreams };
      wsLine.dataset.state = 'open';
      // Over HTTP/1.1 a WebSocket takes a connection of its own, outside the six. Over HTTP/2 it may
      // be one more stream of the connection (RFC 8441), counted against the server's limit, or
      // Chromium may give it a connection of its own (HTTP/1.1 over TLS): the lab's counts tell.
      if (WIRE.protocol !== 'h2') {
        wsLine.textContent = t('cl.ws.open', words);
        return;
      }
      const after = await wsRequests();
      const carried = before && after ? (after.h2 > before.h2 ? 'h2' : after.h1 > before.h1 ? 'h1' : undefined) : undefined;
      wsLine.dataset.protocol = carried ?? '';
      const key = carried === 'h2' ? 'cl.ws.open.stream' : carried === 'h1' ? 'cl.ws.open.ownConnection' : 'cl.ws.open.h2';
      wsLine.textContent = t(key, words);
    };
    ws.onclose = (event) => {
      if (ws !== socket) return;
      wsLine.dataset.state = 'closed';
      wsLine.textContent = t('cl.ws.closed', { code: event.code });
      buttons.ws.textContent = t('cl.ws');
    };
  });

  render();
}
