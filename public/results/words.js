// The results page's words (results-i18n.json, put in the page's config by the server
// in the reader's language, English where a word is missing) and the lab's shared
// ones (i18n.json: transport labels, the header), so that /results names things as
// the board and the lessons do.
import { config, t as labWord } from '../lab.js';

/** @type {Record<string, string>} */
const WORDS = config.results.words;
/** @type {'en' | 'zh'} */
export const LANG = config.lang;

export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The text of `key` (HTML), with {name} filled from `vars`, escaped unless `raw`. */
export function t(key, vars = {}, { raw = false } = {}) {
  const template = WORDS[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? (raw ? String(vars[name]) : escapeHtml(vars[name])) : all));
}

/** The same, for canvas and attributes: no HTML, no escaping. */
export const tt = (key, vars = {}) => t(key, vars, { raw: true }).replace(/<[^>]+>/g, '');

/** Whether the page has words for `key`. */
export const hasWord = (key) => key in WORDS;

/** A transport's name, as every page of the lab writes it in this language. */
export const label = (id) => labWord(`label.${id}`);

/** A wire's name: HTTP/1.1, HTTP/1.1 over TLS, HTTP/2. */
export const wireLabel = (wire) => t(`wire.${wire}`);
