// Latency, publish to receipt: one idle client (the distribution), many clients (a
// percentile against the number of clients) and a slow network (through the bench's
// delay proxy), each over the wire chosen beside it.
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw, logTicks, transportStyle } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, select } from './blocks.js';
import { nf, ms } from './format.js';
import { R, fanoutRuns, latencyResults, noWiresWhy, rttRuns, runWires } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

const wireChoice = () =>
  select(
    'wire',
    'controls.wire',
    runWires().map((w) => [w, wireLabel(w)]),
  );

/** Points of the cumulative distribution: the raw samples when kept, else the histogram's bucket edges. */
function cdf(distribution) {
  if (distribution.samplesMs?.length) {
    const sorted = [...distribution.samplesMs].sort((a, b) => a - b);
    return sorted.map((v, i) => ({ x: Math.max(v, 0.001), y: ((i + 1) / sorted.length) * 100 }));
  }
  const h = distribution.histogram;
  const total = h.below + h.counts.reduce((s, [, c]) => s + c, 0);
  let cumulative = h.below;
  const points = [];
  for (const [index, count] of h.counts) {
    if (!points.length) points.push({ x: h.fromMs * 10 ** (index / h.bucketsPerDecade), y: (cumulative / total) * 100 });
    cumulative += count;
    points.push({ x: h.fromMs * 10 ** ((index + 1) / h.bucketsPerDecade), y: (cumulative / total) * 100 });
  }
  return points;
}

const msTicks = logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0));

