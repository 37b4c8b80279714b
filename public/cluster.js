// The cluster's page, /cluster/ (server/cluster-page.ts): every lab process behind
// nginx with its state and traffic, the sum over the cluster, Redis, and a Kill and a
// Restart button per process. It reads the launcher's control endpoints once a second
// (server/cluster/control.ts) and drives them with POSTs from this page's own origin,
// carrying the control token the launcher printed.
import { config, h, t } from './lab.js';

const REFRESH_MS = 1000;
/** Where this browser keeps the control token (this origin only): the demo on the scale-out lesson reads it too. */
const TOKEN_KEY = 'wirelab.clusterToken';

const root = /** @type {HTMLElement} */ (document.querySelector('[data-field="cluster-page"]'));
const body = /** @type {HTMLElement} */ (root.querySelector('tbody'));
const said = /** @type {HTMLElement} */ (root.querySelector('[data-field="said"]'));
const redisLine = /** @type {HTMLElement} */ (root.querySelector('[data-field="redis"]'));
const retiredLine = /** @type {HTMLElement} */ (root.querySelector('[data-field="retired"]'));
const tokenNote = /** @type {HTMLElement} */ (root.querySelector('[data-field="token"]'));
const foreignLine = /** @type {HTMLElement} */ (root.querySelector('[data-field="foreign"]'));
const labels = [...root.querySelectorAll('thead th')].map((th) => th.textContent);

