// The intro's small board: the five transports side by side, figures and events only.
import { TRANSPORTS, h } from '../lab.js';
import { mountPanel } from '../panel.js';

export function mount(element) {
  const grid = h('div', { class: 'panels' });
  element.append(h('p', {}, h('a', { href: '/board' }, '/board')), grid);
  for (const id of TRANSPORTS) mountPanel(grid.appendChild(h('div', { 'data-transport': id })), id, { wire: false });
}