/** One idle client per transport: the share of events delivered within x ms. */
export const latencyIdleChart = () =>
  chartBlock({
    id: 'latency-idle',
    controlsLabel: 'controls.latency',
    controls: () => [wireChoice()],
    render({ wire = 'h1' }) {
      const results = latencyResults(wire);
      if (!R.scenarios.latency || !results.length)
        return hideFigure('latency-idle', R.scenarios.latency ? noWiresWhy() : t('why.skipped', { scenario: 'latency' }));
      draw('latency-idle', {
        type: 'line',
        data: {
          datasets: results.map((r) => ({
            label: label(r.transport),
            data: cdf(r.latency),
            ...transportStyle(r.transport),
            pointRadius: 0,
            stepped: true,
          })),
        },
        options: {
          parsing: false,
          scales: {
            x: { type: 'logarithmic', title: axisTitle(tt('axis.latencyLog')), ticks: msTicks },
            y: { min: 0, max: 100, title: axisTitle(tt('axis.deliveredWithin')), ticks: { stepSize: 25 } },
          },
          plugins: {
            title: { text: tt('title.latencyIdle', { wire: wireLabel(wire) }) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y)}% ≤ ${ms(ctx.parsed.x)} ms` } },
          },
        },
      });
      const sp = results.find((r) => r.transport === 'short-poll');
      caption(
        'latency-idle',
        t('caption.latencyIdle', {
          events: nf(R.parameters.latency.events),
          interval: R.scenarios.latency.intervalMs,
          poll: nf(R.parameters.latency.shortPollIntervalMs),
          p50: sp ? ms(sp.latency.p50Ms) : 'n/a',
        }),
      );
      dataTable(
        'latency-idle',
        [t('col.transport'), 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', t('col.mean'), t('col.events')],
        results.map((r) => [
          label(r.transport),
          ms(r.latency.p50Ms),
          ms(r.latency.p90Ms),
          ms(r.latency.p99Ms),
          ms(r.latency.maxMs),
          ms(r.latency.meanMs),
          nf(r.latency.count),
        ]),
      );
    },
  });

/** Many clients: a percentile of the latency at each client count. */
export const fanoutChart = () =>
  chartBlock({
    id: 'latency-fanout',
    controlsLabel: 'controls.latency',
    controls: () => [
      wireChoice(),
      select(
        'percentile',
        'controls.percentile',
        [
          ['p50Ms', 'p50'],
          ['p90Ms', 'p90'],
          ['p99Ms', 'p99'],
          ['maxMs', 'max'],
        ],
        'p99Ms',
      ),
    ],
    render({ wire = 'h1', percentile = 'p99Ms' }) {
      const f = R.scenarios.fanout;
      const runs = fanoutRuns(wire);
      if (!f || !runs.length) return hideFigure('latency-fanout', f ? noWiresWhy() : t('why.skipped', { scenario: 'fanout' }));
      const p = percentile.replace('Ms', '');
      const counts = [...new Set(runs.map((r) => r.clients))].sort((a, b) => a - b);
      draw('latency-fanout', {
        type: 'bar',
        data: {
          labels: counts.map((n) => tt('label.clients', { n: nf(n) })),
          datasets: R.transports
            .filter((id) => runs.some((r) => r.transport === id))
            .map((id) => ({
              label: label(id),
              data: counts.map((n) => runs.find((r) => r.transport === id && r.clients === n)?.latency[percentile] ?? null),
              backgroundColor: TRANSPORT_COLORS[id],
              borderColor: '#000',
              borderWidth: 1,
            })),
        },
        options: {
          scales: {
            y: { type: 'logarithmic', title: axisTitle(tt('axis.percentileLog', { p })), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) },
          },
          plugins: {
            title: { text: tt('title.latencyFanout', { p, rate: nf(f.ratePerSecond), wire: wireLabel(wire) }) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      caption('latency-fanout', t('caption.latencyFanout', { poll: nf(f.shortPollIntervalMs) }));
      dataTable(
        'latency-fanout',
        [
          t('col.clients'),
          t('col.transport'),
          'p50 (ms)',
          'p90 (ms)',
          'p99 (ms)',
          'max (ms)',
          t('col.deliveries'),
          t('col.deliveriesPerSecond'),
          t('col.cpuPerDelivery'),
          t('col.requestsPerDelivery'),
        ],
        runs.map((r) => [
          nf(r.clients),
          label(r.transport),
          ms(r.latency.p50Ms),
          ms(r.latency.p90Ms),
          ms(r.latency.p99Ms),
          ms(r.latency.maxMs),
          `${nf(r.deliveries)} / ${nf(r.deliveriesExpected)}`,
          nf(r.deliveriesPerSecond),
          nf(r.serverCpuMicrosPerDelivery, 1),
          nf(r.requestsPerDelivery, 2),
        ]),
      );
    },
  });

/** A slow network: mean latency through the delay proxy at each round trip. */
export const rttChart = () =>
  chartBlock({
    id: 'rtt',
    controlsLabel: 'controls.latency',
    controls: () => [wireChoice()],
    render({ wire = 'h1' }) {
      const x = R.scenarios.rtt;
      const runs = rttRuns(wire);
      if (!x || !runs.length) return hideFigure('rtt', x ? noWiresWhy() : t('why.skipped', { scenario: 'rtt' }));
      const rtts = [...new Set(runs.map((r) => r.rttMs))].sort((a, b) => a - b);
      draw('rtt', {
        type: 'bar',
        data: {
          labels: rtts.map((v) => `RTT ${nf(v)} ms`),
          datasets: R.transports
            .filter((id) => runs.some((r) => r.transport === id))
            .map((id) => ({
              label: label(id),
              data: rtts.map((v) => runs.find((r) => r.transport === id && r.rttMs === v)?.latency.meanMs ?? null),
              backgroundColor: TRANSPORT_COLORS[id],
              borderColor: '#000',
              borderWidth: 1,
            })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '10%', title: axisTitle(tt('axis.meanLatencyShort')) } },
          plugins: {
            barTotals: { enabled: true, perBar: true, fontSize: 15, format: (v) => ms(v) },
            title: { text: tt('title.rtt', { interval: nf(x.intervalMs), wire: wireLabel(wire) }) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      const slowest = (id) => runs.filter((r) => r.transport === id).sort((a, b) => b.rttMs - a.rttMs)[0];
      const lp = slowest('long-poll');
      const sse = slowest('sse');
      caption(
        'rtt',
        t('caption.rtt', {
          rtt: lp ? nf(lp.rttMs) : 'n/a',
          lp: lp ? ms(lp.latency.meanMs) : 'n/a',
          sse: sse ? ms(sse.latency.meanMs) : 'n/a',
          perRead: lp ? nf(lp.eventsPerRead, 1) : 'n/a',
          poll: nf(x.shortPollIntervalMs),
        }),
      );
      dataTable(
        'rtt',
        [
          'RTT (ms)',
          t('col.transport'),
          t('col.mean'),
          t('col.expectedMean'),
          'p50 (ms)',
          'p99 (ms)',
          t('col.requestsPerEvent'),
          t('col.eventsPerRead'),
        ],
        runs.map((r) => [
          nf(r.rttMs),
          label(r.transport),
          ms(r.latency.meanMs),
          ms(r.expectedMeanLatencyMs),
          ms(r.latency.p50Ms),
          ms(r.latency.p99Ms),
          nf(r.requestsPerEvent, 2),
          nf(r.eventsPerRead, 2),
        ]),
      );
    },
  });
