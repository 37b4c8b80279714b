// Head-of-line blocking under loss: the five transports over HTTP/1.1 (a connection
// each) beside the same five over HTTP/2 (one connection), p50/p99/max delivery latency
// at each loss rate, and which mechanism lost the packets (real loss or the stand-in).
import { axisTitle, draw } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure, radios, select } from './blocks.js';
import { ms, nf } from './format.js';
import { R } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

const WIRES = ['h1-tls', 'h2'];
const WIRE_COLOUR = { 'h1-tls': '#a6dba0', h2: '#7b3294' };
const METRICS = { p50: 'p50Ms', p99: 'p99Ms', max: 'maxMs' };

const measured = () => Boolean(R.scenarios.loss?.runs.length);
const rateText = (rate) => `${nf(rate, rate % 1 ? 1 : 0)} %`;

export const lossChart = () =>
  chartBlock({
    id: 'loss',
    controls: () => {
      if (!measured()) return [];
      const rates = R.scenarios.loss.ratesPercent;
      return [
        radios(
          'rate',
          'controls.lossRate',
          rates.map((r) => [String(r), rateText(r)]),
          String(rates[rates.length - 1]),
        ),
        select(
          'metric',
          'controls.metric',
          Object.keys(METRICS).map((k) => [k, k === 'max' ? tt('loss.metric.max') : k]),
          'p99',
        ),
      ];
    },
    render({ rate, metric = 'p99' }) {
      const x = R.scenarios.loss;
      if (!x?.runs.length) return hideFigure('loss', t('why.skipped', { scenario: 'loss' }));
      const chosen = x.ratesPercent.includes(Number(rate)) ? Number(rate) : x.ratesPercent[x.ratesPercent.length - 1];
      const field = METRICS[metric] ?? METRICS.p99;
      const transports = R.transports.filter((id) => x.runs.some((r) => r.transport === id));
      const runOf = (wire, id, lossPercent = chosen) =>
        x.runs.find((r) => r.lossPercent === lossPercent && r.wire === wire && r.transport === id);
      draw('loss', {
        type: 'bar',
        data: {
          labels: transports.map((id) => label(id)),
          datasets: WIRES.map((wire) => ({
            label: tt(`loss.wire.${wire}`),
            data: transports.map((id) => runOf(wire, id)?.latency[field] ?? null),
            backgroundColor: WIRE_COLOUR[wire],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: {
            y: {
              beginAtZero: true,
              grace: '12%',
              title: axisTitle(tt('axis.lossLatency', { metric: metric === 'max' ? tt('loss.metric.max') : metric })),
            },
          },
          plugins: {
            title: { text: tt('title.loss', { rate: rateText(chosen) }) },
            barTotals: { enabled: true, perBar: true, format: (v) => nf(v, v < 10 ? 1 : 0) },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      caption('loss', t(`caption.loss.${x.mechanism}`, { stall: nf(x.stallMs), events: nf(x.events), interval: nf(x.intervalMs) }));
      dataTable(
        'loss',
        [
          t('col.loss'),
          t('col.transport'),
          ...WIRES.flatMap((wire) => ['p50', 'p99', 'max'].map((m) => `${wireLabel(wire)} ${m} (ms)`)),
          t('col.received'),
        ],
        x.ratesPercent.flatMap((lossPercent) =>
          transports.map((id) => {
            const runs = WIRES.map((wire) => runOf(wire, id, lossPercent));
            return [
              rateText(lossPercent),
              label(id),
              ...runs.flatMap((r) => [r?.latency.p50Ms, r?.latency.p99Ms, r?.latency.maxMs].map(ms)),
              runs.map((r) => nf(r?.received)).join(' / '),
            ];
          }),
        ),
      );
    },
  });
