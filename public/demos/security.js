// The security lesson's demo.
// (a) A hostile chat message (markup, script, a comment opener, CR LF, U+2028 and
//     U+2029) is posted once and must arrive as plain text on all five transports;
//     the raw wire of the iframe and SSE streams shows where escaping happens.
// (b) A foreign Origin on the WebSocket upgrade: a page cannot forge the header, so
//     the server plays both sites over raw TCP (server/experiments.ts), and a
//     sandboxed frame (origin "null") shows what a page itself gets: error, 1006.
import { feedLastSeq, h, mainOrigin, t, TRANSPORTS } from '../lab.js';
import { postChat } from '../chat.js';
import { mountPanel } from '../panel.js';
import { openTap, showBytes } from '../wiretap.js';

export const HOSTILE_NAME = 'mallory';
export const HOSTILE_TEXT =
  '</script><img src=x onerror="window.__wirelabPwned=1"> <!-- <b>bold?</b>\r\nsecond line\u2028after U+2028\u2029after U+2029';
const VERDICT_TIMEOUT_MS = 10000;

/** Raw bytes made readable, with U+2028/U+2029 (invisible, and a line break to some parsers) marked. */
const showRaw = (bytes) =>
  showBytes(bytes)
    .replace(/\u2028/g, '⟦U+2028⟧')
    .replace(/\u2029/g, '⟦U+2029⟧');

/** The text shown literally, with its invisible characters marked, for the reader to compare. */
const showText = (text) =>
  text
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\u2028/g, '⟦U+2028⟧')
    .replace(/\u2029/g, '⟦U+2029⟧');

