/**
 * The lessons as files and as pages: both languages complete and parallel, the
 * one shape of STYLE.md, links that lead somewhere, the language rules.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { LANGS, LESSONS, SECTION_IDS, loadLesson } from './lessons.ts';
import { ROOT } from './paths.ts';
import { TRANSPORT_IDS } from './stats.ts';
import { type RunningLab, startLab } from './test-helpers.ts';

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

test('lesson pages, the index and the board answer in the reader\'s language', async () => {
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

test('the source viewer shows the lab\'s code and nothing else', async () => {
  const ok = await fetch(`${lab.baseUrl}/code/server/transports/sse.ts`);
  assert.equal(ok.status, 200, 'a transport file');
  assert.match(await ok.text(), /text\/event-stream/, 'its source, escaped into the page');
  for (const bad of ['/code/package.json', '/code/server/../package.json', '/code/server/%2e%2e/.git/config', '/code/node_modules/ws/index.js', '/code/server/nope.ts']) {
    assert.equal((await fetch(`${lab.baseUrl}${bad}`)).status, 404, `${bad} is not shown`);
  }
});
