// The scale-out lesson's demo: the five transports through nginx, spread over several
// lab processes that share one feed in Redis (npm run cluster, server/cluster/). Each
// process has a Kill button (SIGKILL: no goodbye to its clients); a running account
// says what happened: which process died, which of this page's connections it held,
// where they went, and whether any event was lost (none: every client resumes with
// its last seq, and every process can serve it).
// Reached any other way (npm start), the page has no /cluster/ endpoint, and the
// demo says how to start the cluster instead.
import { chatBox } from '../chat-box.js';
import { feedLastSeq, h, t, TRANSPORTS } from '../lab.js';
import { mountPanel } from '../panel.js';

/** How often the process list is asked again. */
const REFRESH_MS = 1000;
/** Transports that keep one connection on one process until it is cut; polls go to the next process every time. */
const STREAMS = ['iframe', 'sse', 'ws'];
/** How long the iframe panel gets to reconnect by itself after its process died (it cannot: see below). */
const IFRAME_GRACE_MS = 1500;

/**
 * Whether this page came through `npm run cluster`: there nginx sends /stats to the
 * launcher, which names itself `cluster`. Asking /cluster/ directly would be a 404 on
 * a single lab, and a failed request is an error in the browser's console.
 */
async function throughCluster() {
  try {
    const stats = await (await fetch('/stats', { cache: 'no-store' })).json();
    return stats?.process?.name === 'cluster';
  } catch {
    return false;
  }
}

/** The cluster's processes, or undefined when the launcher does not answer. */
async function processes() {
  try {
    const response = await fetch('/cluster/processes', { cache: 'no-store' });
    if (!response.ok) return undefined;
    const answer = await response.json();
    return Array.isArray(answer.processes) ? answer : undefined;
  } catch {
    return undefined;
  }
}

/** What to do when the page did not come through the cluster. */
function missing(element) {
  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'missing', role: 'note' },
      h('p', {}, t('so.missing.lead')),
      h('pre', { class: 'mono' }, 'npm run cluster'),
      h('p', {}, t('so.missing.then')),
    ),
  );
}

/**
 * Counts what one panel received against what it should have: every seq after
 * the one it started from, once each. A seq skipped is lost, one seen again is a
 * duplicate, a gap event names a range lost; a new epoch (Redis restarted empty)
 * starts the count over.
 */
function seqCounter(since) {
  const counter = { last: since, epoch: undefined, lost: 0, duplicates: 0, restarts: 0 };
  counter.see = (event) => {
    if (counter.epoch !== undefined && event.epoch !== counter.epoch) {
      counter.restarts++;
      counter.last = undefined;
    }
    counter.epoch = event.epoch;
    if (event.type === 'gap') counter.lost += event.data.to - event.data.from + 1;
    else if (counter.last !== undefined && event.seq <= counter.last) counter.duplicates++;
    else if (counter.last !== undefined && event.seq > counter.last + 1) counter.lost += event.seq - counter.last - 1;
    counter.last = Math.max(counter.last ?? 0, event.seq);
  };
  return counter;
}

