// Several processes on one Redis feed (npm run cluster): the latency the Redis hop and
// nginx add, CPU per delivery with one and N processes, and polls spread over every
// process with no sticky session. Also the line under the headline table.
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw, logTicks, perBarTotals, px, scale } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, select } from './blocks.js';
import { nf, ms } from './format.js';
import { R } from './run.js';
import { label, t, tt } from './words.js';

const SETUPS = ['memory', 'redis', 'cluster'];
const SETUP_COLORS = { memory: '#56B4E9', redis: '#009E73', cluster: '#D55E00' };
const CPU_PARTS = [
  { key: 'labsCpuMicrosPerDelivery', label: 'legend.partLabs', color: '#0072B2' },
  { key: 'nginxCpuMicrosPerDelivery', label: 'legend.partNginx', color: '#E69F00' },
  { key: 'redisCpuMicrosPerDelivery', label: 'legend.partRedis', color: '#CC79A7' },
];

/** The run's derived cluster figures, or the reason a chart has none. */
function cluster() {
  const c = R.derived?.cluster;
  if (!c || !R.scenarios.cluster) return { why: t('why.skipped', { scenario: 'cluster' }) };
  if (c.skipped) return { why: t('why.clusterSkipped', { reason: c.reason }) };
  return { c, n: nf(c.processes), p: R.parameters.cluster };
}

/** A load run's setup in a few words: in memory (one process, direct), or N processes behind nginx. */
const setupShort = (x) =>
  x.setup === 'memory'
    ? tt('label.setupMemory')
    : x.setup === 'redis'
      ? tt('label.setupRedis')
      : x.processes === 1
        ? tt('label.clusterOne')
        : tt('label.clusterMany', { n: nf(x.processes) });
const setupLong = (setup, n) =>
  setup === 'cluster' ? tt('legend.setupCluster', { n }) : tt(`legend.setup${setup === 'memory' ? 'Memory' : 'Redis'}`);

/** What went wrong in the scenario, if anything, above its charts. */
export function renderClusterProblems(node) {
  const { c } = cluster();
  node.hidden = !c?.problems.length;
  node.innerHTML = c?.problems.length ? t('cluster.problems', { list: c.problems.join('; ') }) : '';
}

