/** The escaping template (html.ts): text is escaped wherever it goes, HTML goes in as is. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Html, escapeHtml, html, joinHtml, trusted } from './html.ts';

test('escapeHtml escapes the five characters that can end text or an attribute, and nothing else', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  assert.equal(escapeHtml('中文 · plain'), '中文 · plain');
});

test('a value is escaped by default, in content and in attributes', () => {
  const name = '<script>alert(1)</script>';
  const out = html`<p title="${'"onmouseover="x'}">${name}</p>`.toString();
  assert.equal(out, '<p title="&#34;onmouseover=&#34;x">&#60;script&#62;alert(1)&#60;/script&#62;</p>');
});

test('HTML made by html or handed over with trusted goes in as is; numbers as digits; nothing as nothing', () => {
  const inner = html`<b>${'a&b'}</b>`;
  assert.ok(inner instanceof Html);
  assert.equal(html`<p>${inner} ${trusted('<code>npm</code>')}</p>`.toString(), '<p><b>a&#38;b</b> <code>npm</code></p>');
  assert.equal(html`${3} ${0} ${null}${undefined}${false}.`.toString(), '3 0 .');
});

test('a list is put one item after the other, each rendered by the same rules; joinHtml puts a separator between', () => {
  const items = ['<1>', html`<i>2</i>`];
  assert.equal(html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`.toString(), '<ul><li>&#60;1&#62;</li><li><i>2</i></li></ul>');
  assert.equal(joinHtml(items, '\n').toString(), '&#60;1&#62;\n<i>2</i>');
  assert.equal(joinHtml([], ', ').toString(), '');
});
