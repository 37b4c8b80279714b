/**
 * /results as an ordinary page of the lab: the page chrome (pages.ts) around an
 * intro, a table of contents and the sections that public/results/main.js draws
 * from one run's JSON. The page's own words are public/results-i18n.json (the
 * browser modules get them in the page's config, so that they need no fetch).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type Html, html, trusted } from './html.ts';
import type { Lang } from './i18n.ts';
import { PUBLIC_DIR, RESULTS_DIR } from './paths.ts';

/**
 * The runs the bench writes: latest.json and runs/..., and the same in a folder of results/ that
 * a quick run (quick/) or a focused run (`--out=results/libraries`: libraries/) writes; nothing else.
 */
const RUN_FILE = /^(?:[a-z0-9][a-z0-9-]*\/)?(latest|runs\/(?:[\w-]+\/)*[\w.-]+)\.json$/;

/** The run a `?run=` names, or the reference run when it names none the bench could have written. */
export function runFileOf(asked: unknown): string {
  return typeof asked === 'string' && RUN_FILE.test(asked) && !asked.includes('..') ? asked : 'latest.json';
}

/**
 * The focused runs beside the reference one: folders of results/ holding a latest.json that
 * `npm run bench -- --only=<scenario> --out=results/<dir>` wrote (the quick run has its own switch).
 */
export function focusedRuns(dir = RESULTS_DIR): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
  const showable = (name: string) => runFileOf(`${name}/latest.json`) !== 'latest.json';
  return names.filter((name) => name !== 'quick' && showable(name) && existsSync(path.join(dir, name, 'latest.json'))).sort();
}

type Words = Record<string, string>;

/** The page's words in `lang`, English where a word is missing. Read per request: the page never serves stale words. */
function wordsFor(lang: Lang): Words {
  const all = JSON.parse(readFileSync(path.join(PUBLIC_DIR, 'results-i18n.json'), 'utf8')) as Record<Lang, Words>;
  return { ...all.en, ...all[lang] };
}

export interface ResultsPage {
  title: string;
  /** The page's path with the query that matters to it (the run shown), for the language and protocol switches. */
  path: string;
  body: Html;
  data: Record<string, unknown>;
}

/** The results page for the query `query` in `lang`. */
export function resultsPage(query: Record<string, unknown>, lang: Lang): ResultsPage {
  const runFile = runFileOf(query.run);
  const exportMode = query.export !== undefined;
  const words = wordsFor(lang);
  const keep = new URLSearchParams();
  if (runFile !== 'latest.json') keep.set('run', runFile);
  if (exportMode) keep.set('export', '1');
  const search = keep.toString();
  // The heading and the lede are the lab's own words with markup in them (<code>): trusted.
  const body = html`<div class="results">
<div class="intro">
  <h1>${trusted(words['page.h1'])}</h1>
  <p class="lede">${trusted(words['page.lede'])}</p>
  <div id="quick-banner" class="quick-banner" role="note" hidden></div>
  <p id="run-meta" class="meta" aria-live="polite">${words['page.loading'] ?? ''}</p>
  <p id="run-switch" class="meta"></p>
  <div id="schema-note" class="schema-note" role="note" hidden></div>
  <div id="problem" class="problem" hidden></div>
</div>
<div class="results-layout">
  <nav class="toc" id="toc" aria-label="${words['nav.sections']}"><ul></ul></nav>
  <div id="sections" class="sections"></div>
</div>
</div>`;
  return {
    title: words['page.title'].replace(/^Wirelab · /, ''),
    path: `/results${search ? `?${search}` : ''}`,
    body,
    data: { results: { runFile, exportMode, words, focused: focusedRuns() } },
  };
}