function hostileSection() {
  // Enabled once the five panels follow the feed from before the post: none can miss it.
  const post = h('button', { type: 'button', 'data-action': 'post', disabled: true }, t('sec.post'));
  const verdict = h(
    'p',
    { role: 'status', 'aria-live': 'polite', 'data-field': 'verdict', style: 'font-weight:700' },
    t('sec.verdict.idle'),
  );
  const checks = h('ul', { 'data-field': 'checks', class: 'mono' });
  const grid = h('div', { class: 'panels', 'data-field': 'panels' });
  const wireIframe = h(
    'div',
    {
      class: 'wire',
      tabindex: '0',
      'aria-label': t('sec.wire.iframe'),
      'data-field': 'wire-iframe',
      style: 'height:auto;max-height:14rem',
    },
    t('sec.wire.waiting'),
  );
  const wireSse = h(
    'div',
    { class: 'wire', tabindex: '0', 'aria-label': t('sec.wire.sse'), 'data-field': 'wire-sse', style: 'height:auto;max-height:14rem' },
    t('sec.wire.waiting'),
  );
  const section = h(
    'section',
    { 'data-field': 'hostile' },
    h('h4', {}, t('sec.hostile.title')),
    h('p', {}, t('sec.hostile.intro')),
    h(
      'pre',
      { 'data-field': 'hostile-text', style: 'white-space:pre-wrap;word-break:break-all' },
      `${HOSTILE_NAME}: ${showText(HOSTILE_TEXT)}`,
    ),
    h('p', {}, post),
    verdict,
    checks,
    grid,
    h('h4', {}, t('sec.wire.title')),
    h('p', {}, t('sec.wire.note')),
    h(
      'div',
      { class: 'panels' },
      h('div', {}, h('h5', {}, t('sec.wire.iframe')), wireIframe),
      h('div', {}, h('h5', {}, t('sec.wire.sse')), wireSse),
    ),
  );

  const panels = {};
  let running = false;

  // The raw wire of two of the five: only the chunk that carries the hostile message.
  const watchWire = (view) => (record) => {
    if (record.dir !== 'out') return;
    const text = new TextDecoder().decode(record.bytes);
    if (text.includes('__wirelabPwned')) view.replaceChildren(h('div', { class: 'rec out' }, showRaw(record.bytes)));
  };

  (async () => {
    const taps = { iframe: openTap(watchWire(wireIframe)), sse: openTap(watchWire(wireSse)) };
    const [since, iframe, sse] = await Promise.all([feedLastSeq(), taps.iframe.ready, taps.sse.ready]);
    const clients = { iframe, sse };
    for (const id of TRANSPORTS) {
      const slot = grid.appendChild(h('div', { 'data-transport': id }));
      // Ticks included: pages.test.ts expects every .panel[data-transport] on a lesson to keep receiving.
      panels[id] = mountPanel(slot, id, { wire: false, since, client: clients[id] });
    }
    post.disabled = false;
  })();

  const check = (seq) => {
    const expected = `#${seq} chat ${HOSTILE_NAME}: ${HOSTILE_TEXT}`;
    const rows = TRANSPORTS.map((id) => {
      const log = panels[id]?.element.querySelector('[data-field="log"]');
      const ok = !!log && [...log.children].some((line) => line.textContent === expected);
      return { id, ok };
    });
    // Markup in the text must stay text: no element may have been made from it.
    const madeElements = section.querySelectorAll('.panels img, .panels b, .panels script').length;
    const pwned = window.__wirelabPwned !== undefined;
    return { rows, madeElements, pwned, allArrived: rows.every((r) => r.ok) };
  };

  const show = (result, seq, final) => {
    checks.replaceChildren(
      ...result.rows.map((r) =>
        h(
          'li',
          { 'data-transport': r.id, 'data-ok': String(r.ok), class: r.ok ? 'ok' : final ? 'bad' : '' },
          `${r.ok ? '✓' : final ? '✗' : '…'} ${t(`label.${r.id}`)}: ` +
            (r.ok ? t('sec.check.text', { seq }) : final ? t('sec.check.missing') : t('sec.check.waiting')),
        ),
      ),
      h(
        'li',
        { 'data-field': 'pwned', class: result.pwned ? 'bad' : 'ok' },
        result.pwned ? `✗ ${t('sec.check.pwned')}` : `✓ ${t('sec.check.notPwned')}`,
      ),
      h(
        'li',
        { class: result.madeElements ? 'bad' : 'ok' },
        result.madeElements ? `✗ ${t('sec.check.elements', { n: result.madeElements })}` : `✓ ${t('sec.check.noElements')}`,
      ),
    );
    const passed = result.allArrived && !result.pwned && !result.madeElements;
    verdict.dataset.verdict = passed ? 'pass' : final ? 'fail' : 'waiting';
    verdict.className = passed ? 'ok' : final ? 'bad' : '';
    verdict.textContent = passed
      ? `✓ ${t('sec.verdict.pass', { seq })}`
      : final
        ? `✗ ${t('sec.verdict.fail')}`
        : t('sec.verdict.waiting', { seq });
  };

  post.addEventListener('click', async () => {
    if (running) return;
    running = true;
    post.disabled = true;
    delete verdict.dataset.verdict;
    verdict.className = '';
    verdict.textContent = t('sec.verdict.posting');
    try {
      const { seq } = await postChat(HOSTILE_NAME, HOSTILE_TEXT);
      verdict.dataset.seq = String(seq);
      const deadline = performance.now() + VERDICT_TIMEOUT_MS;
      for (;;) {
        const result = check(seq);
        const final = (result.allArrived && !result.pwned && !result.madeElements) || performance.now() > deadline || result.pwned;
        show(result, seq, final);
        if (final) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch (error) {
      verdict.dataset.verdict = 'fail';
      verdict.className = 'bad';
      verdict.textContent = t('sec.verdict.postFailed', { error: error.message });
    }
    running = false;
    post.disabled = false;
  });
  return section;
}

function originSection() {
  const tryIt = h('button', { type: 'button', 'data-action': 'foreign-origin' }, t('sec.origin.try'));
  const result = h('div', { 'data-field': 'foreign-origin', class: 'panels' });
  const verdict = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'origin-verdict', style: 'font-weight:700' });

  const attemptView = (attempt, label) => {
    const encode = (text) => new TextEncoder().encode(text);
    const good = attempt.status === 101;
    return h(
      'div',
      { class: 'panel', 'data-status': String(attempt.status) },
      h('h5', { style: 'margin:0' }, label, ' ', h('span', { class: good ? 'ok' : 'bad' }, `→ ${attempt.status || attempt.error || '?'}`)),
      h('p', { style: 'margin:.2rem 0' }, t('sec.origin.sent')),
      h(
        'div',
        { class: 'wire', tabindex: '0', style: 'height:auto;max-height:16rem' },
        h('div', { class: 'rec in' }, showRaw(encode(attempt.request))),
      ),
      h('p', { style: 'margin:.2rem 0' }, t('sec.origin.received')),
      h(
        'div',
        { class: 'wire', tabindex: '0', style: 'height:auto;max-height:16rem' },
        h('div', { class: 'rec out' }, showRaw(encode(attempt.responseHead + attempt.responseBody))),
      ),
    );
  };

  tryIt.addEventListener('click', async () => {
    tryIt.disabled = true;
    verdict.className = '';
    verdict.textContent = t('sec.origin.running');
    try {
      const response = await fetch(`${mainOrigin()}/experiments/foreign-origin`, { cache: 'no-store' });
      if (response.status === 404) throw new Error(t('sec.origin.missing'));
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { foreign, own } = await response.json();
      result.dataset.foreignStatus = String(foreign.status);
      result.dataset.ownStatus = String(own.status);
      result.replaceChildren(
        attemptView(foreign, t('sec.origin.foreign', { origin: foreign.origin })),
        attemptView(own, t('sec.origin.own', { origin: own.origin })),
      );
      let code;
      try {
        code = JSON.parse(foreign.responseBody).error?.code;
      } catch {
        code = undefined;
      }
      const passed = foreign.status === 403 && code === 'foreign_origin' && own.status === 101;
      verdict.className = passed ? 'ok' : 'bad';
      verdict.textContent = passed
        ? `✓ ${t('sec.origin.pass')}`
        : `✗ ${t('sec.origin.fail', { foreign: foreign.status, own: own.status })}`;
    } catch (error) {
      verdict.className = 'bad';
      verdict.textContent = t('sec.origin.error', { error: error.message });
    }
    tryIt.disabled = false;
  });

  return h(
    'section',
    { 'data-field': 'origin' },
    h('h4', {}, t('sec.origin.title')),
    h('p', {}, t('sec.origin.intro')),
    h('p', {}, tryIt),
    verdict,
    result,
    browserSideSection(),
  );
}

