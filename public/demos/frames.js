// The frames lesson's demo: every frame of one real WebSocket, both directions,
// decoded field by field from the wiretap's exact bytes (RFC 6455 section 5.2).
// The stream carries chat only and the server pings every 2 s, so what shows is
// what the buttons cause, plus the heartbeat's ping/pong pairs.
import { h, mainOrigin, t } from '../lab.js';
import { closeReason, frameStream, hex } from '../ws-frames.js';
import { publishStep } from '../ladder-bus.js';
import { openTap } from '../wiretap.js';

const HEARTBEAT_MS = 2000;
const MAX_ROWS = 200;
const MAX_PAYLOAD_CHARS = 400;
const NOWRAP = 'white-space:nowrap';
const STATES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const OPCODE_NAMES = { 0x0: 'continuation', 0x1: 'text', 0x2: 'binary', 0x8: 'close', 0x9: 'ping', 0xa: 'pong' };
const CLOSE_NAMES = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
  1013: 'try again later',
};

/** Which of the three payload-length forms a frame header uses. */
export function lengthForm(header) {
  const field = header[1] & 0x7f;
  return field === 126 ? '16-bit' : field === 127 ? '64-bit' : '7-bit';
}

const clip = (text) => (text.length > MAX_PAYLOAD_CHARS ? `${text.slice(0, MAX_PAYLOAD_CHARS)}…` : text);

/** The payload as a person reads it: text, a close code and reason, or hex. */
function payloadText(frame) {
  if (frame.opcode === 0x1) return clip(new TextDecoder().decode(frame.payload));
  if (frame.opcode === 0x8) {
    const { code, reason } = closeReason(frame.payload);
    if (code === undefined) return t('fr.noCode');
    const quoted = reason ? ` "${clip(reason)}"` : '';
    return `${t('fr.closeCode', { code, name: CLOSE_NAMES[code] ?? '' })}${quoted}  [${hex(frame.payload.slice(0, 2))}]`;
  }
  return frame.length ? clip(hex(frame.payload)) : t('fr.empty');
}

/** It shows the raw bytes of its own connection (wiretap.js): only the process serving that connection can. */
export const readsOwnBytes = true;

