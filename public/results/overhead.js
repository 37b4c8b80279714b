// Overhead per delivered event: the bytes each transport spends on the wire besides
// the event itself (the chart an instructor projects first), what the one-off costs
// of a connection come to over N events, and short polling's interval against the
// event rate.
import { BYTE_COLORS, hatched } from './colours.js';
import { axisTitle, draw, logTicks, px, scale, transportStyle } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, radios, select } from './blocks.js';
import { nf, ms } from './format.js';
import { R, WIRES, overheadCells, runWires } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

/**
 * Bytes per event in the lab's one vocabulary (the board's bars, the panels, the README):
 * head, framing and payload, both directions, each kind in its colour, upstream hatched.
 * The overhead the headline quotes is all but the payload.
 */
const PARTS = () => [
  { key: 'downHeadBytes', label: 'part.downHead', color: BYTE_COLORS.head },
  { key: 'upHeadBytes', label: 'part.upHead', color: hatched(BYTE_COLORS.head) },
  { key: 'downFramingBytes', label: 'part.downFraming', color: BYTE_COLORS.framing },
  { key: 'upFramingBytes', label: 'part.upFraming', color: hatched(BYTE_COLORS.framing) },
  { key: 'payloadBytes', label: 'part.payload', color: BYTE_COLORS.payload },
];
const payloadOf = (c) => (c.perEvent.downPayloadBytes ?? c.eventJsonBytes ?? 0) + (c.perEvent.upPayloadBytes ?? 0);
/** "head + framing + payload" of a cell, both directions, as the board writes it. */
const kindsOf = (c) => {
  const head = c.perEvent.downHeadBytes + c.perEvent.upHeadBytes;
  const framing = c.perEvent.downFramingBytes + c.perEvent.upFramingBytes;
  return `${nf(head)} + ${nf(framing)} + ${nf(payloadOf(c))}`;
};
const partOf = (c, key) => (key === 'payloadBytes' ? payloadOf(c) : c.perEvent[key]);

/** Who played the client of a cell, in words. */
const clientWords = (cell, profile) =>
  cell && cell.client === 'chromium'
    ? tt('client.chromium')
    : cell && cell.client === 'node-replay'
      ? tt('client.replay')
      : profile === 'browser'
        ? tt('client.browser')
        : tt('client.minimal');

/** The wire and client choices, for the charts that have them. */
const wireChoice = () =>
  radios(
    'wire',
    'controls.wire',
    runWires()
      .filter((w) => overheadCells(w).length)
      .map((w) => [w, wireLabel(w)]),
  );
const profileChoice = () =>
  radios('profile', 'controls.client', [
    ['browser', tt('controls.browser')],
    ['minimal', tt('controls.minimal')],
  ]);