/** What a page itself learns from a refused upgrade: a sandboxed frame (origin "null") tries. */
function browserSideSection() {
  const tryIt = h('button', { type: 'button', 'data-action': 'sandbox' }, t('sec.sandbox.try'));
  const pageSide = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'sandbox-page', class: 'mono' });
  const serverSide = h(
    'div',
    { class: 'wire', tabindex: '0', 'data-field': 'sandbox-wire', style: 'height:auto;max-height:30rem' },
    t('sec.wire.waiting'),
  );
  const holder = h('div', { hidden: true });
  let frame;
  let tap;

  window.addEventListener('message', (message) => {
    if (!frame || message.source !== frame.contentWindow || message.data?.wirelabSandbox === undefined) return;
    const data = message.data;
    if (data.wirelabSandbox === 'error') pageSide.append(h('div', {}, t('sec.sandbox.error')));
    if (data.wirelabSandbox === 'close') {
      pageSide.append(h('div', {}, t('sec.sandbox.close', { code: data.code, clean: String(data.wasClean) })));
      pageSide.dataset.code = String(data.code);
      tryIt.disabled = false;
    }
  });

  tryIt.addEventListener('click', async () => {
    tryIt.disabled = true;
    frame?.remove();
    tap?.close();
    pageSide.replaceChildren(h('div', {}, t('sec.sandbox.opening')));
    serverSide.textContent = t('sec.wire.waiting');
    let first = true;
    tap = openTap((record) => {
      if (first) serverSide.replaceChildren();
      first = false;
      serverSide.append(h('div', { class: `rec ${record.dir}` }, showRaw(record.bytes)));
    });
    const client = await tap.ready;
    const url = `${mainOrigin().replace(/^http/, 'ws')}/feed/ws?types=chat${client ? `&client=${client}` : ''}`;
    // The frame's document has an opaque origin ("null"): the browser sends Origin: null, which the lab refuses.
    // Its script is a file (sandbox-frame.js), as the pages' Content-Security-Policy asks; the URL goes in the fragment.
    frame = h('iframe', {
      sandbox: 'allow-scripts',
      title: t('sec.sandbox.frame'),
      src: `/assets/sandbox-frame.html#${encodeURIComponent(url)}`,
    });
    holder.replaceChildren(frame);
  });

  return h(
    'div',
    { 'data-field': 'sandbox' },
    h('h5', {}, t('sec.sandbox.title')),
    h('p', {}, t('sec.sandbox.intro')),
    h('p', {}, tryIt),
    h(
      'div',
      { class: 'panels' },
      h('div', {}, h('h5', {}, t('sec.sandbox.pageSide')), pageSide),
      h('div', {}, h('h5', {}, t('sec.sandbox.serverSide')), serverSide),
    ),
    holder,
  );
}

/** It shows the raw bytes of its own connection (wiretap.js): only the process serving that connection can. */
export const readsOwnBytes = true;

export function mount(element) {
  element.replaceChildren(h('div', { 'data-field': 'security' }, hostileSection(), originSection()));
}
