// The HTTP/2 lesson's demo: what this page rides on, HPACK shrinking a repeated
// request head (ten polls on a fresh connection, their heads as the server read
// them), and the server's own counts of head bytes per request over each protocol.
import { feedUrl } from '../clients/common.js';
import { WIRE, h, originFor, pageProtocol, t } from '../lab.js';
import { onServerStats } from '../server-stats.js';
import { publishStep } from '../ladder-bus.js';
import { openTap, requestHeadBytes } from '../wiretap.js';

const POLLS = 10;
/**
 * One scale for every run of the demo, over HTTP/1.1 and over HTTP/2, so that bars drawn in
 * two windows side by side compare: a browser's request head is 500-800 B before cookies
 * (High Performance Browser Networking, ch. 11), so 1,000 B holds a full one.
 */
const SCALE_BYTES = 1000;

/** The reference run's HTTP/2 heads for a poll (results/latest.json), or undefined without one. */
async function benchPollHeads() {
  try {
    const run = await (await fetch('/results/latest.json', { cache: 'no-store' })).json();
    return run.derived?.protocols?.heads?.find((x) => x.transport === 'short-poll') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Request head bytes per request, in and out, for `protocol` in a /stats `transports[id]`. */
function headPerRequest(stats, id, protocol) {
  const p = stats.transports[id].protocols?.[protocol];
  if (!p?.requests) return undefined;
  return { requests: p.requests, in: p.bytesIn.head / p.requests, out: p.bytesOut.head / p.requests };
}

/** It shows the raw bytes of its own connection (wiretap.js): only the process serving that connection can. */
export const readsOwnBytes = true;

export function mount(element) {
  const protocol = pageProtocol();
  const here = h(
    'p',
    { 'data-field': 'page-protocol', 'data-protocol': protocol ?? '' },
    t('h2.here', { protocol: protocol ?? '?', server: WIRE.protocol }),
    ' ',
    WIRE.protocol === 'h2'
      ? h('a', { href: WIRE.h1Url }, t('h2.openH1'))
      : WIRE.h2Url
        ? h('a', { href: WIRE.h2Url }, t('h2.openH2'))
        : t('h2.noTls'),
  );

  // HPACK: the experiment port is a connection of its own, so the first poll meets an empty table.
  const origin = originFor('experiment');
  const run = h('button', { type: 'button', 'data-action': 'hpack' }, t('h2.run', { n: POLLS }));
  const bars = h('ol', { class: 'bars', 'data-field': 'hpack' });
  const verdict = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'hpack-verdict' });
  run.addEventListener('click', async () => {
    run.disabled = true;
    bars.replaceChildren();
    verdict.textContent = '';
    const heads = [];
    /** Resolves the wait for the tap to report the next request head. */
    let headSeen = /** @type {(value?: unknown) => void} */ (() => {});
    const tap = openTap((record) => {
      const bytes = requestHeadBytes(record);
      if (bytes === undefined) return;
      heads.push({ bytes, protocol: record.protocol });
      headSeen();
    }, publishStep); // the steps draw the lesson's ladder
    const client = await tap.ready;
    try {
      for (let i = 0; i < POLLS; i++) {
        // The tap's record travels on its own socket: wait for it (1 s at most) before the next poll.
        const seen = new Promise((resolve) => {
          headSeen = resolve;
          setTimeout(resolve, 1000);
        });
        await fetch(feedUrl(origin, '/feed/short-poll', { client, poll: i + 1 }), { cache: 'no-store' });
        await seen;
      }
    } finally {
      tap.close();
      run.disabled = false;
    }
    bars.dataset.scale = String(SCALE_BYTES);
    bars.replaceChildren(
      ...heads.map(({ bytes }, i) =>
        h(
          'li',
          { 'data-bytes': String(bytes) },
          h('span', { class: 'bar-label' }, t('h2.poll', { n: i + 1 })),
          h('span', { class: 'bar', style: `width:${Math.min(100, Math.max(0.5, (100 * bytes) / SCALE_BYTES)).toFixed(1)}%` }),
          h('span', { class: 'bar-value' }, `${bytes} B`),
        ),
      ),
    );
    if (heads.length >= 2) {
      const [first, ...rest] = heads.map((x) => x.bytes);
      const later = rest.reduce((a, b) => a + b, 0) / rest.length;
      const words = [t(heads[0].protocol === 'h2' ? 'h2.verdict.h2' : 'h2.verdict.h1', { first, later: later.toFixed(0) })];
      // The bench measured its first poll after the page's own requests, on a warm connection.
      const bench = heads[0].protocol === 'h2' ? await benchPollHeads() : undefined;
      if (bench) words.push(t('h2.verdict.bench', { first, benchFirst: bench.h2FirstBytes, benchRepeated: bench.h2RepeatedBytes }));
      verdict.textContent = words.join(' ');
    }
  });

  // The server's count over everything it carried: head bytes per request, HTTP/1.1 against HTTP/2.
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'mono', 'data-field': 'per-protocol' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['', t('h2.col.h1req'), t('h2.col.h1head'), t('h2.col.h2req'), t('h2.col.h2head')].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    body,
  );
  onServerStats((now) => {
    body.replaceChildren(
      ...Object.keys(now.transports).map((id) => {
        const h1 = headPerRequest(now, id, 'h1');
        const h2 = headPerRequest(now, id, 'h2');
        const cell = (value) => h('td', {}, value === undefined ? '–' : value);
        return h(
          'tr',
          { 'data-transport': id },
          h('th', { scope: 'row' }, t(`label.${id}`)),
          cell(h1?.requests),
          cell(h1 && `${h1.in.toFixed(0)} / ${h1.out.toFixed(0)}`),
          cell(h2?.requests),
          cell(h2 && `${h2.in.toFixed(0)} / ${h2.out.toFixed(0)}`),
        );
      }),
    );
  });

  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'http2' },
      here,
      h('h3', {}, t('h2.hpack.title')),
      h('p', {}, t('h2.hpack.intro', { origin })),
      h('p', {}, run),
      h('p', { class: 'bars-scale' }, t('h2.scale', { bytes: SCALE_BYTES.toLocaleString('en-US') })),
      bars,
      verdict,
      h('h3', {}, t('h2.table.title')),
      h('p', {}, t('h2.table.intro')),
      table,
    ),
  );
}
