/** The results page's shell: which run a `?run=` may name, and what the switches keep. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resultsPage, runFileOf } from './results-page.ts';

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
