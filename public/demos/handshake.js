// The handshake lesson's demo: one real WebSocket upgrade, seen from the server's
// side through the wiretap (the request head as the server parsed it, the exact 101
// bytes), and Sec-WebSocket-Accept recomputed here, step by step, from the key the
// browser chose: base64(SHA-1(key + GUID)) (RFC 6455 section 4.2.2).
import { h, mainOrigin, t } from '../lab.js';
import { sha1, toBase64, toHex } from '../sha1.js';
import { publishStep } from '../ladder-bus.js';
import { openTap, showBytes } from '../wiretap.js';

/** The fixed GUID of RFC 6455 section 1.3: every client and server appends exactly this. */
export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** How long to wait for the tap to show both heads before saying so. */
const TIMEOUT_MS = 5000;

/** Sec-WebSocket-Accept for `key`, in the steps the demo shows. */
export function acceptSteps(key) {
  const joined = key + GUID;
  const digest = sha1(joined);
  return { joined, bytes: new TextEncoder().encode(joined).length, sha1Hex: toHex(digest), accept: toBase64(digest) };
}

const headerValue = (head, name) => new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'im').exec(head)?.[1];

/** A head shown with its CR LF visible, the key and accept lines marked. */
function headView(bytes) {
  const lines = showBytes(bytes)
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1);
  return lines.map((line) => {
    const marked = /^sec-websocket-(key|accept):/i.test(line);
    return h('div', {}, marked ? h('mark', {}, line) : line);
  });
}

/** It shows the raw bytes of its own connection (wiretap.js): only the process serving that connection can. */
export const readsOwnBytes = true;

