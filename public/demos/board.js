// The intro's small board: the five transports side by side, figures and events only, and a
// chat box. Beside each live latency, the bench's for one idle client (results/latest.json):
// the live figure depends on how busy this machine is and on the browser's timers, the
// bench's was measured by a Node client on a quiet loopback.
import { chatBox } from '../chat-box.js';
import { TRANSPORTS, WIRE, h } from '../lab.js';
import { mountPanel } from '../panel.js';

/** The reference run's idle p50 per transport over `wire` ('h1' or 'h2'); empty without a run. */
async function benchIdleP50(wire) {
  try {
    const run = await (await fetch('/results/latest.json', { cache: 'no-store' })).json();
    return new Map(run.derived.headline.map((row) => [row.transport, wire === 'h2' ? row.byWire?.h2?.idleP50Ms : row.idleP50Ms]));
  } catch {
    return new Map();
  }
}

export function mount(element) {
  const grid = h('div', { class: 'panels' });
  element.append(h('p', {}, h('a', { href: '/board' }, '/board')), chatBox(), grid);
  const panels = TRANSPORTS.map((id) => [id, mountPanel(grid.appendChild(h('div', { 'data-transport': id })), id, { wire: false })]);
  benchIdleP50(WIRE.protocol === 'h2' ? 'h2' : 'h1').then((p50) => {
    for (const [id, panel] of panels) if (typeof p50.get(id) === 'number') panel.setBenchP50(p50.get(id));
  });
}
