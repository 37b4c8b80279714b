// The picture at the top of a lesson ([[demo:ladder]]), drawn from the page's own traffic.
// In a transport's lesson: that transport's ladder, fed by the steps of the lesson's own
// panel (ladder-bus.js), so the arrows are the demo's connection as it runs. In the lessons
// whose demo opens connections of its own (EXCHANGES), the ladder of that demo's exchange.
// In the intro: the five ladders side by side, each from a client of its own on one tap,
// frozen once all five have carried the same three events.
import { CLIENTS } from '../clients/index.js';
import { TRANSPORTS, feedLastSeq, h, originFor, t } from '../lab.js';
import { onSteps } from '../ladder-bus.js';
import { ladderLegend, mountLadder } from '../ladder.js';
import { openTap } from '../wiretap.js';

/** The pictures come from the trace of this page's connections, which only the process serving them has. */
export const readsOwnBytes = true;

/**
 * The lessons whose own demo's exchange is drawn, and how: the handshake (the GET and its
 * 101), the frames (each frame both ways, the close), the heartbeats (four streams through
 * the idle proxy: cut, reconnected, or kept by their pings), HTTP/2 (each frame, the
 * connection's own too: a first HEADERS against repeated ones, streams on one connection).
 */
const EXCHANGES = {
  handshake: {},
  frames: {},
  heartbeats: { named: true, rows: 16 },
  http2: { named: true, connectionFrames: true, rows: 16 },
};

/** How many events the intro's five pictures share. */
const SHARED_EVENTS = 3;

export function mount(element) {
  const lesson = /** @type {HTMLElement} */ (element.closest('[data-lesson]'))?.dataset.lesson;
  if (TRANSPORTS.includes(lesson)) {
    const ladder = mountLadder(element.appendChild(h('div')), { transport: lesson });
    onSteps((step) => ladder.add(step));
  } else if (lesson === 'intro') {
    mountFive(element);
  } else if (EXCHANGES[lesson]) {
    const ladder = mountLadder(element.appendChild(h('div')), { ...EXCHANGES[lesson], title: t(`ladder.title.${lesson}`) });
    onSteps((step) => ladder.add(step));
  }
}

/** The intro's figure: five ladders for the same three events. */
function mountFive(element) {
  const status = h('p', { class: 'ladders-status', role: 'status', 'data-field': 'ladders-status' });
  const again = h('button', { type: 'button', 'data-action': 'again' }, t('ladders.again'));
  const send = h('button', { type: 'button', 'data-action': 'send' }, t('ladders.send'));
  const grid = h('div', { class: 'ladders' });
  element.append(
    h('h3', {}, t('ladders.title')),
    h('p', {}, t('ladders.lead')),
    h('p', {}, send, ' ', again),
    status,
    grid,
    ladderLegend(),
  );
  const ladders = new Map(
    TRANSPORTS.map((id) => [
      id,
      mountLadder(grid.appendChild(h('div', { 'data-transport': id })), {
        transport: id,
        title: t(`label.${id}`),
        compact: true,
        controls: false,
        rows: 9,
      }),
    ]),
  );
  /** Each transport's seqs received since the pictures began. */
  const seen = new Map(TRANSPORTS.map((id) => [id, new Set()]));
  let after;

  const begin = (since) => {
    after = since;
    for (const ladder of ladders.values()) {
      ladder.clear();
      ladder.freeze(false);
    }
    for (const seqs of seen.values()) seqs.clear();
    element.dataset.state = 'waiting';
    status.textContent = t('ladders.waiting', { seq: since });
  };
  const check = () => {
    if (element.dataset.state !== 'waiting') return;
    const wanted = Array.from({ length: SHARED_EVENTS }, (_, i) => after + 1 + i);
    if (![...seen.values()].every((seqs) => wanted.every((seq) => seqs.has(seq)))) return;
    // The last event's step reached the picture before the client read it.
    requestAnimationFrame(() => {
      for (const ladder of ladders.values()) ladder.freeze(true, { upTo: wanted.at(-1) });
      element.dataset.state = 'frozen';
      element.dataset.from = String(wanted[0]);
      element.dataset.to = String(wanted.at(-1));
      status.textContent = t('ladders.done', { from: wanted[0], to: wanted.at(-1) });
    });
  };

  again.addEventListener('click', () => begin(Math.max(after ?? 0, ...[...seen.values()].flatMap((seqs) => [...seqs]))));
  send.addEventListener('click', async () => {
    for (let i = 1; i <= SHARED_EVENTS; i++)
      await fetch('/feed/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: t('ladder.browser'), text: `${i}/${SHARED_EVENTS}` }),
      });
  });

  const tap = openTap(
    () => {},
    (step) => ladders.get(step.transport)?.add(step),
  );
  Promise.all([tap.ready, feedLastSeq()]).then(([client, since]) => {
    if (!client) {
      status.textContent = t('ladder.noTap');
      return;
    }
    begin(since ?? 0);
    for (const id of TRANSPORTS)
      CLIENTS[id].connect({
        origin: originFor(id),
        since: after,
        params: { client },
        container: element,
        onEvent: (event) => {
          seen.get(id).add(event.seq);
          check();
        },
      });
  });
}
