/** The results page's shell: which run a `?run=` may name, and what the switches keep. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { focusedRuns, resultsPage, runFileOf } from './results-page.ts';

test('a run is a file the bench writes under results/, or else the reference run', () => {
  for (const ok of [
    'latest.json',
    'quick/latest.json',
    'runs/2026-12-01T06-28-44Z-dca0c1e6.json',
    'quick/runs/x-quick.json',
    'runs/tmp/bench-test-1/runs/a.json',
    'libraries/latest.json',
    'libraries/runs/2026-12-07T16-52-45Z-4a53f665.json',
  ]) {
    assert.equal(runFileOf(ok), ok, ok);
  }
  for (const bad of [
    undefined,
    '',
    'latest',
    '../package.json',
    'runs/../../x.json',
    '/etc/passwd',
    'runs/a.json?x',
    ['latest.json'],
    'summary.md',
    'libraries/summary.md',
    'Libraries/latest.json',
    'a/b/latest.json',
  ]) {
    assert.equal(runFileOf(bad), 'latest.json', String(bad));
  }
});

test('the page keeps the run shown and the export layout in its path (the language and protocol switches link to it)', () => {
  assert.equal(resultsPage({}, 'en').path, '/results');
  assert.equal(resultsPage({ run: 'latest.json' }, 'en').path, '/results');
  assert.equal(resultsPage({ run: 'quick/latest.json', export: '1' }, 'zh').path, '/results?run=quick%2Flatest.json&export=1');
  const zh = resultsPage({ run: '../x.json' }, 'zh');
  assert.equal(zh.path, '/results', 'a bad run name is not echoed');
  assert.equal((zh.data.results as { runFile: string }).runFile, 'latest.json');
  assert.match(zh.body.toString(), /<h1>Wirelab：/, 'the Chinese words');
  assert.equal(zh.title, '测量结果');
});

test('the page names the focused runs beside the reference one: folders of results/ with a latest.json, not the quick run', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'wirelab-results-'));
  try {
    for (const dir of ['libraries', 'loss', 'quick', 'empty', 'Bad Name']) mkdirSync(path.join(root, dir));
    for (const dir of ['libraries', 'loss', 'quick', 'Bad Name']) writeFileSync(path.join(root, dir, 'latest.json'), '{}');
    writeFileSync(path.join(root, 'latest.json'), '{}');
    const why = 'a run folder the page could show, never quick/, an empty folder or a name ?run= refuses';
    assert.deepEqual(focusedRuns(root), ['libraries', 'loss'], why);
    assert.deepEqual(focusedRuns(path.join(root, 'none')), [], 'no results folder: none');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const page = resultsPage({}, 'en');
  const committed = (page.data.results as { focused: string[] }).focused;
  for (const dir of ['h2-native', 'libraries', 'loss']) assert.ok(committed.includes(dir), `the committed ${dir}/ run is offered`);
});
