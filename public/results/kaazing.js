// Kaazing's 2010 table ("a quantum leap in scalability"), measured: the bandwidth
// polling and WebSocket need at 1,000, 10,000 and 100,000 clients with one event a
// second each, from the bytes per event this run measured, beside the published rows.
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw, logTicks, px } from './chart-kit.js';
import { caption, chartBlock, hideFigure, radios } from './blocks.js';
import { nf, table } from './format.js';
import { R } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

/** A row's label in the reader's language: the 2010 rows and the measured ones, by transport and wire. */
const rowLabel = (row) =>
  row.source === 'kaazing-2010'
    ? tt(row.label.startsWith('Polling') ? 'kaazing.polling2010' : 'kaazing.ws2010')
    : row.source === 'measured-h2'
      ? tt('kaazing.measuredH2', { transport: label(row.transport), wire: wireLabel(row.wire || 'h2') })
      : tt('kaazing.measured', { transport: label(row.transport) });

const colour = (row) => (row.transport ? TRANSPORT_COLORS[row.transport] : row.label.startsWith('Polling') ? '#000000' : '#999999');

/** The Kaazing chart, in the unit chosen (the 2010 table's binary "Mbps", or SI). */
export const kaazingChart = () =>
  chartBlock({
    id: 'kaazing',
    tall: true,
    controlsLabel: 'controls.kaazing',
    controls: () => [
      radios('unit', 'controls.unit', [
        ['mbpsBinary', tt('controls.binary')],
        ['mbpsSI', tt('controls.si')],
      ]),
    ],
    render({ unit = 'mbpsBinary' }) {
      const k = R.derived.kaazing;
      if (!R.scenarios.overhead) return hideFigure('kaazing', t('why.skipped', { scenario: 'overhead' }));
      draw('kaazing', {
        type: 'bar',
        data: {
          labels: k.clients.map((n) => tt('label.clients', { n: nf(n) })),
          datasets: k.rows.map((row) => ({
            label: rowLabel(row),
            data: row.rows.map((b) => b[unit]),
            backgroundColor: row.source === 'measured-h2' ? `${colour(row)}66` : colour(row),
            borderColor: '#000',
            borderWidth: row.transport ? (row.source === 'measured-h2' ? 3 : 1) : 3,
          })),
        },
        options: {
          scales: {
            y: {
              type: 'logarithmic',
              title: axisTitle(tt('axis.bandwidth', { unit: unit === 'mbpsBinary' ? tt('unit.binary') : tt('unit.si') })),
              ticks: logTicks((v) => nf(v, v < 0.1 ? 3 : v < 1 ? 2 : 0)),
            },
          },
          plugins: {
            title: { text: tt('title.kaazing') },
            legend: { labels: { font: { size: px(15) } } },
            tooltip: {
              callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 3)} ${unit === 'mbpsBinary' ? 'Mibit/s' : 'Mbps'}` },
            },
          },
        },
      });
      caption(
        'kaazing',
        t('caption.kaazing', {
          polling: nf(k.rows[0].bytesPerEvent),
          ws: nf(k.rows[1].bytesPerEvent),
          data: nf(k.dataBytes),
          published: `${k.published.pollingMbps.join(' / ')}; ${k.published.webSocketMbps.join(' / ')}`,
        }),
      );
    },
  });

/** The same figures in a table, both units. */
export function renderKaazingTable(node) {
  const k = R.derived.kaazing;
  if (!R.scenarios.overhead || !k) return node.replaceChildren();
  node.replaceChildren(
    table(
      [t('col.row'), t('col.bytesPerEvent'), ...k.clients.flatMap((n) => [tt('col.mbpsSI', { n: nf(n) }), tt('col.mibit', { n: nf(n) })])],
      k.rows.map((row) => [rowLabel(row), nf(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [nf(b.mbpsSI, 3), nf(b.mbpsBinary, 3)])]),
    ),
  );
}
