/**
 * The two languages of a lesson teach the same thing: the same sections in the same
 * places, the same measured figures, the same commands and code, the same links and
 * tables. What may differ is the prose, and the comments inside code samples, which
 * each language writes in its own words. The lesson list is the registry's, not typed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import MarkdownIt from 'markdown-it';
import { escapeHtml } from './html.ts';
import { LANGS, type Lang, LESSONS, type LessonName, loadLesson } from './lessons.ts';
import { ROOT } from './paths.ts';

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
const sourceOf = (name: LessonName, lang: Lang) => readFileSync(path.join(ROOT, 'lessons', lang, `${name}.md`), 'utf8');
const body = (source: string) => source.replace(/^---\n[\s\S]*?\n---\n/, '');

/**
 * A code sample with what each language writes in its own words taken out: its
 * comments (a block comment on one line, and a `#` or `//` that starts a line or follows a space, to the end
 * of the line: `http://` and `a#b` are not comments) and the text of fill-in slots such as
 * `<nginx port>` (angle brackets around words, not a tag: no `=`, quote, `!` or `/`).
 * Lines are compared without trailing space, and lines left empty are dropped.
 */
export function withoutComments(code: string): string {
  return code
    .split('\n')
    .map((line) =>
      line
        .replace(/\/\*.*?\*\//g, '/**/')
        .replace(/(^|\s)(#|\/\/)(\s.*)?$/, '')
        .replace(/<[^<>!/="'\n]*[ \u0080-\uffff][^<>="'\n]*>/g, '<…>')
        .trimEnd(),
    )
    .filter((line) => line !== '')
    .join('\n');
}

interface Shape {
  /** Every heading: its level and its text's place among the six standard sections (or none). */
  headings: string[];
  /** Figure placeholders, in order. */
  figures: string[];
  /** Link targets, in order. */
  links: string[];
  /** Fenced code: its info string and its code without comments. */
  code: string[];
  /** Each table's rows and columns. */
  tables: string[];
  /** `[[...]]` markers (demos, the lesson list), in order. */
  markers: string[];
  /** Inline code in the prose (names, values, headers, commands), as a sorted set; fill-in slots such as `<name>` as `<…>`. */
  inline: string[];
  /** Settings a lesson starts the lab with (`HEARTBEAT_MS=2000`), in prose or code, sorted. */
  settings: string[];
}

function shapeOf(name: LessonName, lang: Lang): Shape {
  const source = body(sourceOf(name, lang));
  const tokens = markdown.parse(source, {});
  const shape: Shape = { headings: [], figures: [], links: [], code: [], tables: [], markers: [], inline: [], settings: [] };
  const prose = source.replace(/^```[\s\S]*?^```$/gm, '');
  shape.inline = [...new Set([...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1].replace(/<[^<>`]*>/g, '<…>')))].sort();
  shape.settings = [...source.matchAll(/\b[A-Z][A-Z0-9_]{3,}=[\w:/.…-]+/g)].map((m) => m[0]).sort();
  const ids = [...loadLesson(name, lang).html.matchAll(/<h([1-6]) id="([a-z0-9]+)"/g)].map((m) => `h${m[1]}#${m[2]}`);
  shape.headings = ids;
  shape.figures = [...source.matchAll(/\{\{fig:([^}]*)\}\}/g)].map((m) => m[1]);
  shape.markers = [...source.matchAll(/^\[\[([^\]]+)\]\]$/gm)].map((m) => m[1]);
  let rows = 0;
  let columns = 0;
  for (const token of tokens) {
    if (token.type === 'fence') shape.code.push(`${token.info.trim()}\n${withoutComments(token.content)}`);
    if (token.type === 'table_open') rows = columns = 0;
    if (token.type === 'tr_open') rows++;
    if ((token.type === 'th_open' || token.type === 'td_open') && rows === 1) columns++;
    if (token.type === 'table_close') shape.tables.push(`${rows}x${columns}`);
    for (const child of token.children ?? []) {
      if (child.type === 'link_open') shape.links.push(String(child.attrGet('href') ?? ''));
    }
  }
  return shape;
}

test('code samples are compared without their comments', () => {
  assert.equal(withoutComments('curl -s http://a/b#c   # fetch it\n# a whole line\nx = 1; // set'), 'curl -s http://a/b#c\nx = 1;');
  assert.equal(withoutComments('redis-cli XLEN wirelab:log      # 大约 BUFFER_SIZE'), 'redis-cli XLEN wirelab:log');
  const same = (zh: string, en: string, what: string) => assert.equal(withoutComments(zh), withoutComments(en), what);
  same('LAB=http://127.0.0.1:<nginx 端口>', 'LAB=http://127.0.0.1:<nginx port>', 'a fill-in slot');
  same('f = () => { /* 更新页面 */ };', 'f = () => { /* update the page */ };', 'a block comment');
  assert.equal(withoutComments('<script>f()</script><!-- keep-alive -->'), '<script>f()</script><!-- keep-alive -->', 'tags stay');
});

function assertSameShape(name: LessonName): void {
  const [en, zh] = LANGS.map((lang) => shapeOf(name, lang));
  assert.deepEqual(zh.headings, en.headings, `${name}: the same headings, at the same levels, in the same order`);
  assert.deepEqual(zh.markers, en.markers, `${name}: the same demos (and lesson list), in the same order`);
  assert.deepEqual(zh.figures.slice().sort(), en.figures.slice().sort(), `${name}: the same figure placeholders, as many times each`);
  assert.deepEqual(zh.links.slice().sort(), en.links.slice().sort(), `${name}: the same links, as many times each`);
  assert.deepEqual(zh.tables, en.tables, `${name}: the same tables (rows x columns)`);
  assert.deepEqual(zh.inline, en.inline, `${name}: the same inline code (names, values, headers, commands)`);
  assert.deepEqual(zh.settings, en.settings, `${name}: the same settings to start the lab with`);
  assert.equal(zh.code.length, en.code.length, `${name}: as many code samples`);
  en.code.forEach((code, i) => {
    assert.equal(zh.code[i], code, `${name}: code sample ${i + 1} is the same apart from its comments`);
  });
}

for (const name of LESSONS) {
  test(`${name}: English and Chinese have the same shape`, () => assertSameShape(name));
}

test('both introductions list every lesson, from the registry, in reading order', () => {
  for (const lang of LANGS) {
    assert.match(sourceOf('intro', lang), /^\[\[lessons\]\]$/m, `${lang}/intro: the list is the [[lessons]] marker, not typed`);
    const html = loadLesson('intro', lang).html;
    const list = /<ol class="lesson-list">([\s\S]*?)<\/ol>/.exec(html);
    assert.ok(list, `${lang}/intro: the list is rendered`);
    const linked = [...list[1].matchAll(/<a href="\/lessons\/([a-z0-9-]+)">([^<]+)<\/a>/g)];
    assert.deepEqual(
      linked.map((m) => m[1]),
      [...LESSONS],
      `${lang}/intro: every lesson, in order`,
    );
    for (const [, lesson, title] of linked) {
      assert.equal(title, escapeHtml(loadLesson(lesson as LessonName, lang).title), `${lang}/intro: ${lesson} under its own title`);
    }
  }
});
