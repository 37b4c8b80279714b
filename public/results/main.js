// The results page: reads one run's JSON (results/latest.json, the reference run;
// ?run=quick/latest.json, the last quick run; ?run=runs/<id>.json, any run; the server
// checks the name) and draws every section from it (sections.js). No figure is typed
// here: the page only chooses how to show what the bench wrote. The header, the
// language and the protocol switch are every page's (server/pages.ts, chrome.js).
import { config } from '../lab.js';
import { EXPORT, charts, layoutProblems, setWidth } from './chart-kit.js';
import { $, el } from './format.js';
import { SCHEMAS, setRun } from './run.js';
import { SECTIONS } from './sections.js';
import { renderMeta } from './summary.js';
import { hasWord, t, tt } from './words.js';

const RUN_FILE = config.results.runFile;
if (EXPORT) document.body.classList.add('export');

/** @type {import('./blocks.js').Block[]} */
const blocks = [];
const sectionsNode = $('sections');

/** Each section on the page with its blocks, and its line in the table of contents. */
function build() {
  const toc = $('toc').querySelector('ul');
  for (const section of SECTIONS) {
    const titleId = `${section.id}-title`;
    const node = el('section', { id: section.id, 'aria-labelledby': titleId }, el('h2', { id: titleId }, tt(`h.${section.id}`)));
    if (section.explain) {
      const explain = el('p', { class: 'explain' });
      explain.innerHTML = t(`explain.${section.id}`);
      node.append(explain);
    }
    for (const block of section.blocks()) {
      node.append(block.element);
      blocks.push(block);
    }
    sectionsNode.append(node);
    toc.append(
      el('li', {}, el('a', { href: `#${section.id}` }, tt(hasWord(`nav.${section.id}`) ? `nav.${section.id}` : `h.${section.id}`))),
    );
  }
}

/** Draws everything for the current width; again when the width or the type size changes. */
function renderAll() {
  setWidth(sectionsNode.clientWidth);
  renderMeta();
  for (const block of blocks) block.render();
}

/** The contents entry of the section being read is marked, so that the reader sees where they are. */
function followReading() {
  const links = [...$('toc').querySelectorAll('a')];
  let pending = false;
  const update = () => {
    pending = false;
    const current = [...sectionsNode.children].filter((s) => s.getBoundingClientRect().top < 200).pop();
    for (const link of links) {
      if (current && link.getAttribute('href') === `#${current.id}`) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  };
  addEventListener(
    'scroll',
    () => {
      if (!pending) requestAnimationFrame(update);
      pending = true;
    },
    { passive: true },
  );
  update();
}

/** Titles are wrapped for a width and fonts sized for it: a new width or type size draws again. */
function redrawOnResize() {
  let timer;
  let lastWidth = sectionsNode.clientWidth;
  const again = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      window.resultsReady = false;
      renderAll();
      window.resultsReady = true;
    }, 120);
  };
  addEventListener('resize', () => {
    if (sectionsNode.clientWidth === lastWidth) return;
    lastWidth = sectionsNode.clientWidth;
    again();
  });
  new MutationObserver(again).observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
}

// What the page's tests (bench/bench.test.ts) and bench:png ask of the drawn page.
window.resultsLayoutProblems = layoutProblems;
/** The charts drawn now, by id. */
window.resultsCharts = () => Object.keys(charts);

/** Loads the run, then draws; any failure is shown on the page, never thrown. */
async function start() {
  try {
    const response = await fetch(`/results/${RUN_FILE}`, { cache: 'no-store' });
    if (!response.ok)
      throw new Error(
        response.status === 404
          ? tt('problem.missing', { file: RUN_FILE })
          : tt('problem.http', { file: RUN_FILE, status: response.status }),
      );
    const run = await response.json();
    if (!SCHEMAS.includes(run.schema))
      throw new Error(tt('problem.schema', { file: RUN_FILE, schema: run.schema, known: SCHEMAS.join(', ') }));
    setRun(run);
    build();
    renderAll();
    followReading();
    redrawOnResize();
  } catch (error) {
    const problem = $('problem');
    problem.hidden = false;
    problem.textContent = error.message;
    $('run-meta').textContent = '';
  } finally {
    window.resultsReady = true;
    document.body.dataset.ready = 'true';
  }
}

start();
