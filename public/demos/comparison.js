// The comparison: all five transports live, and the server's own counts side by
// side: requests, connections and bytes per delivered event (both directions, split
// into head, framing and payload: server-stats.js perEvent, as on the board).
import { TRANSPORTS, h, t } from '../lab.js';
import { mountPanel } from '../panel.js';
import { onServerStats, perEvent } from '../server-stats.js';

const COLUMNS = ['', 'comparison.requests', 'bars.head', 'bars.framing', 'bars.payload', 'comparison.total', 'comparison.open'];

export function mount(element) {
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'mono', 'data-field': 'comparison' },
    h('thead', {}, h('tr', {}, ...COLUMNS.map((key) => h('th', {}, key ? t(key) : '')))),
    body,
  );
  const grid = h('div', { class: 'panels' });
  element.append(table, grid);
  for (const id of TRANSPORTS) mountPanel(grid.appendChild(h('div', { 'data-transport': id })), id, { wire: false });
  onServerStats((now, then) => {
    body.replaceChildren(
      ...TRANSPORTS.map((id) => {
        const per = perEvent(now, then, id);
        const cell = (value, digits = 1) => h('td', {}, value === undefined ? '–' : value.toFixed(digits));
        return h(
          'tr',
          {},
          h('th', {}, t(`label.${id}`)),
          cell(per?.requestsPerEvent, 2),
          cell(per?.head),
          cell(per?.framing),
          cell(per?.payload),
          cell(per?.total),
          h('td', {}, String(now.transports[id].connectionsOpen)),
        );
      }),
    );
  });
}