/** Overhead per event by transport, for the wire, client and event size chosen. */
export const overheadChart = () =>
  chartBlock({
    id: 'overhead',
    controlsLabel: 'controls.overhead',
    controls: () => [
      wireChoice(),
      profileChoice(),
      select(
        'payload',
        'controls.payload',
        [...new Set(WIRES.flatMap((w) => overheadCells(w)).map((c) => c.dataBytes))]
          .sort((a, b) => a - b)
          .map((size) => [String(size), `${nf(size)} B`]),
      ),
    ],
    render({ wire = 'h1', profile = 'browser', payload }) {
      if (!R.scenarios.overhead) return hideFigure('overhead', t('why.skipped', { scenario: 'overhead' }));
      const all = overheadCells(wire);
      const dataBytes = Number(payload || all[0]?.dataBytes);
      const cells = R.transports
        .map((id) => all.find((c) => c.transport === id && c.profile === profile && c.dataBytes === dataBytes))
        .filter(Boolean);
      if (!cells.length) return hideFigure('overhead', t('why.noCells'));
      const who = clientWords(cells[0], profile);
      const wide = (document.getElementById('chart-overhead').parentElement.clientWidth || 1000) >= 800;
      draw('overhead', {
        type: 'bar',
        data: {
          labels: cells.map((c) => label(c.transport)),
          datasets: PARTS().map((part) => ({
            label: tt(part.label),
            data: cells.map((c) => partOf(c, part.key)),
            backgroundColor: part.color,
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          indexAxis: 'y',
          layout: { padding: { right: Math.round((wide ? 250 : 90) * scale()) } },
          scales: {
            x: { stacked: true, title: axisTitle(tt('axis.overheadBytes')), beginAtZero: true },
            y: { stacked: true, ticks: { font: { size: px(20), weight: 'bold' } } },
          },
          plugins: {
            title: { text: tt('title.overhead', { who, wire: wireLabel(wire), data: nf(dataBytes) }) },
            // As the board writes it: total = head + framing + payload (where the bar leaves room for it).
            barTotals: {
              enabled: true,
              format: (total, i) => (wide ? `${nf(total)} B = ${kindsOf(cells[i])}` : `${nf(total)} B`),
            },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 2)} B` } },
          },
        },
      });
      const ws = cells.find((c) => c.transport === 'ws');
      const sp = cells.find((c) => c.transport === 'short-poll');
      const byWire = wire === 'h2' ? ` ${t('caption.overheadH2')}` : wire === 'h1-tls' ? ` ${t('caption.overheadTls')}` : '';
      const punch =
        ws && sp
          ? t('caption.overheadPunch', {
              sp: nf(sp.perEvent.overheadBytes),
              ws: nf(ws.perEvent.overheadBytes, ws.perEvent.overheadBytes % 1 ? 1 : 0),
            })
          : '';
      const counted = t('caption.overhead', {
        events: cells[0].eventsPublished,
        interval: R.parameters.overhead.intervalMs,
        json: nf(cells[0].eventJsonBytes),
      });
      caption('overhead', `${counted}${byWire} ${punch}`);
      dataTable(
        'overhead',
        [
          t('col.transport'),
          t('col.downHead'),
          t('col.downFraming'),
          t('col.upHead'),
          t('col.upFraming'),
          t('col.totalOverhead'),
          t('col.payload'),
          t('col.bytesPerEventAll'),
          t('col.floor'),
          t('col.eventJson'),
          t('col.requestsPerEvent'),
          t('col.connectionsPerEvent'),
          t('col.client'),
        ],
        cells.map((c) => [
          label(c.transport),
          nf(c.perEvent.downHeadBytes, 1),
          nf(c.perEvent.downFramingBytes, 2),
          nf(c.perEvent.upHeadBytes, 1),
          nf(c.perEvent.upFramingBytes, 1),
          nf(c.perEvent.overheadBytes, 1),
          nf(payloadOf(c), 1),
          nf(c.perEvent.overheadBytes + payloadOf(c), 1),
          c.floorFramingBytes === null ? '' : nf(c.floorFramingBytes, 2),
          nf(c.eventJsonBytes),
          nf(c.requestsPerEvent, 3),
          nf(c.connectionsPerEvent, 3),
          clientWords(c, profile),
        ]),
      );
    },
  });

/** One-off costs (the connection, its handshake) amortised over N events per connection. */
export const amortisedChart = () =>
  chartBlock({
    id: 'amortised',
    controlsLabel: 'controls.overhead',
    controls: () => [wireChoice(), profileChoice()],
    render({ wire = 'h1', profile = 'browser' }) {
      if (!R.scenarios.overhead) return hideFigure('amortised', t('why.skipped', { scenario: 'overhead' }));
      const oneOffAll = wire === 'h1' ? R.derived.oneOff : R.derived.oneOffByWire?.[wire] || [];
      const oneOff = oneOffAll.filter((x) => x.profile === profile);
      if (!oneOff.length) return hideFigure('amortised', t('why.noCells'));
      const cell = overheadCells(wire).find((c) => c.profile === profile);
      draw('amortised', {
        type: 'line',
        data: {
          datasets: oneOff.map((x) => ({
            label: label(x.transport),
            data: x.amortised.map((a) => ({ x: a.events, y: Math.max(a.overheadBytesPerEvent, 0.5) })),
            ...transportStyle(x.transport),
          })),
        },
        options: {
          scales: {
            x: { type: 'logarithmic', title: axisTitle(tt('axis.eventsPerConnection')), ticks: logTicks((v) => nf(v)) },
            y: { type: 'logarithmic', title: axisTitle(tt('axis.amortised')), ticks: logTicks((v) => nf(v)) },
          },
          plugins: {
            title: { text: tt('title.amortised', { who: clientWords(cell, profile), wire: wireLabel(wire) }) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} B / ${nf(ctx.parsed.x)}` } },
          },
        },
      });
      const wsOne = oneOff.find((x) => x.transport === 'ws');
      caption(
        'amortised',
        `${t('caption.amortised', { ws: wsOne ? nf(wsOne.oneOffBytes) : 'n/a' })}${wire !== 'h1' ? ` ${t('caption.amortisedTls')}` : ''}`,
      );
      dataTable(
        'amortised',
        [
          t('col.transport'),
          t('col.oneOff'),
          t('col.perEvent'),
          ...(oneOff[0] ? oneOff[0].amortised.map((a) => tt('col.overEvents', { n: nf(a.events) })) : []),
        ],
        oneOff.map((x) => [
          label(x.transport),
          nf(x.oneOffBytes),
          nf(x.perEventOverheadBytes, 1),
          ...x.amortised.map((a) => nf(a.overheadBytesPerEvent, 1)),
        ]),
      );
    },
  });

const SHADES = ['#000000', '#CC79A7', '#E69F00', '#0072B2', '#009E73'];

