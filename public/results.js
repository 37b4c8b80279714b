/*
 * The results page: reads one run's JSON (results/latest.json, the reference run;
 * ?run=quick/latest.json, the last quick run; ?run=runs/<id>.json, any run) and
 * draws every chart and table from it. No figure is typed here; the page only
 * chooses how to show what the bench wrote.
 *
 * Transport ids (short-poll, long-poll, iframe, sse, ws) and wire ids (h1, h1-tls,
 * h2) are the keys everywhere; human labels come from the JSON (`labels`,
 * `wireLabels`) in English and from the lab's i18n.json in Chinese. The page's own
 * words are in results-i18n.json (en, zh). Colours are the Okabe-Ito palette,
 * which stays distinct for the common colour-vision deficiencies and on
 * washed-out projectors.
 *
 * It reads schema 2 (HTTP/1.1, HTTP/1.1 over TLS and HTTP/2) and schema 1 (an
 * older run, HTTP/1.1 only: the protocol charts then say so).
 *
 * Charts are laid out for the width they get: fonts scale down on a phone and up
 * in large-type mode, and titles and axis titles are wrapped to fit (chart.js
 * would clip them). ?export=1 lays each chart out as a 1600x900 slide (npm run
 * bench:png). A quick run is marked on the page and on every chart.
 */
'use strict';

