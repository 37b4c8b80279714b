// The pieces a section is made of. A block is { element, render() }: main.js puts
// each section's blocks on the page once, then calls render() whenever the page is
// drawn again (a new width, large type). A chart block is a figure: its own controls
// (a form above the chart, redrawing only this chart), the canvas, a caption, and
// the figures behind the chart in a table that opens with the keyboard.
import { charts } from './chart-kit.js';
import { R } from './run.js';
import { el, table as tableOf } from './format.js';
import { t, tt } from './words.js';

/**
 * @typedef {{ element: HTMLElement, render: () => void }} Block
 * @typedef {{ kind: 'radios' | 'select', name: string, label: string, options: [string, string][], value?: string }} Control
 * @typedef {object} ChartSpec
 * @property {string} id
 * @property {boolean} [tall]
 * @property {() => Control[]} [controls]
 * @property {string} [controlsLabel]
 * @property {(values: Record<string, string>) => void} render
 */

const figureOf = (id) => /** @type {HTMLElement | null} */ (document.querySelector(`figure[data-chart="${id}"]`));

/** A radio group (`label`: a word key; options: [value, words]). @returns {Control} */
export const radios = (name, label, options, value) => ({ kind: 'radios', name, label, options, value });
/** A drop-down list. @returns {Control} */
export const select = (name, label, options, value) => ({ kind: 'select', name, label, options, value });

/** The form of a chart's controls; `changed` runs when the reader picks something. */
function controlsForm(labelKey, controls, changed) {
  const form = el('form', { class: 'controls', 'aria-label': tt(labelKey) });
  for (const c of controls) {
    const chosen = c.options.some(([v]) => v === c.value) ? c.value : c.options[0]?.[0];
    if (c.kind === 'radios') {
      form.append(
        el(
          'fieldset',
          {},
          el('legend', {}, tt(c.label)),
          c.options.map(([value, words]) =>
            el('label', {}, el('input', { type: 'radio', name: c.name, value, checked: value === chosen }), ' ', el('span', {}, words)),
          ),
        ),
      );
    } else {
      const list = el(
        'select',
        { name: c.name },
        c.options.map(([value, words]) => el('option', { value, selected: value === chosen }, words)),
      );
      form.append(el('label', { class: 'select' }, el('span', {}, tt(c.label)), ' ', list));
    }
  }
  form.addEventListener('change', changed);
  form.addEventListener('submit', (event) => event.preventDefault());
  return form;
}

/**
 * A chart: `render(values)` draws it (kit's draw(id, ...)), sets its caption and
 * table, or hides it with the reason; `values` are its controls' current choices.
 * `controls` is called once the run is known (the choices depend on what it measured).
 * `controlsLabel` names the form for a screen reader (a word key).
 * @param {ChartSpec} chart
 * @returns {Block}
 */
export function chartBlock({ id, tall = false, controls, controlsLabel = 'controls.chart', render }) {
  const box = el('div', { class: tall ? 'chart-box tall' : 'chart-box' }, el('canvas', { id: `chart-${id}`, role: 'img' }));
  const figure = el('figure', { 'data-chart': id }, box, el('figcaption', { id: `caption-${id}` }));
  // A control with no choices (a run without the scenario it chooses in) is left out: it has no value to read.
  const list = (controls ? controls() : []).filter((c) => c.options.length > 0);
  const form = list.length ? controlsForm(controlsLabel, list, () => draw()) : null;
  if (form) figure.prepend(form);
  const values = () => Object.fromEntries(list.map((c) => [c.name, /** @type {any} */ (form.elements.namedItem(c.name)).value]));
  const draw = () => {
    showFigure(id);
    render(values());
  };
  return { element: figure, render: draw };
}

/** Any other part of a section (a table, a paragraph): `render(node)` fills `node`. @returns {Block} */
export function htmlBlock(tag, attrs, render) {
  const node = el(tag, attrs);
  return { element: node, render: () => render(node) };
}

/** A sub-heading inside a section (an id, so that the language switch keeps the place). @returns {Block} */
export function headingBlock(id, key) {
  return { element: el('h3', { id }, tt(key)), render: () => {} };
}

/** A paragraph of the page's words. @returns {Block} */
export function explainBlock(key) {
  const node = el('p', { class: 'explain' });
  node.innerHTML = t(key);
  return { element: node, render: () => {} };
}

/** Sets a chart's caption (HTML), with the quick-run mark in front when it is one. */
export function caption(id, html) {
  const node = document.getElementById(`caption-${id}`);
  if (node) node.innerHTML = (R?.quick ? `<strong class="quick-mark">${t('quick.captionMark')}</strong> ` : '') + html;
}

/** Puts the figures behind a chart under it, in a table that opens with the keyboard. */
export function dataTable(id, headers, rows) {
  const figure = figureOf(id);
  if (!figure) return;
  const old = figure.querySelector('details');
  const details = el('details', { class: 'data', open: Boolean(old?.open) }, el('summary', {}, t('figures.behind')));
  old?.remove();
  details.append(el('div', { class: 'table-wrap' }, tableOf(headers, rows)));
  figure.append(details);
}

/** Empties a figure and says why it has no chart in this run. */
export function hideFigure(id, why) {
  const figure = figureOf(id);
  if (!figure) return;
  charts[id]?.destroy();
  delete charts[id];
  figure.dataset.empty = 'true';
  /** @type {HTMLElement} */ (figure.querySelector('.chart-box')).hidden = true;
  figure.querySelector('details')?.remove();
  const node = document.getElementById(`caption-${id}`);
  if (node) node.innerHTML = t('figure.notMeasured', { why });
}

/** Shows a figure's chart again (a control brought its data back). */
function showFigure(id) {
  const figure = figureOf(id);
  if (!figure) return;
  delete figure.dataset.empty;
  /** @type {HTMLElement} */ (figure.querySelector('.chart-box')).hidden = false;
}
