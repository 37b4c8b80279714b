/**
 * The cluster's control page, `GET /cluster/` through nginx: every lab process
 * with its port, pid, state and traffic, the sum, and a Kill and a Restart button
 * each. One self-contained HTML document (the lab's stylesheet aside, which nginx
 * fetches from any lab process), refreshed once a second from /cluster/stats;
 * its buttons POST to the control endpoints from the cluster's own origin, the
 * only one they accept.
 */
import { I18N, type Lang, chooseLang, escapeHtml } from '../i18n.ts';

/**
 * The reader's language, as the lab's pages pick it (i18n.ts): `?lang=`, else the
 * `lang` cookie the lab's pages set on this same origin, else Accept-Language.
 */
export function pickLang(url: string, headers: { cookie?: string; 'accept-language'?: string }): Lang {
  return chooseLang(new URL(url, 'http://x').searchParams.get('lang'), headers);
}

/** The whole page in `lang`. */
export function controlPage(lang: Lang): string {
  const t = I18N[lang];
  const words = Object.fromEntries(Object.entries(t).filter(([key]) => key.startsWith('so.') || key.startsWith('label.')));
  // JSON inside <script> must not be able to close it.
  const json = JSON.stringify(words).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-Hans' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t['so.page.title'])} · Wirelab</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<main id="main">
<h1>${escapeHtml(t['so.page.title'])}</h1>
<p class="lead">${escapeHtml(t['so.page.lead'])} <a href="/">/</a> · <a href="/board">/board</a> · <a href="/cluster/stats">/cluster/stats</a></p>
<div style="overflow-x:auto">
<table data-field="cluster">
<thead><tr>${['so.col.name', 'so.col.port', 'so.col.state', 'so.col.requests', 'so.col.events', 'so.col.open', 'so.col.subscribers', 'so.col.actions'].map((key) => `<th scope="col">${escapeHtml(t[key])}</th>`).join('')}</tr></thead>
<tbody></tbody>
<tfoot><tr data-field="sum"><th scope="row">${escapeHtml(t['so.sum'])}</th><td></td><td></td><td class="mono"></td><td class="mono"></td><td class="mono"></td><td class="mono"></td><td></td></tr></tfoot>
</table>
</div>
<p role="status" aria-live="polite" data-field="said"></p>
</main>
<script type="application/json" id="words">${json}</script>
<script>
// Sums over the five transports of one process's /stats (or of the cluster's sum).
const words = JSON.parse(document.getElementById('words').textContent);
const t = (key, values = {}) => (words[key] ?? key).replace(/\\{(\\w+)\\}/g, (_, name) => String(values[name] ?? ''));
const total = (transports, field) => Object.values(transports ?? {}).reduce((sum, traffic) => sum + (traffic[field] ?? 0), 0);
const body = document.querySelector('tbody');
const said = document.querySelector('[data-field="said"]');
const cell = (text, mono) => { const td = document.createElement('td'); td.textContent = text; if (mono) td.className = 'mono'; return td; };
// Kill or Restart one process: a POST from this page's own origin, the only one the launcher accepts.
async function act(name, action) {
  said.textContent = '…';
  const response = await fetch('/cluster/processes/' + encodeURIComponent(name) + '/' + action, { method: 'POST' });
  const answer = await response.json();
  said.textContent = response.ok ? name + ': ' + (answer.signal ?? action) + ' (pid ' + (answer.pid ?? answer.stoppedPid) + ')' : answer.error.message;
  refresh();
}
// One row per process, then the sum: what /cluster/stats answers now.
async function refresh() {
  let stats;
  try {
    stats = await (await fetch('/cluster/stats', { cache: 'no-store' })).json();
  } catch {
    return; // the launcher is stopping: the page stays as it was
  }
  const rows = stats.processes.map((p) => {
    const row = document.createElement('tr');
    row.dataset.process = p.name;
    row.dataset.state = p.up ? 'up' : 'down';
    const name = document.createElement('th');
    name.scope = 'row';
    name.textContent = p.name;
    const buttons = document.createElement('td');
    buttons.style.whiteSpace = 'nowrap';
    for (const action of ['kill', 'restart']) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = t(action === 'kill' ? 'so.kill' : 'so.restart');
      button.disabled = !p.up;
      button.addEventListener('click', () => act(p.name, action));
      buttons.append(button, ' ');
    }
    const s = p.stats;
    row.append(name, cell(String(p.port), true), cell(p.up ? t('so.state.up') + ' · pid ' + p.pid : t('so.state.down')),
      cell(s ? String(total(s.transports, 'requests')) : '–', true), cell(s ? String(total(s.transports, 'eventsDelivered')) : '–', true),
      cell(s ? String(total(s.transports, 'connectionsOpen')) : '–', true), cell(s ? String(s.subscribers) : '–', true), buttons);
    return row;
  });
  body.replaceChildren(...rows);
  const sum = document.querySelectorAll('[data-field="sum"] td');
  sum[2].textContent = String(total(stats.sum.transports, 'requests'));
  sum[3].textContent = String(total(stats.sum.transports, 'eventsDelivered'));
  sum[4].textContent = String(total(stats.sum.transports, 'connectionsOpen'));
  sum[5].textContent = String(stats.sum.subscribers);
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
}
