/**
 * A check report as HTML, for a person: the verdicts per transport, then each
 * case with its explanation, its reason, the spec's section, and the bytes each
 * way. `reportSection` is the body the lab serves inside its own page frame
 * (/check/<name>.html); `reportDocument` is the same, standalone, both languages.
 */
import { type Html, html, joinHtml, trusted } from '../html.ts';
import { I18N, type Lang, LANGS } from '../i18n.ts';
import { explain } from './explain.ts';
import { TRANSPORTS, VERDICTS, type CheckReport } from './types.ts';

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));

/** The report's body in `lang`. */
export function reportSection(report: CheckReport, lang: Lang): Html {
  const t = I18N[lang];
  const verdictLabel = (v: string) => t[`verdict.${v}`] ?? v;
  const transports = TRANSPORTS.filter((tr) => report.cases.some((c) => c.transport === tr));
  const countRow = (tr: (typeof TRANSPORTS)[number]) =>
    html`<tr><th>${t[`label.${tr}`] ?? tr}</th><td>${report.protocols[tr] ?? ''}</td>${VERDICTS.map(
      (v) => html`<td>${report.cases.filter((c) => c.transport === tr && c.verdict === v).length}</td>`,
    )}</tr>`;
  const counts = html`<table class="check-counts"><thead><tr><th></th><th></th>${VERDICTS.map(
    (v) => html`<th class="verdict-${v}">${verdictLabel(v)}</th>`,
  )}</tr></thead><tbody>
${joinHtml(transports.map(countRow), '\n')}
</tbody></table>`;
  const rows = report.cases.map((c) => {
    const why = explain(c.id, lang);
    const lesson = why && html`<p><a href="${why.lesson}">${t['check.lesson']}</a> · ${c.section}</p>`;
    return html`<tr class="verdict-${c.verdict}" data-case="${c.id}" data-verdict="${c.verdict}">
<td><code>${c.id}</code></td>
<td><strong class="badge verdict-${c.verdict}">${verdictLabel(c.verdict)}</strong></td>
<td><p>${why?.text ?? c.title}</p>${lesson}</td>
<td><p>${c.reason}</p><p>${c.timeMs} ms, ${fill(t['check.protocol'], { protocol: c.protocol })}</p>
<details><summary>${t['check.sent']} / ${t['check.received']}</summary><pre>${c.sent}</pre><pre>${c.received}</pre></details></td>
</tr>`;
  });
  const summary = fill(t['check.summary'], {
    url: report.url,
    count: report.cases.length,
    seconds: (report.durationMs / 1000).toFixed(1),
    date: report.startedAt,
  });
  const headings = [
    html`<th>${t['check.case']}</th><th>${t['check.verdict']}</th>`,
    html`<th>${t['check.why']}</th><th>${t['check.answer']}</th>`,
  ];
  return html`<p class="lead">${summary}</p>
${counts}
<table class="check-cases"><thead><tr>${headings}</tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody></table>`;
}

/** The styles the report needs when it stands alone (the lab's pages have them in style.css). */
const STANDALONE_CSS =
  `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:1rem}html.large body{font-size:24px}
header{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ccc;padding-bottom:.5rem}` +
  `header .brand{font-weight:700;margin-right:auto}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
.badge{padding:0 .4rem;border-radius:.3rem;white-space:nowrap}` +
  `.verdict-pass .badge{background:#d6f5d6}.verdict-fail .badge{background:#f8d0d0}
.verdict-non-strict .badge{background:#fbeec0}.verdict-info .badge{background:#d6e8f8}.verdict-missing .badge{background:#e4e4e4}
pre{white-space:pre-wrap;word-break:break-all;font-size:.85em;background:#f6f6f6;padding:.4rem}`;

/** The report as one file, both languages in it (a switch shows one), large type included. */
export function reportDocument(report: CheckReport, name: string): string {
  const sections = LANGS.map(
    (lang) => html`<section lang="${lang === 'zh' ? 'zh-Hans' : 'en'}" data-lang="${lang}"${lang !== 'en' && html` hidden`}>
<h1>${I18N[lang]['check.reportTitle']}: ${name}</h1>
${reportSection(report, lang)}
</section>`,
  );
  const header = [
    html`<header><span class="brand">Wirelab</span>`,
    html`<button type="button" id="lang">中文 / English</button><button type="button" id="large">A+</button></header>`,
  ];
  // The style sheet and the script are this file's own constants.
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${I18N.en['check.reportTitle']}: ${name} · Wirelab</title><style>${trusted(STANDALONE_CSS)}</style></head>
<body>${header}
<main>${joinHtml(sections, '\n')}</main>
<script>
document.getElementById('lang').onclick = () => { for (const s of document.querySelectorAll('section[data-lang]')) s.hidden = !s.hidden; };
document.getElementById('large').onclick = () => document.documentElement.classList.toggle('large');
</script>
</body></html>
`.toString();
}
