// What HTTP/2 costs apart from what the lab's meter costs: Node's own HTTP/2 beside the
// lab over HTTP/2, HTTP/1.1 over TLS and plain HTTP/1.1, and the one ratio split in three
// (HTTP/2's own, TLS's own, the meter's).
import { axisTitle, draw } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, radios, select } from './blocks.js';
import { ms, nf } from './format.js';
import { R } from './run.js';
import { label, t, tt } from './words.js';

const SUBJECTS = ['native-h2', 'piped-h2', 'lab-h2', 'lab-h1-tls', 'lab-h1'];
/** One look per subject, so that the five read apart in print too. */
const SUBJECT_STYLE = {
  'native-h2': { backgroundColor: '#ffffff', borderColor: '#000', borderWidth: 3 },
  // The piped floor (measured for SSE and WebSocket only): white like native, framed like the lab's HTTP/2.
  'piped-h2': { backgroundColor: '#e7d4e8', borderColor: '#7b3294', borderWidth: 3 },
  'lab-h2': { backgroundColor: '#7b3294', borderColor: '#000', borderWidth: 1 },
  'lab-h1-tls': { backgroundColor: '#c2a5cf', borderColor: '#000', borderWidth: 1 },
  'lab-h1': { backgroundColor: '#a6dba0', borderColor: '#000', borderWidth: 1 },
};
const SPLIT = [
  ['http2', '#7b3294'],
  ['tls', '#c2a5cf'],
  ['meter', '#e08214'],
];
const METRICS = {
  cpu: { read: (run) => run.load.serverCpuMicrosPerDelivery, unit: 'µs', digits: 1, axis: 'axis.cpuPerDeliveryLong' },
  memory: { read: (run) => run.rssBytesPerConnection, unit: 'B', digits: 0, axis: 'axis.rssPerConnection' },
  p99: { read: (run) => run.load.latency.p99Ms, unit: 'ms', digits: 1, axis: 'axis.p99' },
};

/** The client counts to choose from; none (and no controls at all) for a run without the scenario. */
const measured = () => Boolean(R.scenarios.h2Native?.clients.length);
const clientsControl = () => {
  const counts = R.scenarios.h2Native.clients;
  return radios(
    'clients',
    'controls.clients',
    counts.map((n) => [String(n), nf(n)]),
    String(counts[0]),
  );
};
const chosen = (x, clients) => Number(clients) || x.clients[0];

export const h2NativeChart = () =>
  chartBlock({
    id: 'h2-native',
    controls: () =>
      !measured()
        ? []
        : [
            clientsControl(),
            select(
              'metric',
              'controls.metric',
              Object.keys(METRICS).map((k) => [k, tt(`libraries.metric.${k}`)]),
              'cpu',
            ),
          ],
    render({ clients, metric = 'cpu' }) {
      const x = R.scenarios.h2Native;
      if (!x?.runs.length) return hideFigure('h2-native', t('why.skipped', { scenario: 'h2-native' }));
      const n = chosen(x, clients);
      const m = METRICS[metric] ?? METRICS.cpu;
      const runOf = (subject, transport) => x.runs.find((r) => r.subject === subject && r.transport === transport && r.clients === n);
      draw('h2-native', {
        type: 'bar',
        data: {
          labels: x.transports.map((id) => label(id)),
          // A run from before the piped floor was measured has no piped-h2 rows: no empty legend entry for it.
          datasets: SUBJECTS.filter((subject) => x.runs.some((r) => r.subject === subject)).map((subject) => ({
            label: tt(`h2native.${subject}`),
            data: x.transports.map((id) => {
              const run = runOf(subject, id);
              return run ? m.read(run) : null;
            }),
            ...SUBJECT_STYLE[subject],
          })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt(m.axis)) } },
          plugins: {
            title: { text: tt('title.h2Native', { n: nf(n), rate: nf(x.ratePerSecond) }) },
            barTotals: { enabled: true, perBar: true, format: (v) => nf(v, v < 10 ? m.digits : 0) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, m.digits)} ${m.unit}` } },
          },
        },
      });
      caption('h2-native', t('caption.h2Native'));
      dataTable(
        'h2-native',
        [
          t('col.clients'),
          t('col.transport'),
          t('col.subject'),
          t('col.deliveriesPerSecond'),
          t('col.cpuPerDelivery'),
          t('col.rssPerConnection'),
          'p50 (ms)',
          'p99 (ms)',
        ],
        x.runs.map((r) => [
          nf(r.clients),
          label(r.transport),
          tt(`h2native.${r.subject}`),
          nf(r.load.deliveriesPerSecond),
          nf(r.load.serverCpuMicrosPerDelivery, 2),
          nf(r.rssBytesPerConnection),
          ms(r.load.latency.p50Ms),
          ms(r.load.latency.p99Ms),
        ]),
      );
    },
  });

export const h2SplitChart = () =>
  chartBlock({
    id: 'h2-split',
    controls: () => (measured() ? [clientsControl()] : []),
    render({ clients }) {
      const x = R.scenarios.h2Native;
      if (!x?.split.length) return hideFigure('h2-split', t('why.skipped', { scenario: 'h2-native' }));
      const n = chosen(x, clients);
      const splitOf = (id) => x.split.find((s) => s.transport === id && s.clients === n);
      draw('h2-split', {
        type: 'bar',
        data: {
          labels: x.transports.map((id) => label(id)),
          datasets: SPLIT.map(([key, colour]) => ({
            // Short in the legend (a phone's width); the table under the chart says what each divides.
            label: tt(`h2split.legend.${key}`),
            data: x.transports.map((id) => splitOf(id)?.[key] ?? null),
            backgroundColor: colour,
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.costRatio')) } },
          plugins: {
            title: { text: tt('title.h2Split', { n: nf(n) }) },
            barTotals: { enabled: true, perBar: true, format: (v) => `${nf(v, 2)}x` },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 2)}x` } },
          },
        },
      });
      const sse = splitOf('sse') || splitOf(x.transports[0]);
      caption(
        'h2-split',
        t('caption.h2Split', {
          transport: sse ? label(sse.transport) : '',
          http2: nf(sse?.http2, 2),
          tls: nf(sse?.tls, 2),
          meter: nf(sse?.meter, 2),
          whole: nf(sse?.whole, 2),
        }),
      );
      dataTable(
        'h2-split',
        [
          t('col.clients'),
          t('col.transport'),
          ...SPLIT.map(([key]) => tt(`h2split.${key}`)),
          tt('h2split.whole'),
          tt('h2split.meterMemory'),
        ],
        x.split.map((s) => [nf(s.clients), label(s.transport), ...[s.http2, s.tls, s.meter, s.whole, s.meterMemory].map((v) => nf(v, 2))]),
      );
    },
  });