/** Mounts the demo into `element`: the process list, the notes, a chat box and the five panels. */
export async function mount(element) {
  const first = (await throughCluster()) ? await processes() : undefined;
  if (!first) return missing(element);

  const notes = h('ol', {
    class: 'log',
    'data-field': 'notes',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': t('so.notes'),
    style: 'height:auto;max-height:14rem;list-style:none',
  });
  const summary = h('p', { 'data-field': 'summary', role: 'status', style: 'font-weight:700' }, '…');
  const rows = h('tbody');
  const grid = h('div', { class: 'panels', 'data-field': 'panels' });
  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'scale-out' },
      h('p', {}, t('so.intro', { n: first.processes.length, url: first.url ?? location.origin })),
      h('h4', {}, t('so.processes')),
      h(
        'table',
        { 'data-field': 'processes' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t('so.col.name')),
            h('th', { scope: 'col' }, t('so.col.port')),
            h('th', { scope: 'col' }, t('so.col.state')),
            h('th', { scope: 'col' }, t('so.col.serving')),
            h('th', { scope: 'col' }, t('so.col.action')),
          ),
        ),
        rows,
      ),
      h('h4', {}, t('so.notes')),
      notes,
      summary,
      chatBox(),
      grid,
    ),
  );

  const counters = {}; // transport -> seqCounter
  const losses = {}; // transport -> its "lost / duplicates" line
  /** Adds a line to the account of what happened; `data` becomes data-* attributes (the tests read them). */
  const note = (kind, text, data = {}) => {
    const time = new Date().toLocaleTimeString();
    notes.append(
      h('li', { 'data-kind': kind, ...Object.fromEntries(Object.entries(data).map(([k, v]) => [`data-${k}`, v])) }, `${time}  ${text}`),
    );
    notes.scrollTop = notes.scrollHeight;
  };

  // ------------------------------------------------------------- the processes
  const known = new Map(); // name -> { row, cells, kill, state, pid }
  const serving = new Map(); // transport -> the process its connection names now
  /** Shows each process's state, and which of this page's streams it holds. */
  const render = () => {
    for (const [name, p] of known) {
      p.row.dataset.state = p.state;
      p.cells.state.textContent = t(`so.state.${p.state}`) + (p.pid ? ` · pid ${p.pid}` : '');
      p.cells.state.className = p.state === 'up' ? 'ok' : p.state === 'down' ? 'bad' : '';
      const mine = STREAMS.filter((id) => serving.get(id) === name).map((id) => t(`label.${id}`));
      p.cells.serving.textContent = mine.length ? mine.join(', ') : '–';
      p.kill.disabled = p.state !== 'up';
    }
  };

  const killed = new Set(); // pids this page asked to kill: their exit is already told
  const killing = new Set(); // names whose kill this page has sent and not yet heard back from
  const moving = new Map(); // transport -> { from, seq }: its process was killed, where will it go?
  /** This page's streams that process `name` holds now. */
  const held = (name) => STREAMS.filter((id) => serving.get(id) === name);
  let watchIframe = (_victim) => {}; // set once the panels are mounted
  /** Process `name` died: its streams will move (and the iframe needs help, below). */
  const lostStreams = (name, pid) => {
    for (const id of held(name)) moving.set(id, { from: name, seq: counters[id]?.last });
    if (held(name).includes('iframe')) watchIframe(name);
    if (pid) killed.add(pid);
  };

  /** Takes a /cluster/processes answer: new rows, and a note for each process that went down or came back. */
  const update = (answer) => {
    for (const process of answer.processes) {
      // An answer sent before this page's kill took effect says nothing new about that process.
      if (process.pid !== null && killed.has(process.pid)) continue;
      let p = known.get(process.name);
      if (!p) {
        const kill = h('button', { type: 'button', 'data-action': 'kill', title: t('so.killTitle', { name: process.name }) }, t('so.kill'));
        const cells = { state: h('td', {}), serving: h('td', {}) };
        const row = h(
          'tr',
          { 'data-process': process.name },
          h('th', { scope: 'row' }, process.name),
          h('td', { class: 'mono' }, String(process.port)),
          cells.state,
          cells.serving,
          h('td', {}, kill),
        );
        p = { row, cells, kill, state: process.state, pid: process.pid };
        known.set(process.name, p);
        rows.append(row);
        kill.addEventListener('click', () => killProcess(process.name));
      }
      if (p.state === 'up' && process.state !== 'up' && !killed.has(p.pid) && !killing.has(process.name)) {
        // Down, and not by this page's button: another tab, the terminal, or a crash.
        const reason = process.lastExit?.signal ?? (process.lastExit ? `code ${process.lastExit.code}` : '?');
        lostStreams(process.name);
        note('down', t('so.note.down', { name: process.name, reason, held: heldText(process.name) }), { process: process.name });
      }
      if (p.state !== 'up' && process.state === 'up')
        note('back', t('so.note.back', { name: process.name, pid: process.pid }), { process: process.name });
      p.state = process.state;
      p.pid = process.pid;
    }
    render();
  };

  /** The streams process `name` holds, as words. */
  const heldText = (name) => {
    const mine = held(name).map((id) => t(`label.${id}`));
    return mine.length ? mine.join(', ') : t('so.note.heldNone');
  };

  /** The Kill button: asks the launcher to SIGKILL `name`, and tells what it held. */
  async function killProcess(name) {
    const p = known.get(name);
    p.kill.disabled = true;
    const holding = heldText(name);
    killing.add(name);
    try {
      // The control token the /cluster/ page kept from the address the launcher printed (public/cluster.js).
      const token = localStorage.getItem('wirelab.clusterToken');
      const response = await fetch(`/cluster/processes/${encodeURIComponent(name)}/kill`, {
        method: 'POST',
        cache: 'no-store',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error?.message ?? `HTTP ${response.status}`);
      lostStreams(name, answer.pid);
      p.state = 'down';
      p.pid = null;
      note('killed', t('so.note.killed', { name, pid: answer.pid, held: holding, seconds: (answer.restartInMs / 1000).toFixed(0) }), {
        process: name,
      });
      note('polls', t('so.note.polls'));
      render();
    } catch (error) {
      note('error', t('so.note.killFailed', { name, error: error.message }));
      p.kill.disabled = false;
    } finally {
      killing.delete(name);
    }
  }

  update(first);
  const refresh = setInterval(async () => {
    if (!element.isConnected) return clearInterval(refresh);
    const answer = await processes();
    if (answer) update(answer);
  }, REFRESH_MS);

  // ------------------------------------------------------------- the five panels
  const since = await feedLastSeq();
  /** Shows, per panel and for all five, what was lost or seen twice. */
  const showLoss = () => {
    let lost = 0;
    let duplicates = 0;
    for (const id of TRANSPORTS) {
      const c = counters[id];
      lost += c.lost;
      duplicates += c.duplicates;
      losses[id].dataset.lost = String(c.lost);
      losses[id].dataset.duplicates = String(c.duplicates);
      losses[id].textContent = t('so.loss', { lost: c.lost || t('so.none'), duplicates: c.duplicates || t('so.none') });
      losses[id].className = c.lost || c.duplicates ? 'bad' : 'ok';
    }
    summary.dataset.lost = String(lost);
    summary.dataset.duplicates = String(duplicates);
    summary.className = lost || duplicates ? 'bad' : 'ok';
    summary.textContent = t('so.summary', { lost: lost || t('so.none'), duplicates: duplicates || t('so.none'), since: since ?? 0 });
  };
  const slots = {};
  const panels = {};
  /** Mounts `id`'s panel from `from` (the demo's own count of its seqs goes on across a remount). */
  const mountOne = (id, from) => {
    panels[id] = mountPanel(slots[id], id, {
      wire: false,
      since: from,
      onActivity: (kind, event) => {
        if (kind !== 'event') return;
        const before = counters[id].restarts;
        counters[id].see(event);
        if (counters[id].restarts > before && id === 'sse') note('epoch', t('so.note.epoch'));
        showLoss();
      },
      onMessage: (message) => {
        if (message?.type !== 'process') return;
        serving.set(id, message.process);
        const move = moving.get(id);
        if (move && message.process !== move.from) {
          moving.delete(id);
          note('moved', t('so.note.moved', { transport: t(`label.${id}`), from: move.from, to: message.process, seq: move.seq ?? '–' }), {
            transport: id,
            from: move.from,
            to: message.process,
          });
        }
        render();
      },
    });
    slots[id].append(losses[id]);
  };
  for (const id of TRANSPORTS) {
    counters[id] = seqCounter(since);
    slots[id] = grid.appendChild(h('div', { 'data-transport': id }));
    losses[id] = h('p', { 'data-field': 'loss', 'data-transport': id, class: 'ok' });
    mountOne(id, since);
  }
  // A forever-frame cut mid-stream is invisible to its page: Chromium ends such a document
  // with ERR_INCOMPLETE_CHUNKED_ENCODING, fires no load event, and leaves it "loading", and
  // the keep-alive chunks are comments no script sees. EventSource and WebSocket notice the
  // cut by themselves; the iframe client only by its watchdog, once five ticks went missing.
  // When the process that held the iframe is known to be dead (this demo asked /cluster/),
  // the demo does not wait: it has the iframe client reopen its stream from its cursor, and says so.
  watchIframe = (victim) =>
    setTimeout(() => {
      if (serving.get('iframe') !== victim || !element.isConnected) return;
      panels.iframe.connection?.reopen();
      note('reopened', t('so.note.reopened', { name: victim, seq: counters.iframe.last ?? '–' }), { transport: 'iframe', from: victim });
    }, IFRAME_GRACE_MS);
  showLoss();
  note('ready', t('so.note.ready', { seq: since ?? 0, n: first.processes.length }));
}
