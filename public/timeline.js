// A timeline of the last seconds, one lane per transport: a tick for each request
// a client sends, a dot for each event it receives. Short polling's lane is a comb
// of requests with dots between; long polling's pairs each dot with a tick (the
// next request); the streams show one tick, then only dots.
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
  const laneHeight = 26;
  const labelWidth = 150;
  const width = 700;
  const height = transports.length * laneHeight + 18;
  const drawing = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': t('timeline.title'), class: 'timeline-svg' });
  const plot = svg('g');
  transports.forEach((id, i) => {
    const label = svg('text', { x: 0, y: i * laneHeight + 16, class: 'lane-label' });
    label.textContent = t(`label.${id}`);
    drawing.append(svg('line', { x1: labelWidth, x2: width, y1: i * laneHeight + 11, y2: i * laneHeight + 11, class: 'lane' }), label);
  });
  const axis = svg('text', { x: width - 4, y: height - 3, 'text-anchor': 'end', class: 'axis' });
  axis.textContent = t('timeline.axis', { seconds: WINDOW_MS / 1000 });
  drawing.append(plot, axis);
  const legend = h('p', { class: 'legend' }, h('span', { class: 'key request' }, t('timeline.request')), ' ', h('span', { class: 'key event' }, t('timeline.event')));
  element.replaceChildren(h('h2', { class: 'chart-title' }, t('timeline.title')), drawing, legend);

  const x = (at, now) => labelWidth + ((width - labelWidth) * (at - (now - WINDOW_MS))) / WINDOW_MS;
  const draw = () => {
    const now = performance.now();
    plot.replaceChildren();
    transports.forEach((id, i) => {
      const lane = marks.get(id);
      while (lane.length && lane[0].at < now - WINDOW_MS) lane.shift();
      const y = i * laneHeight + 11;
      for (const { at, kind } of lane) {
        plot.append(kind === 'request'
          ? svg('line', { x1: x(at, now), x2: x(at, now), y1: y - 11, y2: y + 3, class: 'request' })
          : svg('circle', { cx: x(at, now), cy: y, r: 4, class: 'event' }));
      }
      element.dataset[`${id.replace('-', '')}Requests`] = String(lane.filter((m) => m.kind === 'request').length);
    });
  };
  const timer = setInterval(draw, 250);
  return {
    mark(id, kind) {
      marks.get(id)?.push({ at: performance.now(), kind });
    },
    stop: () => clearInterval(timer),
  };
}
