// The intro's small board: the five transports side by side, figures and events only, and a chat box.
import { chatBox } from '../chat-box.js';
import { TRANSPORTS, h } from '../lab.js';
import { mountPanel } from '../panel.js';

export function mount(element) {
  const grid = h('div', { class: 'panels' });
  element.append(h('p', {}, h('a', { href: '/board' }, '/board')), chatBox(), grid);
  for (const id of TRANSPORTS) mountPanel(grid.appendChild(h('div', { 'data-transport': id })), id, { wire: false });
}
