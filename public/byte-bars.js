// Bytes per delivered event, drawn: one stacked bar per transport (head, framing,
// payload, downstream), from the server's own counts since the page opened. The
// same numbers as each panel's "bytes per event" line, as a picture a class reads
// from the back of the room: polling's bar is mostly head, WebSocket's is payload.
import { h, t } from './lab.js';
import { onServerStats, perEvent } from './server-stats.js';

const PARTS = ['head', 'framing', 'payload'];

/** Mounts the bars for `transports` into `element`; returns the stop. */
export function mountByteBars(element, transports) {
  const rows = new Map();
  const list = h('div', { class: 'byte-bars', role: 'list', 'data-field': 'byte-bars' });
  for (const id of transports) {
    const segments = Object.fromEntries(PARTS.map((part) => [part, h('span', { class: `seg ${part}`, title: t(`bars.${part}`) })]));
    const value = h('span', { class: 'value' }, '–');
    const row = h('div', { class: 'row', role: 'listitem', 'data-transport': id },
      h('span', { class: 'name' }, t(`label.${id}`)),
      h('span', { class: 'track' }, ...PARTS.map((part) => segments[part])),
      value);
    rows.set(id, { row, segments, value });
    list.append(row);
  }
  const legend = h('p', { class: 'legend' }, ...PARTS.map((part) => h('span', { class: `key ${part}` }, t(`bars.${part}`))), ' ', t('bars.note'));
  element.replaceChildren(h('h2', { class: 'chart-title' }, t('bars.title')), list, legend);

  return onServerStats((now, then) => {
    const per = Object.fromEntries(transports.map((id) => [id, perEvent(now, then, id)]));
    const total = (p) => (p ? p.out.head + p.out.framing + p.out.payload : 0);
    const max = Math.max(1, ...transports.map((id) => total(per[id])));
    for (const id of transports) {
      const { row, segments, value } = rows.get(id);
      const p = per[id];
      for (const part of PARTS) segments[part].style.width = p ? `${((100 * p.out[part]) / max).toFixed(2)}%` : '0';
      row.dataset.bytes = p ? total(p).toFixed(1) : '';
      // Every part named, so the picture reads without its colours.
      value.textContent = p ? t('bars.value', { total: total(p).toFixed(0), head: p.out.head.toFixed(0), framing: p.out.framing.toFixed(0), payload: p.out.payload.toFixed(0) }) : '–';
    }
  });
}
