// Draws a ladder diagram's rows (ladder-steps.js) into an SVG: the browser's lane on the
// left, the server's on the right, time flowing down. Each step is an arrow from the side
// that sent it, its shaft split into the three byte kinds in their colours (ladder.css
// uses style.css --byte-*), so a poll's arrow is mostly head and a WebSocket event's
// mostly payload, with its bytes written under it.
//
// Drawn at the size it is shown (the SVG's units are CSS pixels) and in the page's type,
// so that large type enlarges every label, as the board's timeline does.
//
// In a cluster each step names the process that served it: each process the rows
// show gets a lane of its own, so that a client moving from one to another is seen to.
import { KINDS, totalOf } from './ladder-steps.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string | number>} [attrs] @param {string} [text] */
export function svgEl(tag, attrs = {}, text = undefined) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Row heights in ems of the picture's type. */
const HEIGHT = { arrow: 2.9, gap: 1.3, end: 1.5, mark: 1.7, header: 1.9 };

/** The height the picture takes for `rows` arrows (it keeps that height as it fills, so the page does not jump). */
export const heightFor = (rows, fontPx) => Math.round((HEIGHT.header + rows * HEIGHT.arrow + 0.4) * fontPx);

/**
 * Text cut to fit `width` pixels (the whole text stays in the step's tooltip and the text alternative).
 * @param {CanvasRenderingContext2D} measure @param {string} text @param {number} width
 */
