/**
 * HTML the lab writes: a tagged template that escapes every value it is given,
 * unless the value is HTML already (made by `html` itself, or handed over with
 * `trusted`). What a page shows from a request, a file name, a check report or a
 * lesson's title can then never become markup by forgetting a call; the places
 * that insert markup as is are the few `trusted(...)` calls, each saying why it may.
 *
 * Written here rather than taken from a library: escape-goat's htmlEscape tag
 * escapes a template's values too, but cannot nest one template in another, which
 * every page here does; the whole of it is the forty lines below.
 */

/** Escapes text for HTML content and attribute values (attributes are always quoted with " here). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A piece of HTML: what `html` makes and what it inserts as is. */
export class Html {
  constructor(private readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

/** What a template may be given: HTML, text (escaped), a number, nothing (`null`, `undefined`, `false`: empty), or a list of these. */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** The template tag: html`<p>${text}</p>` escapes `text`; a list's items are put one after the other. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** `items` one after the other with `separator` (text, escaped) between them. */
export function joinHtml(items: readonly HtmlValue[], separator: string): Html {
  return new Html(items.map(render).join(escapeHtml(separator)));
}

/**
 * Markup inserted as is: the lab's own words that carry markup (public/i18n.json's
 * `<code>`, a lesson rendered by markdown-it), never anything a request brought.
 */
export function trusted(markup: string): Html {
  return new Html(markup);
}