export function mount(element) {
  const button = (action, label) => h('button', { type: 'button', 'data-action': action }, label);
  const buttons = {
    send: button('send', t('fr.send')),
    long: button('long', t('fr.long')),
    close: button('close', t('fr.close')),
    reconnect: button('reconnect', t('fr.reconnect')),
  };
  const showControl = h('input', { type: 'checkbox', checked: true, 'data-action': 'show-control' });
  const state = h('span', { class: 'state', 'data-state': 'connecting', 'data-field': 'ready-state' }, 'CONNECTING');
  const status = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'status' }, t('fr.status.connecting'));
  const body = h('tbody');
  const col = (text, title) => h('th', { scope: 'col', title }, text);
  const table = h(
    'table',
    { class: 'frames-table', 'data-field': 'frames' },
    h('caption', { style: 'text-align:left' }, t('fr.caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        col('#'),
        col(t('fr.col.dir')),
        col(t('fr.col.header'), t('fr.col.header.title')),
        col('FIN'),
        col('RSV'),
        col(t('fr.col.opcode')),
        col('MASK'),
        col(t('fr.col.length')),
        col(t('fr.col.key')),
        col(t('fr.col.payload')),
      ),
    ),
    body,
  );

  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'frames-demo' },
      h('p', {}, t('fr.intro', { seconds: HEARTBEAT_MS / 1000 })),
      h(
        'p',
        { style: 'display:flex;gap:.5rem;flex-wrap:wrap;align-items:center' },
        buttons.send,
        buttons.long,
        buttons.close,
        buttons.reconnect,
        h('label', {}, showControl, ` ${t('fr.showControl')}`),
      ),
      h('p', {}, t('fr.readyState'), ' ', state),
      status,
      h('div', { style: 'overflow:auto;height:26rem', tabindex: '0', 'aria-label': t('fr.caption') }, table),
    ),
  );

  let client; // minted by the server for this demo's tap (wiretap.js)
  const streams = new Map(); // `${connection}:${dir}` -> its frameStream reader
  let count = 0;
  let socket;
  let sent = 0;

  const addRow = (row) => {
    body.prepend(row);
    while (body.childElementCount > MAX_ROWS) body.lastElementChild.remove();
  };

  const frameRow = (frame, dir, connection) => {
    const control = frame.opcode >= 0x8;
    const row = h(
      'tr',
      {
        'data-opcode': String(frame.opcode),
        'data-dir': dir,
        'data-masked': frame.masked ? '1' : '0',
        'data-connection': String(connection),
        'data-control': control ? '1' : '0',
        hidden: control && !showControl.checked,
      },
      h('td', {}, String(++count)),
      h('td', { style: NOWRAP }, dir === 'down' ? t('fr.down') : t('fr.up')),
      h('td', { style: NOWRAP }, hex(frame.header.slice(0, 2))),
      h('td', {}, frame.fin ? '1' : '0'),
      h('td', { class: frame.rsv ? 'bad' : '' }, [frame.rsv >> 2, (frame.rsv >> 1) & 1, frame.rsv & 1].join('')),
      h('td', { style: NOWRAP }, `0x${frame.opcode.toString(16)} ${OPCODE_NAMES[frame.opcode] ?? 'reserved'}`),
      h('td', {}, frame.masked ? '1' : '0'),
      h('td', { style: NOWRAP }, `${frame.length} (${lengthForm(frame.header)})`),
      h('td', { style: NOWRAP }, frame.maskKey ? hex(frame.maskKey) : '–'),
      h('td', { style: 'word-break:break-all;min-width:14rem' }, payloadText(frame)),
    );
    addRow(row);
  };

  const onRecord = (record) => {
    if (record.transport !== 'ws') return;
    const key = `${record.connection}:${record.dir}`;
    let read = streams.get(key);
    if (!read) {
      // The first bytes each way are HTTP: the upgrade request in, the 101 out.
      read = frameStream((head) =>
        addRow(
          h(
            'tr',
            { class: 'http', 'data-connection': String(record.connection) },
            h(
              'td',
              { colspan: '10', style: 'background:var(--code-bg)' },
              `${record.dir === 'in' ? t('fr.up') : t('fr.down')} ${t('fr.http', { connection: record.connection })}: ` +
                `${head.slice(0, head.indexOf('\r\n'))} (${head.length} B)`,
            ),
          ),
        ),
      );
      streams.set(key, read);
    }
    for (const frame of read(record.bytes)) frameRow(frame, record.dir === 'out' ? 'down' : 'up', record.connection);
  };

  const setReady = () => {
    const ready = socket?.readyState ?? WebSocket.CLOSED;
    state.textContent = `${ready} ${STATES[ready]}`;
    state.dataset.state = ['connecting', 'open', 'waiting', 'closed'][ready];
    buttons.send.disabled = buttons.long.disabled = buttons.close.disabled = ready !== WebSocket.OPEN;
  };

  const connect = () => {
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, 'reconnect');
    const url = new URL('/feed/ws', mainOrigin().replace(/^http/, 'ws'));
    if (client) url.searchParams.set('client', client);
    url.searchParams.set('types', 'chat');
    url.searchParams.set('heartbeatMs', String(HEARTBEAT_MS));
    const ws = (socket = new WebSocket(url.href));
    status.textContent = t('fr.status.connecting');
    setReady();
    ws.onopen = () => {
      if (ws !== socket) return;
      status.textContent = t('fr.status.open');
      setReady();
    };
    ws.onmessage = (message) => {
      // An answer that is not an event (a rate limit, say) is worth a line: the table already shows its frame.
      try {
        const data = JSON.parse(message.data);
        if (data?.type === 'error' && ws === socket) status.textContent = t('fr.status.error', { message: data.error?.message ?? '' });
      } catch {
        // the table shows the frame as it came
      }
    };
    ws.onclose = (close) => {
      if (ws !== socket) return;
      status.textContent = t('fr.status.closed', { code: close.code, reason: close.reason || '–', clean: String(close.wasClean) });
      setReady();
    };
  };

  const send = (text) => {
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: 'chat', name: 'frames', text }));
    setReady();
  };
  buttons.send.addEventListener('click', () => send(t('fr.chatText', { n: ++sent })));
  buttons.long.addEventListener('click', () => {
    // Well over 125 bytes, so the browser must use the 16-bit length form (and so must the server's event).
    let text = t('fr.longText', { n: ++sent });
    while (new TextEncoder().encode(text).length < 200) text += ` ${t('fr.longFill')}`;
    send(text);
  });
  buttons.close.addEventListener('click', () => {
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.close(1000, 'bye');
    setReady();
  });
  buttons.reconnect.addEventListener('click', connect);
  showControl.addEventListener('change', () => {
    for (const row of body.querySelectorAll('tr[data-control="1"]')) row.hidden = !showControl.checked;
  });
  setReady();

  // The trace's steps draw the lesson's ladder ([[demo:ladder]]).
  openTap(onRecord, publishStep).ready.then((minted) => {
    client = minted;
    connect();
  });
}
