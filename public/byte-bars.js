// Bytes per delivered event, drawn: one stacked bar per transport, from the server's
// own counts since the page opened. The same numbers as each panel's "bytes / event"
// (server-stats.js perEvent: both directions, head + framing + payload), as a picture
// a class reads from the back of the room: polling's bar is mostly head, WebSocket's
// is payload. Each kind has its colour on every page (style.css --byte-*); the
// upstream share of a kind is the same colour, hatched.
import { h, t } from './lab.js';
import { onServerStats, perEvent } from './server-stats.js';

const KINDS = ['head', 'framing', 'payload'];

/** Mounts the bars for `transports` into `element`; returns the stop. */
export function mountByteBars(element, transports) {
  const rows = new Map();
  const list = h('div', { class: 'byte-bars', role: 'list', 'data-field': 'byte-bars' });
  for (const id of transports) {
    const segments = KINDS.flatMap((kind) =>
      ['down', 'up'].map((way) => h('span', { class: `seg ${kind} ${way}`, title: t(`bars.${kind}`), 'data-kind': kind, 'data-way': way })),
    );
    const value = h('span', { class: 'value' }, '–');
    const row = h(
      'div',
      { class: 'row', role: 'listitem', 'data-transport': id },
      h('span', { class: 'name' }, t(`label.${id}`)),
      h('span', { class: 'track' }, ...segments),
      value,
    );
    rows.set(id, { row, segments, value });
    list.append(row);
  }
  const legend = h(
    'p',
    { class: 'legend' },
    ...KINDS.map((kind) => h('span', { class: `key ${kind}` }, t(`bars.${kind}`))),
    ' ',
    t('bars.note'),
  );
  element.replaceChildren(h('h2', { class: 'chart-title' }, t('bars.title')), list, legend);

  return onServerStats((now, then) => {
    const per = Object.fromEntries(transports.map((id) => [id, perEvent(now, then, id)]));
    const max = Math.max(1, ...transports.map((id) => per[id]?.total ?? 0));
    for (const id of transports) {
      const { row, segments, value } = rows.get(id);
      const p = per[id];
      for (const segment of segments)
        segment.style.width = p ? `${((100 * p[segment.dataset.way][segment.dataset.kind]) / max).toFixed(2)}%` : '0';
      row.dataset.bytes = p ? p.total.toFixed(1) : '';
      // Every kind named, so that the picture reads without its colours.
      value.textContent = p
        ? t('bars.value', {
            total: p.total.toFixed(0),
            head: p.head.toFixed(0),
            framing: p.framing.toFixed(0),
            payload: p.payload.toFixed(0),
          })
        : '–';
    }
  });
}
