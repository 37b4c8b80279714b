/**
 * The body of the cluster's page, /cluster/: a page of the lab like the others
 * (pages.ts gives it the site's header, language and large type), served by any
 * lab process. Its script (public/cluster.js) reads the launcher's control
 * endpoints through nginx and draws the processes, their figures and the sum;
 * reached without the cluster (npm start), it says how to start one.
 */
import { type Html, html, joinHtml } from './html.ts';

/** The columns of the processes' table, as i18n keys. */
const COLUMNS = [
  'so.col.name',
  'so.col.port',
  'so.col.state',
  'so.col.requests',
  'so.col.events',
  'so.col.open',
  'so.col.subscribers',
  'so.col.actions',
];

/** The page's body in the words `t`; the script fills the table. */
export function clusterPageBody(t: Record<string, string>): Html {
  const head = COLUMNS.map((key) => html`<th scope="col">${t[key]}</th>`);
  // Each cell names its column (data-label): on a phone a row is drawn as a card that says what each figure is.
  const sumCells = COLUMNS.slice(1).map((key, i) => html`<td data-label="${t[key]}"${i >= 2 && i <= 5 ? html` class="mono"` : ''}></td>`);
  const links = [
    html`<a href="/lessons/scale-out">${t['so.page.lesson']}</a>`,
    html`<a href="/board">${t['nav.board']}</a>`,
    html`<a href="/cluster/stats">/cluster/stats</a>`,
  ];
  return html`<h1>${t['so.page.title']}</h1>
<p class="lead">${t['so.page.lead']}</p>
<p class="cluster-links">${joinHtml(links, ' · ')}</p>
<div class="cluster" data-field="cluster-page">
<p data-field="redis" class="cluster-redis" hidden></p>
<p data-field="token" class="cluster-token" role="note" hidden></p>
<p data-field="foreign" class="cluster-foreign" role="status" hidden></p>
<div class="cluster-table">
<table data-field="cluster">
<thead><tr>${head}</tr></thead>
<tbody></tbody>
<tfoot><tr data-field="sum"><th scope="row">${t['so.sum']}</th>${sumCells}</tr></tfoot>
</table>
</div>
<p class="cluster-retired" data-field="retired"></p>
<p role="status" aria-live="polite" data-field="said"></p>
</div>`;
}