export function mount(element) {
  const again = h('button', { type: 'button', 'data-action': 'again' }, t('hs.again'));
  const status = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'status' }, t('hs.status.connecting'));
  const requestTitle = h('h4', {}, t('hs.request'));
  const requestView = h(
    'div',
    { class: 'wire', tabindex: '0', 'aria-label': t('hs.request.label'), style: 'height:auto;max-height:24rem', 'data-field': 'request' },
    t('panel.waitingWire'),
  );
  const responseTitle = h('h4', {}, t('hs.response'));
  const responseView = h(
    'div',
    { class: 'wire', tabindex: '0', 'aria-label': t('hs.response.label'), style: 'height:auto;max-height:12rem', 'data-field': 'response' },
    t('panel.waitingWire'),
  );

  const cell = (name) => h('td', { class: 'mono', style: 'word-break:break-all', 'data-field': name }, '–');
  const cells = { key: cell('key'), joined: cell('joined'), sha1: cell('sha1'), computed: cell('computed'), server: cell('server') };
  const stepsTable = h(
    'table',
    { class: 'frames-table' },
    h(
      'tbody',
      {},
      h('tr', {}, h('th', { scope: 'row' }, t('hs.step.key')), cells.key),
      h('tr', {}, h('th', { scope: 'row' }, t('hs.step.concat')), cells.joined),
      h('tr', {}, h('th', { scope: 'row' }, t('hs.step.sha1')), cells.sha1),
      h('tr', {}, h('th', { scope: 'row' }, t('hs.step.base64')), cells.computed),
      h('tr', {}, h('th', { scope: 'row' }, t('hs.step.server')), cells.server),
    ),
  );
  const verdict = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'verdict', style: 'font-weight:700' });
  const historyBody = h('tbody');
  const history = h(
    'details',
    { open: true },
    h('summary', {}, t('hs.history')),
    h(
      'table',
      { class: 'frames-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Sec-WebSocket-Key'),
          h('th', { scope: 'col' }, 'Sec-WebSocket-Accept'),
          h('th', { scope: 'col' }, t('hs.verdict')),
        ),
      ),
      historyBody,
    ),
  );

  const root = h(
    'div',
    { 'data-field': 'handshake' },
    h('p', {}, t('hs.intro')),
    h('p', {}, again),
    status,
    requestTitle,
    requestView,
    responseTitle,
    responseView,
    h('h4', {}, t('hs.compute')),
    h('p', {}, h('code', {}, t('hs.formula'))),
    stepsTable,
    verdict,
    h('p', { style: 'font-size:.9rem' }, t('hs.sha1note')),
    history,
  );
  element.replaceChildren(root);

  let current; // { tap, socket, timer }

  const stop = () => {
    if (!current) return;
    clearTimeout(current.timer);
    current.done = true;
    if (current.socket && current.socket.readyState <= WebSocket.OPEN) current.socket.close(1000, 'new handshake');
    current.tap.close();
    current = undefined;
  };

  const handshake = async () => {
    stop();
    again.disabled = true;
    for (const name of ['acceptComputed', 'acceptServer', 'verdict']) delete root.dataset[name];
    for (const c of Object.values(cells)) c.textContent = '–';
    verdict.textContent = '';
    verdict.className = '';
    requestView.textContent = t('panel.waitingWire');
    responseView.textContent = t('panel.waitingWire');
    requestTitle.textContent = t('hs.request');
    responseTitle.textContent = t('hs.response');
    status.textContent = t('hs.status.connecting');

    let requestBytes;
    let responseBytes = new Uint8Array(0);
    let responseDone = false;
    const attempt = { done: false };
    const onRecord = (record) => {
      if (attempt.done || record.transport !== 'ws') return;
      if (record.dir === 'in' && !requestBytes) {
        requestBytes = record.bytes;
        showRequest();
      } else if (record.dir === 'out' && !responseDone) {
        const all = new Uint8Array(responseBytes.length + record.bytes.length);
        all.set(responseBytes);
        all.set(record.bytes, responseBytes.length);
        const end = new TextDecoder('latin1').decode(all).indexOf('\r\n\r\n');
        responseBytes = end < 0 ? all : all.slice(0, end + 4);
        if (end >= 0) {
          responseDone = true;
          showResponse();
        }
      }
      if (requestBytes && responseDone) compare();
    };
    attempt.tap = openTap(onRecord, publishStep); // the steps draw the lesson's ladder
    current = attempt;
    const client = await attempt.tap.ready;
    if (attempt.done) return;

    const url = new URL('/feed/ws', mainOrigin().replace(/^http/, 'ws'));
    if (client) url.searchParams.set('client', client);
    url.searchParams.set('types', 'chat');
    const socket = (attempt.socket = new WebSocket(url.href));
    socket.onopen = () => {
      if (!attempt.done) status.textContent = t('hs.status.open');
    };
    socket.onclose = (close) => {
      if (attempt.done) return;
      status.textContent = t('hs.status.closed', { code: close.code });
      again.disabled = false;
    };
    attempt.timer = setTimeout(() => {
      if (attempt.done || (requestBytes && responseDone)) return;
      status.textContent = t('hs.status.noTap');
      again.disabled = false;
    }, TIMEOUT_MS);

    function showRequest() {
      requestTitle.textContent = t('hs.request.bytes', { bytes: requestBytes.length });
      requestView.replaceChildren(...headView(requestBytes));
      const key = headerValue(new TextDecoder('latin1').decode(requestBytes), 'sec-websocket-key');
      if (key === undefined) return;
      const steps = acceptSteps(key);
      cells.key.textContent = key;
      cells.joined.textContent = steps.joined;
      cells.sha1.textContent = steps.sha1Hex;
      cells.computed.textContent = steps.accept;
      attempt.key = key;
      attempt.computed = steps.accept;
    }

    function showResponse() {
      responseTitle.textContent = t('hs.response.bytes', { bytes: responseBytes.length });
      responseView.replaceChildren(...headView(responseBytes));
      attempt.server = headerValue(new TextDecoder('latin1').decode(responseBytes), 'sec-websocket-accept');
      cells.server.textContent = attempt.server ?? t('hs.noAccept');
    }

    function compare() {
      if (attempt.compared || attempt.computed === undefined) return;
      attempt.compared = true;
      clearTimeout(attempt.timer);
      const match = attempt.server !== undefined && attempt.computed === attempt.server;
      root.dataset.acceptComputed = attempt.computed;
      root.dataset.acceptServer = attempt.server ?? '';
      root.dataset.verdict = match ? 'match' : 'mismatch';
      verdict.textContent = match ? `✓ ${t('hs.match')}` : `✗ ${t('hs.mismatch')}`;
      verdict.className = match ? 'ok' : 'bad';
      historyBody.prepend(
        h(
          'tr',
          {},
          h('td', { class: 'mono' }, attempt.key),
          h('td', { class: 'mono' }, attempt.server ?? '–'),
          h('td', { class: match ? 'ok' : 'bad' }, match ? '✓' : '✗'),
        ),
      );
      while (historyBody.childElementCount > 10) historyBody.lastElementChild.remove();
      again.disabled = false;
    }
  };

  again.addEventListener('click', handshake);
  handshake();
}
