// Numbers as the results page writes them, and the DOM helpers its sections share.

const finite = (value) => value !== null && value !== undefined && Number.isFinite(value);

/** A number with `digits` decimals and thousands separators; 'n/a' when there is none. */
export const nf = (value, digits = 0) =>
  finite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** Milliseconds with the precision they deserve: 3 decimals under 1 ms, 1 under 100 ms. */
export const ms = (value) => (!finite(value) ? 'n/a' : value < 1 ? nf(value, 3) : value < 100 ? nf(value, 1) : nf(value, 0));

/** Bytes, with a decimal or two only where they matter. */
export const bytes = (value) => (!finite(value) ? 'n/a' : `${nf(value, value < 10 && value % 1 ? 2 : value < 100 && value % 1 ? 1 : 0)} B`);

/** An element of the page by id (any: the page knows what each one is). @type {(id: string) => any} */
export const $ = (id) => document.getElementById(id);

/** An element with attributes (class as className) and children (text set as text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A table from a header row and rows of cells (strings or nodes); the first cell of a row heads it. */
export function table(headers, rows, captionText) {
  const tableNode = el('table');
  if (captionText) tableNode.append(el('caption', {}, captionText));
  tableNode.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
  );
  tableNode.append(
    el(
      'tbody',
      {},
      rows.map((row) =>
        el(
          'tr',
          {},
          row.map((cell, i) => el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, cell)),
        ),
      ),
    ),
  );
  return tableNode;
}
