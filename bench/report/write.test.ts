/** Where a run is written: a quick run never lands on the reference run's files. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseArgs } from '../options.ts';
import { emptyResults } from './fixtures.ts';
import { resultsPaths, writeResults } from './write.ts';

test('a quick run is written under quick/, never over the reference run', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'wirelab-report-'));
  try {
    const quick = writeResults(emptyResults(true), out);
    assert.equal(existsSync(path.join(out, 'latest.json')), false, 'no latest.json at the top: that is the reference run');
    assert.equal(existsSync(path.join(out, 'summary.md')), false, 'no summary.md at the top');
    assert.equal(quick.latestFile, path.join(out, 'quick', 'latest.json'), "the quick run's latest.json is in quick/");
    assert.equal(quick.summaryFile, path.join(out, 'quick', 'summary.md'), 'its summary too');
    assert.equal(path.dirname(quick.runFile), path.join(out, 'quick', 'runs'), 'its run file in quick/runs/');
    assert.match(readFileSync(path.join(out, 'quick', '.gitignore'), 'utf8'), /^\*$/m, 'the quick folder keeps itself out of git');
    assert.match(
      readFileSync(quick.summaryFile, 'utf8'),
      /^# Wirelab bench results \(quick run\)/,
      'the summary says it is a quick run in its title',
    );

    const full = writeResults(emptyResults(false), out);
    assert.equal(full.latestFile, path.join(out, 'latest.json'), 'a full run is the reference run: latest.json at the top');
    assert.deepEqual(
      readdirSync(path.join(out, 'quick', 'runs')),
      ['2026-01-01T00-00-00Z-test-quick.json'],
      'the full run did not touch quick/',
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the default output of a quick run is results/quick/', () => {
  const root = path.join('somewhere', 'results');
  assert.equal(resultsPaths({ id: 'x', quick: true }, root).latestFile, path.join(root, 'quick', 'latest.json'));
  assert.equal(resultsPaths({ id: 'x', quick: false }, root).latestFile, path.join(root, 'latest.json'));
  assert.equal(parseArgs(['--quick']).outDir, 'results', 'the same --out root: the quick folder is chosen by the writer');
});
