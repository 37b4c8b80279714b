// The chart kit: chart.js set up once for the page (fonts for the width a chart gets,
// larger in large type, 1 on a 1600x900 slide), and draw(), which lays a chart out so
// that nothing is cut: titles and axis titles are wrapped to the room they have
// (chart.js would clip or squeeze them), and a quick run is marked on every chart.
import { config } from '../lab.js';
import { DASHES, POINTS, TRANSPORT_COLORS, WIRE_COLORS } from './colours.js';
import { plugins } from './chart-plugins.js';
import { R } from './run.js';
import { label, tt, wireLabel } from './words.js';

/** The charts drawn now, by id. */
export const charts = {};
/** ?export=1: each chart laid out as a 1600x900 slide (npm run bench:png). */
export const EXPORT = Boolean(config.results.exportMode);

export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Noto Sans CJK SC", "Liberation Sans", sans-serif';
export const fontString = (font) => `${font.weight || 'normal'} ${font.size}px ${FONT_FAMILY}`;

/** The font scale: smaller on a phone, larger in large-type mode, 1 on a slide. */
let S = 1;
/** A font size in px at the current scale, never under 10. */
export const px = (size) => Math.max(10, Math.round(size * S));
export const scale = () => S;

/** Sets the scale for charts `width` px wide (main.js, before each drawing of the page). */
export function setWidth(width) {
  const large = document.documentElement.classList.contains('large');
  S = EXPORT ? 1 : Math.max(0.6, Math.min(1, width / 1100)) * (large ? 1.25 : 1);
  applyDefaults();
}

export const measurer = document.createElement('canvas').getContext('2d');

/**
 * Splits `text` into lines no wider than `maxWidth` in `font`: at spaces, and
 * inside a word only when the word alone is too wide (Chinese has no spaces).
 */
export function wrap(text, maxWidth, font) {
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

/** Wrapped lines back into one text: Chinese lines join without a space, the others with one. */
const joinLines = (lines) =>
  lines.reduce((text, line) => (text && !/[\u2e80-\u9fff\uff00-\uffef]$/.test(text) ? `${text} ${line}` : text + line), '');

let registered = false;
/** Chart.js defaults for every chart; fonts follow the current scale. */
function applyDefaults() {
  const C = window.Chart;
  if (!registered) {
    C.register(...plugins(() => FONT_FAMILY, px, wrap));
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

/**
 * Draws chart `id` (its canvas is #chart-<id>) from `config`: fonts for the box's
 * width, the quick-run mark as a subtitle, titles and axis titles wrapped to fit.
 */
export function draw(id, config) {
  charts[id]?.destroy();
  const canvas = document.getElementById(`chart-${id}`);
  const box = canvas.parentElement;
  const width = box.clientWidth || 1000;
  const height = box.clientHeight || 560;
  const options = (config.options ??= {});
  const plugins = (options.plugins ??= {});
  options.layout = {
    ...(options.layout || {}),
    padding: { left: 6, right: 6, top: 4, bottom: 4, ...(options.layout?.padding || {}) },
  };
  const room = width - 24;
  const titleFont = { size: px(24), weight: 'bold' };
  plugins.title = { ...(plugins.title || {}), text: wrap(plugins.title?.text || id, room, titleFont), font: titleFont };
  const subtitleFont = { size: px(17), weight: 'bold' };
  plugins.subtitle = R.quick
    ? {
        display: true,
        text: wrap(tt('quick.chartMark', { id: R.id }), room, subtitleFont),
        color: '#a50000',
        font: subtitleFont,
        padding: { bottom: 8 },
      }
    : { display: false };
  for (const [axisId, scale] of Object.entries(options.scales || {})) {
    if (!scale.title?.text) continue;
    // The y scale stands upright whatever indexAxis says (a horizontal bar chart's categories are on it).
    const vertical = scale.position ? ['left', 'right'].includes(scale.position) : axisId.startsWith('y');
    const font = { weight: 'bold', ...(scale.title.font || {}), size: px(20) };
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

/** Rewraps whatever no longer fits `chart` as laid out; says whether anything changed. */
function fitAgain(chart, config) {
  const plugins = config.options.plugins;
  let again = false;
  for (const [key, block] of [
    ['title', chart.titleBlock],
    ['subtitle', subtitleBlock(chart)],
  ]) {
    if (!block?.options.display) continue;
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
    if (!title?.display || !title.text) continue;
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

const subtitleBlock = (chart) => chart.boxes.find((b) => b !== chart.titleBlock && b.options === chart.options.plugins.subtitle);

export const axisTitle = (text) => ({ display: true, text, font: { size: 20, weight: 'bold' } });

/** Ticks of a log axis at 1-2-5 steps only, so that it reads like a ruler. */
export const logTicks = (format) => ({
  callback(value) {
    const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
    return [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6) ? format(value) : '';
  },
  autoSkip: false,
});

/** A transport's line: its colour, dash and point style. */
export const transportStyle = (id) => ({
  borderColor: TRANSPORT_COLORS[id],
  backgroundColor: TRANSPORT_COLORS[id],
  borderDash: DASHES[id],
  pointStyle: POINTS[id],
});

/** The totals plugin's options for a value over each bar. */
export const perBarTotals = (format) => ({ enabled: true, perBar: true, fontSize: 14, format });

/** Grouped bars: one group per transport, one bar per wire. */
export function wireBars(transports, wires, value) {
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

/** For the page's tests (bench/bench.test.ts): every title, axis title, legend item or axis that does not fit its canvas. */
export function layoutProblems() {
  const problems = [];
  for (const [id, chart] of Object.entries(charts)) {
    const { width, height } = chart;
    const say = (what) => problems.push(`${id}: ${what}`);
    for (const block of [chart.titleBlock, chart.options.plugins.subtitle?.display ? subtitleBlock(chart) : null]) {
      if (!block?.options.display) continue;
      measurer.font = fontString(block.options.font);
      for (const line of [].concat(block.options.text)) {
        const w = measurer.measureText(line).width;
        if (w > block.width + 1) say(`title line "${line}" is ${Math.round(w)} px wide in a ${Math.round(block.width)} px title box`);
      }
      if (block.top < 0 || block.bottom > height) say('title outside the canvas');
    }
    if (chart.legend?.options.display && chart.legend.legendHitBoxes) {
      for (const [i, box] of chart.legend.legendHitBoxes.entries()) {
        if (box.left < 0 || box.left + box.width > width + 1 || box.top < 0 || box.top + box.height > height + 1)
          say(`legend item ${i} (${chart.legend.legendItems[i]?.text}) outside the canvas`);
      }
    }
    for (const scale of Object.values(chart.scales)) {
      if (scale.left < -1 || scale.right > width + 1 || scale.top < -1 || scale.bottom > height + 1)
        say(`axis ${scale.id} outside the canvas`);
      const title = scale.options.title;
      if (title?.display) {
        // chart.js squeezes a title line longer than its axis: that counts as not fitting.
        measurer.font = fontString({ size: title.font.size, weight: title.font.weight });
        const room = scale.isHorizontal() ? scale.width : scale.height;
        for (const line of [].concat(title.text)) {
          const w = measurer.measureText(line).width;
          if (w > room + 1) say(`axis ${scale.id} title line "${line}" is ${Math.round(w)} px along a ${Math.round(room)} px axis`);
        }
      }
    }
    const area = chart.chartArea;
    if (area.right - area.left < 120 || area.bottom - area.top < 120)
      say(`plot area squeezed to ${Math.round(area.right - area.left)} x ${Math.round(area.bottom - area.top)} px`);
  }
  return problems;
}
