// A timeline of the last seconds, one lane per transport: a tick for each request
// a client sends, a dot for each event it receives. Short polling's lane is a comb
// of requests with dots between; long polling's pairs each dot with a tick (the
// next request); the streams show one tick, then only dots.
//
// Drawn at the size it is shown (the SVG's units are CSS pixels), with its labels in
// the page's type, so that large type enlarges them as it does every other word.
import { h, t } from './lab.js';

const WINDOW_MS = 20_000;
const SVG = 'http://www.w3.org/2000/svg';

const svg = (tag, attrs = {}) => {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
};

/** Mounts the timeline into `element`; returns { mark(transport, kind), stop() }. */
export function mountTimeline(element, transports) {
  const marks = new Map(transports.map((id) => [id, []])); // id -> [{ at, kind }]
  const drawing = svg('svg', { role: 'img', 'aria-label': t('timeline.title'), class: 'timeline-svg' });
  const frame = svg('g');
  const plot = svg('g');
  drawing.append(frame, plot);
  const legend = h(
    'p',
    { class: 'legend' },
    h('span', { class: 'key request' }, t('timeline.request')),
    ' ',
    h('span', { class: 'key event' }, t('timeline.event')),
  );
  element.replaceChildren(h('h2', { class: 'chart-title' }, t('timeline.title')), drawing, legend);

  // The lanes and labels, laid out again whenever the width or the type size changes.
  let layout = { width: 0, fontPx: 0, lane: 0, labelWidth: 0 };
  const measure = document.createElement('canvas').getContext('2d');
  const relayout = () => {
    const width = Math.max(200, Math.round(drawing.getBoundingClientRect().width || element.clientWidth));
    const fontPx = parseFloat(getComputedStyle(drawing).fontSize) || 15;
    if (width === layout.width && fontPx === layout.fontPx) return;
    measure.font = `${fontPx}px ${getComputedStyle(drawing).fontFamily}`;
    const labelWidth = Math.ceil(Math.max(...transports.map((id) => measure.measureText(t(`label.${id}`)).width))) + fontPx * 0.6;
    const lane = Math.round(fontPx * 1.6);
    const height = transports.length * lane + Math.round(fontPx * 1.4);
    layout = { width, fontPx, lane, labelWidth };
    drawing.setAttribute('viewBox', `0 0 ${width} ${height}`);
    drawing.setAttribute('height', String(height));
    frame.replaceChildren();
    transports.forEach((id, i) => {
      const middle = i * lane + lane / 2;
      const label = svg('text', { x: 0, y: middle, 'dominant-baseline': 'central', class: 'lane-label' });
      label.textContent = t(`label.${id}`);
      frame.append(svg('line', { x1: labelWidth, x2: width, y1: middle, y2: middle, class: 'lane' }), label);
    });
    const axis = svg('text', { x: width - 2, y: height - fontPx * 0.3, 'text-anchor': 'end', class: 'axis' });
    axis.textContent = t('timeline.axis', { seconds: WINDOW_MS / 1000 });
    frame.append(axis);
  };

  const draw = () => {
    relayout();
    const { width, lane, labelWidth, fontPx } = layout;
    const now = performance.now();
    const x = (at) => labelWidth + ((width - labelWidth) * (at - (now - WINDOW_MS))) / WINDOW_MS;
    plot.replaceChildren();
    transports.forEach((id, i) => {
      const points = marks.get(id);
      while (points.length && points[0].at < now - WINDOW_MS) points.shift();
      const middle = i * lane + lane / 2;
      for (const { at, kind } of points) {
        plot.append(
          kind === 'request'
            ? svg('line', { x1: x(at), x2: x(at), y1: middle - lane * 0.42, y2: middle + lane * 0.12, class: 'request' })
            : svg('circle', { cx: x(at), cy: middle, r: Math.max(4, fontPx * 0.25), class: 'event' }),
        );
      }
      element.dataset[`${id.replace('-', '')}Requests`] = String(points.filter((m) => m.kind === 'request').length);
      element.dataset[`${id.replace('-', '')}Events`] = String(points.filter((m) => m.kind === 'event').length);
    });
  };
  draw();
  const timer = setInterval(draw, 250);
  return {
    mark(id, kind) {
      marks.get(id)?.push({ at: performance.now(), kind });
    },
    stop: () => clearInterval(timer),
  };
}
