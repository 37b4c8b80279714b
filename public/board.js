// The board: all five transports on the same feed, a chat box, and a two-way comparison.
import { chatBox } from './chat-box.js';
import { TRANSPORTS } from './lab.js';
import { mountByteBars } from './byte-bars.js';
import { mountPanel } from './panel.js';
import { mountTimeline } from './timeline.js';

const board = document.getElementById('board');
const timeline = mountTimeline(document.getElementById('timeline'), TRANSPORTS);
mountByteBars(document.getElementById('byte-bars'), TRANSPORTS);
// Short polling asks twice a second here: a chat message reaches all five panels within a
// second, and the panel's request count still shows how many polls come back empty.
const SHORT_POLL_INTERVAL_MS = 500;
for (const slot of /** @type {NodeListOf<HTMLElement>} */ (board.querySelectorAll('[data-transport]'))) {
  const id = slot.dataset.transport;
  mountPanel(slot, id, {
    since: undefined,
    intervalMs: id === 'short-poll' ? SHORT_POLL_INTERVAL_MS : undefined,
    onActivity: (kind) => timeline.mark(id, kind),
  });
}

document.getElementById('chat-slot').replaceWith(chatBox({ id: 'chat' }));

const compare = /** @type {HTMLFormElement} */ (document.getElementById('compare'));
compare.addEventListener('submit', (submit) => {
  submit.preventDefault();
  const pick = (name) => /** @type {HTMLSelectElement} */ (compare.elements.namedItem(name)).value;
  const chosen = [pick('a'), pick('b')];
  for (const slot of /** @type {HTMLCollectionOf<HTMLElement>} */ (board.children))
    slot.classList.toggle('chosen', chosen.includes(slot.dataset.transport));
  board.classList.add('comparing');
});
/** @type {HTMLButtonElement} */ (compare.elements.namedItem('all')).addEventListener('click', () => board.classList.remove('comparing'));
