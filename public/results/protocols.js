// HTTP/1.1 beside HTTP/2 (and HTTP/1.1 over TLS): the same scenarios over each wire in
// one run, so that the ratios compare. What TLS itself costs is in tls.js.
import { WIRE_COLORS } from './colours.js';
import { axisTitle, draw, logTicks, perBarTotals, scale, wireBars, px } from './chart-kit.js';
import { caption, chartBlock, dataTable, hideFigure } from './blocks.js';
import { bytes, nf, ms, table } from './format.js';
import { R, noWiresWhy, schema2, wireFanoutClients } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

/** The run's comparison of wires, or null when it has fewer than two (an older run, or wires left out). */
export function protocols() {
  const p = schema2() ? R.derived.protocols : null;
  return p && p.wires.length >= 2 ? p : null;
}

/**
 * A chart of the protocol comparison: hidden with the reason when the run has no
 * comparison, else drawn by `render(p)` (p: the run's derived.protocols).
 */
export const protocolChart = (id, render, extra = {}) =>
  chartBlock({
    id,
    ...extra,
    render() {
      const p = protocols();
      if (!p) return hideFigure(id, noWiresWhy());
      render(p);
    },
  });

const clientOf = (o) =>
  o.client.h2 === 'chromium'
    ? tt('client.chromium')
    : o.client.h2 === 'node-replay'
      ? tt('client.replay')
      : o.client.h2
        ? tt('client.node')
        : 'n/a';