function fit(measure, text, width) {
  if (measure.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && measure.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Draws `rows` into `svg` (emptied first). `words` gives every word the picture writes
 * (the page's language): lane names, a step's name, its bytes, a pause, a held wait.
 * @param {SVGSVGElement} svg
 * @param {import('./ladder-steps.js').Row[]} rows
 * @param {{ width: number, fontPx: number, fontFamily: string, minRows: number, compact?: boolean, words: {
 *   browser: string, server: string, time: (t: number) => string, name: (step: any, compact?: boolean) => string,
 *   bytes: (step: any) => string, gap: (ms: number) => string, held: (ms: number) => string,
 *   closed: (step: any) => string, opens: (step: any) => string, sentence: (row: any) => string } }} options
 */
export function drawLadder(svg, rows, { width, fontPx, fontFamily, minRows, compact = false, words }) {
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = `${fontPx}px ${fontFamily}`;
  const timeWidth = Math.ceil(measure.measureText(words.time(88_888)).width) + fontPx * 0.5;
  const browserX = timeWidth + fontPx * 0.6;
  const rightX = width - fontPx * 0.6;
  // One server lane, or one per process the rows name (in the order they first appear).
  const named = rows.map((row) => (row.kind === 'gap' ? undefined : row.step.process));
  const processes = [...new Set(named.filter((name) => name !== undefined))];
  const laneXs = processes.length > 1 ? processes.map((_, i) => browserX + ((rightX - browserX) * (i + 1)) / processes.length) : [rightX];
  const laneOf = (step) => laneXs[Math.max(0, processes.indexOf(step.process))];
  const rowHeight = (row) => HEIGHT[row.kind] * fontPx;
  const contentHeight = HEIGHT.header * fontPx + rows.reduce((sum, row) => sum + rowHeight(row), 0);
  const height = Math.max(heightFor(minRows, fontPx), Math.round(contentHeight + 0.4 * fontPx));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.replaceChildren();

  // The lanes and their names.
  const top = HEIGHT.header * fontPx;
  svg.append(
    svgEl('text', { x: browserX, y: fontPx * 1.2, class: 'lane-name', 'text-anchor': 'start' }, words.browser),
    svgEl('line', { x1: browserX, x2: browserX, y1: top - fontPx * 0.3, y2: height, class: 'lane' }),
  );
  laneXs.forEach((x, i) => {
    // A single server is "Server"; in a cluster each lane is a process, named.
    const name = processes.length > 1 ? processes[i] : processes.length === 1 ? `${words.server} ${processes[0]}` : words.server;
    svg.append(
      svgEl('text', { x, y: fontPx * 1.2, class: 'lane-name', 'text-anchor': 'end', 'data-process': processes[i] ?? '' }, name),
      svgEl('line', { x1: x, x2: x, y1: top - fontPx * 0.3, y2: height, class: 'lane' }),
    );
  });

  let y = top;
  /** The middle of each row, for held waits drawn back to their request. */
  const middles = [];
  rows.forEach((row, index) => {
    const h = rowHeight(row);
    const middle = y + h / 2;
    middles[index] = y + h * 0.55;
    if (row.kind === 'gap') {
      svg.append(
        svgEl(
          'text',
          { x: (browserX + rightX) / 2, y: middle, class: 'gap', 'text-anchor': 'middle', 'dominant-baseline': 'central' },
          words.gap(row.ms),
        ),
      );
    } else if (row.kind === 'end' || row.kind === 'mark') {
      // A connection's end, from the browser to its process; a mark (a process killed) across the whole picture.
      const serverX = row.kind === 'mark' ? rightX : laneOf(row.step);
      const g = svgEl('g', {
        class: row.kind === 'mark' ? 'step end mark' : 'step end',
        'data-what': row.kind,
        'data-connection': row.step.connection,
        'data-process': row.step.process ?? '',
      });
      g.append(
        svgEl('title', {}, words.sentence(row)),
        svgEl('text', { x: timeWidth, y: middle, class: 'time', 'text-anchor': 'end', 'dominant-baseline': 'central' }, words.time(row.t)),
        svgEl('line', { x1: browserX, x2: serverX, y1: middle, y2: middle, class: 'closed' }),
        svgEl(
          'text',
          { x: (browserX + serverX) / 2, y: middle, class: 'closed-label', 'text-anchor': 'middle', 'dominant-baseline': 'central' },
          fit(measure, row.kind === 'mark' ? row.step.label : words.closed(row.step), serverX - browserX - fontPx),
        ),
      );
      svg.append(g);
    } else {
      svg.append(arrow(row));
    }
    y += h;
  });

  /** One step: its shaft in the three kinds' colours, its head, its name above and its bytes below. */
  function arrow(row) {
    const { step } = row;
    const shaftY = y + HEIGHT.arrow * fontPx * 0.55;
    const serverX = laneOf(step);
    const span = serverX - browserX;
    const g = svgEl('g', {
      class: `step ${step.dir}`,
      'data-what': step.what,
      'data-dir': step.dir,
      'data-connection': step.connection,
      'data-process': step.process ?? '',
      'data-head': step.head,
      'data-framing': step.framing,
      'data-payload': step.payload,
      'data-seqs': (step.seqs ?? []).join(' '),
    });
    g.append(svgEl('title', {}, words.sentence(row)));
    g.append(
      svgEl('text', { x: timeWidth, y: shaftY, class: 'time', 'text-anchor': 'end', 'dominant-baseline': 'central' }, words.time(row.t)),
    );
    // From the sender's lane to the receiver's: the head kind leaves first, as on the wire.
    const from = step.dir === 'in' ? browserX : serverX;
    const sign = step.dir === 'in' ? 1 : -1;
    const tip = fontPx * 0.6;
    const length = span - tip;
    const total = totalOf(step);
    let at = from;
    for (const kind of KINDS) {
      const part = total > 0 ? (length * step[kind]) / total : 0;
      if (part <= 0) continue;
      g.append(svgEl('line', { x1: at, x2: at + sign * part, y1: shaftY, y2: shaftY, class: `shaft ${kind}` }));
      at += sign * part;
    }
    if (total === 0) g.append(svgEl('line', { x1: from, x2: from + sign * length, y1: shaftY, y2: shaftY, class: 'shaft none' }));
    const end = from + sign * span;
    const back = end - sign * tip;
    g.append(svgEl('path', { d: `M${end},${shaftY} L${back},${shaftY - tip / 2} L${back},${shaftY + tip / 2} Z`, class: 'tip' }));
    // The words: what it was, above; its bytes in their colours, below.
    const middle = (browserX + serverX) / 2;
    const room = span - fontPx;
    g.append(
      svgEl(
        'text',
        { x: middle, y: shaftY - fontPx * 0.45, class: 'name', 'text-anchor': 'middle' },
        // A request that opens a connection says so: a first connection, or a reconnect after a close.
        fit(measure, row.opens && !compact ? `${words.name(step)} · ${words.opens(step)}` : words.name(step, compact), room),
      ),
    );
    g.append(byteText(step, middle, shaftY + fontPx * 1.15));
    if (row.heldMs !== undefined && middles[row.heldFrom] !== undefined) {
      const from = middles[row.heldFrom];
      g.append(
        svgEl('rect', { x: serverX - fontPx * 0.25, y: from, width: fontPx * 0.5, height: Math.max(1, shaftY - from), class: 'held' }),
      );
      if (!compact)
        g.append(
          svgEl(
            'text',
            {
              x: serverX - fontPx * 0.5,
              y: (from + shaftY) / 2,
              class: 'held-label',
              'text-anchor': 'end',
              'dominant-baseline': 'central',
            },
            words.held(row.heldMs),
          ),
        );
    }
    return g;
  }

  /** "512 B = 412 + 30 + 70", each part in its kind's colour. */
  function byteText(step, x, baseline) {
    const text = svgEl('text', { x, y: baseline, class: 'bytes', 'text-anchor': 'middle' });
    // words.bytes gives the sentence with markers around each part: \u0001head\u0002 ...
    for (const piece of words.bytes(step).split(/(\u0001\w+:[^\u0002]*\u0002)/)) {
      const part = /^\u0001(\w+):([^\u0002]*)\u0002$/.exec(piece);
      if (part) text.append(svgEl('tspan', { class: `part ${part[1]}` }, part[2]));
      else if (piece) text.append(document.createTextNode(piece));
    }
    return text;
  }
  return { height };
}
