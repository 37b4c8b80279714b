// What a library costs: each example server of lessons/servers beside the lab under the
// same fan-out, its cost per delivery (or memory, or latency) as bars, the checker's
// verdicts under each bar's name.
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw, px, scale } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, radios, select } from './blocks.js';
import { ms, nf } from './format.js';
import { R } from './run.js';
import { label, t, tt } from './words.js';

/** The figures a reader can put on the bars: where each is read in a run, its unit and digits. */
const METRICS = {
  cpu: { read: (run) => run.load.serverCpuMicrosPerDelivery, unit: 'µs', digits: 1, axis: 'axis.cpuPerDeliveryLong' },
  memory: { read: (run) => run.rssBytesPerConnection, unit: 'B', digits: 0, axis: 'axis.rssPerConnection' },
  rate: { read: (run) => run.load.deliveriesPerSecond, unit: '/s', digits: 0, axis: 'axis.deliveriesPerSecond' },
  p99: { read: (run) => run.load.latency.p99Ms, unit: 'ms', digits: 1, axis: 'axis.p99' },
};

/** The checker's verdicts of a row, as lines: ["44/44 pass"], or ["60/65 pass", "2 non-strict, 3 fail"]. */
function verdictLines(row) {
  const v = row.verdicts;
  if (!v) return [tt('libraries.notChecked')];
  const total = v.pass + v['non-strict'] + v.fail + v.info;
  const rest = [
    v['non-strict'] ? tt('libraries.nonStrict', { n: v['non-strict'] }) : '',
    v.fail ? tt('libraries.fail', { n: v.fail }) : '',
  ].filter(Boolean);
  return [tt('libraries.pass', { n: v.pass, total }), ...(rest.length ? [rest.join(', ')] : [])];
}

/** The same on one line, for the table. */
const verdictShort = (row) => verdictLines(row).join(', ');

// The package's name alone ("Socket.IO", not its note): the bars' labels must fit a phone.
const serverName = (row) => (row.subject === 'lab' ? 'Wirelab' : row.library.replace(/ \(.*\)$/, ''));

export const librariesChart = () =>
  chartBlock({
    id: 'libraries',
    tall: true,
    controlsLabel: 'controls.chart',
    controls: () => {
      // No controls for a run without the scenario: a radio group with no choices has no value to read.
      const x = R.scenarios.libraries;
      if (!x?.clients.length) return [];
      const counts = x.clients;
      return [
        radios(
          'clients',
          'controls.clients',
          counts.map((n) => [String(n), nf(n)]),
          String(counts[counts.length - 1]),
        ),
        select(
          'metric',
          'controls.metric',
          Object.keys(METRICS).map((k) => [k, tt(`libraries.metric.${k}`)]),
          'cpu',
        ),
      ];
    },
    render({ clients, metric = 'cpu' }) {
      const x = R.scenarios.libraries;
      if (!x?.rows.length) return hideFigure('libraries', t('why.skipped', { scenario: 'libraries' }));
      const n = Number(clients) || x.clients[x.clients.length - 1];
      const m = METRICS[metric] ?? METRICS.cpu;
      const runOf = (row) => row.runs.find((run) => run.clients === n);
      draw('libraries', {
        type: 'bar',
        data: {
          // Every server named (no label skipped): on a wide screen or a slide in two lines, the server with its
          // transport, then the verdicts; on a phone in short lines, one thing each (a dozen characters fit there).
          labels: x.rows.map((row) =>
            innerWidth >= 1000
              ? [`${serverName(row)} (${label(row.transport)})`, verdictShort(row)]
              : [serverName(row), label(row.transport), ...verdictLines(row)],
          ),
          datasets: [
            {
              label: tt(`libraries.metric.${metric}`),
              data: x.rows.map((row) => {
                const run = runOf(row);
                return run ? m.read(run) : null;
              }),
              backgroundColor: x.rows.map((row) => (row.subject === 'lab' ? TRANSPORT_COLORS[row.transport] : '#ffffff')),
              borderColor: x.rows.map((row) => TRANSPORT_COLORS[row.transport]),
              borderWidth: 3,
            },
          ],
        },
        options: {
          indexAxis: 'y',
          // Room at the right for the longest bar's figure, in any type size.
          layout: { padding: { right: Math.round(90 * scale()) } },
          scales: {
            x: { beginAtZero: true, title: axisTitle(tt(m.axis)) },
            y: { ticks: { autoSkip: false, font: { size: px(14), weight: 'bold' } } },
          },
          plugins: {
            legend: { display: false },
            title: { text: tt('title.libraries', { n: nf(n), rate: nf(x.ratePerSecond) }) },
            barTotals: { enabled: true, perBar: true, fontSize: 14, format: (v) => `${nf(v, v < 10 ? m.digits : 0)} ${m.unit}` },
            tooltip: { callbacks: { label: (ctx) => `${nf(ctx.parsed.x, m.digits)} ${m.unit}` } },
          },
        },
      });
      caption('libraries', t('caption.libraries', { check: nf(x.checkSeconds, 0) }));
      dataTable(
        'libraries',
        [
          t('col.transport'),
          t('col.server'),
          t('col.checker'),
          t('col.idleP50'),
          t('col.clients'),
          t('col.deliveriesPerSecond'),
          t('col.cpuPerDelivery'),
          t('col.rssPerConnection'),
          'p50 (ms)',
          'p99 (ms)',
        ],
        x.rows.flatMap((row) =>
          (row.runs.length ? row.runs : [null]).map((run) => [
            label(row.transport),
            `${serverName(row)} ${row.version}`,
            verdictShort(row),
            ms(row.idle?.latency.p50Ms),
            run ? nf(run.clients) : 'n/a',
            run ? nf(run.load.deliveriesPerSecond) : (row.error ?? 'n/a'),
            run ? nf(run.load.serverCpuMicrosPerDelivery, 2) : 'n/a',
            run ? nf(run.rssBytesPerConnection) : 'n/a',
            run ? ms(run.load.latency.p50Ms) : 'n/a',
            run ? ms(run.load.latency.p99Ms) : 'n/a',
          ]),
        ),
      );
    },
  });