/** Overhead per event over each wire, with a browser's heads. */
export const wiresOverheadChart = () =>
  protocolChart('wires-overhead', (p) => {
    const rows = p.overhead.filter((o) => o.profile === 'browser' && p.wires.some((w) => o.overheadBytesPerEvent[w] !== null));
    if (!rows.length) return hideFigure('wires-overhead', t('why.skipped', { scenario: 'overhead' }));
    draw('wires-overhead', {
      type: 'bar',
      data: wireBars(R.transports, p.wires, (id, w) => rows.find((o) => o.transport === id)?.overheadBytesPerEvent[w]),
      options: {
        indexAxis: 'y',
        layout: { padding: { right: Math.round(70 * scale()) } },
        scales: {
          x: { beginAtZero: true, title: axisTitle(tt('axis.overheadBytes')) },
          y: { ticks: { font: { size: px(18), weight: 'bold' } } },
        },
        plugins: {
          title: { text: tt('title.wiresOverhead', { data: nf(p.dataBytes) }) },
          barTotals: perBarTotals((v) => `${nf(v, v < 10 && v % 1 ? 1 : 0)} B`),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 1)} B` } },
        },
      },
    });
    const sp = rows.find((o) => o.transport === 'short-poll');
    const conn = (p.connection || []).find((c) => c.profile === 'browser');
    const ratio = t('caption.wiresOverhead', { ratio: sp && sp.h2ToH1 !== null ? nf(sp.h2ToH1 * 100) : 'n/a' });
    const words = conn && t('caption.wiresOverheadConnection', { setup: nf(conn.oneOffBytes), per: nf(conn.bytesPerDelivery, 2) });
    const setup = conn ? ` ${words}` : '';
    caption('wires-overhead', `${ratio}${setup}`);
    dataTable(
      'wires-overhead',
      [
        t('col.client'),
        t('col.transport'),
        ...p.wires.map((w) => `${wireLabel(w)} (B)`),
        'HTTP/2 / HTTP/1.1',
        ...p.wires.map((w) => tt('col.requestsPerEventWire', { wire: wireLabel(w) })),
        t('col.h2MeasuredWith'),
      ],
      p.overhead.map((o) => [
        o.profile === 'browser' ? tt('client.browser') : tt('client.minimal'),
        label(o.transport),
        ...p.wires.map((w) => nf(o.overheadBytesPerEvent[w], 1)),
        nf(o.h2ToH1, 2),
        ...p.wires.map((w) => nf(o.requestsPerEvent ? o.requestsPerEvent[w] : null, 2)),
        clientOf(o),
      ]),
    );
  });

/** Chromium's request heads: HTTP/1.1 text against HTTP/2's HPACK, first and repeated. */
export const h2HeadsChart = () =>
  protocolChart('h2-heads', (p) => {
    const heads = p.heads || [];
    if (!heads.length) return hideFigure('h2-heads', t('why.noH2Heads'));
    const series = [
      { key: 'h1Bytes', label: tt('legend.headH1'), color: WIRE_COLORS.h1 },
      { key: 'h2FirstBytes', label: tt('legend.headH2First'), color: '#E69F00' },
      { key: 'h2RepeatedBytes', label: tt('legend.headH2Repeated'), color: WIRE_COLORS.h2 },
    ];
    const h2 = R.browserHeads.h2;
    draw('h2-heads', {
      type: 'bar',
      data: {
        labels: heads.map((h) => label(h.transport)),
        datasets: series.map((s) => ({
          label: s.label,
          data: heads.map((h) => h[s.key]),
          backgroundColor: s.color,
          borderColor: '#000',
          borderWidth: 1,
        })),
      },
      options: {
        indexAxis: 'y',
        layout: { padding: { right: Math.round(60 * scale()) } },
        scales: {
          x: { beginAtZero: true, title: axisTitle(tt('axis.requestHead')) },
          y: { ticks: { font: { size: px(18), weight: 'bold' } } },
        },
        plugins: { title: { text: tt('title.h2Heads', { browser: h2.browser }) }, barTotals: perBarTotals((v) => `${nf(v)} B`) },
      },
    });
    const sp = heads.find((h) => h.transport === 'short-poll');
    caption(
      'h2-heads',
      t('caption.h2Heads', {
        n: h2.requestsPerKind,
        page: h2.page,
        h1: sp ? nf(sp.h1Bytes) : 'n/a',
        first: sp ? nf(sp.h2FirstBytes) : 'n/a',
        repeated: sp ? nf(sp.h2RepeatedBytes) : 'n/a',
        note: h2.note,
      }),
    );
    dataTable(
      'h2-heads',
      [
        t('col.request'),
        t('col.headH1'),
        t('col.headH2First'),
        t('col.headH2Repeated'),
        t('col.carriedOver'),
        t('col.responseH2First'),
        t('col.responseH2Repeated'),
        t('col.samples'),
      ],
      heads.map((h) => [
        `${label(h.transport)}: ${h2.heads[h.transport].request}`,
        nf(h.h1Bytes),
        nf(h.h2FirstBytes),
        nf(h.h2RepeatedBytes, 1),
        h.h2Protocol === 'h2' ? 'HTTP/2' : String(h.h2Protocol),
        nf(h.h2ResponseFirstBytes),
        nf(h.h2ResponseRepeatedBytes, 1),
        h2.heads[h.transport].samplesBytes.join(', '),
      ]),
    );
  });

/** A log axis has no grace: room above the tallest bar for the figure written over it. */
const roomAbove = (data) => Math.max(...data.datasets.flatMap((d) => d.data).filter((v) => v !== null)) * 1.8;

const msTicks = logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0));

/** One idle client's p50 over each wire. */
export const wiresLatencyChart = () =>
  protocolChart('wires-latency', (p) => {
    if (!p.latency.length || !R.scenarios.latency) return hideFigure('wires-latency', t('why.skipped', { scenario: 'latency' }));
    const data = wireBars(R.transports, p.wires, (id, w) => p.latency.find((l) => l.transport === id)?.p50Ms[w]);
    draw('wires-latency', {
      type: 'bar',
      data,
      options: {
        scales: { y: { type: 'logarithmic', suggestedMax: roomAbove(data), title: axisTitle(tt('axis.p50Log')), ticks: msTicks } },
        plugins: {
          title: { text: tt('title.wiresLatency') },
          barTotals: perBarTotals((v) => ms(v)),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
        },
      },
    });
    caption('wires-latency', t('caption.wiresLatency'));
    dataTable(
      'wires-latency',
      [t('col.transport'), ...p.wires.map((w) => `p50 / p99, ${wireLabel(w)} (ms)`)],
      p.latency.map((l) => [label(l.transport), ...p.wires.map((w) => `${ms(l.p50Ms[w])} / ${ms(l.p99Ms[w])}`)]),
    );
  });

/** Fan-out's p99 over each wire, at the largest client count every wire ran. */
export const wiresFanoutChart = () =>
  protocolChart('wires-fanout', (p) => {
    if (!p.fanout.length || !R.scenarios.fanout) return hideFigure('wires-fanout', t('why.skipped', { scenario: 'fanout' }));
    const n = p.tlsClients;
    const rows = p.fanout.filter((f) => f.clients === n);
    const data = wireBars(R.transports, p.wires, (id, w) => rows.find((f) => f.transport === id)?.p99Ms[w]);
    draw('wires-fanout', {
      type: 'bar',
      data,
      options: {
        scales: {
          y: {
            type: 'logarithmic',
            suggestedMax: roomAbove(data),
            title: axisTitle(tt('axis.p99Log')),
            ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)),
          },
        },
        plugins: {
          title: { text: tt('title.wiresFanout', { n: nf(n), rate: nf(R.scenarios.fanout.ratePerSecond) }) },
          barTotals: perBarTotals((v) => ms(v)),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
        },
      },
    });
    caption('wires-fanout', t('caption.wiresFanout'));
    dataTable(
      'wires-fanout',
      [
        t('col.clients'),
        t('col.transport'),
        ...p.wires.map((w) => `p99, ${wireLabel(w)} (ms)`),
        ...p.wires.map((w) => `${tt('col.connect')}, ${wireLabel(w)} (s)`),
      ],
      p.fanout.map((f) => [
        nf(f.clients),
        label(f.transport),
        ...p.wires.map((w) => ms(f.p99Ms[w])),
        ...p.wires.map((w) => nf(f.connectSeconds[w], 2)),
      ]),
    );
  });

/** Through the delay proxy, at the largest round trip, over each wire. */
export const wiresRttChart = () =>
  protocolChart('wires-rtt', (p) => {
    if (!p.rtt.length || !R.scenarios.rtt) return hideFigure('wires-rtt', t('why.skipped', { scenario: 'rtt' }));
    const biggest = Math.max(...p.rtt.map((x) => x.rttMs));
    const rows = p.rtt.filter((x) => x.rttMs === biggest);
    draw('wires-rtt', {
      type: 'bar',
      data: wireBars(R.transports, p.wires, (id, w) => rows.find((x) => x.transport === id)?.meanMs[w]),
      options: {
        scales: { y: { beginAtZero: true, grace: '10%', title: axisTitle(tt('axis.meanLatencyShort')) } },
        plugins: {
          title: { text: tt('title.wiresRtt', { rtt: nf(biggest), interval: nf(R.scenarios.rtt.intervalMs) }) },
          barTotals: perBarTotals((v) => ms(v)),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
        },
      },
    });
    caption('wires-rtt', t('caption.wiresRtt', { rtt: nf(biggest) }));
    dataTable(
      'wires-rtt',
      ['RTT (ms)', t('col.transport'), ...p.wires.map((w) => `${wireLabel(w)} (ms)`)],
      p.rtt.map((x) => [nf(x.rttMs), label(x.transport), ...p.wires.map((w) => ms(x.meanMs[w]))]),
    );
  });

/** The headline figures per wire, in one table. */
export function renderProtocolsTable(node) {
  const p = protocols();
  if (!p) return node.replaceChildren();
  node.replaceChildren(
    table(
      [
        t('col.transport'),
        ...p.wires.map((w) => tt('col.overheadWire', { wire: wireLabel(w) })),
        ...p.wires.map((w) => tt('col.idleWire', { wire: wireLabel(w) })),
        ...p.wires.map((w) => tt('col.p99Wire', { wire: wireLabel(w), n: nf(wireFanoutClients(w)) })),
      ],
      R.derived.headline.map((x) => [
        label(x.transport),
        ...p.wires.map((w) => bytes(x.byWire[w].overheadBytesPerEventBrowser)),
        ...p.wires.map((w) => ms(x.byWire[w].idleP50Ms)),
        ...p.wires.map((w) => ms(x.byWire[w].fanoutP99Ms)),
      ]),
      tt('table.protocols'),
    ),
  );
}