/** Short polling: overhead per event against the poll interval, one line per event rate. */
export const shortPollOverheadChart = () =>
  chartBlock({
    id: 'short-poll-overhead',
    render() {
      const g = R.scenarios.shortPollGrid;
      if (!g) return hideFigure('short-poll-overhead', t('why.skipped', { scenario: 'short-poll' }));
      const rates = [...new Set(g.cells.map((c) => c.ratePerSecond))].sort((a, b) => a - b);
      draw('short-poll-overhead', {
        type: 'line',
        data: {
          datasets: rates.map((rate, i) => ({
            label: tt('legend.rate', { rate: nf(rate) }),
            data: g.cells
              .filter((c) => c.ratePerSecond === rate)
              .map((c) => ({ x: c.intervalMs, y: c.overheadBytesPerEvent, empty: c.emptyPollShare })),
            borderColor: SHADES[i % SHADES.length],
            backgroundColor: SHADES[i % SHADES.length],
            borderDash: i % 2 ? [10, 5] : [],
          })),
        },
        options: {
          scales: {
            x: { type: 'logarithmic', title: axisTitle(tt('axis.pollInterval')), ticks: logTicks((v) => nf(v)) },
            y: { type: 'logarithmic', title: axisTitle(tt('axis.overheadPerEvent')), ticks: logTicks((v) => nf(v)) },
          },
          plugins: {
            title: { text: tt('title.shortPollOverhead') },
            tooltip: {
              callbacks: {
                label: (ctx) => `${ctx.dataset.label}, ${nf(ctx.parsed.x)} ms: ${nf(ctx.parsed.y)} B, ${nf(ctx.raw.empty * 100)}%`,
              },
            },
          },
        },
      });
      caption('short-poll-overhead', t('caption.shortPollOverhead', { clients: g.cells[0].clients, seconds: nf(g.durationMs / 1000) }));
      dataTable(
        'short-poll-overhead',
        [
          t('col.interval'),
          t('col.eventsPerSecond'),
          t('col.polls'),
          t('col.emptyPolls'),
          t('col.emptyShare'),
          t('col.pollsPerEvent'),
          t('col.overheadPerEvent'),
        ],
        g.cells.map((c) => [
          nf(c.intervalMs),
          nf(c.ratePerSecond),
          nf(c.polls),
          nf(c.emptyPolls),
          `${nf(c.emptyPollShare * 100)}%`,
          nf(c.pollsPerEvent, 2),
          nf(c.overheadBytesPerEvent),
        ]),
      );
    },
  });

/** Short polling: mean latency against the poll interval (half the interval, plus the wire). */
export const shortPollLatencyChart = () =>
  chartBlock({
    id: 'short-poll-latency',
    render() {
      const g = R.scenarios.shortPollGrid;
      if (!g) return hideFigure('short-poll-latency', t('why.skipped', { scenario: 'short-poll' }));
      const rates = [...new Set(g.cells.map((c) => c.ratePerSecond))].sort((a, b) => a - b);
      const intervals = [...new Set(g.cells.map((c) => c.intervalMs))].sort((a, b) => a - b);
      draw('short-poll-latency', {
        type: 'scatter',
        data: {
          datasets: [
            ...rates.map((rate, i) => ({
              label: tt('legend.meanAtRate', { rate: nf(rate) }),
              data: g.cells.filter((c) => c.ratePerSecond === rate).map((c) => ({ x: c.intervalMs, y: c.latency.meanMs })),
              borderColor: SHADES[i % SHADES.length],
              backgroundColor: SHADES[i % SHADES.length],
              pointRadius: Math.max(5, Math.round(9 * scale())),
              pointStyle: ['circle', 'rect', 'triangle', 'rectRot'][i % 4],
            })),
            {
              label: tt('legend.halfInterval'),
              type: 'line',
              data: intervals.map((x) => ({ x, y: x / 2 })),
              borderColor: '#000',
              backgroundColor: '#000',
              borderDash: [10, 6],
              pointRadius: 0,
            },
          ],
        },
        options: {
          scales: {
            x: { type: 'linear', title: axisTitle(tt('axis.pollInterval')), beginAtZero: true },
            y: { type: 'linear', title: axisTitle(tt('axis.meanLatency')), beginAtZero: true },
          },
          plugins: { title: { text: tt('title.shortPollLatency') } },
        },
      });
      caption('short-poll-latency', t('caption.shortPollLatency'));
      dataTable(
        'short-poll-latency',
        [t('col.interval'), t('col.eventsPerSecond'), t('col.mean'), t('col.halfInterval'), 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)'],
        g.cells.map((c) => [
          nf(c.intervalMs),
          nf(c.ratePerSecond),
          ms(c.latency.meanMs),
          ms(c.expectedMeanLatencyMs),
          ms(c.latency.p50Ms),
          ms(c.latency.p90Ms),
          ms(c.latency.p99Ms),
          ms(c.latency.maxMs),
        ]),
      );
    },
  });