/** One idle client's latency per transport: in memory, with the feed in Redis, and through nginx. */
export const clusterLatencyChart = () =>
  chartBlock({
    id: 'cluster-latency',
    controlsLabel: 'controls.cluster',
    controls: () => [
      select('percentile', 'controls.clusterPercentile', [
        ['p50Ms', 'p50'],
        ['p99Ms', 'p99'],
      ]),
    ],
    render({ percentile }) {
      const { c, n, p, why } = cluster();
      if (!c) return hideFigure('cluster-latency', why);
      if (!c.latency.length) return hideFigure('cluster-latency', t('why.noClusterLatency'));
      const key = percentile === 'p99Ms' ? 'p99Ms' : 'p50Ms';
      const pName = key.replace('Ms', '');
      const width = document.getElementById('chart-cluster-latency').parentElement.clientWidth || 1000;
      draw('cluster-latency', {
        type: 'bar',
        data: {
          labels: c.latency.map((l) => label(l.transport)),
          datasets: SETUPS.map((setup) => ({
            label: setupLong(setup, n),
            data: c.latency.map((l) => l[key][setup]),
            backgroundColor: SETUP_COLORS[setup],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          // Room above the tallest bar for its label (a log axis has no grace).
          scales: {
            y: {
              type: 'logarithmic',
              suggestedMax: Math.max(...c.latency.flatMap((l) => SETUPS.map((setup) => l[key][setup] || 0))) * 1.8,
              title: axisTitle(tt('axis.clusterLatency', { p: pName })),
              ticks: logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)),
            },
          },
          plugins: {
            title: { text: tt('title.clusterLatency', { p: pName, n }) },
            // A figure over each bar, where there is room for it (five transports on a phone leave none: the table below has them).
            barTotals: { ...perBarTotals((v) => ms(v)), enabled: width / (c.latency.length * SETUPS.length) >= 40 },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      const added = (id) => {
        const l = c.latency.find((x) => x.transport === id);
        return l ? ms(key === 'p99Ms' ? l.redisAddedP99Ms : l.redisAddedP50Ms) : 'n/a';
      };
      caption(
        'cluster-latency',
        t('caption.clusterLatency', {
          events: nf(p.latency.events),
          interval: nf(p.latency.intervalMs),
          p: pName,
          sse: added('sse'),
          ws: added('ws'),
          n,
        }),
      );
      dataTable(
        'cluster-latency',
        [
          t('col.transport'),
          ...SETUPS.map((setup) => `${setupLong(setup, n)}, p50 / p99 (ms)`),
          tt('col.addedByRedis'),
          tt('col.addedByCluster', { n }),
        ],
        c.latency.map((l) => [
          label(l.transport),
          ...SETUPS.map((setup) => `${ms(l.p50Ms[setup])} / ${ms(l.p99Ms[setup])}`),
          `${ms(l.redisAddedP50Ms)} / ${ms(l.redisAddedP99Ms)}`,
          `${ms(l.clusterAddedP50Ms)} / ${ms(l.clusterAddedP99Ms)}`,
        ]),
      );
    },
  });

/** CPU per delivery by part: one process (feed in memory, direct), then 1 and N processes behind nginx. */
export const clusterCpuChart = () =>
  chartBlock({
    id: 'cluster-cpu',
    tall: true,
    render() {
      const { c, n, p, why } = cluster();
      if (!c) return hideFigure('cluster-cpu', why);
      const rows = [...c.load].sort(
        (a, b) =>
          R.transports.indexOf(a.transport) - R.transports.indexOf(b.transport) ||
          SETUPS.indexOf(a.setup) - SETUPS.indexOf(b.setup) ||
          a.processes - b.processes,
      );
      if (!rows.length) return hideFigure('cluster-cpu', t('why.noClusterLoad'));
      draw('cluster-cpu', {
        type: 'bar',
        data: {
          // Two lines per bar: the transport, then the setup (a phone has no room for one long line).
          labels: rows.map((x) => [label(x.transport), setupShort(x)]),
          datasets: CPU_PARTS.map((part) => ({
            label: tt(part.label),
            data: rows.map((x) => x[part.key]),
            backgroundColor: part.color,
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          indexAxis: 'y',
          layout: { padding: { right: Math.round(80 * scale()) } },
          scales: {
            x: { stacked: true, beginAtZero: true, title: axisTitle(tt('axis.cpuPerDeliveryParts')) },
            y: { stacked: true, ticks: { font: { size: px(16), weight: 'bold' } } },
          },
          plugins: {
            title: { text: tt('title.clusterCpu', { clients: nf(p.load.clients), rate: nf(p.load.ratePerSecond) }) },
            barTotals: { enabled: true, fontSize: 16, format: (total) => `${nf(total, total < 10 ? 1 : 0)} µs` },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 1)} µs` } },
          },
        },
      });
      const ratioRow =
        rows.find((x) => x.setup === 'cluster' && x.processes === c.processes && x.transport === 'sse') ||
        rows.find((x) => x.setup === 'cluster' && x.processes === c.processes);
      const ratio =
        ratioRow && ratioRow.labsCpuRatioToOne !== null
          ? t('caption.clusterCpuRatio', { n, transport: label(ratioRow.transport), x: nf(ratioRow.labsCpuRatioToOne, 2) })
          : '';
      const busy =
        ratioRow && ratioRow.coresUsed != null
          ? tt('caption.clusterBusy', { n, servers: nf(ratioRow.coresUsed, 2), clients: nf(ratioRow.clientCoresUsed, 2) })
          : '';
      caption(
        'cluster-cpu',
        t('caption.clusterCpu', {
          seconds: nf(p.load.durationMs / 1000, 1),
          tick: nf((R.scenarios.cluster.cpuTickMicros || 0) / 1000),
          ratio,
          cores: nf(R.environment.machine.cores),
          busy,
        }),
      );
      const none = tt('cluster.none');
      dataTable(
        'cluster-cpu',
        [
          tt('col.setup'),
          t('col.transport'),
          t('col.deliveries'),
          tt('col.deliveriesOffered'),
          'p50 (ms)',
          'p99 (ms)',
          tt('col.labsCpu'),
          tt('col.nginxCpu'),
          tt('col.redisCpu'),
          tt('col.totalCpu'),
          tt('col.perCore'),
          tt('col.coresBusy'),
          tt('col.clientsPerProcess'),
        ],
        rows.map((x) => [
          setupShort(x),
          label(x.transport),
          `${nf(x.deliveries)} / ${nf(x.deliveriesExpected)}`,
          `${nf(x.deliveriesPerSecond)} (${nf(x.offeredDeliveriesPerSecond)})`,
          ms(x.p50Ms),
          ms(x.p99Ms),
          nf(x.labsCpuMicrosPerDelivery, 1),
          x.setup === 'cluster' ? nf(x.nginxCpuMicrosPerDelivery, 1) : none,
          x.setup === 'cluster' ? nf(x.redisCpuMicrosPerDelivery, 1) : none,
          nf(x.totalCpuMicrosPerDelivery, 1),
          nf(x.deliveriesPerCoreSecond),
          `${nf(x.coresUsed, 2)} / ${nf(x.clientCoresUsed, 2)}`,
          x.clientsByProcess
            ? Object.entries(x.clientsByProcess)
                .map(([name, k]) => `${name} ${nf(k)}`)
                .join(', ')
            : '',
        ]),
      );
    },
  });

/** Polls: who answered, and whether every client saw every seq once, in order. */
export const clusterPollsChart = () =>
  chartBlock({
    id: 'cluster-polls',
    render() {
      const { c, n, p, why } = cluster();
      if (!c) return hideFigure('cluster-polls', why);
      if (!c.polls.length) return hideFigure('cluster-polls', t('why.noClusterPolls'));
      const names = [...new Set(c.polls.flatMap((x) => Object.keys(x.answersByProcess)))].sort();
      draw('cluster-polls', {
        type: 'bar',
        data: {
          labels: names,
          datasets: c.polls.map((x) => ({
            label: label(x.transport),
            data: names.map((name) => x.answersByProcess[name] ?? 0),
            backgroundColor: TRANSPORT_COLORS[x.transport],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.answers')) } },
          plugins: {
            title: { text: tt('title.clusterPolls', { n }) },
            barTotals: perBarTotals((v) => nf(v)),
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y)}` } },
          },
        },
      });
      const seen = c.polls.map((x) => `${label(x.transport)} ${nf(x.processesSeen)} / ${n}`).join(', ');
      const ok = c.polls.every((x) => x.ok) ? tt('cluster.yes') : tt('cluster.no');
      caption(
        'cluster-polls',
        t('caption.clusterPolls', {
          clients: nf(p.polls.clients),
          events: nf(p.polls.events),
          interval: nf(p.polls.intervalMs),
          poll: nf(p.polls.shortPollIntervalMs),
          seen,
          ok,
        }),
      );
      dataTable(
        'cluster-polls',
        [
          t('col.transport'),
          tt('col.processesSeen'),
          tt('col.answersByProcess'),
          tt('col.answeredByAll', { n }),
          t('col.deliveries'),
          tt('col.duplicates'),
          tt('col.holes'),
          'p50 (ms)',
          'p99 (ms)',
          tt('col.inOrder'),
        ],
        c.polls.map((x) => [
          label(x.transport),
          `${nf(x.processesSeen)} / ${nf(x.processes)}`,
          Object.entries(x.answersByProcess)
            .sort()
            .map(([name, k]) => `${name} ${nf(k)}`)
            .join(', '),
          `${nf(x.clientsAnsweredByAll)} / ${nf(x.clients)}`,
          `${nf(x.deliveries)} / ${nf(x.deliveriesExpected)}`,
          nf(x.duplicates),
          nf(x.gaps),
          ms(x.p50Ms),
          ms(x.p99Ms),
          x.ok ? tt('cluster.yes') : tt('cluster.no'),
        ]),
      );
    },
  });

/** Under the headline table: what one idle client's p50 becomes with the feed in Redis and behind nginx. */
export function renderHeadlineCluster(node) {
  const { c } = cluster();
  const pick = (id) => c?.latency.find((l) => l.transport === id);
  const sse = pick('sse');
  const ws = pick('ws');
  node.hidden = !sse && !ws;
  if (node.hidden) return;
  const three = (l) => (l ? `${ms(l.p50Ms.memory)} → ${ms(l.p50Ms.redis)} → ${ms(l.p50Ms.cluster)} ms` : 'n/a');
  node.innerHTML = t('headline.cluster', { sse: three(sse), ws: three(ws), n: nf(c.processes) });
}
