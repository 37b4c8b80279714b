// Connections: how many clients one process holds, what each costs in memory, the
// latency along the ramp, requests and connections per event, and a plain HTTP
// load test (autocannon).
import { TRANSPORT_COLORS } from './colours.js';
import { axisTitle, draw, logTicks, transportStyle } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure } from './blocks.js';
import { bytes, nf, ms, table } from './format.js';
import { R, overheadCells } from './run.js';
import { label, t, tt } from './words.js';

/** The capacity ramp's runs, in the run's transport order. */
const capacityRuns = () => R.transports.map((id) => R.scenarios.capacity.runs.find((r) => r.transport === id)).filter(Boolean);

/** The clients-held target of the run's targets (">= 9,000"), as a number; null when it has none. */
function heldTarget() {
  const x = (R.derived.targets || []).find((t) => t.id.startsWith('held-'));
  const n = x ? Number(String(x.target).replace(/[^\d.]/g, '')) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** Clients held by one process, per transport. */
export const heldChart = () =>
  chartBlock({
    id: 'connections-held',
    render() {
      const c = R.scenarios.capacity;
      if (!c) return hideFigure('connections-held', t('why.skipped', { scenario: 'capacity' }));
      const runs = capacityRuns();
      // The ramp's last step: what this run tried. A quick run's ramp stops far below the target,
      // which is stated for the reference run's: its line would be drawn over bars it never aimed at.
      const ramp = Math.max(...runs.flatMap((r) => r.steps.map((s) => s.clients)));
      const target = R.quick ? null : heldTarget();
      draw('connections-held', {
        type: 'bar',
        data: {
          labels: runs.map((r) => label(r.transport)),
          datasets: [
            {
              label: tt('legend.held'),
              data: runs.map((r) => r.maxClientsHeld),
              backgroundColor: runs.map((r) => TRANSPORT_COLORS[r.transport]),
              borderColor: '#000',
              borderWidth: 1,
            },
          ],
        },
        options: {
          scales: {
            y: {
              beginAtZero: true,
              suggestedMax: Math.max(target ?? 0, ramp, ...runs.map((r) => r.maxClientsHeld)) * 1.12,
              title: axisTitle(tt('axis.clients')),
            },
          },
          plugins: {
            legend: { display: false },
            title: { text: tt('title.held', { ramp: nf(ramp) }) },
            barTotals: {
              enabled: true,
              fontSize: 16,
              format: (v, i) => `${nf(v)}${runs[i].stopReason !== 'last step' ? ` (${runs[i].stopReason})` : ''}`,
            },
            targetLine: target ? { value: target, text: tt('target.held', { n: nf(target) }) } : {},
          },
        },
      });
      caption(
        'connections-held',
        t('caption.held', {
          probes: c.probeEvents,
          bound: nf(R.parameters.capacity.latencyBoundMs),
          fd: nf(runs[0] ? runs[0].fdLimit : null),
        }),
      );
      dataTable(
        'connections-held',
        [t('col.transport'), t('col.heldShort'), t('col.stoppedBy'), t('col.steps')],
        runs.map((r) => [
          label(r.transport),
          nf(r.maxClientsHeld),
          r.stopReason,
          r.steps.map((s) => `${nf(s.clients)}: ${ms(s.latency.p99Ms)} ms, ${nf(s.serverCpuMicrosPerDelivery, 1)} µs`).join('; '),
        ]),
      );
    },
  });

/** Memory per connection: the RSS slope along the ramp, and the heap's. */
export const memoryChart = () =>
  chartBlock({
    id: 'memory',
    render() {
      if (!R.scenarios.capacity) return hideFigure('memory', t('why.skipped', { scenario: 'capacity' }));
      const runs = capacityRuns();
      draw('memory', {
        type: 'bar',
        data: {
          labels: runs.map((r) => label(r.transport)),
          datasets: [
            {
              label: tt('legend.rss'),
              data: runs.map((r) => (r.rssBytesPerConnection ?? NaN) / 1000),
              backgroundColor: runs.map((r) => TRANSPORT_COLORS[r.transport]),
              borderColor: '#000',
              borderWidth: 1,
            },
            {
              label: tt('legend.heap'),
              data: runs.map((r) => (r.heapBytesPerConnection ?? NaN) / 1000),
              backgroundColor: '#ffffff',
              borderColor: '#000',
              borderWidth: 2,
            },
          ],
        },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: 16.5, grace: '8%', title: axisTitle(tt('axis.memory')) } },
          plugins: {
            title: { text: tt('title.memory') },
            targetLine: { value: 15, text: tt('target.memory') },
            barTotals: { enabled: true, perBar: true, fontSize: 16, format: (v) => `${nf(v, 1)}` },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} KB` } },
          },
        },
      });
      caption('memory', t('caption.memory'));
      dataTable(
        'memory',
        [t('col.transport'), t('col.rssPerConnection'), t('col.heapPerConnection'), t('col.baselineRss')],
        runs.map((r) => [label(r.transport), nf(r.rssBytesPerConnection), nf(r.heapBytesPerConnection), nf(r.baselineRssBytes / 1e6, 1)]),
      );
    },
  });

/** The probes' p99 along the ramp. */
export const capacityLatencyChart = () =>
  chartBlock({
    id: 'capacity-latency',
    render() {
      if (!R.scenarios.capacity) return hideFigure('capacity-latency', t('why.skipped', { scenario: 'capacity' }));
      draw('capacity-latency', {
        type: 'line',
        data: {
          datasets: capacityRuns().map((r) => ({
            label: label(r.transport),
            data: r.steps.map((s) => ({ x: s.clients, y: Math.max(s.latency.p99Ms, 0.01) })),
            ...transportStyle(r.transport),
          })),
        },
        options: {
          scales: {
            x: { type: 'linear', beginAtZero: true, title: axisTitle(tt('axis.clients')) },
            y: { type: 'logarithmic', title: axisTitle(tt('axis.probeP99')), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) },
          },
          plugins: { title: { text: tt('title.capacityLatency') } },
        },
      });
      caption('capacity-latency', t('caption.capacityLatency'));
    },
  });

/** Requests, connections and head sizes per event, from the overhead scenario's smallest event. */
export function renderRequestsTable(node) {
  const cells = overheadCells('h1');
  if (!R.scenarios.overhead || !cells.length) return node.replaceChildren();
  const smallest = Math.min(...cells.map((x) => x.dataBytes));
  const rows = R.transports.map((id) => {
    const m = cells.find((x) => x.transport === id && x.profile === 'minimal' && x.dataBytes === smallest);
    const b = cells.find((x) => x.transport === id && x.profile === 'browser' && x.dataBytes === smallest);
    return [
      label(id),
      nf(m?.requestsPerEvent, 3),
      nf(m?.connectionsPerEvent, 3),
      bytes(m?.requestHeadBytes),
      bytes(b?.requestHeadBytes),
      bytes(m?.responseHeadBytes),
    ];
  });
  node.replaceChildren(
    table(
      [
        t('col.transport'),
        t('col.httpRequestsPerEvent'),
        t('col.connectionsPerEvent'),
        t('col.requestHeadNode'),
        t('col.requestHeadChromium'),
        t('col.responseHead'),
      ],
      rows,
      tt('table.requests', { events: cells[0].eventsPublished }),
    ),
  );
}

/** autocannon against the short-poll URL: requests per second and their CPU. */
export function renderAutocannon(node) {
  const a = R.scenarios.autocannon;
  node.innerHTML = a
    ? t('text.autocannon', {
        rps: nf(a.requestsPerSecond),
        connections: a.connections,
        cpu: nf(a.serverCpuMicrosPerRequest, 1),
        p50: ms(a.latency.p50Ms),
        p99: ms(a.latency.p99Ms),
      })
    : '';
}
