/*
 * The results page: reads one run's JSON (results/latest.json, or ?run=runs/<id>.json)
 * and draws every chart and table from it. No figure is typed here; the page only
 * chooses how to show what the bench wrote.
 *
 * Transport ids (short-poll, long-poll, iframe, sse, ws) are the keys everywhere;
 * their human labels come from the JSON's `labels`, the lab's one map of labels
 * (server/transports/index.ts). Colours are the Okabe-Ito palette, which stays
 * distinct for the common colour-vision deficiencies and on washed-out projectors.
 *
 * ?export=1 lays each chart out as a 1600x900 slide (npm run bench:png).
 */
'use strict';

(() => {
  const COLORS = { 'short-poll': '#E69F00', 'long-poll': '#56B4E9', iframe: '#009E73', sse: '#0072B2', ws: '#D55E00' };
  const DASHES = { 'short-poll': [], 'long-poll': [12, 6], iframe: [3, 4], sse: [], ws: [16, 4, 3, 4] };
  const POINTS = { 'short-poll': 'rect', 'long-poll': 'triangle', iframe: 'rectRot', sse: 'circle', ws: 'star' };
  const PARTS = [
    { key: 'downHeadBytes', label: 'Down: HTTP head', color: '#0072B2' },
    { key: 'downFramingBytes', label: 'Down: framing', color: '#56B4E9' },
    { key: 'upHeadBytes', label: 'Up: HTTP head', color: '#D55E00' },
    { key: 'upFramingBytes', label: 'Up: framing', color: '#E69F00' },
  ];

  const query = new URLSearchParams(location.search);
  const EXPORT = query.has('export');
  if (EXPORT) document.body.classList.add('export');
  const run = query.get('run') || 'latest.json';
  // Only files the bench writes (latest.json, runs/...): no path tricks through the query string.
  const RUN_FILE = /^(latest|runs\/(?:[\w-]+\/)*[\w.-]+)\.json$/.test(run) && !run.includes('..') ? run : 'latest.json';

  /** @type {any} */
  let R;
  const charts = {};
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ formatting

  const nf = (value, digits = 0) =>
    value === null || value === undefined || !Number.isFinite(value)
      ? 'n/a'
      : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const ms = (value) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value < 1 ? nf(value, 3) : value < 100 ? nf(value, 1) : nf(value, 0));
  const bytes = (value) => (value === null || value === undefined ? 'n/a' : `${nf(value, value < 10 && value % 1 ? 2 : value < 100 && value % 1 ? 1 : 0)} B`);
  const label = (id) => (R.labels && R.labels[id]) || id;
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  };

  /** A table from a header row and rows of cells (strings or nodes). */
  function table(headers, rows, captionText) {
    const t = el('table');
    if (captionText) t.append(el('caption', {}, captionText));
    const head = el('tr');
    for (const h of headers) head.append(el('th', { scope: 'col' }, h));
    t.append(el('thead', {}, head));
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr');
      row.forEach((cell, i) => tr.append(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, cell)));
      body.append(tr);
    }
    t.append(body);
    return t;
  }

  /** Puts the figures behind a chart under it, in a table that opens with the keyboard. */
  function dataTable(chartId, headers, rows) {
    const figure = document.querySelector(`figure[data-chart="${chartId}"]`);
    if (!figure) return;
    figure.querySelector('details')?.remove();
    const details = el('details', { class: 'data' }, el('summary', {}, 'The figures behind this chart'));
    details.append(el('div', { class: 'table-wrap' }, table(headers, rows)));
    figure.append(details);
  }

  function caption(chartId, html) {
    const node = $(`caption-${chartId}`);
    if (node) node.innerHTML = html;
  }

  function hideFigure(chartId, why) {
    const figure = document.querySelector(`figure[data-chart="${chartId}"]`);
    if (!figure) return;
    figure.dataset.empty = 'true';
    figure.querySelector('.chart-box').hidden = true;
    caption(chartId, `<strong>Not measured in this run</strong> (${why}).`);
  }

  // ------------------------------------------------------------ Chart.js setup

  /** Writes each bar's total at its end: a 2 B bar is invisible, its label is not. */
  const totalsPlugin = {
    id: 'barTotals',
    afterDatasetsDraw(chart, _args, options) {
      if (!options || !options.enabled) return;
      const { ctx } = chart;
      const horizontal = chart.options.indexAxis === 'y';
      const visible = chart.data.datasets.map((_, i) => i).filter((i) => chart.isDatasetVisible(i));
      if (!visible.length) return;
      ctx.save();
      ctx.fillStyle = '#000';
      ctx.font = `bold ${options.fontSize || 18}px system-ui, sans-serif`;
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      ctx.textAlign = horizontal ? 'left' : 'center';
      if (options.perBar) {
        // Grouped bars: each bar carries its own value.
        for (const d of visible) {
          chart.getDatasetMeta(d).data.forEach((element, index) => {
            const value = chart.data.datasets[d].data[index];
            if (typeof value !== 'number' || !Number.isFinite(value)) return;
            const text = options.format ? options.format(value, index, d) : String(value);
            if (horizontal) ctx.fillText(text, element.x + 8, element.y);
            else ctx.fillText(text, element.x, element.y - 6);
          });
        }
        ctx.restore();
        return;
      }
      chart.data.labels.forEach((_, index) => {
        let total = 0;
        let far = null;
        for (const d of visible) {
          const value = chart.data.datasets[d].data[index];
          if (typeof value === 'number' && Number.isFinite(value)) total += value;
          const element = chart.getDatasetMeta(d).data[index];
          if (!element) continue;
          if (far === null) far = element;
          else if (horizontal ? element.x > far.x : element.y < far.y) far = element;
        }
        if (!far) return;
        const text = options.format ? options.format(total, index) : String(total);
        if (horizontal) ctx.fillText(text, far.x + 8, far.y);
        else ctx.fillText(text, far.x, far.y - 6);
      });
      ctx.restore();
    },
  };

  /** A dashed line at a target value, with its words, so a slide shows the bar and the goal. */
  const targetPlugin = {
    id: 'targetLine',
    afterDatasetsDraw(chart, _args, options) {
      if (!options || options.value === undefined || options.value === null) return;
      const scale = chart.scales[options.axis || 'y'];
      if (!scale) return;
      const at = scale.getPixelForValue(options.value);
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 3;
      ctx.setLineDash([10, 6]);
      ctx.beginPath();
      if ((options.axis || 'y') === 'y') {
        ctx.moveTo(chartArea.left, at);
        ctx.lineTo(chartArea.right, at);
      } else {
        ctx.moveTo(at, chartArea.top);
        ctx.lineTo(at, chartArea.bottom);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#000';
      ctx.font = 'bold 18px system-ui, sans-serif';
      if ((options.axis || 'y') === 'y') {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        ctx.fillText(options.text, chartArea.right - 6, at - 4);
      } else {
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(options.text, at + 6, chartArea.top + 4);
      }
      ctx.restore();
    },
  };

  function setupChartJs() {
    const C = window.Chart;
    C.register(totalsPlugin, targetPlugin);
    C.defaults.font.size = 18;
    C.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif';
    C.defaults.color = '#000';
    C.defaults.borderColor = '#bbb';
    C.defaults.animation = false;
    C.defaults.maintainAspectRatio = false;
    C.defaults.plugins.title.font = { size: 24, weight: 'bold' };
    C.defaults.plugins.title.color = '#000';
    C.defaults.plugins.title.display = true;
    C.defaults.plugins.legend.labels.font = { size: 18 };
    C.defaults.plugins.legend.labels.boxWidth = 28;
    C.defaults.plugins.tooltip.titleFont = { size: 18 };
    C.defaults.plugins.tooltip.bodyFont = { size: 18 };
    C.defaults.elements.line.borderWidth = 4;
    C.defaults.elements.point.radius = 5;
  }

  function draw(id, config) {
    charts[id]?.destroy();
    const canvas = $(`chart-${id}`);
    canvas.setAttribute('aria-label', config.options?.plugins?.title?.text || id);
    charts[id] = new window.Chart(canvas, config);
    return charts[id];
  }

  const axisTitle = (text) => ({ display: true, text, font: { size: 20, weight: 'bold' } });
  const logTicks = (format) => ({
    callback(value) {
      // Label 1-2-5 steps only, so a log axis reads like a ruler.
      const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
      return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? format(value) : '';
    },
    autoSkip: false,
  });
  const transportStyle = (id) => ({
    borderColor: COLORS[id],
    backgroundColor: COLORS[id],
    borderDash: DASHES[id],
    pointStyle: POINTS[id],
  });

  // ------------------------------------------------------------ header, tables

  function renderMeta() {
    const env = R.environment;
    const m = env.machine;
    const when = new Date(R.startedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    $('run-meta').textContent = `${R.quick ? 'Quick run. ' : ''}Run ${R.id}, ${when} UTC, ${nf(R.durationSeconds)} s · ${m.cpuModel}, ${m.cores} cores, ${nf(m.memoryBytes / 2 ** 30)} GiB · Node ${env.node} · commit ${(env.git.commit || 'unknown').slice(0, 10)} · ${R.command}`;
    $('json-link').href = `/results/${RUN_FILE}`;
    if (R.errors && R.errors.length) {
      const problem = $('problem');
      problem.hidden = false;
      problem.textContent = `Some scenarios failed in this run: ${R.errors.map((e) => `${e.scenario} (${e.message.split('\n')[0]})`).join('; ')}. Their charts are missing.`;
    }
  }

  function renderHeadline() {
    const d = R.derived;
    const n = d.headlineFanoutClients;
    const rows = d.headline.map((h) => [
      label(h.transport),
      bytes(h.overheadBytesPerEventMinimal),
      bytes(h.overheadBytesPerEventBrowser),
      bytes(h.oneOffBytesBrowser),
      nf(h.requestsPerEvent, 2),
      ms(h.idleP50Ms),
      ms(h.fanoutP99Ms),
      h.maxClientsHeld === null ? 'n/a' : `${nf(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`,
      h.rssBytesPerConnection === null ? 'n/a' : `${nf(h.rssBytesPerConnection / 1000, 1)} KB`,
    ]);
    $('headline-table').replaceChildren(table(
      ['Transport', 'Overhead per event, Node client', 'Overhead per event, browser heads', 'One-off per connection, browser', 'Requests per event', 'Idle p50 (ms)', `p99 at ${nf(n)} clients (ms)`, 'Clients held by one process', 'Server memory per connection'],
      rows,
    ));
  }

  function renderTargets() {
    const rows = R.derived.targets.map((t) => {
      const measured = t.measured === null ? 'n/a' : t.unit === 'ms' ? `${ms(t.measured)} ms` : t.unit === 'x' ? `${nf(t.measured, 2)}x` : `${nf(t.measured, t.unit === 'B' && t.measured % 1 ? 2 : 0)} ${t.unit}`;
      const verdict = t.met === null ? el('span', { class: 'met-na' }, `not judged${t.note ? `: ${t.note}` : ''}`) : t.met ? el('span', { class: 'met-yes' }, 'met') : el('span', { class: 'met-no' }, `not met${t.note ? `: ${t.note}` : ''}`);
      return [t.text, t.transport ? label(t.transport) : '', t.target, measured, verdict];
    });
    $('targets-table').replaceChildren(table(['Target', 'Transport', 'Aim', 'Measured', 'Verdict'], rows));
  }

  function renderEnvironment() {
    const env = R.environment;
    const facts = [
      ['Run', `${R.id}${R.quick ? ' (quick)' : ''}`],
      ['Command', R.command],
      ['Started', `${R.startedAt} (${nf(R.durationSeconds)} s)`],
      ['CPU', `${env.machine.cpuModel}, ${env.machine.cores} cores (load ${env.machine.loadAverage1m} at start)`],
      ['Memory', `${nf(env.machine.memoryBytes / 2 ** 30, 1)} GiB`],
      ['System', `${env.machine.platform} ${env.machine.osRelease} ${env.machine.arch}`],
      ['Node', `${env.node} (V8 ${env.v8})`],
      ['Packages', Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(', ')],
      ['Commit', `${env.git.commit || 'unknown'}${env.git.ref ? ` (${env.git.ref})` : ''}`],
      ['Limits', `${nf(env.limits.openFilesPerProcess)} open files per process; somaxconn ${nf(env.limits.somaxconn)}`],
      ['Browser heads', `${R.browserHeads.note}; ${R.browserHeads.browser}, captured ${R.browserHeads.capturedAt}; ${Object.entries(R.browserHeads.bytes).map(([k, v]) => `${k === 'navigation' ? 'page' : label(k)} ${v} B`).join(', ')}`],
      ['Clocks', `largest disagreement between processes ${nf(env.clockSkewMaxMs * 1000, 1)} µs, subtracted from every latency`],
      ['Server settings', Object.entries(R.serverSettings).map(([k, v]) => `${k}=${v}`).join(' ')],
    ];
    const list = $('environment-list');
    list.replaceChildren();
    for (const [term, value] of facts) list.append(el('dt', {}, term), el('dd', {}, value));
    const details = el('details', {}, el('summary', {}, 'All parameters of this run'), el('pre', {}, JSON.stringify(R.parameters, null, 2)));
    list.after(details);
  }

  // ------------------------------------------------------------ overhead

  function selected(name) {
    const input = document.querySelector(`input[name="${name}"]:checked`);
    return input ? input.value : undefined;
  }

  function renderOverhead() {
    const o = R.scenarios.overhead;
    if (!o) {
      hideFigure('overhead', 'overhead scenario skipped');
      hideFigure('amortised', 'overhead scenario skipped');
      return;
    }
    const select = $('payload-select');
    if (!select.options.length) {
      for (const size of [...new Set(o.cells.map((c) => c.dataBytes))].sort((a, b) => a - b)) select.append(el('option', { value: String(size) }, `${nf(size)} B`));
    }
    const profile = selected('profile') || 'browser';
    const dataBytes = Number(select.value || o.cells[0].dataBytes);
    const cells = R.transports.map((id) => o.cells.find((c) => c.transport === id && c.profile === profile && c.dataBytes === dataBytes)).filter(Boolean);
    const who = profile === 'browser' ? 'browser request heads (Chromium)' : 'minimal Node client';
    draw('overhead', {
      type: 'bar',
      data: {
        labels: cells.map((c) => label(c.transport)),
        datasets: PARTS.map((part) => ({ label: part.label, data: cells.map((c) => c.perEvent[part.key]), backgroundColor: part.color, borderColor: '#000', borderWidth: 1 })),
      },
      options: {
        indexAxis: 'y',
        layout: { padding: { right: 110 } },
        scales: {
          x: { stacked: true, title: axisTitle('bytes per delivered event (payload not included)'), beginAtZero: true },
          y: { stacked: true, ticks: { font: { size: 20, weight: 'bold' } } },
        },
        plugins: {
          title: { text: `Overhead per delivered event: ${who}, ${nf(dataBytes)} B of data` },
          barTotals: { enabled: true, format: (total) => `${nf(total, total < 10 && total % 1 ? 1 : 0)} B` },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 2)} B` } },
        },
      },
    });
    const json = cells[0] ? cells[0].eventJsonBytes : null;
    const ws = cells.find((c) => c.transport === 'ws');
    const sp = cells.find((c) => c.transport === 'short-poll');
    caption('overhead', `Counted by the server on its sockets over ${cells[0] ? cells[0].eventsPublished : ''} events, ${R.parameters.overhead.intervalMs} ms apart; short polling polls once per event. Every transport also carries the event's JSON, ${nf(json)} B here. ${ws && sp ? `<strong>Short polling spends ${nf(sp.perEvent.overheadBytes)} B to deliver what WebSocket frames in ${nf(ws.perEvent.overheadBytes, ws.perEvent.overheadBytes % 1 ? 1 : 0)} B.</strong>` : ''}`);
    dataTable('overhead', ['Transport', 'Down head', 'Down framing', 'Up head', 'Up framing', 'Total overhead', 'Framing floor', 'Event JSON', 'Requests per event', 'TCP connections per event'], cells.map((c) => [label(c.transport), nf(c.perEvent.downHeadBytes, 1), nf(c.perEvent.downFramingBytes, 2), nf(c.perEvent.upHeadBytes, 1), nf(c.perEvent.upFramingBytes, 1), nf(c.perEvent.overheadBytes, 1), c.floorFramingBytes === null ? '' : nf(c.floorFramingBytes, 2), nf(c.eventJsonBytes), nf(c.requestsPerEvent, 3), nf(c.connectionsPerEvent, 3)]));

    // One-off costs amortised over N events per connection.
    const oneOff = R.derived.oneOff.filter((x) => x.profile === profile);
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
          x: { type: 'logarithmic', title: axisTitle('events delivered over one connection'), ticks: logTicks((v) => nf(v)) },
          y: { type: 'logarithmic', title: axisTitle('overhead per event, one-off costs included (bytes)'), ticks: logTicks((v) => nf(v)) },
        },
        plugins: { title: { text: `One-off costs amortised: ${who}` }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} B per event over ${nf(ctx.parsed.x)} events` } } },
      },
    });
    const wsOne = oneOff.find((x) => x.transport === 'ws');
    caption('amortised', `A connection pays once before its first event: the WebSocket handshake (${wsOne ? nf(wsOne.oneOffBytes) : 'n/a'} B here), a stream's response head and preamble. Polls pay their heads on every request instead, so their line stays flat.`);
    dataTable('amortised', ['Transport', 'One-off (B)', 'Per event (B)', ...(oneOff[0] ? oneOff[0].amortised.map((a) => `over ${nf(a.events)} events`) : [])], oneOff.map((x) => [label(x.transport), nf(x.oneOffBytes), nf(x.perEventOverheadBytes, 1), ...x.amortised.map((a) => nf(a.overheadBytesPerEvent, 1))]));
  }

  function renderShortPoll() {
    const g = R.scenarios.shortPollGrid;
    if (!g) {
      hideFigure('short-poll-overhead', 'short-poll grid skipped');
      hideFigure('short-poll-latency', 'short-poll grid skipped');
      return;
    }
    const rates = [...new Set(g.cells.map((c) => c.ratePerSecond))].sort((a, b) => a - b);
    const shades = ['#000000', '#CC79A7', '#E69F00', '#0072B2', '#009E73'];
    draw('short-poll-overhead', {
      type: 'line',
      data: {
        datasets: rates.map((rate, i) => ({
          label: `${nf(rate)} events/s`,
          data: g.cells.filter((c) => c.ratePerSecond === rate).map((c) => ({ x: c.intervalMs, y: c.overheadBytesPerEvent, empty: c.emptyPollShare })),
          borderColor: shades[i % shades.length],
          backgroundColor: shades[i % shades.length],
          borderDash: i % 2 ? [10, 5] : [],
        })),
      },
      options: {
        scales: {
          x: { type: 'logarithmic', title: axisTitle('poll interval (ms)'), ticks: logTicks((v) => nf(v)) },
          y: { type: 'logarithmic', title: axisTitle('overhead per delivered event (bytes)'), ticks: logTicks((v) => nf(v)) },
        },
        plugins: {
          title: { text: 'Short polling: empty polls cost as much as full ones' },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}, every ${nf(ctx.parsed.x)} ms: ${nf(ctx.parsed.y)} B per event, ${nf(ctx.raw.empty * 100)}% of polls empty` } },
        },
      },
    });
    caption('short-poll-overhead', `${g.cells[0].clients} clients per cell at random phases for ${nf(g.durationMs / 1000)} s, every empty poll counted. Polling faster than events arrive multiplies the heads; polling slower batches events into one answer and cheapens them, at the price of latency (next chart).`);
    dataTable('short-poll-overhead', ['Interval (ms)', 'Events/s', 'Polls', 'Empty polls', 'Empty share', 'Polls per event', 'Overhead per event (B)'], g.cells.map((c) => [nf(c.intervalMs), nf(c.ratePerSecond), nf(c.polls), nf(c.emptyPolls), `${nf(c.emptyPollShare * 100)}%`, nf(c.pollsPerEvent, 2), nf(c.overheadBytesPerEvent)]));

    const intervals = [...new Set(g.cells.map((c) => c.intervalMs))].sort((a, b) => a - b);
    draw('short-poll-latency', {
      type: 'scatter',
      data: {
        datasets: [
          ...rates.map((rate, i) => ({
            label: `measured mean, ${nf(rate)} events/s`,
            data: g.cells.filter((c) => c.ratePerSecond === rate).map((c) => ({ x: c.intervalMs, y: c.latency.meanMs })),
            borderColor: shades[i % shades.length],
            backgroundColor: shades[i % shades.length],
            pointRadius: 9,
            pointStyle: ['circle', 'rect', 'triangle', 'rectRot'][i % 4],
          })),
          {
            label: 'half the interval (expected mean)',
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
          x: { type: 'linear', title: axisTitle('poll interval (ms)'), beginAtZero: true },
          y: { type: 'linear', title: axisTitle('mean latency, publish to receipt (ms)'), beginAtZero: true },
        },
        plugins: { title: { text: 'Short polling: latency is about half the interval' } },
      },
    });
    caption('short-poll-latency', 'An event waits for the next poll; with clients at random phases that is half an interval on average, plus the request\'s round trip.');
    dataTable('short-poll-latency', ['Interval (ms)', 'Events/s', 'Mean (ms)', 'Half interval (ms)', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)'], g.cells.map((c) => [nf(c.intervalMs), nf(c.ratePerSecond), ms(c.latency.meanMs), ms(c.expectedMeanLatencyMs), ms(c.latency.p50Ms), ms(c.latency.p90Ms), ms(c.latency.p99Ms), ms(c.latency.maxMs)]));
  }

  // ------------------------------------------------------------ latency

  /** Points of the cumulative distribution: the raw samples when kept, else the histogram's bucket edges. */
  function cdf(distribution) {
    if (distribution.samplesMs && distribution.samplesMs.length) {
      const sorted = [...distribution.samplesMs].sort((a, b) => a - b);
      const floor = 0.001;
      return sorted.map((v, i) => ({ x: Math.max(v, floor), y: ((i + 1) / sorted.length) * 100 }));
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

  function renderLatency() {
    const l = R.scenarios.latency;
    if (!l) hideFigure('latency-idle', 'latency scenario skipped');
    else {
      draw('latency-idle', {
        type: 'line',
        data: { datasets: l.results.map((r) => ({ label: label(r.transport), data: cdf(r.latency), ...transportStyle(r.transport), pointRadius: 0, stepped: true })) },
        options: {
          parsing: false,
          scales: {
            x: { type: 'logarithmic', title: axisTitle('latency, publish to receipt (ms, log scale)'), ticks: logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)) },
            y: { min: 0, max: 100, title: axisTitle('events delivered within (%)'), ticks: { stepSize: 25 } },
          },
          plugins: { title: { text: 'One idle client on loopback: latency distribution' }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y)}% within ${ms(ctx.parsed.x)} ms` } } },
        },
      });
      const sp = l.results.find((r) => r.transport === 'short-poll');
      caption('latency-idle', `${nf(R.parameters.latency.events)} events ${l.intervalMs} ms apart, one transport at a time, clients in their own process. Streams deliver in a fraction of a millisecond; short polling (every ${nf(R.parameters.latency.shortPollIntervalMs)} ms) waits for its next poll${sp ? `: p50 ${ms(sp.latency.p50Ms)} ms` : ''}.`);
      dataTable('latency-idle', ['Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'mean (ms)', 'events'], l.results.map((r) => [label(r.transport), ms(r.latency.p50Ms), ms(r.latency.p90Ms), ms(r.latency.p99Ms), ms(r.latency.maxMs), ms(r.latency.meanMs), nf(r.latency.count)]));
    }

    const f = R.scenarios.fanout;
    if (!f) hideFigure('latency-fanout', 'fan-out scenario skipped');
    else {
      const key = $('percentile-select').value;
      const counts = [...new Set(f.runs.map((r) => r.clients))].sort((a, b) => a - b);
      draw('latency-fanout', {
        type: 'bar',
        data: {
          labels: counts.map((n) => `${nf(n)} clients`),
          datasets: R.transports.filter((id) => f.runs.some((r) => r.transport === id)).map((id) => ({
            label: label(id),
            data: counts.map((n) => f.runs.find((r) => r.transport === id && r.clients === n)?.latency[key] ?? null),
            backgroundColor: COLORS[id],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { type: 'logarithmic', title: axisTitle(`${key.replace('Ms', '')} latency (ms, log scale)`), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) } },
          plugins: { title: { text: `Latency under fan-out: ${key.replace('Ms', '')}, ${nf(f.ratePerSecond)} events/s to every client` }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      caption('latency-fanout', `A broadcast is a loop over sockets: the last client hears later than the first, so the tail grows with the number of clients. Polling transports also answer a request per client per event (short polling every ${nf(f.shortPollIntervalMs)} ms).`);
      dataTable('latency-fanout', ['Clients', 'Transport', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', 'Deliveries', 'Deliveries/s', 'Server CPU per delivery (µs)', 'Requests per delivery'], f.runs.map((r) => [nf(r.clients), label(r.transport), ms(r.latency.p50Ms), ms(r.latency.p90Ms), ms(r.latency.p99Ms), ms(r.latency.maxMs), `${nf(r.deliveries)} of ${nf(r.deliveriesExpected)}`, nf(r.deliveriesPerSecond), nf(r.serverCpuMicrosPerDelivery, 1), nf(r.requestsPerDelivery, 2)]));
    }

    const t = R.scenarios.rtt;
    if (!t) hideFigure('rtt', 'round-trip scenario skipped');
    else {
      const rtts = [...new Set(t.runs.map((r) => r.rttMs))].sort((a, b) => a - b);
      draw('rtt', {
        type: 'bar',
        data: {
          labels: rtts.map((v) => `RTT ${nf(v)} ms`),
          datasets: R.transports.filter((id) => t.runs.some((r) => r.transport === id)).map((id) => ({
            label: label(id),
            data: rtts.map((v) => t.runs.find((r) => r.transport === id && r.rttMs === v)?.latency.meanMs ?? null),
            backgroundColor: COLORS[id],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '10%', title: axisTitle('mean latency (ms)') } },
          plugins: {
            barTotals: { enabled: true, perBar: true, fontSize: 15, format: (v) => ms(v) },
            title: { text: `Through a simulated round trip, an event every ${nf(t.intervalMs)} ms` }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      const lp = t.runs.filter((r) => r.transport === 'long-poll').sort((a, b) => b.rttMs - a.rttMs)[0];
      const sse = t.runs.filter((r) => r.transport === 'sse').sort((a, b) => b.rttMs - a.rttMs)[0];
      caption('rtt', `On loopback the transports look alike. With a real round trip a stream delivers in half of it, while a long poll must answer and be asked again: events published meanwhile wait${lp && sse ? ` (at ${nf(lp.rttMs)} ms: long polling ${ms(lp.latency.meanMs)} ms against SSE ${ms(sse.latency.meanMs)} ms, ${nf(lp.eventsPerRead, 1)} events per answer)` : ''}. Short polling adds its interval (${nf(t.shortPollIntervalMs)} ms) on top.`);
      dataTable('rtt', ['RTT (ms)', 'Transport', 'mean (ms)', 'expected mean (ms)', 'p50 (ms)', 'p99 (ms)', 'requests per event', 'events per read'], t.runs.map((r) => [nf(r.rttMs), label(r.transport), ms(r.latency.meanMs), ms(r.expectedMeanLatencyMs), ms(r.latency.p50Ms), ms(r.latency.p99Ms), nf(r.requestsPerEvent, 2), nf(r.eventsPerRead, 2)]));
    }
  }

  // ------------------------------------------------------------ connections

  function renderConnections() {
    const c = R.scenarios.capacity;
    if (!c) {
      hideFigure('connections-held', 'capacity scenario skipped');
      hideFigure('memory', 'capacity scenario skipped');
      hideFigure('capacity-latency', 'capacity scenario skipped');
    } else {
      const runs = R.transports.map((id) => c.runs.find((r) => r.transport === id)).filter(Boolean);
      draw('connections-held', {
        type: 'bar',
        data: { labels: runs.map((r) => label(r.transport)), datasets: [{ label: 'clients held within the latency bound', data: runs.map((r) => r.maxClientsHeld), backgroundColor: runs.map((r) => COLORS[r.transport]), borderColor: '#000', borderWidth: 1 }] },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: Math.max(9000, ...runs.map((r) => r.maxClientsHeld)) * 1.12, title: axisTitle('concurrent clients') } },
          plugins: {
            legend: { display: false },
            title: { text: 'Concurrent clients one server process holds' },
            barTotals: { enabled: true, format: (v, i) => `${nf(v)}${runs[i].stopReason !== 'last step' ? ` (${runs[i].stopReason})` : ''}` },
            targetLine: { value: 9000, text: 'target: 9,000 SSE and WebSocket clients' },
          },
        },
      });
      const fd = runs[0] ? runs[0].fdLimit : null;
      caption('connections-held', `A ramp on a fresh lab process per transport, clients in several other processes; each step checks ${c.probeEvents} events' latency. It stops at the latency bound (p99 over ${nf(R.parameters.capacity.latencyBoundMs)} ms, plus the interval for short polling), at the descriptor limit (${nf(fd)} per process: one socket, one descriptor), or at the last step.`);
      dataTable('connections-held', ['Transport', 'Held', 'Stopped by', 'Steps (clients: p99 ms, server CPU per delivery µs)'], runs.map((r) => [label(r.transport), nf(r.maxClientsHeld), r.stopReason, r.steps.map((s) => `${nf(s.clients)}: ${ms(s.latency.p99Ms)} ms, ${nf(s.serverCpuMicrosPerDelivery, 1)} µs`).join('; ')]));

      draw('memory', {
        type: 'bar',
        data: {
          labels: runs.map((r) => label(r.transport)),
          datasets: [
            { label: 'resident memory (RSS) per connection', data: runs.map((r) => (r.rssBytesPerConnection ?? NaN) / 1000), backgroundColor: runs.map((r) => COLORS[r.transport]), borderColor: '#000', borderWidth: 1 },
            { label: 'of which JavaScript heap', data: runs.map((r) => (r.heapBytesPerConnection ?? NaN) / 1000), backgroundColor: '#ffffff', borderColor: '#000', borderWidth: 2 },
          ],
        },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: 16.5, grace: '8%', title: axisTitle('server memory per connection (KB = 1,000 B)') } },
          plugins: {
            title: { text: 'Server memory per held connection' },
            targetLine: { value: 15, text: 'target: under 15 KB' },
            barTotals: { enabled: true, perBar: true, fontSize: 16, format: (v) => `${nf(v, 1)}` },
            tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} KB` } },
          },
        },
      });
      caption('memory', 'The slope of the server\'s memory (after a full garbage collection) over the clients it holds, so its own baseline does not count. Kernel socket buffers are not in these figures.');
      dataTable('memory', ['Transport', 'RSS per connection (B)', 'Heap per connection (B)', 'Baseline RSS (MB)'], runs.map((r) => [label(r.transport), nf(r.rssBytesPerConnection), nf(r.heapBytesPerConnection), nf(r.baselineRssBytes / 1e6, 1)]));

      draw('capacity-latency', {
        type: 'line',
        data: { datasets: runs.map((r) => ({ label: label(r.transport), data: r.steps.map((s) => ({ x: s.clients, y: Math.max(s.latency.p99Ms, 0.01) })), ...transportStyle(r.transport) })) },
        options: {
          scales: {
            x: { type: 'linear', beginAtZero: true, title: axisTitle('concurrent clients') },
            y: { type: 'logarithmic', title: axisTitle('p99 latency of probe events (ms, log scale)'), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) },
          },
          plugins: { title: { text: 'Latency as the connections pile up' } },
        },
      });
      caption('capacity-latency', 'Each point is one ramp step: the slowest 1% of deliveries of the probe events to every held client.');
    }

    const o = R.scenarios.overhead;
    if (o) {
      const smallest = Math.min(...o.cells.map((x) => x.dataBytes));
      const rows = R.transports.map((id) => {
        const m = o.cells.find((x) => x.transport === id && x.profile === 'minimal' && x.dataBytes === smallest);
        const b = o.cells.find((x) => x.transport === id && x.profile === 'browser' && x.dataBytes === smallest);
        return [label(id), nf(m?.requestsPerEvent, 3), nf(m?.connectionsPerEvent, 3), bytes(m?.requestHeadBytes), bytes(b?.requestHeadBytes), bytes(m?.responseHeadBytes)];
      });
      $('requests-table').replaceChildren(table(['Transport', 'HTTP requests per event', 'TCP connections per event', 'Request head, Node client', 'Request head, Chromium', 'Response head'], rows, `Requests and connections per delivered event (${o.cells[0].eventsPublished} events over one connection)`));
    }
    const a = R.scenarios.autocannon;
    $('autocannon-text').innerHTML = a
      ? `<strong>The short-poll endpoint under autocannon:</strong> ${nf(a.requestsPerSecond)} empty polls answered per second with ${a.connections} connections (${nf(a.serverCpuMicrosPerRequest, 1)} µs of server CPU each; p50 ${ms(a.latency.p50Ms)} ms, p99 ${ms(a.latency.p99Ms)} ms from autocannon's fractional timings, whose own histogram rounds to whole ms). Every one is a question whose answer is "nothing new".`
      : '';
  }

  // ------------------------------------------------------------ Kaazing

  function renderKaazing() {
    const k = R.derived.kaazing;
    if (!R.scenarios.overhead) {
      hideFigure('kaazing', 'overhead scenario skipped');
      return;
    }
    const unit = selected('unit') || 'mbpsBinary';
    const unitName = unit === 'mbpsBinary' ? 'Mibit/s (binary mega: 2^20 bit/s)' : 'Mbps (SI mega: 10^6 bit/s)';
    const color = (row) => (row.transport ? COLORS[row.transport] : row.label.startsWith('Polling') ? '#000000' : '#999999');
    draw('kaazing', {
      type: 'bar',
      data: {
        labels: k.clients.map((n) => `${nf(n)} clients`),
        datasets: k.rows.map((row) => ({
          label: row.label,
          data: row.rows.map((b) => b[unit]),
          backgroundColor: color(row),
          borderColor: '#000',
          borderWidth: row.transport ? 1 : 3,
        })),
      },
      options: {
        scales: { y: { type: 'logarithmic', title: axisTitle(`overhead bandwidth, ${unitName}`), ticks: logTicks((v) => nf(v, v < 0.1 ? 3 : v < 1 ? 2 : 0)) } },
        plugins: {
          title: { text: 'The Kaazing table, measured: one event per client per second' },
          legend: { labels: { font: { size: 16 } } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 3)} ${unit === 'mbpsBinary' ? 'Mibit/s' : 'Mbps'}` } },
        },
      },
    });
    caption('kaazing', `Black and grey: Kaazing's 2010 figures, ${nf(k.rows[0].bytesPerEvent)} B of headers per poll against ${nf(k.rows[1].bytesPerEvent)} B per WebSocket frame. Coloured: this run's measured overhead per event with Chromium's request heads (${nf(k.dataBytes)} B of data). Overhead only, as in the original: no TCP/IP, no payload. The 2010 table's "Mbps" were binary megabits: ${k.published.pollingMbps.join(' / ')} and ${k.published.webSocketMbps.join(' / ')}.`);
    $('kaazing-table').replaceChildren(table(
      ['Row', 'B per event', ...k.clients.flatMap((n) => [`${nf(n)} clients, Mbps (SI)`, `${nf(n)} clients, Mibit/s`])],
      k.rows.map((row) => [row.label, nf(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [nf(b.mbpsSI, 3), nf(b.mbpsBinary, 3)])]),
    ));
  }

  // ------------------------------------------------------------ framework cost

  function renderFramework() {
    const f = R.scenarios.reference;
    if (!f || !f.runs.length) {
      hideFigure('framework', 'reference scenario skipped');
      return;
    }
    const transports = ['sse', 'ws'].filter((id) => f.runs.some((r) => r.transport === id));
    const pick = (id, lab) => f.runs.find((r) => r.transport === id && (r.kind === 'lab') === lab);
    draw('framework', {
      type: 'bar',
      data: {
        labels: transports.map((id) => label(id)),
        datasets: [
          { label: 'the lab (Fastify, metering)', data: transports.map((id) => pick(id, true)?.load.serverCpuMicrosPerDelivery ?? null), backgroundColor: transports.map((id) => COLORS[id]), borderColor: '#000', borderWidth: 1 },
          { label: 'bare reference (node:http / ws)', data: transports.map((id) => pick(id, false)?.load.serverCpuMicrosPerDelivery ?? null), backgroundColor: '#ffffff', borderColor: '#000', borderWidth: 3 },
        ],
      },
      options: {
        scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle('server CPU time per delivered event (µs)') } },
        plugins: {
          title: { text: `What the framework costs: ${nf(f.clients)} clients, ${nf(f.ratePerSecond)} events/s` },
          barTotals: { enabled: true, perBar: true, format: (v) => `${nf(v, 1)} µs` },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 2)} µs per delivery` } },
        },
      },
    });
    const words = transports.map((id) => {
      const r = f.ratios[id];
      return r ? `${label(id)}: the lab at <strong>${nf(r.throughputRatio, 2)}x</strong> the bare subject's throughput, ${nf(r.memoryRatio, 2)}x its memory efficiency` : '';
    }).filter(Boolean).join('; ');
    caption('framework', `Each subject in a fresh process, the same drivers and schedule. Lower is better; the ratio is bare CPU per delivery over the lab's (target 0.9x or better). ${words}.`);
    dataTable('framework', ['Subject', 'Idle p50 (ms)', 'p50 (ms)', 'p99 (ms)', 'Deliveries/s', 'Server CPU per delivery (µs)', 'RSS per connection (B)'], f.runs.map((r) => [r.subject, ms(r.singleClient.latency.p50Ms), ms(r.load.latency.p50Ms), ms(r.load.latency.p99Ms), nf(r.load.deliveriesPerSecond), nf(r.load.serverCpuMicrosPerDelivery, 2), nf(r.rssBytesPerConnection)]));
  }

  // ------------------------------------------------------------ start

  function renderAll() {
    renderMeta();
    renderHeadline();
    renderOverhead();
    renderShortPoll();
    renderLatency();
    renderConnections();
    renderKaazing();
    renderFramework();
    renderTargets();
    renderEnvironment();
  }

  function wireControls() {
    for (const input of document.querySelectorAll('input[name="profile"]')) input.addEventListener('change', renderOverhead);
    $('payload-select').addEventListener('change', renderOverhead);
    $('percentile-select').addEventListener('change', renderLatency);
    for (const input of document.querySelectorAll('input[name="unit"]')) input.addEventListener('change', renderKaazing);
    for (const form of document.querySelectorAll('form.controls')) form.addEventListener('submit', (event) => event.preventDefault());
  }

  async function start() {
    try {
      const response = await fetch(`/results/${RUN_FILE}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(response.status === 404 ? `There are no results at /results/${RUN_FILE} yet: run \`npm run bench\` (or \`npm run bench -- --quick\`), then reload.` : `Loading /results/${RUN_FILE} failed: HTTP ${response.status}.`);
      R = await response.json();
      if (R.schema !== 'wirelab-bench/1') throw new Error(`This page reads results of schema wirelab-bench/1; ${RUN_FILE} says ${R.schema}.`);
      setupChartJs();
      wireControls();
      renderAll();
    } catch (error) {
      const problem = $('problem');
      problem.hidden = false;
      problem.textContent = error.message;
      $('run-meta').textContent = '';
    } finally {
      window.resultsReady = true;
      document.body.dataset.ready = 'true';
    }
  }

  // chart.js and this file are both deferred, in order: Chart exists by now.
  start();
})();
