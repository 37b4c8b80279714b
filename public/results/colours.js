// The results page's colours. Byte kinds take the lab's own colours (style.css's
// --byte-head, --byte-framing, --byte-payload: the board, the lessons' diagrams and
// these charts paint a head, framing or payload byte the same everywhere), and the
// upstream share of a kind is the same colour, hatched. Transports and wires use the
// Okabe-Ito palette, which stays distinct for the common colour-vision deficiencies
// and on washed-out projectors; lines add a dash and a point style, so that no
// chart needs colour alone.

const css = getComputedStyle(document.documentElement);
const cssColour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;

export const BYTE_COLORS = {
  head: cssColour('--byte-head', '#D55E00'),
  framing: cssColour('--byte-framing', '#E69F00'),
  payload: cssColour('--byte-payload', '#0072B2'),
};

export const TRANSPORT_COLORS = { 'short-poll': '#E69F00', 'long-poll': '#56B4E9', iframe: '#009E73', sse: '#0072B2', ws: '#D55E00' };
export const DASHES = { 'short-poll': [], 'long-poll': [12, 6], iframe: [3, 4], sse: [], ws: [16, 4, 3, 4] };
export const POINTS = { 'short-poll': 'rect', 'long-poll': 'triangle', iframe: 'rectRot', sse: 'circle', ws: 'star' };
export const WIRE_COLORS = { h1: '#56B4E9', 'h1-tls': '#0072B2', h2: '#D55E00' };

/** `colour` with white diagonal stripes: the upstream share of a byte kind. */
export function hatched(colour) {
  const tile = document.createElement('canvas');
  tile.width = tile.height = 10;
  const g = tile.getContext('2d');
  g.fillStyle = colour;
  g.fillRect(0, 0, 10, 10);
  g.strokeStyle = 'rgba(255, 255, 255, 0.75)';
  g.lineWidth = 3;
  g.beginPath();
  for (const offset of [-10, 0, 10]) {
    g.moveTo(offset, 10);
    g.lineTo(offset + 10, 0);
  }
  g.stroke();
  return g.createPattern(tile, 'repeat');
}
