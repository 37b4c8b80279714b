// What the framework costs: the lab's SSE and WebSocket beside bare node:http and ws
// servers doing the same work, under the same load.
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure } from './blocks.js';
import { nf, ms } from './format.js';
import { R } from './run.js';
import { label, t, tt } from './words.js';

export const frameworkChart = () =>
  chartBlock({
    id: 'framework',
    render() {
      const f = R.scenarios.reference;
      if (!f?.runs.length) return hideFigure('framework', t('why.skipped', { scenario: 'reference' }));
      const transports = ['sse', 'ws'].filter((id) => f.runs.some((r) => r.transport === id));
      const pick = (id, lab) => f.runs.find((r) => r.transport === id && (r.kind === 'lab') === lab);
      draw('framework', {
        type: 'bar',
        data: {
          labels: transports.map((id) => label(id)),
          datasets: [
            {
              label: tt('legend.lab'),
              data: transports.map((id) => pick(id, true)?.load.serverCpuMicrosPerDelivery ?? null),
              backgroundColor: transports.map((id) => TRANSPORT_COLORS[id]),
              borderColor: '#000',
              borderWidth: 1,
            },
            {
              label: tt('legend.bare'),
              data: transports.map((id) => pick(id, false)?.load.serverCpuMicrosPerDelivery ?? null),
              backgroundColor: '#ffffff',
              borderColor: '#000',
              borderWidth: 3,
            },
          ],
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.cpuPerDeliveryLong')) } },
          plugins: {
            title: { text: tt('title.framework', { clients: nf(f.clients), rate: nf(f.ratePerSecond) }) },
            barTotals: { enabled: true, perBar: true, format: (v) => `${nf(v, 1)} µs` },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 2)} µs` } },
          },
        },
      });
      const words = transports
        .map((id) => {
          const r = f.ratios[id];
          return r
            ? t('caption.frameworkRatio', { transport: label(id), throughput: nf(r.throughputRatio, 2), memory: nf(r.memoryRatio, 2) })
            : '';
        })
        .filter(Boolean)
        .join('; ');
      caption('framework', `${t('caption.framework')} ${words}.`);
      dataTable(
        'framework',
        [
          t('col.subject'),
          t('col.idleP50'),
          'p50 (ms)',
          'p99 (ms)',
          t('col.deliveriesPerSecond'),
          t('col.cpuPerDelivery'),
          t('col.rssPerConnection'),
        ],
        f.runs.map((r) => [
          r.subject,
          ms(r.singleClient.latency.p50Ms),
          ms(r.load.latency.p50Ms),
          ms(r.load.latency.p99Ms),
          nf(r.load.deliveriesPerSecond),
          nf(r.load.serverCpuMicrosPerDelivery, 2),
          nf(r.rssBytesPerConnection),
        ]),
      );
    },
  });
