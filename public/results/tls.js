// What TLS costs: CPU per delivery over each wire, TLS record bytes per delivery, and
// the handshakes, from the fan-out runs at the largest client count every wire ran.
import { axisTitle, draw, perBarTotals, wireBars } from './chart-kit.js';
import { caption, dataTable, hideFigure } from './blocks.js';
import { nf, table } from './format.js';
import { protocolChart, protocols } from './protocols.js';
import { R } from './run.js';
import { label, t, tt, wireLabel } from './words.js';

/** Server CPU per delivery over each wire. */
export const wiresCpuChart = () =>
  protocolChart('wires-cpu', (p) => {
    if (!p.fanout.length || !R.scenarios.fanout) return hideFigure('wires-cpu', t('why.skipped', { scenario: 'fanout' }));
    const n = p.tlsClients;
    const rows = p.fanout.filter((f) => f.clients === n);
    draw('wires-cpu', {
      type: 'bar',
      data: wireBars(R.transports, p.wires, (id, w) => rows.find((f) => f.transport === id)?.cpuMicrosPerDelivery[w]),
      options: {
        scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.cpuPerDelivery')) } },
        plugins: {
          title: { text: tt('title.wiresCpu', { n: nf(n) }) },
          barTotals: perBarTotals((v) => nf(v, v < 10 ? 1 : 0)),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 2)} µs` } },
        },
      },
    });
    const tlsRow = p.tls.find((x) => x.transport === 'sse') || p.tls[0];
    caption(
      'wires-cpu',
      t('caption.wiresCpu', {
        tls: tlsRow ? nf(tlsRow.cpuRatioToH1['h1-tls'], 2) : 'n/a',
        h2: tlsRow ? nf(tlsRow.cpuRatioToH1.h2, 2) : 'n/a',
        transport: tlsRow ? label(tlsRow.transport) : '',
      }),
    );
    dataTable(
      'wires-cpu',
      [
        t('col.clients'),
        t('col.transport'),
        ...p.wires.map((w) => `${wireLabel(w)} (µs)`),
        ...p.wires.map((w) => `${tt('col.deliveriesPerSecond')}, ${wireLabel(w)}`),
      ],
      p.fanout.map((f) => [
        nf(f.clients),
        label(f.transport),
        ...p.wires.map((w) => nf(f.cpuMicrosPerDelivery[w], 1)),
        ...p.wires.map((w) => nf(f.deliveriesPerSecond[w])),
      ]),
    );
  });

/** TLS record bytes per delivery (the wires over TLS only). */
export const tlsRecordsChart = () =>
  protocolChart('tls-records', (p) => {
    const tlsWires = p.wires.filter((w) => w !== 'h1');
    if (!p.tls.length || !tlsWires.length) return hideFigure('tls-records', t('why.skipped', { scenario: 'fanout' }));
    draw('tls-records', {
      type: 'bar',
      data: wireBars(R.transports, tlsWires, (id, w) => p.tls.find((x) => x.transport === id)?.recordBytesPerDelivery[w]),
      options: {
        scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.recordBytes')) } },
        plugins: {
          title: { text: tt('title.tlsRecords', { n: nf(p.tlsClients) }) },
          barTotals: perBarTotals((v) => nf(v, 1)),
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} B` } },
        },
      },
    });
    caption('tls-records', t('caption.tlsRecords'));
    dataTable(
      'tls-records',
      [t('col.transport'), ...tlsWires.map((w) => `${wireLabel(w)} (B)`), ...tlsWires.map((w) => `TCP, ${wireLabel(w)} (B)`)],
      p.tls.map((x) => [
        label(x.transport),
        ...tlsWires.map((w) => nf(x.recordBytesPerDelivery[w], 1)),
        ...tlsWires.map((w) => nf(x.tcpBytesPerDelivery[w], 1)),
      ]),
    );
  });

/** Handshake bytes, CPU per delivery and its ratio to plain HTTP/1.1, per transport. */
export function renderTlsTable(node) {
  const p = protocols();
  if (!p) return node.replaceChildren();
  const tlsWires = p.wires.filter((w) => w !== 'h1');
  const chromium = p.chromiumHandshake;
  node.replaceChildren(
    table(
      [
        t('col.transport'),
        ...tlsWires.map((w) => tt('col.handshake', { wire: wireLabel(w) })),
        ...p.wires.map((w) => tt('col.cpuWire', { wire: wireLabel(w) })),
        ...tlsWires.map((w) => tt('col.cpuRatio', { wire: wireLabel(w) })),
      ],
      p.tls.map((x) => [
        label(x.transport),
        ...tlsWires.map((w) => nf(x.handshakeBytesPerConnection[w])),
        ...p.wires.map((w) => nf(x.cpuMicrosPerDelivery[w], 1)),
        ...tlsWires.map((w) => `${nf(x.cpuRatioToH1[w], 2)}x`),
      ]),
      tt('table.tls', {
        n: nf(p.tlsClients),
        chromium: chromium ? tt('table.tlsChromium', { up: nf(chromium.bytesIn), down: nf(chromium.bytesOut) }) : '',
      }),
    ),
  );
}
