/** Every checker case is explained in both languages, with a lesson that exists (explain.ts, explanations.json). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../paths.ts';
import { ALL_CASES } from './cases/index.ts';
import { explain, explanationKey } from './explain.ts';

test('every case has a paragraph in English and Chinese: the page and the report would show a bare title otherwise', () => {
  const unexplained = ALL_CASES.filter((c) => !explain(c.id, 'en')?.text || !explain(c.id, 'zh')?.text).map((c) => c.id);
  assert.deepEqual(unexplained, [], 'cases without a paragraph in both languages');
});

test('each paragraph links a lesson that exists', () => {
  for (const c of ALL_CASES) {
    const { lesson } = explain(c.id, 'en')!;
    const name = lesson.replace(/^\/lessons\//, '');
    assert.ok(existsSync(path.join(ROOT, 'lessons', 'en', `${name}.md`)), `${c.id}: ${lesson} is a lesson`);
  }
});

test('cases that test one rule several ways share its paragraph', () => {
  assert.equal(explanationKey('ws.rsv1'), 'ws.reserved-bits');
  assert.equal(explanationKey('ws.rsv3'), 'ws.reserved-bits');
  assert.equal(explanationKey('sse.resume'), 'common.resume');
  assert.equal(explanationKey('no.such-case'), 'no.such-case', 'an unknown id stays itself (and has no paragraph)');
  assert.equal(explain('no.such-case', 'en'), undefined);
});