/** The token this browser holds, or null: without it the buttons are off and the page says where to find it. */
let token = null;
/** Takes the token from the address (pasted into a tab already on this page, it comes as a hashchange), else the one kept. */
function takeToken() {
  // The launcher prints this page's address with the token after '#', which the browser
  // never sends to a server (nor nginx to its log): keep it for this origin, and out of the address bar.
  const fromAddress = /(?:^#|&)token=([\w-]+)/.exec(location.hash);
  if (fromAddress) {
    localStorage.setItem(TOKEN_KEY, fromAddress[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  token = localStorage.getItem(TOKEN_KEY);
}
takeToken();

/** Says how to get the token when there is none (or the one kept is from an earlier run). */
function showToken() {
  tokenNote.hidden = token !== null;
  tokenNote.textContent = token === null ? t('so.token.missing') : '';
}

/** A transport figure added up over the five transports of one /stats answer. */
const total = (transports, field) => Object.values(transports ?? {}).reduce((sum, traffic) => sum + (traffic?.[field] ?? 0), 0);

/** A cell that names its column (a phone draws each row as a card). */
const cell = (column, text, attrs = {}) => h('td', { 'data-label': labels[column], ...attrs }, text);

/** Kill or Restart one process: a POST from this page's own origin, with the token. */
async function act(name, action) {
  said.textContent = '…';
  try {
    const response = await fetch(`/cluster/processes/${encodeURIComponent(name)}/${action}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const answer = await response.json();
    if (response.status === 401) {
      // A token kept from an earlier run (each run makes its own): forget it, turn the buttons off.
      localStorage.removeItem(TOKEN_KEY);
      token = null;
      showToken();
    }
    said.dataset.ok = String(response.ok);
    said.textContent = response.ok
      ? t('so.said.done', { name, signal: answer.signal ?? action, pid: answer.pid ?? answer.stoppedPid })
      : answer.error.message;
  } catch (error) {
    said.dataset.ok = 'false';
    said.textContent = error.message;
  }
  refresh();
}

/** One row per process: its state (down in red), its figures, its two buttons. */
function row(p, described) {
  const state = p.up ? 'up' : described?.state === 'up' ? 'down' : (described?.state ?? 'down');
  const s = p.stats;
  const buttons = h(
    'td',
    { class: 'actions', 'data-label': labels[7] },
    ...['kill', 'restart'].map((action) =>
      h(
        'button',
        { type: 'button', 'data-action': action, disabled: !p.up || token === null, onclick: () => act(p.name, action) },
        t(action === 'kill' ? 'so.kill' : 'so.restart'),
      ),
    ),
  );
  const stateText = p.up ? `${t('so.state.up')} · pid ${p.pid}` : t(`so.state.${state}`);
  return h(
    'tr',
    { 'data-process': p.name, 'data-state': p.up ? 'up' : 'down' },
    h('th', { scope: 'row' }, p.name),
    cell(1, String(p.port), { class: 'mono' }),
    cell(2, stateText, { class: `state-cell ${p.up ? 'up' : 'down'}` }),
    cell(3, s ? String(total(s.transports, 'requests')) : '–', { class: 'mono' }),
    cell(4, s ? String(total(s.transports, 'eventsDelivered')) : '–', { class: 'mono' }),
    cell(5, s ? String(total(s.transports, 'connectionsOpen')) : '–', { class: 'mono' }),
    cell(6, s ? String(s.subscribers) : '–', { class: 'mono' }),
    buttons,
  );
}

/** Redis's line: up or down (in red), its pid and how often the launcher started it again. */
function showRedis(redis) {
  if (!redis) return;
  redisLine.hidden = false;
  redisLine.dataset.state = redis.state;
  const last = redis.lastExit
    ? ` · ${t('so.redis.last', {
        reason: redis.lastExit.signal ?? `code ${redis.lastExit.code}`,
        time: new Date(redis.lastExit.at).toLocaleTimeString(),
      })}`
    : '';
  redisLine.textContent = t('so.redis', { state: t(`so.state.${redis.state}`), pid: redis.pid ?? '–', restarts: redis.restarts }) + last;
}

/** What /cluster/stats and /cluster/processes answer now, drawn. */
async function refresh() {
  let stats;
  let described;
  try {
    [stats, described] = await Promise.all([
      fetch('/cluster/stats', { cache: 'no-store' }).then((r) => r.json()),
      fetch('/cluster/processes', { cache: 'no-store' }).then((r) => r.json()),
    ]);
  } catch {
    return; // the launcher is stopping: the page stays as it was
  }
  const states = new Map(described.processes.map((p) => [p.name, p]));
  body.replaceChildren(...stats.processes.map((p) => row(p, states.get(p.name))));
  showRedis(described.redis);
  // The sum keeps what gone processes carried (as /stats does): it never goes backwards when one dies.
  const sum = stats.sum.transports;
  const gone = stats.retired.transports;
  const cells = root.querySelectorAll('[data-field="sum"] td');
  cells[2].textContent = String(total(sum, 'requests') + total(gone, 'requests'));
  cells[3].textContent = String(total(sum, 'eventsDelivered') + total(gone, 'eventsDelivered'));
  cells[4].textContent = String(total(sum, 'connectionsOpen'));
  cells[5].textContent = String(stats.sum.subscribers);
  // Entries someone else wrote into the feed's Redis log, which the processes removed (server/redis/feed.ts).
  const foreign = stats.foreign;
  foreignLine.hidden = !foreign?.last;
  foreignLine.textContent = foreign?.last
    ? t('so.foreign', {
        n: foreign.removed,
        ids: foreign.last.ids.join(', '),
        process: foreign.last.process,
        time: new Date(foreign.last.at).toLocaleTimeString(),
      })
    : '';
  retiredLine.textContent = stats.retired.processes > 0 ? t('so.retired', { n: stats.retired.processes }) : '';
}

if (config.cluster) {
  showToken();
  addEventListener('hashchange', () => {
    takeToken();
    showToken();
    refresh();
  });
  refresh();
  setInterval(refresh, REFRESH_MS);
} else {
  root.replaceChildren(
    h(
      'div',
      { 'data-field': 'missing', role: 'note' },
      h('p', {}, t('so.page.missing')),
      h('pre', { class: 'mono' }, 'npm run cluster'),
      h('p', {}, t('so.missing.then')),
    ),
  );
}
