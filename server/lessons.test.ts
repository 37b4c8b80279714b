/**
 * The lessons as files and as pages: both languages complete and parallel, the
 * one shape every lesson has, links that lead somewhere, the language rules.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FIGURE_NAME, buildFigures, loadFigures } from './figures.ts';
import { LANGS, LESSONS, SECTION_IDS, loadLesson, renderLesson } from './lessons.ts';
import { ROOT } from './paths.ts';
import { TRANSPORT_IDS } from './transports/registry.ts';
import { type RunningLab, eachLessonSource, startLab } from './test-helpers.ts';

const eachLesson = eachLessonSource;

let lab: RunningLab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab.close();
});

test('every lesson exists in every language, with the six sections in order and the same demos', () => {
  for (const name of LESSONS) {
    const demos: string[][] = [];
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      assert.ok(lesson.title.length > 1, `${lang}/${name}: a title`);
      assert.ok(lesson.summary.length > 20, `${lang}/${name}: a one-sentence summary`);
      const ids = [...lesson.html.matchAll(/<h2 id="([a-z0-9]+)"/g)].map((m) => m[1]).filter((id) => SECTION_IDS.includes(id));
      assert.deepEqual(ids, SECTION_IDS, `${lang}/${name}: the six sections, in order`);
      assert.ok(lesson.demos.length >= 1, `${lang}/${name}: embeds a live demo`);
      assert.doesNotMatch(lesson.html, /\[\[demo:/, `${lang}/${name}: no demo marker left unrendered`);
      demos.push(lesson.demos);
    }
    assert.deepEqual(demos[1], demos[0], `${name}: the same demos in both languages`);
  }
});

test('every demo a lesson names exists, and every /code/ link points at a real file', () => {
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      for (const demo of lesson.demos) {
        const known = (TRANSPORT_IDS as readonly string[]).includes(demo) || existsSync(path.join(ROOT, 'public', 'demos', `${demo}.js`));
        assert.ok(known, `${lang}/${name}: demo ${demo} has a module`);
      }
      for (const [, file] of lesson.html.matchAll(/href="\/code\/([^"#]+)/g)) {
        assert.ok(existsSync(path.join(ROOT, file)), `${lang}/${name}: /code/${file} exists`);
      }
    }
  }
});

test("lesson pages, the index and the board answer in the reader's language", async () => {
  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${lab.baseUrl}${url}`, { headers });
  const zh = await get('/lessons/sse', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
  assert.equal(zh.status, 200, 'lesson page');
  assert.match(await zh.text(), /<html lang="zh-Hans">/, 'Accept-Language zh picks Chinese');
  const en = await get('/lessons/sse?lang=en', { 'accept-language': 'zh-CN' });
  assert.match(en.headers.get('set-cookie') ?? '', /^lang=en;/, '?lang is remembered');
  assert.match(await en.text(), /<html lang="en">/, '?lang wins over Accept-Language');
  const remembered = await get('/', { cookie: 'lang=zh' });
  const index = await remembered.text();
  assert.match(index, /<html lang="zh-Hans">/, 'the cookie is honoured');
  for (const name of LESSONS) assert.match(index, new RegExp(`href="/lessons/${name}"`), `the index links ${name}`);
  assert.match(index, /href="\/board"/, 'the index links the board');
  assert.match(index, /href="\/results"/, 'the index links the results');
  const board = await (await get('/board')).text();
  for (const id of TRANSPORT_IDS) assert.match(board, new RegExp(`data-transport="${id}"`), `the board has a ${id} panel`);
  const missing = await get('/lessons/telegraph');
  assert.equal(missing.status, 404, 'an unknown lesson is 404');
});

test("the source viewer shows the lab's code and nothing else", async () => {
  const ok = await fetch(`${lab.baseUrl}/code/server/transports/sse.ts`);
  assert.equal(ok.status, 200, 'a transport file');
  assert.match(await ok.text(), /text\/event-stream/, 'its source, escaped into the page');
  for (const bad of [
    '/code/package.json',
    '/code/server/../package.json',
    '/code/server/%2e%2e/.git/config',
    '/code/node_modules/ws/index.js',
    '/code/server/nope.ts',
  ]) {
    assert.equal((await fetch(`${lab.baseUrl}${bad}`)).status, 404, `${bad} is not shown`);
  }
});

// ---------------------------------------------------------------- figures

test('every figure placeholder in every lesson resolves, and the page shows it with its source', () => {
  const table = loadFigures();
  for (const { name, lang, source, where } of eachLesson()) {
    const lesson = loadLesson(name, lang);
    assert.deepEqual(lesson.missingFigures, [], `${where}: every placeholder names a figure of the reference run`);
    for (const braces of source.matchAll(/\{\{[\s\S]{0,60}/g)) {
      assert.match(
        braces[0],
        /^\{\{fig:[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9]*\}\}/,
        `${where}: "{{" only opens a placeholder, {{fig:<name>}}: ${braces[0].split('\n')[0]}`,
      );
    }
    assert.doesNotMatch(lesson.html, /\{\{fig|\uE000|\uE001|figure-missing/, `${where}: nothing left unfilled`);
    for (const figure of lesson.figures) {
      assert.match(figure, FIGURE_NAME, `${where}: ${figure} is a figure name`);
      const { text, path: jsonPath } = table.figures.get(figure)!;
      const escapeRegExp = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(
        lesson.html,
        new RegExp(
          `<span class="figure" data-figure="${escapeRegExp(figure)}" ` +
            `title="[^"]*${escapeRegExp(jsonPath.replace(/&/g, '&#38;'))}">${escapeRegExp(text)}</span>`,
        ),
        `${where}: ${figure} shows as ${text}, titled with its path`,
      );
      assert.ok(lesson.html.includes(`<td><code>${figure}</code></td>`), `${where}: ${figure} is listed at the end of the page`);
    }
  }
});

test('for each lesson, both languages quote the same figures', () => {
  for (const name of LESSONS) {
    const [en, zh] = LANGS.map((lang) => [...new Set(loadLesson(name, lang).figures)].sort());
    assert.deepEqual(zh, en, `${name}: en and zh use the same set of figure placeholders`);
  }
});

test('an unknown placeholder fails loudly: listed as missing and shown on the page, never silently empty', () => {
  const source =
    '---\ntitle: T\nsummary: A summary quoting {{fig:nope.nothing}}.\n---\n\n' +
    '## Open side by side\n\nKnown {{fig:short-poll.responseHeadBytes}}, ' +
    'unknown {{fig:nope.nothing}}, broken {{fig:short-poll.responseHeadBytes}.\n\n`head {{fig:short-poll.responseHeadBytes}}`\n';
  const table = loadFigures();
  const lesson = renderLesson(source, 'en', 'test source', table);
  const names = lesson.missingFigures.map((m) => m.name);
  assert.ok(names.includes('nope.nothing'), 'the unknown figure is listed');
  assert.ok(
    names.some((n) => n.startsWith('{{fig:short-poll.responseHeadBytes}')),
    'the malformed placeholder is listed',
  );
  assert.match(
    lesson.html,
    /<mark class="figure-missing" data-figure="nope\.nothing" title="no figure is named[^"]*">\[figure nope\.nothing\?\]<\/mark>/,
    'the page marks it visibly',
  );
  assert.match(lesson.summary, /\[figure nope\.nothing\?\]/, 'so does the summary');
  const text = table.figures.get('short-poll.responseHeadBytes')!.text;
  assert.match(
    lesson.html,
    new RegExp(`<code>head <span class="figure"[^>]*>${text}</span></code>`),
    'a figure is filled inside inline code too',
  );
  const unavailable = renderLesson(source.replace('{{fig:nope.nothing}}', ''), 'zh', 'test source', buildFigures({}));
  assert.ok(
    unavailable.missingFigures.some((m) => m.name === 'short-poll.responseHeadBytes' && /no "scenarios"/.test(m.reason)),
    'a figure the run lacks is missing, with the reason',
  );
  assert.doesNotMatch(unavailable.html, /<details class="figures"/, 'and no source list is printed for figures that are not there');
});

test('lesson pages served by the lab carry the filled figures', async () => {
  const page = await (await fetch(`${lab.baseUrl}/lessons/short-poll?lang=zh`)).text();
  const figure = loadFigures().figures.get('short-poll.responseHeadBytes')!;
  assert.ok(page.includes(`data-figure="short-poll.responseHeadBytes"`), 'the figure is on the page');
  assert.ok(page.includes(`>${figure.text}</span>`), `as ${figure.text}`);
  assert.doesNotMatch(page, /\{\{fig:|figure-missing/, 'nothing unfilled');
});

// ---------------------------------------------------------------- plain-text summaries

test('titles and summaries are plain text: no Markdown, since the index and the page header show them escaped', () => {
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      for (const [field, text] of [
        ['title', lesson.title],
        ['summary', lesson.summary],
      ] as const) {
        assert.doesNotMatch(
          text,
          /[`*_#<>\\]|\[[^\]]*\]\(|\{\{|\[\[/,
          `${lang}/${name}: the ${field} has no backticks, emphasis, links, HTML or placeholders left: ${text}`,
        );
      }
    }
  }
});