(() => {
  const SCHEMAS = ['wirelab-bench/1', 'wirelab-bench/2'];
  const TRANSPORT_COLORS = { 'short-poll': '#E69F00', 'long-poll': '#56B4E9', iframe: '#009E73', sse: '#0072B2', ws: '#D55E00' };
  const DASHES = { 'short-poll': [], 'long-poll': [12, 6], iframe: [3, 4], sse: [], ws: [16, 4, 3, 4] };
  const POINTS = { 'short-poll': 'rect', 'long-poll': 'triangle', iframe: 'rectRot', sse: 'circle', ws: 'star' };
  const WIRES = ['h1', 'h1-tls', 'h2'];
  const WIRE_COLORS = { h1: '#56B4E9', 'h1-tls': '#0072B2', h2: '#D55E00' };
  const PARTS = [
    { key: 'downHeadBytes', label: 'part.downHead', color: '#0072B2' },
    { key: 'downFramingBytes', label: 'part.downFraming', color: '#56B4E9' },
    { key: 'upHeadBytes', label: 'part.upHead', color: '#D55E00' },
    { key: 'upFramingBytes', label: 'part.upFraming', color: '#E69F00' },
  ];

  const query = new URLSearchParams(location.search);
  const EXPORT = query.has('export');
  if (EXPORT) document.body.classList.add('export');
  const run = query.get('run') || 'latest.json';
  // Only files the bench writes (latest.json, quick/..., runs/...): no path tricks through the query string.
  const RUN_FILE = /^(latest|quick\/latest|(?:quick\/)?runs\/(?:[\w-]+\/)*[\w.-]+)\.json$/.test(run) && !run.includes('..') ? run : 'latest.json';

  // ------------------------------------------------------------ language

  /** ?lang= (remembered in the same cookie the lab's other pages use), else that cookie, else the browser's languages. */
  function pickLang() {
    const asked = query.get('lang');
    if (asked === 'en' || asked === 'zh') {
      document.cookie = `lang=${asked}; Path=/; Max-Age=31536000; SameSite=Lax`;
      return asked;
    }
    const cookie = /(?:^|;\s*)lang=(en|zh)\b/.exec(document.cookie);
    if (cookie) return cookie[1];
    const first = (navigator.languages || [navigator.language]).map((l) => String(l).toLowerCase()).find((l) => /^(zh|en)\b/.test(l));
    return first && first.startsWith('zh') ? 'zh' : 'en';
  }
  const LANG = pickLang();
  document.documentElement.lang = LANG === 'zh' ? 'zh-Hans' : 'en';

  // ------------------------------------------------------------ the header's tools

  // The language switch leads to the same run in the other language; header-tools.js
  // (loaded after this script) keeps it pointing at the section being read, and
  // drives the large-type toggle, as on every page.
  const langSwitch = /** @type {HTMLAnchorElement} */ (document.getElementById('lang-switch'));
  if (langSwitch) {
    const other = LANG === 'en' ? 'zh' : 'en';
    const target = new URLSearchParams(location.search);
    target.set('lang', other);
    langSwitch.href = `/results?${target}`;
    langSwitch.setAttribute('hreflang', other);
  }

  /**
   * The header's HTTP/1.1 | HTTP/2 switch (server/pages.ts draws it for the other
   * pages): this page over the other protocol, when the lab has its TLS ports, and
   * what the browser negotiated for this page (Resource Timing's nextHopProtocol).
   */
  async function renderWireSwitch() {
    const slot = $('wire-switch-slot');
    if (!slot || EXPORT) return;
    const lab = await fetch('/lab.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null), () => null);
    const tls = lab && lab.ports && lab.ports.tls;
    if (!tls) return;
    const words = CHROME[LANG];
    const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
    const path = `/results${location.search}${location.hash}`;
    const protocol = (performance.getEntriesByType('navigation')[0] || {}).nextHopProtocol || '';
    const onH2 = protocol === 'h2';
    const link = (href, text, current, title) => el('a', { href, title: title || '', ...(current ? { 'aria-current': 'page' } : {}) }, text);
    const group = el('span', { class: 'wire-switch', role: 'group', 'aria-label': words['wire.label'] || 'Protocol', 'data-protocol': onH2 ? 'h2' : 'h1' },
      link(`http://${host}:${lab.ports.main}${path}`, 'HTTP/1.1', !onH2, words['wire.h1.title']),
      link(`https://${host}:${tls.main}${path}`, 'HTTP/2', onH2, words['wire.h2.title']));
    if (protocol && words['wire.now']) group.append(el('span', { class: 'wire-now', id: 'wire-now' }, words['wire.now'].replace('{protocol}', protocol)));
    slot.replaceChildren(group);
  }

  /** The page's words (results-i18n.json) and the lab's shared ones (i18n.json: header, transport labels). */
  let WORDS = { en: {}, zh: {} };
  let CHROME = { en: {}, zh: {} };
  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  /** The text of `key` in the page's language (English if missing), with {name} filled from `vars` (escaped for HTML). */
  function t(key, vars = {}, { raw = false } = {}) {
    const template = WORDS[LANG][key] ?? WORDS.en[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? (raw ? String(vars[name]) : escapeHtml(vars[name])) : all));
  }
  /** The same, for canvas and attributes: no HTML, no escaping. */
  const tt = (key, vars = {}) => t(key, vars, { raw: true }).replace(/<[^>]+>/g, '');

  /** @type {any} */
  let R;
  const charts = {};
  /** An element of the page by id (any: the page knows what each one is). @type {(id: string) => any} */
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------ formatting

  const nf = (value, digits = 0) =>
    value === null || value === undefined || !Number.isFinite(value)
      ? 'n/a'
      : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const ms = (value) => (value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value < 1 ? nf(value, 3) : value < 100 ? nf(value, 1) : nf(value, 0));
  const bytes = (value) => (value === null || value === undefined ? 'n/a' : `${nf(value, value < 10 && value % 1 ? 2 : value < 100 && value % 1 ? 1 : 0)} B`);
  /** A transport's label: the run's own (English), or the lab's Chinese one. */
  const label = (id) => (LANG === 'zh' && CHROME.zh[`label.${id}`]) || (R.labels && R.labels[id]) || id;
  const wireLabel = (w) => (LANG === 'zh' ? t(`wire.${w}`) : (R.wireLabels && R.wireLabels[w]) || t(`wire.${w}`));
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
    const tableNode = el('table');
    if (captionText) tableNode.append(el('caption', {}, captionText));
    const head = el('tr');
    for (const h of headers) head.append(el('th', { scope: 'col' }, h));
    tableNode.append(el('thead', {}, head));
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr');
      row.forEach((cell, i) => tr.append(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, cell)));
      body.append(tr);
    }
    tableNode.append(body);
    return tableNode;
  }

  /** Puts the figures behind a chart under it, in a table that opens with the keyboard. */
  function dataTable(chartId, headers, rows) {
    const figure = document.querySelector(`figure[data-chart="${chartId}"]`);
    if (!figure) return;
    const open = figure.querySelector('details')?.open;
    figure.querySelector('details')?.remove();
    const details = el('details', { class: 'data' }, el('summary', {}, t('figures.behind')));
    if (open) details.open = true;
    details.append(el('div', { class: 'table-wrap' }, table(headers, rows)));
    figure.append(details);
  }

  /** Sets a chart's caption (HTML), with the quick-run mark in front when it is one. */
  function caption(chartId, html) {
    const node = $(`caption-${chartId}`);
    if (node) node.innerHTML = (R && R.quick ? `<strong class="quick-mark">${t('quick.captionMark')}</strong> ` : '') + html;
  }

  /** Empties a figure and says why it has no chart in this run. */
  function hideFigure(chartId, why) {
    const figure = /** @type {HTMLElement | null} */ (document.querySelector(`figure[data-chart="${chartId}"]`));
    if (!figure) return;
    charts[chartId]?.destroy();
    delete charts[chartId];
    figure.dataset.empty = 'true';
    /** @type {HTMLElement} */ (figure.querySelector('.chart-box')).hidden = true;
    figure.querySelector('details')?.remove();
    const node = $(`caption-${chartId}`);
    if (node) node.innerHTML = t('figure.notMeasured', { why });
  }

  /** Shows a figure's chart again (a control brought its data back). */
  function showFigure(chartId) {
    const figure = /** @type {HTMLElement | null} */ (document.querySelector(`figure[data-chart="${chartId}"]`));
    if (!figure) return;
    delete figure.dataset.empty;
    /** @type {HTMLElement} */ (figure.querySelector('.chart-box')).hidden = false;
  }

  // ------------------------------------------------------------ the run's rows, by wire

  const schema2 = () => R.schema === 'wirelab-bench/2';
  /** The wires this run measured (an older run: HTTP/1.1 only). */
  const runWires = () => (schema2() ? WIRES.filter((w) => (R.parameters.wires || ['h1']).includes(w)) : ['h1']);
  /** A scenario's rows over one wire: HTTP/1.1 where they always were, the other wires in byWire (same shape). */
  function rowsOf(scenario, key, wire) {
    if (!scenario) return [];
    if (wire === 'h1') return scenario[key] || [];
    return (scenario.byWire && scenario.byWire[wire] && scenario.byWire[wire][key]) || [];
  }
  const overheadCells = (wire) => rowsOf(R.scenarios.overhead, 'cells', wire);
  const latencyResults = (wire) => rowsOf(R.scenarios.latency, 'results', wire);
  const fanoutRuns = (wire) => rowsOf(R.scenarios.fanout, 'runs', wire);
  const rttRuns = (wire) => rowsOf(R.scenarios.rtt, 'runs', wire);
  /** Why a protocol chart is empty: an older run, or this run left the wires out. */
  const noWiresWhy = () => (schema2() ? t('why.wiresSkipped') : t('why.schema1'));

  // ------------------------------------------------------------ layout: fonts and wrapping

  /** Font scale for the chart's width: smaller on a phone, larger in large-type mode, 1 on a slide. */
  function fontScale(width) {
    if (EXPORT) return 1;
    const large = document.documentElement.classList.contains('large');
    const byWidth = Math.max(0.6, Math.min(1, width / 1100));
    return byWidth * (large ? 1.25 : 1);
  }
  let S = 1;
  const px = (size) => Math.max(10, Math.round(size * S));

  const measurer = document.createElement('canvas').getContext('2d');
  const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Noto Sans CJK SC", "Liberation Sans", sans-serif';
  const fontString = (font) => `${font.weight || 'normal'} ${font.size}px ${FONT_FAMILY}`;

  /**
   * Splits `text` into lines no wider than `maxWidth` in `font`: at spaces, and
   * inside a word only when the word alone is too wide (Chinese has no spaces).
   */
  function wrap(text, maxWidth, font) {
    if (Array.isArray(text)) return text.flatMap((line) => wrap(line, maxWidth, font));
    measurer.font = fontString(font);
    const fits = (s) => measurer.measureText(s).width <= maxWidth;
    if (fits(text)) return [text];
    const tokens = text.match(/[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+/g) || [text];
    const lines = [];
    let line = '';
    for (const token of tokens) {
      const candidate = line + token;
      if (fits(candidate.trimEnd()) || !line) {
        line = candidate;
        // A single token wider than the line: cut it by characters.
        while (!fits(line.trimEnd()) && line.length > 1) {
          let cut = line.length - 1;
          while (cut > 1 && !fits(line.slice(0, cut))) cut--;
          lines.push(line.slice(0, cut));
          line = line.slice(cut);
        }
      } else {
        lines.push(line.trimEnd());
        line = token.trimStart();
      }
    }
    if (line.trim()) lines.push(line.trimEnd());
    return lines;
  }

  /** Chart.js setup shared by every chart; fonts follow the current scale `S`. */
  let registered = false;
  function applyDefaults() {
    const C = window.Chart;
    if (!registered) {
      C.register(totalsPlugin, targetPlugin);
      registered = true;
    }
    C.defaults.font.size = px(18);
    C.defaults.font.family = FONT_FAMILY;
    C.defaults.color = '#000';
    C.defaults.borderColor = '#bbb';
    C.defaults.animation = false;
    C.defaults.maintainAspectRatio = false;
    C.defaults.plugins.title.font = { size: px(24), weight: 'bold' };
    C.defaults.plugins.title.color = '#000';
    C.defaults.plugins.title.display = true;
    C.defaults.plugins.legend.labels.font = { size: px(18) };
    C.defaults.plugins.legend.labels.boxWidth = px(28);
    C.defaults.plugins.tooltip.titleFont = { size: px(18) };
    C.defaults.plugins.tooltip.bodyFont = { size: px(18) };
    C.defaults.elements.line.borderWidth = Math.max(2, Math.round(4 * S));
    C.defaults.elements.point.radius = Math.max(3, Math.round(5 * S));
  }

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
      ctx.font = `bold ${px(options.fontSize || 18)}px ${FONT_FAMILY}`;
      ctx.textBaseline = horizontal ? 'middle' : 'bottom';
      ctx.textAlign = horizontal ? 'left' : 'center';
      if (options.perBar) {
        // Grouped bars: each bar carries its own value.
        for (const d of visible) {
          chart.getDatasetMeta(d).data.forEach((element, index) => {
            const value = chart.data.datasets[d].data[index];
            if (typeof value !== 'number' || !Number.isFinite(value)) return;
            const text = options.format ? options.format(value, index, d) : String(value);
            if (horizontal) ctx.fillText(text, element.x + 6, element.y);
            else ctx.fillText(text, element.x, element.y - 4);
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
        if (horizontal) ctx.fillText(text, far.x + 6, far.y);
        else ctx.fillText(text, far.x, far.y - 4);
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
      ctx.font = `bold ${px(18)}px ${FONT_FAMILY}`;
      const text = wrap(options.text, chartArea.right - chartArea.left - 12, { size: px(18), weight: 'bold' })[0];
      if ((options.axis || 'y') === 'y') {
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        ctx.fillText(text, chartArea.right - 6, at - 4);
      } else {
        ctx.textAlign = 'left';
        ctx.textBaseline = 'top';
        ctx.fillText(text, at + 6, chartArea.top + 4);
      }
      ctx.restore();
    },
  };

  /**
   * Draws chart `id` from `config`: fonts for the box's width, the quick-run mark
   * as a subtitle, and titles and axis titles wrapped to the room they have.
   */
  function draw(id, config) {
    charts[id]?.destroy();
    showFigure(id);
    const canvas = $(`chart-${id}`);
    const box = canvas.parentElement;
    const width = box.clientWidth || 1000;
    const height = box.clientHeight || 560;
    const options = (config.options ??= {});
    const plugins = (options.plugins ??= {});
    options.layout = { ...(options.layout || {}), padding: { left: 6, right: 6, top: 4, bottom: 4, ...((options.layout && options.layout.padding) || {}) } };
    const room = width - 24;
    const titleFont = { size: px(24), weight: 'bold' };
    const titleText = (plugins.title && plugins.title.text) || id;
    plugins.title = { ...(plugins.title || {}), text: wrap(titleText, room, titleFont), font: titleFont };
    const subtitleFont = { size: px(17), weight: 'bold' };
    plugins.subtitle = R.quick
      ? { display: true, text: wrap(tt('quick.chartMark', { id: R.id }), room, subtitleFont), color: '#a50000', font: subtitleFont, padding: { bottom: 8 } }
      : { display: false };
    for (const [axisId, scale] of Object.entries(options.scales || {})) {
      if (!scale.title || !scale.title.text) continue;
      // The y scale stands upright whatever indexAxis says (a horizontal bar chart's categories are on it).
      const vertical = scale.position ? ['left', 'right'].includes(scale.position) : axisId.startsWith('y');
      const font = { size: px(20), weight: 'bold', ...(scale.title.font || {}) };
      font.size = px(20);
      scale.title = { ...scale.title, font, text: wrap(scale.title.text, vertical ? height * 0.7 : room, font) };
    }
    canvas.setAttribute('aria-label', [].concat(plugins.title.text).join(' '));
    const chart = new window.Chart(canvas, config);
    charts[id] = chart;
    // An axis title gets the axis's own length, and a title its box's width, known only once
    // chart.js has laid the chart out (it would squeeze a longer line): wrap again and lay out
    // again, until everything fits (a wrapped title can shorten the axis beside it, so a few rounds).
    for (let round = 0; round < 4 && fitAgain(chart, config); round++) chart.update();
    return chart;
  }

  /** Wrapped lines back into one text: Chinese lines join without a space, the others with one. */
  const joinLines = (lines) => lines.reduce((text, line) => (text && !/[\u2e80-\u9fff\uff00-\uffef]$/.test(text) ? `${text} ${line}` : text + line), '');

  /** Rewraps whatever no longer fits `chart` as laid out; says whether anything changed. */
  function fitAgain(chart, config) {
    const plugins = config.options.plugins;
    let again = false;
    for (const [key, block] of [['title', chart.titleBlock], ['subtitle', chart.boxes.find((b) => b !== chart.titleBlock && b.options === chart.options.plugins.subtitle)]]) {
      if (!block || !block.options.display) continue;
      const font = { size: block.options.font.size, weight: block.options.font.weight };
      measurer.font = fontString(font);
      const lines = [].concat(block.options.text);
      if (lines.some((line) => measurer.measureText(line).width > block.width - 4)) {
        plugins[key] = { ...plugins[key], text: wrap(joinLines(lines), block.width - 12, font) };
        again = true;
      }
    }
    for (const scale of Object.values(chart.scales)) {
      const title = scale.options.title;
      if (!title || !title.display || !title.text) continue;
      const room = scale.isHorizontal() ? scale.width : scale.height;
      const font = { size: title.font.size, weight: title.font.weight };
      measurer.font = fontString(font);
      const lines = [].concat(title.text);
      if (lines.some((line) => measurer.measureText(line).width > room - 2)) {
        const scaleOptions = config.options.scales[scale.id];
        scaleOptions.title = { ...scaleOptions.title, text: wrap(joinLines(lines), room - 16, font) };
        again = true;
      }
    }
    return again;
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
    borderColor: TRANSPORT_COLORS[id],
    backgroundColor: TRANSPORT_COLORS[id],
    borderDash: DASHES[id],
    pointStyle: POINTS[id],
  });

  /** The totals plugin's options for a value over each bar. */
  const perBarTotals = (format) => ({ enabled: true, perBar: true, fontSize: 14, format });

  /** A wire's largest fan-out in the headline: the TLS wires stop lower than plain HTTP/1.1's (the bench's tlsClients). */
  const wireFanoutClients = (w) => {
    const row = R.derived.headline.find((x) => x.byWire && x.byWire[w] && x.byWire[w].fanoutClients != null);
    return row ? row.byWire[w].fanoutClients : null;
  };

  /** Grouped bars: one group per transport, one bar per wire. */
  function wireBars(transports, wires, value) {
    return {
      labels: transports.map((id) => label(id)),
      datasets: wires.map((w) => ({
        label: wireLabel(w),
        data: transports.map((id) => {
          const v = value(id, w);
          return v === null || v === undefined || !Number.isFinite(v) ? null : v;
        }),
        backgroundColor: WIRE_COLORS[w],
        borderColor: '#000',
        borderWidth: 1,
      })),
    };
  }

  // ------------------------------------------------------------ header, tables

  /** The run's line under the title, the quick-run banner, failures, and the note on an older schema. */
  function renderMeta() {
    const env = R.environment;
    const m = env.machine;
    const when = new Date(R.startedAt).toLocaleString(LANG === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    $('run-meta').textContent = tt('meta.line', { quick: R.quick ? tt('meta.quick') : '', id: R.id, when, seconds: nf(R.durationSeconds), cpu: m.cpuModel, cores: m.cores, memory: nf(m.memoryBytes / 2 ** 30), node: env.node, commit: (env.git.commit || 'unknown').slice(0, 10), command: R.command });
    $('json-link').href = `/results/${RUN_FILE}`;
    const banner = $('quick-banner');
    if (R.quick) {
      banner.hidden = false;
      banner.innerHTML = t('quick.banner', { id: R.id });
    } else banner.hidden = true;
    if (R.errors && R.errors.length) {
      const problem = $('problem');
      problem.hidden = false;
      problem.textContent = tt('problem.failed', { list: R.errors.map((e) => `${e.scenario} (${e.message.split('\n')[0]})`).join('; ') });
    }
    if (!schema2()) {
      const old = $('schema-note');
      old.hidden = false;
      old.innerHTML = t('schema1.note', { schema: R.schema });
    }
  }

  /** Offers the other run: the last quick one beside the reference, or the reference beside any other. */
  function renderRunSwitch() {
    const node = $('run-switch');
    if (EXPORT) return;
    const here = (file) => {
      const q = new URLSearchParams(location.search);
      if (file === 'latest.json') q.delete('run');
      else q.set('run', file);
      const s = q.toString();
      return `/results${s ? `?${s}` : ''}`;
    };
    // No request to find out whether a quick run exists (a 404 in the console of every visit): the page at the link says.
    if (RUN_FILE === 'latest.json') {
      node.innerHTML = t('switch.toQuick', { href: here('quick/latest.json') });
    } else {
      node.innerHTML = t('switch.toReference', { href: here('latest.json') });
    }
  }

  /** The headline table, with HTTP/2 columns when the run has them. */
  function renderHeadline() {
    const d = R.derived;
    const n = d.headlineFanoutClients;
    const h2 = schema2() && runWires().includes('h2');
    const n2 = h2 ? wireFanoutClients('h2') : null;
    const rows = d.headline.map((h) => {
      const w2 = h.byWire ? h.byWire.h2 : null;
      return [
        label(h.transport),
        bytes(h.overheadBytesPerEventMinimal),
        bytes(h.overheadBytesPerEventBrowser),
        ...(h2 ? [bytes(w2 && w2.overheadBytesPerEventBrowser)] : []),
        bytes(h.oneOffBytesBrowser),
        nf(h.requestsPerEvent, 2),
        ms(h.idleP50Ms),
        ...(h2 ? [ms(w2 && w2.idleP50Ms)] : []),
        ms(h.fanoutP99Ms),
        ...(h2 ? [ms(w2 && w2.fanoutP99Ms)] : []),
        h.maxClientsHeld === null ? 'n/a' : `${nf(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`,
        h.rssBytesPerConnection === null ? 'n/a' : `${nf(h.rssBytesPerConnection / 1000, 1)} KB`,
      ];
    });
    $('headline-table').replaceChildren(table([
      t('col.transport'), t('col.overheadNode'), t('col.overheadBrowser'), ...(h2 ? [t('col.overheadBrowserH2')] : []), t('col.oneOffBrowser'), t('col.requestsPerEvent'), t('col.idleP50'),
      ...(h2 ? [t('col.idleP50H2')] : []), t('col.p99At', { n: nf(n) }), ...(h2 ? [t('col.p99AtH2', { n: nf(n2) })] : []), t('col.held'), t('col.memory'),
    ], rows));
  }

  /** The targets table; a quick run's verdicts all read "not judged". */
  function renderTargets() {
    const rows = R.derived.targets.map((x) => {
      const measured = x.measured === null ? 'n/a' : x.unit === 'ms' ? `${ms(x.measured)} ms` : x.unit === 'x' ? `${nf(x.measured, 2)}x` : `${nf(x.measured, x.unit === 'B' && x.measured % 1 ? 2 : 0)} ${x.unit}`;
      const note = x.note === 'quick run' ? tt('targets.quick') : x.note;
      const verdict = x.met === null ? el('span', { class: 'met-na' }, `${tt('targets.notJudged')}${note ? ` (${note})` : ''}`) : x.met ? el('span', { class: 'met-yes' }, tt('targets.met')) : el('span', { class: 'met-no' }, `${tt('targets.notMet')}${note ? ` (${note})` : ''}`);
      // The target's words by its kind (the id without its transport), in the reader's language.
      const kind = x.id.replace(/-(short-poll|long-poll|iframe|sse|ws)$/, '');
      const text = WORDS[LANG][`targetText.${kind}`] ? tt(`targetText.${kind}`) : x.text;
      return [text, x.transport ? label(x.transport) : '', x.target, measured, verdict];
    });
    $('targets-table').replaceChildren(table([t('col.target'), t('col.transport'), t('col.aim'), t('col.measured'), t('col.verdict')], rows));
    $('targets-quick').hidden = !R.quick;
  }

  /** The machine, versions, settings and parameters of the run. */
  function renderEnvironment() {
    const env = R.environment;
    const facts = [
      [tt('env.run'), `${R.id}${R.quick ? ` (${tt('env.quick')})` : ''}`],
      [tt('env.command'), R.command],
      [tt('env.started'), `${R.startedAt} (${nf(R.durationSeconds)} s)`],
      ...(R.timings ? [[tt('env.timings'), Object.entries(R.timings).map(([k, v]) => `${k} ${nf(v)} s`).join(', ')]] : []),
      [tt('env.cpu'), `${env.machine.cpuModel}, ${env.machine.cores} cores (load ${env.machine.loadAverage1m} at start)`],
      [tt('env.memory'), `${nf(env.machine.memoryBytes / 2 ** 30, 1)} GiB`],
      [tt('env.system'), `${env.machine.platform} ${env.machine.osRelease} ${env.machine.arch}`],
      ['Node', `${env.node} (V8 ${env.v8})`],
      [tt('env.packages'), Object.entries(env.packages).map(([k, v]) => `${k} ${v}`).join(', ')],
      [tt('env.commit'), `${env.git.commit || 'unknown'}${env.git.ref ? ` (${env.git.ref})` : ''}`],
      [tt('env.limits'), `${nf(env.limits.openFilesPerProcess)} open files per process; somaxconn ${nf(env.limits.somaxconn)}`],
      [tt('env.wires'), runWires().map((w) => wireLabel(w)).join(', ')],
      [tt('env.heads'), `${R.browserHeads.note}; ${R.browserHeads.browser}, captured ${R.browserHeads.capturedAt}; ${Object.entries(R.browserHeads.bytes).map(([k, v]) => `${k === 'navigation' ? 'page' : label(k)} ${v} B`).join(', ')}`],
      ...(R.browserHeads.h2 ? [[tt('env.headsH2'), `${R.browserHeads.h2.note}; ${R.browserHeads.h2.browser}, ${R.browserHeads.h2.requestsPerKind} requests per kind after ${R.browserHeads.h2.page}`]] : []),
      [tt('env.clocks'), tt('env.clocksText', { us: nf(env.clockSkewMaxMs * 1000, 1) })],
      [tt('env.settings'), Object.entries(R.serverSettings).map(([k, v]) => `${k}=${v}`).join(' ')],
    ];
    const list = $('environment-list');
    list.replaceChildren();
    for (const [term, value] of facts) list.append(el('dt', {}, term), el('dd', {}, value));
    $('parameters-details')?.remove();
    const details = el('details', { id: 'parameters-details' }, el('summary', {}, tt('env.parameters')), el('pre', {}, JSON.stringify(R.parameters, null, 2)));
    list.after(details);
  }

  // ------------------------------------------------------------ overhead

  /** The value of the checked radio button named `name`. */
  function selected(name) {
    const input = /** @type {HTMLInputElement | null} */ (document.querySelector(`input[name="${name}"]:checked`));
    return input ? input.value : undefined;
  }

  /** Who played the client of a cell, in words. */
  const clientWords = (cell, profile) => (cell && cell.client === 'chromium' ? tt('client.chromium') : cell && cell.client === 'node-replay' ? tt('client.replay') : profile === 'browser' ? tt('client.browser') : tt('client.minimal'));

  /** The overhead chart and the one-off costs, for the wire, client and payload chosen. */
  function renderOverhead() {
    const o = R.scenarios.overhead;
    if (!o) {
      for (const id of ['overhead', 'amortised']) hideFigure(id, t('why.skipped', { scenario: 'overhead' }));
      return;
    }
    // The wire choices: only those measured.
    const wires = runWires().filter((w) => overheadCells(w).length);
    for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name="wire"]'))) {
      input.closest('label').hidden = !wires.includes(input.value);
    }
    let wire = selected('wire') || 'h1';
    if (!wires.includes(wire)) wire = wires[0] || 'h1';
    const all = overheadCells(wire);
    const select = $('payload-select');
    if (!select.options.length) {
      for (const size of [...new Set(WIRES.flatMap((w) => overheadCells(w)).map((c) => c.dataBytes))].sort((a, b) => a - b)) select.append(el('option', { value: String(size) }, `${nf(size)} B`));
    }
    const profile = selected('profile') || 'browser';
    const dataBytes = Number(select.value || (all[0] && all[0].dataBytes));
    const cells = R.transports.map((id) => all.find((c) => c.transport === id && c.profile === profile && c.dataBytes === dataBytes)).filter(Boolean);
    if (!cells.length) {
      hideFigure('overhead', t('why.noCells'));
      hideFigure('amortised', t('why.noCells'));
      return;
    }
    const who = clientWords(cells[0], profile);
    draw('overhead', {
      type: 'bar',
      data: {
        labels: cells.map((c) => label(c.transport)),
        datasets: PARTS.map((part) => ({ label: tt(part.label), data: cells.map((c) => c.perEvent[part.key]), backgroundColor: part.color, borderColor: '#000', borderWidth: 1 })),
      },
      options: {
        indexAxis: 'y',
        layout: { padding: { right: Math.round(90 * S) } },
        scales: {
          x: { stacked: true, title: axisTitle(tt('axis.overheadBytes')), beginAtZero: true },
          y: { stacked: true, ticks: { font: { size: px(20), weight: 'bold' } } },
        },
        plugins: {
          title: { text: tt('title.overhead', { who, wire: wireLabel(wire), data: nf(dataBytes) }) },
          barTotals: { enabled: true, format: (total) => `${nf(total, total < 10 && total % 1 ? 1 : 0)} B` },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 2)} B` } },
        },
      },
    });
    const json = cells[0] ? cells[0].eventJsonBytes : null;
    const ws = cells.find((c) => c.transport === 'ws');
    const sp = cells.find((c) => c.transport === 'short-poll');
    caption('overhead', `${t('caption.overhead', { events: cells[0].eventsPublished, interval: R.parameters.overhead.intervalMs, json: nf(json) })}${wire === 'h2' ? ` ${t('caption.overheadH2')}` : wire === 'h1-tls' ? ` ${t('caption.overheadTls')}` : ''} ${ws && sp ? t('caption.overheadPunch', { sp: nf(sp.perEvent.overheadBytes), ws: nf(ws.perEvent.overheadBytes, ws.perEvent.overheadBytes % 1 ? 1 : 0) }) : ''}`);
    dataTable('overhead', [t('col.transport'), t('col.downHead'), t('col.downFraming'), t('col.upHead'), t('col.upFraming'), t('col.totalOverhead'), t('col.floor'), t('col.eventJson'), t('col.requestsPerEvent'), t('col.connectionsPerEvent'), t('col.client')], cells.map((c) => [label(c.transport), nf(c.perEvent.downHeadBytes, 1), nf(c.perEvent.downFramingBytes, 2), nf(c.perEvent.upHeadBytes, 1), nf(c.perEvent.upFramingBytes, 1), nf(c.perEvent.overheadBytes, 1), c.floorFramingBytes === null ? '' : nf(c.floorFramingBytes, 2), nf(c.eventJsonBytes), nf(c.requestsPerEvent, 3), nf(c.connectionsPerEvent, 3), clientWords(c, profile)]));

    // One-off costs amortised over N events per connection.
    const oneOffAll = wire === 'h1' ? R.derived.oneOff : (R.derived.oneOffByWire && R.derived.oneOffByWire[wire]) || [];
    const oneOff = oneOffAll.filter((x) => x.profile === profile);
    if (!oneOff.length) {
      hideFigure('amortised', t('why.noCells'));
      return;
    }
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
        plugins: { title: { text: tt('title.amortised', { who, wire: wireLabel(wire) }) }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} B / ${nf(ctx.parsed.x)}` } } },
      },
    });
    const wsOne = oneOff.find((x) => x.transport === 'ws');
    caption('amortised', `${t('caption.amortised', { ws: wsOne ? nf(wsOne.oneOffBytes) : 'n/a' })}${wire !== 'h1' ? ` ${t('caption.amortisedTls')}` : ''}`);
    dataTable('amortised', [t('col.transport'), t('col.oneOff'), t('col.perEvent'), ...(oneOff[0] ? oneOff[0].amortised.map((a) => tt('col.overEvents', { n: nf(a.events) })) : [])], oneOff.map((x) => [label(x.transport), nf(x.oneOffBytes), nf(x.perEventOverheadBytes, 1), ...x.amortised.map((a) => nf(a.overheadBytesPerEvent, 1))]));
  }

  /** Short polling's interval against the event rate: overhead and latency. */
  function renderShortPoll() {
    const g = R.scenarios.shortPollGrid;
    if (!g) {
      hideFigure('short-poll-overhead', t('why.skipped', { scenario: 'short-poll' }));
      hideFigure('short-poll-latency', t('why.skipped', { scenario: 'short-poll' }));
      return;
    }
    const rates = [...new Set(g.cells.map((c) => c.ratePerSecond))].sort((a, b) => a - b);
    const shades = ['#000000', '#CC79A7', '#E69F00', '#0072B2', '#009E73'];
    draw('short-poll-overhead', {
      type: 'line',
      data: {
        datasets: rates.map((rate, i) => ({
          label: tt('legend.rate', { rate: nf(rate) }),
          data: g.cells.filter((c) => c.ratePerSecond === rate).map((c) => ({ x: c.intervalMs, y: c.overheadBytesPerEvent, empty: c.emptyPollShare })),
          borderColor: shades[i % shades.length],
          backgroundColor: shades[i % shades.length],
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
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}, ${nf(ctx.parsed.x)} ms: ${nf(ctx.parsed.y)} B, ${nf(ctx.raw.empty * 100)}%` } },
        },
      },
    });
    caption('short-poll-overhead', t('caption.shortPollOverhead', { clients: g.cells[0].clients, seconds: nf(g.durationMs / 1000) }));
    dataTable('short-poll-overhead', [t('col.interval'), t('col.eventsPerSecond'), t('col.polls'), t('col.emptyPolls'), t('col.emptyShare'), t('col.pollsPerEvent'), t('col.overheadPerEvent')], g.cells.map((c) => [nf(c.intervalMs), nf(c.ratePerSecond), nf(c.polls), nf(c.emptyPolls), `${nf(c.emptyPollShare * 100)}%`, nf(c.pollsPerEvent, 2), nf(c.overheadBytesPerEvent)]));

    const intervals = [...new Set(g.cells.map((c) => c.intervalMs))].sort((a, b) => a - b);
    draw('short-poll-latency', {
      type: 'scatter',
      data: {
        datasets: [
          ...rates.map((rate, i) => ({
            label: tt('legend.meanAtRate', { rate: nf(rate) }),
            data: g.cells.filter((c) => c.ratePerSecond === rate).map((c) => ({ x: c.intervalMs, y: c.latency.meanMs })),
            borderColor: shades[i % shades.length],
            backgroundColor: shades[i % shades.length],
            pointRadius: Math.max(5, Math.round(9 * S)),
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
    dataTable('short-poll-latency', [t('col.interval'), t('col.eventsPerSecond'), t('col.mean'), t('col.halfInterval'), 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)'], g.cells.map((c) => [nf(c.intervalMs), nf(c.ratePerSecond), ms(c.latency.meanMs), ms(c.expectedMeanLatencyMs), ms(c.latency.p50Ms), ms(c.latency.p90Ms), ms(c.latency.p99Ms), ms(c.latency.maxMs)]));
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

  /** The wire the latency charts show (the section's select), among those measured. */
  function latencyWire() {
    const select = $('latency-wire-select');
    const wires = runWires();
    if (!select.options.length) for (const w of wires) select.append(el('option', { value: w }, wireLabel(w)));
    return wires.includes(select.value) ? select.value : wires[0];
  }

  /** The latency charts (idle, fan-out, round trip) over the wire chosen. */
  function renderLatency() {
    const wire = latencyWire();
    const results = latencyResults(wire);
    if (!R.scenarios.latency || !results.length) hideFigure('latency-idle', R.scenarios.latency ? noWiresWhy() : t('why.skipped', { scenario: 'latency' }));
    else {
      draw('latency-idle', {
        type: 'line',
        data: { datasets: results.map((r) => ({ label: label(r.transport), data: cdf(r.latency), ...transportStyle(r.transport), pointRadius: 0, stepped: true })) },
        options: {
          parsing: false,
          scales: {
            x: { type: 'logarithmic', title: axisTitle(tt('axis.latencyLog')), ticks: logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)) },
            y: { min: 0, max: 100, title: axisTitle(tt('axis.deliveredWithin')), ticks: { stepSize: 25 } },
          },
          plugins: { title: { text: tt('title.latencyIdle', { wire: wireLabel(wire) }) }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y)}% ≤ ${ms(ctx.parsed.x)} ms` } } },
        },
      });
      const sp = results.find((r) => r.transport === 'short-poll');
      caption('latency-idle', t('caption.latencyIdle', { events: nf(R.parameters.latency.events), interval: R.scenarios.latency.intervalMs, poll: nf(R.parameters.latency.shortPollIntervalMs), p50: sp ? ms(sp.latency.p50Ms) : 'n/a' }));
      dataTable('latency-idle', [t('col.transport'), 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', t('col.mean'), t('col.events')], results.map((r) => [label(r.transport), ms(r.latency.p50Ms), ms(r.latency.p90Ms), ms(r.latency.p99Ms), ms(r.latency.maxMs), ms(r.latency.meanMs), nf(r.latency.count)]));
    }

    const f = R.scenarios.fanout;
    const runs = fanoutRuns(wire);
    if (!f || !runs.length) hideFigure('latency-fanout', f ? noWiresWhy() : t('why.skipped', { scenario: 'fanout' }));
    else {
      const key = $('percentile-select').value;
      const counts = [...new Set(runs.map((r) => r.clients))].sort((a, b) => a - b);
      draw('latency-fanout', {
        type: 'bar',
        data: {
          labels: counts.map((n) => tt('label.clients', { n: nf(n) })),
          datasets: R.transports.filter((id) => runs.some((r) => r.transport === id)).map((id) => ({
            label: label(id),
            data: counts.map((n) => runs.find((r) => r.transport === id && r.clients === n)?.latency[key] ?? null),
            backgroundColor: TRANSPORT_COLORS[id],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { type: 'logarithmic', title: axisTitle(tt('axis.percentileLog', { p: key.replace('Ms', '') })), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) } },
          plugins: { title: { text: tt('title.latencyFanout', { p: key.replace('Ms', ''), rate: nf(f.ratePerSecond), wire: wireLabel(wire) }) }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      caption('latency-fanout', t('caption.latencyFanout', { poll: nf(f.shortPollIntervalMs) }));
      dataTable('latency-fanout', [t('col.clients'), t('col.transport'), 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'max (ms)', t('col.deliveries'), t('col.deliveriesPerSecond'), t('col.cpuPerDelivery'), t('col.requestsPerDelivery')], runs.map((r) => [nf(r.clients), label(r.transport), ms(r.latency.p50Ms), ms(r.latency.p90Ms), ms(r.latency.p99Ms), ms(r.latency.maxMs), `${nf(r.deliveries)} / ${nf(r.deliveriesExpected)}`, nf(r.deliveriesPerSecond), nf(r.serverCpuMicrosPerDelivery, 1), nf(r.requestsPerDelivery, 2)]));
    }

    const x = R.scenarios.rtt;
    const rruns = rttRuns(wire);
    if (!x || !rruns.length) hideFigure('rtt', x ? noWiresWhy() : t('why.skipped', { scenario: 'rtt' }));
    else {
      const rtts = [...new Set(rruns.map((r) => r.rttMs))].sort((a, b) => a - b);
      draw('rtt', {
        type: 'bar',
        data: {
          labels: rtts.map((v) => `RTT ${nf(v)} ms`),
          datasets: R.transports.filter((id) => rruns.some((r) => r.transport === id)).map((id) => ({
            label: label(id),
            data: rtts.map((v) => rruns.find((r) => r.transport === id && r.rttMs === v)?.latency.meanMs ?? null),
            backgroundColor: TRANSPORT_COLORS[id],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '10%', title: axisTitle(tt('axis.meanLatencyShort')) } },
          plugins: {
            barTotals: { enabled: true, perBar: true, fontSize: 15, format: (v) => ms(v) },
            title: { text: tt('title.rtt', { interval: nf(x.intervalMs), wire: wireLabel(wire) }) }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } },
          },
        },
      });
      const lp = rruns.filter((r) => r.transport === 'long-poll').sort((a, b) => b.rttMs - a.rttMs)[0];
      const sse = rruns.filter((r) => r.transport === 'sse').sort((a, b) => b.rttMs - a.rttMs)[0];
      caption('rtt', t('caption.rtt', { rtt: lp ? nf(lp.rttMs) : 'n/a', lp: lp ? ms(lp.latency.meanMs) : 'n/a', sse: sse ? ms(sse.latency.meanMs) : 'n/a', perRead: lp ? nf(lp.eventsPerRead, 1) : 'n/a', poll: nf(x.shortPollIntervalMs) }));
      dataTable('rtt', ['RTT (ms)', t('col.transport'), t('col.mean'), t('col.expectedMean'), 'p50 (ms)', 'p99 (ms)', t('col.requestsPerEvent'), t('col.eventsPerRead')], rruns.map((r) => [nf(r.rttMs), label(r.transport), ms(r.latency.meanMs), ms(r.expectedMeanLatencyMs), ms(r.latency.p50Ms), ms(r.latency.p99Ms), nf(r.requestsPerEvent, 2), nf(r.eventsPerRead, 2)]));
    }
  }

  // ------------------------------------------------------------ HTTP/1.1 beside HTTP/2

  const PROTOCOL_CHARTS = ['wires-overhead', 'h2-heads', 'wires-latency', 'wires-fanout', 'wires-cpu', 'wires-rtt', 'tls-records'];

  /** HTTP/1.1 beside HTTP/2: overhead, Chromium's heads, latency, fan-out, round trip, and what TLS costs. */
  function renderProtocols() {
    const p = schema2() ? R.derived.protocols : null;
    const wires = p ? p.wires : [];
    if (!p || wires.length < 2) {
      for (const id of PROTOCOL_CHARTS) hideFigure(id, noWiresWhy());
      $('protocols-table').replaceChildren();
      $('tls-table').replaceChildren();
      return;
    }
    const transports = R.transports;

    // Overhead per event, browser heads, per wire.
    const browserRows = p.overhead.filter((o) => o.profile === 'browser' && wires.some((w) => o.overheadBytesPerEvent[w] !== null));
    if (!browserRows.length) hideFigure('wires-overhead', t('why.skipped', { scenario: 'overhead' }));
    else {
      const value = (id, w) => browserRows.find((o) => o.transport === id)?.overheadBytesPerEvent[w];
      draw('wires-overhead', {
        type: 'bar',
        data: wireBars(transports, wires, value),
        options: {
          indexAxis: 'y',
          layout: { padding: { right: Math.round(70 * S) } },
          scales: { x: { beginAtZero: true, title: axisTitle(tt('axis.overheadBytes')) }, y: { ticks: { font: { size: px(18), weight: 'bold' } } } },
          plugins: { title: { text: tt('title.wiresOverhead', { data: nf(p.dataBytes) }) }, barTotals: perBarTotals((v) => `${nf(v, v < 10 && v % 1 ? 1 : 0)} B`), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.x, 1)} B` } } },
        },
      });
      const sp = browserRows.find((o) => o.transport === 'short-poll');
      const conn = (p.connection || []).find((c) => c.profile === 'browser');
      caption('wires-overhead', `${t('caption.wiresOverhead', { ratio: sp && sp.h2ToH1 !== null ? nf(sp.h2ToH1 * 100) : 'n/a' })}${conn ? ` ${t('caption.wiresOverheadConnection', { setup: nf(conn.oneOffBytes), per: nf(conn.bytesPerDelivery, 2) })}` : ''}`);
      dataTable('wires-overhead', [t('col.client'), t('col.transport'), ...wires.map((w) => `${wireLabel(w)} (B)`), 'HTTP/2 / HTTP/1.1', ...wires.map((w) => tt('col.requestsPerEventWire', { wire: wireLabel(w) })), t('col.h2MeasuredWith')], p.overhead.map((o) => [o.profile === 'browser' ? tt('client.browser') : tt('client.minimal'), label(o.transport), ...wires.map((w) => nf(o.overheadBytesPerEvent[w], 1)), nf(o.h2ToH1, 2), ...wires.map((w) => nf(o.requestsPerEvent ? o.requestsPerEvent[w] : null, 2)), o.client.h2 === 'chromium' ? tt('client.chromium') : o.client.h2 === 'node-replay' ? tt('client.replay') : o.client.h2 ? tt('client.node') : 'n/a']));
    }

    // Chromium's heads: HTTP/1.1 text against HTTP/2 HPACK, first and repeated.
    const heads = p.heads || [];
    if (!heads.length) hideFigure('h2-heads', t('why.noH2Heads'));
    else {
      const series = [
        { key: 'h1Bytes', label: tt('legend.headH1'), color: WIRE_COLORS.h1 },
        { key: 'h2FirstBytes', label: tt('legend.headH2First'), color: '#E69F00' },
        { key: 'h2RepeatedBytes', label: tt('legend.headH2Repeated'), color: WIRE_COLORS.h2 },
      ];
      draw('h2-heads', {
        type: 'bar',
        data: {
          labels: heads.map((h) => label(h.transport)),
          datasets: series.map((s) => ({ label: s.label, data: heads.map((h) => h[s.key]), backgroundColor: s.color, borderColor: '#000', borderWidth: 1 })),
        },
        options: {
          indexAxis: 'y',
          layout: { padding: { right: Math.round(60 * S) } },
          scales: { x: { beginAtZero: true, title: axisTitle(tt('axis.requestHead')) }, y: { ticks: { font: { size: px(18), weight: 'bold' } } } },
          plugins: { title: { text: tt('title.h2Heads', { browser: R.browserHeads.h2.browser }) }, barTotals: perBarTotals((v) => `${nf(v)} B`) },
        },
      });
      const sp = heads.find((h) => h.transport === 'short-poll');
      caption('h2-heads', t('caption.h2Heads', { n: R.browserHeads.h2.requestsPerKind, page: R.browserHeads.h2.page, h1: sp ? nf(sp.h1Bytes) : 'n/a', first: sp ? nf(sp.h2FirstBytes) : 'n/a', repeated: sp ? nf(sp.h2RepeatedBytes) : 'n/a', note: R.browserHeads.h2.note }));
      dataTable('h2-heads', [t('col.request'), t('col.headH1'), t('col.headH2First'), t('col.headH2Repeated'), t('col.carriedOver'), t('col.responseH2First'), t('col.responseH2Repeated'), t('col.samples')], heads.map((h) => [`${label(h.transport)}: ${R.browserHeads.h2.heads[h.transport].request}`, nf(h.h1Bytes), nf(h.h2FirstBytes), nf(h.h2RepeatedBytes, 1), h.h2Protocol === 'h2' ? 'HTTP/2' : String(h.h2Protocol), nf(h.h2ResponseFirstBytes), nf(h.h2ResponseRepeatedBytes, 1), R.browserHeads.h2.heads[h.transport].samplesBytes.join(', ')]));
    }

    // Idle latency per wire.
    if (!p.latency.length || !R.scenarios.latency) hideFigure('wires-latency', t('why.skipped', { scenario: 'latency' }));
    else {
      draw('wires-latency', {
        type: 'bar',
        data: wireBars(transports, wires, (id, w) => p.latency.find((l) => l.transport === id)?.p50Ms[w]),
        options: {
          scales: { y: { type: 'logarithmic', title: axisTitle(tt('axis.p50Log')), ticks: logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)) } },
          plugins: { title: { text: tt('title.wiresLatency') }, barTotals: perBarTotals((v) => ms(v)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      caption('wires-latency', t('caption.wiresLatency'));
      dataTable('wires-latency', [t('col.transport'), ...wires.map((w) => `p50 / p99, ${wireLabel(w)} (ms)`)], p.latency.map((l) => [label(l.transport), ...wires.map((w) => `${ms(l.p50Ms[w])} / ${ms(l.p99Ms[w])}`)]));
    }

    // Fan-out per wire, at the largest client count, and CPU per delivery (TLS's cost).
    if (!p.fanout.length || !R.scenarios.fanout) {
      hideFigure('wires-fanout', t('why.skipped', { scenario: 'fanout' }));
      hideFigure('wires-cpu', t('why.skipped', { scenario: 'fanout' }));
    } else {
      const n = p.tlsClients;
      const rows = p.fanout.filter((f) => f.clients === n);
      draw('wires-fanout', {
        type: 'bar',
        data: wireBars(transports, wires, (id, w) => rows.find((f) => f.transport === id)?.p99Ms[w]),
        options: {
          scales: { y: { type: 'logarithmic', title: axisTitle(tt('axis.p99Log')), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) } },
          plugins: { title: { text: tt('title.wiresFanout', { n: nf(n), rate: nf(R.scenarios.fanout.ratePerSecond) }) }, barTotals: perBarTotals((v) => ms(v)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      caption('wires-fanout', t('caption.wiresFanout'));
      dataTable('wires-fanout', [t('col.clients'), t('col.transport'), ...wires.map((w) => `p99, ${wireLabel(w)} (ms)`), ...wires.map((w) => `${tt('col.connect')}, ${wireLabel(w)} (s)`)], p.fanout.map((f) => [nf(f.clients), label(f.transport), ...wires.map((w) => ms(f.p99Ms[w])), ...wires.map((w) => nf(f.connectSeconds[w], 2))]));

      draw('wires-cpu', {
        type: 'bar',
        data: wireBars(transports, wires, (id, w) => rows.find((f) => f.transport === id)?.cpuMicrosPerDelivery[w]),
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.cpuPerDelivery')) } },
          plugins: { title: { text: tt('title.wiresCpu', { n: nf(n) }) }, barTotals: perBarTotals((v) => nf(v, v < 10 ? 1 : 0)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 2)} µs` } } },
        },
      });
      const tlsRow = p.tls.find((x) => x.transport === 'sse') || p.tls[0];
      caption('wires-cpu', t('caption.wiresCpu', { tls: tlsRow ? nf(tlsRow.cpuRatioToH1['h1-tls'], 2) : 'n/a', h2: tlsRow ? nf(tlsRow.cpuRatioToH1.h2, 2) : 'n/a', transport: tlsRow ? label(tlsRow.transport) : '' }));
      dataTable('wires-cpu', [t('col.clients'), t('col.transport'), ...wires.map((w) => `${wireLabel(w)} (µs)`), ...wires.map((w) => `${tt('col.deliveriesPerSecond')}, ${wireLabel(w)}`)], p.fanout.map((f) => [nf(f.clients), label(f.transport), ...wires.map((w) => nf(f.cpuMicrosPerDelivery[w], 1)), ...wires.map((w) => nf(f.deliveriesPerSecond[w]))]));
    }

    // Through the delay proxy, at the largest round trip.
    if (!p.rtt.length || !R.scenarios.rtt) hideFigure('wires-rtt', t('why.skipped', { scenario: 'rtt' }));
    else {
      const biggest = Math.max(...p.rtt.map((x) => x.rttMs));
      const rows = p.rtt.filter((x) => x.rttMs === biggest);
      draw('wires-rtt', {
        type: 'bar',
        data: wireBars(transports, wires, (id, w) => rows.find((x) => x.transport === id)?.meanMs[w]),
        options: {
          scales: { y: { beginAtZero: true, grace: '10%', title: axisTitle(tt('axis.meanLatencyShort')) } },
          plugins: { title: { text: tt('title.wiresRtt', { rtt: nf(biggest), interval: nf(R.scenarios.rtt.intervalMs) }) }, barTotals: perBarTotals((v) => ms(v)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      caption('wires-rtt', t('caption.wiresRtt', { rtt: nf(biggest) }));
      dataTable('wires-rtt', ['RTT (ms)', t('col.transport'), ...wires.map((w) => `${wireLabel(w)} (ms)`)], p.rtt.map((x) => [nf(x.rttMs), label(x.transport), ...wires.map((w) => ms(x.meanMs[w]))]));
    }

    // TLS records per delivery, and the handshakes in a table.
    const tlsWires = wires.filter((w) => w !== 'h1');
    if (!p.tls.length || !tlsWires.length) hideFigure('tls-records', t('why.skipped', { scenario: 'fanout' }));
    else {
      draw('tls-records', {
        type: 'bar',
        data: wireBars(transports, tlsWires, (id, w) => p.tls.find((x) => x.transport === id)?.recordBytesPerDelivery[w]),
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.recordBytes')) } },
          plugins: { title: { text: tt('title.tlsRecords', { n: nf(p.tlsClients) }) }, barTotals: perBarTotals((v) => nf(v, 1)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 1)} B` } } },
        },
      });
      caption('tls-records', t('caption.tlsRecords'));
      dataTable('tls-records', [t('col.transport'), ...tlsWires.map((w) => `${wireLabel(w)} (B)`), ...tlsWires.map((w) => `TCP, ${wireLabel(w)} (B)`)], p.tls.map((x) => [label(x.transport), ...tlsWires.map((w) => nf(x.recordBytesPerDelivery[w], 1)), ...tlsWires.map((w) => nf(x.tcpBytesPerDelivery[w], 1))]));
    }
    const chromium = p.chromiumHandshake;
    $('tls-table').replaceChildren(table(
      [t('col.transport'), ...tlsWires.map((w) => tt('col.handshake', { wire: wireLabel(w) })), ...wires.map((w) => tt('col.cpuWire', { wire: wireLabel(w) })), ...tlsWires.map((w) => tt('col.cpuRatio', { wire: wireLabel(w) }))],
      p.tls.map((x) => [label(x.transport), ...tlsWires.map((w) => nf(x.handshakeBytesPerConnection[w])), ...wires.map((w) => nf(x.cpuMicrosPerDelivery[w], 1)), ...tlsWires.map((w) => `${nf(x.cpuRatioToH1[w], 2)}x`)]),
      tt('table.tls', { n: nf(p.tlsClients), chromium: chromium ? tt('table.tlsChromium', { up: nf(chromium.bytesIn), down: nf(chromium.bytesOut) }) : '' }),
    ));

    // The summary table: the headline figures per wire.
    const h = R.derived.headline;
    $('protocols-table').replaceChildren(table(
      [t('col.transport'), ...wires.map((w) => tt('col.overheadWire', { wire: wireLabel(w) })), ...wires.map((w) => tt('col.idleWire', { wire: wireLabel(w) })), ...wires.map((w) => tt('col.p99Wire', { wire: wireLabel(w), n: nf(wireFanoutClients(w)) }))],
      h.map((x) => [label(x.transport), ...wires.map((w) => bytes(x.byWire[w].overheadBytesPerEventBrowser)), ...wires.map((w) => ms(x.byWire[w].idleP50Ms)), ...wires.map((w) => ms(x.byWire[w].fanoutP99Ms))]),
      tt('table.protocols'),
    ));
  }

  // ------------------------------------------------------------ connections

  /** Clients held, memory per connection, latency along the ramp, requests per event, autocannon. */
  function renderConnections() {
    const c = R.scenarios.capacity;
    if (!c) {
      for (const id of ['connections-held', 'memory', 'capacity-latency']) hideFigure(id, t('why.skipped', { scenario: 'capacity' }));
    } else {
      const runs = R.transports.map((id) => c.runs.find((r) => r.transport === id)).filter(Boolean);
      draw('connections-held', {
        type: 'bar',
        data: { labels: runs.map((r) => label(r.transport)), datasets: [{ label: tt('legend.held'), data: runs.map((r) => r.maxClientsHeld), backgroundColor: runs.map((r) => TRANSPORT_COLORS[r.transport]), borderColor: '#000', borderWidth: 1 }] },
        options: {
          scales: { y: { beginAtZero: true, suggestedMax: Math.max(9000, ...runs.map((r) => r.maxClientsHeld)) * 1.12, title: axisTitle(tt('axis.clients')) } },
          plugins: {
            legend: { display: false },
            title: { text: tt('title.held') },
            barTotals: { enabled: true, fontSize: 16, format: (v, i) => `${nf(v)}${runs[i].stopReason !== 'last step' ? ` (${runs[i].stopReason})` : ''}` },
            targetLine: { value: 9000, text: tt('target.held') },
          },
        },
      });
      const fd = runs[0] ? runs[0].fdLimit : null;
      caption('connections-held', t('caption.held', { probes: c.probeEvents, bound: nf(R.parameters.capacity.latencyBoundMs), fd: nf(fd) }));
      dataTable('connections-held', [t('col.transport'), t('col.heldShort'), t('col.stoppedBy'), t('col.steps')], runs.map((r) => [label(r.transport), nf(r.maxClientsHeld), r.stopReason, r.steps.map((s) => `${nf(s.clients)}: ${ms(s.latency.p99Ms)} ms, ${nf(s.serverCpuMicrosPerDelivery, 1)} µs`).join('; ')]));

      draw('memory', {
        type: 'bar',
        data: {
          labels: runs.map((r) => label(r.transport)),
          datasets: [
            { label: tt('legend.rss'), data: runs.map((r) => (r.rssBytesPerConnection ?? NaN) / 1000), backgroundColor: runs.map((r) => TRANSPORT_COLORS[r.transport]), borderColor: '#000', borderWidth: 1 },
            { label: tt('legend.heap'), data: runs.map((r) => (r.heapBytesPerConnection ?? NaN) / 1000), backgroundColor: '#ffffff', borderColor: '#000', borderWidth: 2 },
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
      dataTable('memory', [t('col.transport'), t('col.rssPerConnection'), t('col.heapPerConnection'), t('col.baselineRss')], runs.map((r) => [label(r.transport), nf(r.rssBytesPerConnection), nf(r.heapBytesPerConnection), nf(r.baselineRssBytes / 1e6, 1)]));

      draw('capacity-latency', {
        type: 'line',
        data: { datasets: runs.map((r) => ({ label: label(r.transport), data: r.steps.map((s) => ({ x: s.clients, y: Math.max(s.latency.p99Ms, 0.01) })), ...transportStyle(r.transport) })) },
        options: {
          scales: {
            x: { type: 'linear', beginAtZero: true, title: axisTitle(tt('axis.clients')) },
            y: { type: 'logarithmic', title: axisTitle(tt('axis.probeP99')), ticks: logTicks((v) => nf(v, v < 1 ? 1 : 0)) },
          },
          plugins: { title: { text: tt('title.capacityLatency') } },
        },
      });
      caption('capacity-latency', t('caption.capacityLatency'));
    }

    const o = R.scenarios.overhead;
    const cells = overheadCells('h1');
    if (o && cells.length) {
      const smallest = Math.min(...cells.map((x) => x.dataBytes));
      const rows = R.transports.map((id) => {
        const m = cells.find((x) => x.transport === id && x.profile === 'minimal' && x.dataBytes === smallest);
        const b = cells.find((x) => x.transport === id && x.profile === 'browser' && x.dataBytes === smallest);
        return [label(id), nf(m?.requestsPerEvent, 3), nf(m?.connectionsPerEvent, 3), bytes(m?.requestHeadBytes), bytes(b?.requestHeadBytes), bytes(m?.responseHeadBytes)];
      });
      $('requests-table').replaceChildren(table([t('col.transport'), t('col.httpRequestsPerEvent'), t('col.connectionsPerEvent'), t('col.requestHeadNode'), t('col.requestHeadChromium'), t('col.responseHead')], rows, tt('table.requests', { events: cells[0].eventsPublished })));
    } else $('requests-table').replaceChildren();
    const a = R.scenarios.autocannon;
    $('autocannon-text').innerHTML = a
      ? t('text.autocannon', { rps: nf(a.requestsPerSecond), connections: a.connections, cpu: nf(a.serverCpuMicrosPerRequest, 1), p50: ms(a.latency.p50Ms), p99: ms(a.latency.p99Ms) })
      : '';
  }

  // ------------------------------------------------------------ Kaazing

  /** The Kaazing table, in the unit chosen. */
  function renderKaazing() {
    const k = R.derived.kaazing;
    if (!R.scenarios.overhead) {
      hideFigure('kaazing', t('why.skipped', { scenario: 'overhead' }));
      return;
    }
    const unit = selected('unit') || 'mbpsBinary';
    const unitName = unit === 'mbpsBinary' ? tt('unit.binary') : tt('unit.si');
    const color = (row) => (row.transport ? TRANSPORT_COLORS[row.transport] : row.label.startsWith('Polling') ? '#000000' : '#999999');
    /** A row's label in the reader's language: the 2010 rows and the measured ones, by transport and wire. */
    const rowLabel = (row) => (row.source === 'kaazing-2010' ? tt(row.label.startsWith('Polling') ? 'kaazing.polling2010' : 'kaazing.ws2010') : row.source === 'measured-h2' ? tt('kaazing.measuredH2', { transport: label(row.transport), wire: wireLabel(row.wire || 'h2') }) : tt('kaazing.measured', { transport: label(row.transport) }));
    draw('kaazing', {
      type: 'bar',
      data: {
        labels: k.clients.map((n) => tt('label.clients', { n: nf(n) })),
        datasets: k.rows.map((row) => ({
          label: rowLabel(row),
          data: row.rows.map((b) => b[unit]),
          backgroundColor: row.source === 'measured-h2' ? `${color(row)}66` : color(row),
          borderColor: '#000',
          borderWidth: row.transport ? (row.source === 'measured-h2' ? 3 : 1) : 3,
        })),
      },
      options: {
        scales: { y: { type: 'logarithmic', title: axisTitle(tt('axis.bandwidth', { unit: unitName })), ticks: logTicks((v) => nf(v, v < 0.1 ? 3 : v < 1 ? 2 : 0)) } },
        plugins: {
          title: { text: tt('title.kaazing') },
          legend: { labels: { font: { size: px(15) } } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y, 3)} ${unit === 'mbpsBinary' ? 'Mibit/s' : 'Mbps'}` } },
        },
      },
    });
    caption('kaazing', t('caption.kaazing', { polling: nf(k.rows[0].bytesPerEvent), ws: nf(k.rows[1].bytesPerEvent), data: nf(k.dataBytes), published: `${k.published.pollingMbps.join(' / ')}; ${k.published.webSocketMbps.join(' / ')}` }));
    $('kaazing-table').replaceChildren(table(
      [t('col.row'), t('col.bytesPerEvent'), ...k.clients.flatMap((n) => [tt('col.mbpsSI', { n: nf(n) }), tt('col.mibit', { n: nf(n) })])],
      k.rows.map((row) => [rowLabel(row), nf(row.bytesPerEvent, 1), ...row.rows.flatMap((b) => [nf(b.mbpsSI, 3), nf(b.mbpsBinary, 3)])]),
    ));
  }

  // ------------------------------------------------------------ framework cost

  /** The lab beside the bare node:http and ws servers. */
  function renderFramework() {
    const f = R.scenarios.reference;
    if (!f || !f.runs.length) {
      hideFigure('framework', t('why.skipped', { scenario: 'reference' }));
      return;
    }
    const transports = ['sse', 'ws'].filter((id) => f.runs.some((r) => r.transport === id));
    const pick = (id, lab) => f.runs.find((r) => r.transport === id && (r.kind === 'lab') === lab);
    draw('framework', {
      type: 'bar',
      data: {
        labels: transports.map((id) => label(id)),
        datasets: [
          { label: tt('legend.lab'), data: transports.map((id) => pick(id, true)?.load.serverCpuMicrosPerDelivery ?? null), backgroundColor: transports.map((id) => TRANSPORT_COLORS[id]), borderColor: '#000', borderWidth: 1 },
          { label: tt('legend.bare'), data: transports.map((id) => pick(id, false)?.load.serverCpuMicrosPerDelivery ?? null), backgroundColor: '#ffffff', borderColor: '#000', borderWidth: 3 },
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
    const words = transports.map((id) => {
      const r = f.ratios[id];
      return r ? t('caption.frameworkRatio', { transport: label(id), throughput: nf(r.throughputRatio, 2), memory: nf(r.memoryRatio, 2) }) : '';
    }).filter(Boolean).join('; ');
    caption('framework', `${t('caption.framework')} ${words}.`);
    dataTable('framework', [t('col.subject'), t('col.idleP50'), 'p50 (ms)', 'p99 (ms)', t('col.deliveriesPerSecond'), t('col.cpuPerDelivery'), t('col.rssPerConnection')], f.runs.map((r) => [r.subject, ms(r.singleClient.latency.p50Ms), ms(r.load.latency.p50Ms), ms(r.load.latency.p99Ms), nf(r.load.deliveriesPerSecond), nf(r.load.serverCpuMicrosPerDelivery, 2), nf(r.rssBytesPerConnection)]));
  }

  // ------------------------------------------------------------ several processes on one Redis feed

  const SETUPS = ['memory', 'redis', 'cluster'];
  const SETUP_COLORS = { memory: '#56B4E9', redis: '#009E73', cluster: '#D55E00' };
  const CPU_PARTS = [
    { key: 'labsCpuMicrosPerDelivery', label: 'legend.partLabs', color: '#0072B2' },
    { key: 'nginxCpuMicrosPerDelivery', label: 'legend.partNginx', color: '#E69F00' },
    { key: 'redisCpuMicrosPerDelivery', label: 'legend.partRedis', color: '#CC79A7' },
  ];
  const CLUSTER_CHARTS = ['cluster-latency', 'cluster-cpu', 'cluster-polls'];

  /** A load run's setup in a few words: in memory (one process, direct), or N processes behind nginx. */
  const setupShort = (x) => (x.setup === 'memory' ? tt('label.setupMemory') : x.setup === 'redis' ? tt('label.setupRedis') : x.processes === 1 ? tt('label.clusterOne') : tt('label.clusterMany', { n: nf(x.processes) }));

  /** The cluster scenario: the Redis hop's latency, CPU per delivery with 1 and N processes, polls spread over every process. */
  function renderCluster() {
    const c = R.derived && R.derived.cluster;
    const raw = R.scenarios.cluster;
    const problems = $('cluster-problems');
    problems.hidden = true;
    if (!c || !raw) {
      for (const id of CLUSTER_CHARTS) hideFigure(id, t('why.skipped', { scenario: 'cluster' }));
      return;
    }
    if (c.skipped) {
      for (const id of CLUSTER_CHARTS) hideFigure(id, t('why.clusterSkipped', { reason: c.reason }));
      return;
    }
    if (c.problems.length) {
      problems.hidden = false;
      problems.innerHTML = t('cluster.problems', { list: c.problems.join('; ') });
    }
    const n = nf(c.processes);
    const p = R.parameters.cluster;

    // Latency: per transport, one idle client in each setup.
    const key = $('cluster-percentile-select').value === 'p99Ms' ? 'p99Ms' : 'p50Ms';
    const pName = key.replace('Ms', '');
    if (!c.latency.length) hideFigure('cluster-latency', t('why.noClusterLatency'));
    else {
      draw('cluster-latency', {
        type: 'bar',
        data: {
          labels: c.latency.map((l) => label(l.transport)),
          datasets: SETUPS.map((setup) => ({
            label: setup === 'cluster' ? tt('legend.setupCluster', { n }) : tt(`legend.setup${setup === 'memory' ? 'Memory' : 'Redis'}`),
            data: c.latency.map((l) => l[key][setup]),
            backgroundColor: SETUP_COLORS[setup],
            borderColor: '#000',
            borderWidth: 1,
          })),
        },
        options: {
          // Room above the tallest bar for its label (a log axis has no grace).
          scales: { y: { type: 'logarithmic', suggestedMax: Math.max(...c.latency.flatMap((l) => SETUPS.map((setup) => l[key][setup] || 0))) * 1.8, title: axisTitle(tt('axis.clusterLatency', { p: pName })), ticks: logTicks((v) => nf(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)) } },
          // A figure over each bar, where there is room for it (five transports on a phone leave none: the table below has them).
          plugins: { title: { text: tt('title.clusterLatency', { p: pName, n }) }, barTotals: { ...perBarTotals((v) => ms(v)), enabled: ($('chart-cluster-latency').parentElement.clientWidth || 1000) / (c.latency.length * SETUPS.length) >= 40 }, tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ms(ctx.parsed.y)} ms` } } },
        },
      });
      const added = (id) => {
        const l = c.latency.find((x) => x.transport === id);
        return l ? ms(key === 'p99Ms' ? l.redisAddedP99Ms : l.redisAddedP50Ms) : 'n/a';
      };
      caption('cluster-latency', t('caption.clusterLatency', { events: nf(p.latency.events), interval: nf(p.latency.intervalMs), p: pName, sse: added('sse'), ws: added('ws'), n }));
      dataTable('cluster-latency', [t('col.transport'), ...SETUPS.map((setup) => `${setup === 'cluster' ? tt('legend.setupCluster', { n }) : tt(`legend.setup${setup === 'memory' ? 'Memory' : 'Redis'}`)}, p50 / p99 (ms)`), tt('col.addedByRedis'), tt('col.addedByCluster', { n })], c.latency.map((l) => [label(l.transport), ...SETUPS.map((setup) => `${ms(l.p50Ms[setup])} / ${ms(l.p99Ms[setup])}`), `${ms(l.redisAddedP50Ms)} / ${ms(l.redisAddedP99Ms)}`, `${ms(l.clusterAddedP50Ms)} / ${ms(l.clusterAddedP99Ms)}`]));
    }

    // CPU per delivery by part: one process (feed in memory, direct), then 1 and N processes behind nginx.
    const rows = [...c.load].sort((a, b) => R.transports.indexOf(a.transport) - R.transports.indexOf(b.transport) || SETUPS.indexOf(a.setup) - SETUPS.indexOf(b.setup) || a.processes - b.processes);
    if (!rows.length) hideFigure('cluster-cpu', t('why.noClusterLoad'));
    else {
      draw('cluster-cpu', {
        type: 'bar',
        data: {
          // Two lines per bar: the transport, then the setup (a phone has no room for one long line).
          labels: rows.map((x) => [label(x.transport), setupShort(x)]),
          datasets: CPU_PARTS.map((part) => ({ label: tt(part.label), data: rows.map((x) => x[part.key]), backgroundColor: part.color, borderColor: '#000', borderWidth: 1 })),
        },
        options: {
          indexAxis: 'y',
          layout: { padding: { right: Math.round(80 * S) } },
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
      const ratioRow = rows.find((x) => x.setup === 'cluster' && x.processes === c.processes && x.transport === 'sse') || rows.find((x) => x.setup === 'cluster' && x.processes === c.processes);
      const ratio = ratioRow && ratioRow.labsCpuRatioToOne !== null ? t('caption.clusterCpuRatio', { n, transport: label(ratioRow.transport), x: nf(ratioRow.labsCpuRatioToOne, 2) }) : '';
      const busy = ratioRow && ratioRow.coresUsed != null ? tt('caption.clusterBusy', { n, servers: nf(ratioRow.coresUsed, 2), clients: nf(ratioRow.clientCoresUsed, 2) }) : '';
      caption('cluster-cpu', t('caption.clusterCpu', { seconds: nf(p.load.durationMs / 1000, 1), tick: nf((raw.cpuTickMicros || 0) / 1000), ratio, cores: nf(R.environment.machine.cores), busy }));
      const none = tt('cluster.none');
      dataTable('cluster-cpu', [tt('col.setup'), t('col.transport'), t('col.deliveries'), tt('col.deliveriesOffered'), 'p50 (ms)', 'p99 (ms)', tt('col.labsCpu'), tt('col.nginxCpu'), tt('col.redisCpu'), tt('col.totalCpu'), tt('col.perCore'), tt('col.coresBusy'), tt('col.clientsPerProcess')], rows.map((x) => [setupShort(x), label(x.transport), `${nf(x.deliveries)} / ${nf(x.deliveriesExpected)}`, `${nf(x.deliveriesPerSecond)} (${nf(x.offeredDeliveriesPerSecond)})`, ms(x.p50Ms), ms(x.p99Ms), nf(x.labsCpuMicrosPerDelivery, 1), x.setup === 'cluster' ? nf(x.nginxCpuMicrosPerDelivery, 1) : none, x.setup === 'cluster' ? nf(x.redisCpuMicrosPerDelivery, 1) : none, nf(x.totalCpuMicrosPerDelivery, 1), nf(x.deliveriesPerCoreSecond), `${nf(x.coresUsed, 2)} / ${nf(x.clientCoresUsed, 2)}`, x.clientsByProcess ? Object.entries(x.clientsByProcess).map(([name, k]) => `${name} ${nf(k)}`).join(', ') : '']));
    }

    // Polls: who answered, and whether every client saw every seq once, in order.
    if (!c.polls.length) hideFigure('cluster-polls', t('why.noClusterPolls'));
    else {
      const names = [...new Set(c.polls.flatMap((x) => Object.keys(x.answersByProcess)))].sort();
      draw('cluster-polls', {
        type: 'bar',
        data: {
          labels: names,
          datasets: c.polls.map((x) => ({ label: label(x.transport), data: names.map((name) => x.answersByProcess[name] ?? 0), backgroundColor: TRANSPORT_COLORS[x.transport], borderColor: '#000', borderWidth: 1 })),
        },
        options: {
          scales: { y: { beginAtZero: true, grace: '12%', title: axisTitle(tt('axis.answers')) } },
          plugins: { title: { text: tt('title.clusterPolls', { n }) }, barTotals: perBarTotals((v) => nf(v)), tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${nf(ctx.parsed.y)}` } } },
        },
      });
      const seen = c.polls.map((x) => `${label(x.transport)} ${nf(x.processesSeen)} / ${n}`).join(', ');
      const ok = c.polls.every((x) => x.ok) ? tt('cluster.yes') : tt('cluster.no');
      caption('cluster-polls', t('caption.clusterPolls', { clients: nf(p.polls.clients), events: nf(p.polls.events), interval: nf(p.polls.intervalMs), poll: nf(p.polls.shortPollIntervalMs), seen, ok }));
      dataTable('cluster-polls', [t('col.transport'), tt('col.processesSeen'), tt('col.answersByProcess'), tt('col.answeredByAll', { n }), t('col.deliveries'), tt('col.duplicates'), tt('col.holes'), 'p50 (ms)', 'p99 (ms)', tt('col.inOrder')], c.polls.map((x) => [label(x.transport), `${nf(x.processesSeen)} / ${nf(x.processes)}`, Object.entries(x.answersByProcess).sort().map(([name, k]) => `${name} ${nf(k)}`).join(', '), `${nf(x.clientsAnsweredByAll)} / ${nf(x.clients)}`, `${nf(x.deliveries)} / ${nf(x.deliveriesExpected)}`, nf(x.duplicates), nf(x.gaps), ms(x.p50Ms), ms(x.p99Ms), x.ok ? tt('cluster.yes') : tt('cluster.no')]));
    }
  }

  /** Under the headline table: what one idle client's p50 becomes with the feed in Redis and behind nginx. */
  function renderHeadlineCluster() {
    const node = $('headline-cluster');
    const c = R.derived && R.derived.cluster;
    const pick = (id) => c && !c.skipped && c.latency.find((l) => l.transport === id);
    const sse = pick('sse');
    const ws = pick('ws');
    if (!sse && !ws) {
      node.hidden = true;
      return;
    }
    const three = (l) => (l ? `${ms(l.p50Ms.memory)} → ${ms(l.p50Ms.redis)} → ${ms(l.p50Ms.cluster)} ms` : 'n/a');
    node.hidden = false;
    node.innerHTML = t('headline.cluster', { sse: three(sse), ws: three(ws), n: nf(c.processes) });
  }

  // ------------------------------------------------------------ start

  /** Fills every element marked data-i18n (the page's static words) in the reader's language. */
  function translateStatic() {
    for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-i18n]'))) {
      const key = node.dataset.i18n;
      if (key.startsWith('chrome:')) {
        const word = CHROME[LANG][key.slice(7)];
        if (word) node.textContent = word;
      } else node.innerHTML = t(key);
    }
    for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-i18n-label]'))) node.setAttribute('aria-label', tt(node.dataset.i18nLabel));
    if (langSwitch) {
      const words = CHROME[LANG];
      if (words['lang.other']) langSwitch.textContent = words['lang.other'];
      if (words['lang.otherName']) langSwitch.title = words['lang.otherName'];
    }
    document.title = tt('page.title');
  }

  /** Draws everything for the current width; called again when the width or the type size changes. */
  function renderAll() {
    S = fontScale(document.querySelector('main').clientWidth);
    applyDefaults();
    renderMeta();
    renderHeadline();
    renderOverhead();
    renderShortPoll();
    renderLatency();
    renderProtocols();
    renderConnections();
    renderKaazing();
    renderFramework();
    renderCluster();
    renderHeadlineCluster();
    renderTargets();
    renderEnvironment();
  }

  /** The charts' controls, and a redraw when the width or the type size changes. */
  function wireControls() {
    for (const input of document.querySelectorAll('input[name="profile"], input[name="wire"]')) input.addEventListener('change', renderOverhead);
    $('payload-select').addEventListener('change', renderOverhead);
    $('percentile-select').addEventListener('change', renderLatency);
    $('latency-wire-select').addEventListener('change', renderLatency);
    $('cluster-percentile-select').addEventListener('change', renderCluster);
    for (const input of document.querySelectorAll('input[name="unit"]')) input.addEventListener('change', renderKaazing);
    for (const form of document.querySelectorAll('form.controls')) form.addEventListener('submit', (event) => event.preventDefault());
    // Titles are wrapped for a width and fonts sized for it: a new width or type size draws again.
    let timer;
    let lastWidth = document.querySelector('main').clientWidth;
    const again = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        window.resultsReady = false;
        renderAll();
        window.resultsReady = true;
      }, 120);
    };
    window.addEventListener('resize', () => {
      const width = document.querySelector('main').clientWidth;
      if (width !== lastWidth) {
        lastWidth = width;
        again();
      }
    });
    new MutationObserver(again).observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  }

  /**
   * What a test (bench/bench.test.ts) asks of the drawn page: for every chart, any
   * title, axis title, legend item or axis that does not fit its canvas.
   */
  window.resultsLayoutProblems = () => {
    const problems = [];
    for (const [id, chart] of Object.entries(charts)) {
      const { width, height } = chart;
      const say = (what) => problems.push(`${id}: ${what}`);
      for (const block of [chart.titleBlock, chart.options.plugins.subtitle && chart.options.plugins.subtitle.display ? chart.boxes.find((b) => b.options === chart.options.plugins.subtitle) : null]) {
        if (!block || !block.options.display) continue;
        measurer.font = fontString(block.options.font);
        for (const line of [].concat(block.options.text)) {
          const w = measurer.measureText(line).width;
          if (w > block.width + 1) say(`title line "${line}" is ${Math.round(w)} px wide in a ${Math.round(block.width)} px title box`);
        }
        if (block.top < 0 || block.bottom > height) say('title outside the canvas');
      }
      if (chart.legend && chart.legend.options.display && chart.legend.legendHitBoxes) {
        for (const [i, box] of chart.legend.legendHitBoxes.entries()) {
          if (box.left < 0 || box.left + box.width > width + 1 || box.top < 0 || box.top + box.height > height + 1) say(`legend item ${i} (${chart.legend.legendItems[i]?.text}) outside the canvas`);
        }
      }
      for (const scale of Object.values(chart.scales)) {
        if (scale.left < -1 || scale.right > width + 1 || scale.top < -1 || scale.bottom > height + 1) say(`axis ${scale.id} outside the canvas`);
        const title = scale.options.title;
        if (title && title.display) {
          // chart.js squeezes a title line longer than its axis: that counts as not fitting.
          measurer.font = fontString({ size: title.font.size, weight: title.font.weight });
          const room = scale.isHorizontal() ? scale.width : scale.height;
          for (const line of [].concat(title.text)) {
            const w = measurer.measureText(line).width;
            if (w > room + 1) say(`axis ${scale.id} title line "${line}" is ${Math.round(w)} px along a ${Math.round(room)} px axis`);
          }
        }
      }
      if (chart.chartArea.right - chart.chartArea.left < 120 || chart.chartArea.bottom - chart.chartArea.top < 120) say(`plot area squeezed to ${Math.round(chart.chartArea.right - chart.chartArea.left)} x ${Math.round(chart.chartArea.bottom - chart.chartArea.top)} px`);
    }
    return problems;
  };
  /** The charts drawn now, by id (for the tests). */
  window.resultsCharts = () => Object.keys(charts);

  /** Loads the words and the run, then draws; any failure is shown on the page, never thrown. */
  async function start() {
    try {
      const [own, chrome, response] = await Promise.all([
        fetch('/assets/results-i18n.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`results-i18n.json: HTTP ${r.status}`)))),
        fetch('/assets/i18n.json', { cache: 'no-store' }).then((r) => (r.ok ? r.json() : { en: {}, zh: {} }), () => ({ en: {}, zh: {} })),
        fetch(`/results/${RUN_FILE}`, { cache: 'no-store' }),
      ]);
      WORDS = own;
      CHROME = chrome;
      translateStatic();
      if (!response.ok) throw new Error(response.status === 404 ? tt('problem.missing', { file: RUN_FILE }) : tt('problem.http', { file: RUN_FILE, status: response.status }));
      R = await response.json();
      if (!SCHEMAS.includes(R.schema)) throw new Error(tt('problem.schema', { file: RUN_FILE, schema: R.schema, known: SCHEMAS.join(', ') }));
      wireControls();
      renderAll();
      renderRunSwitch();
      await renderWireSwitch();
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
