/**
 * The size check (source-size.ts): what it counts, what it lets through, and that
 * its exceptions only shrink; and that the repository passes it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_LINE_CHARS, MAX_LINES, check, lowered, measure, problems, readExceptions, sourceFiles } from './source-size.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const none = { longLines: {}, lines: {} };

test('measures lines and the lines over the limit; a final newline ends the last line, it is not one more', () => {
  assert.deepEqual(measure('a\nb\n'), { lines: 2, longLines: 0 });
  const text = `${'x'.repeat(MAX_LINE_CHARS)}\n${'y'.repeat(MAX_LINE_CHARS + 1)}`;
  assert.deepEqual(measure(text), { lines: 2, longLines: 1 }, '140 is fine, 141 is not');
  assert.deepEqual(measure('中'.repeat(MAX_LINE_CHARS)), { lines: 1, longLines: 0 }, 'characters, not bytes');
});

test('a file within the limits passes; one over them fails, and says what to do', () => {
  assert.deepEqual(problems('a.ts', { lines: MAX_LINES, longLines: 0 }, none), []);
  assert.match(problems('a.ts', { lines: 10, longLines: 1 }, none).join(), /a\.ts: 1 lines over 140 characters \(0 allowed\): wrap them/);
  assert.match(problems('a.ts', { lines: MAX_LINES + 1, longLines: 0 }, none).join(), /a\.ts: 401 lines \(400 allowed\): split it/);
});

test('an exception allows its count and no more, and a count above what the file has must come down', () => {
  const listed = { longLines: { 'a.ts': 3 }, lines: { 'a.ts': 450 } };
  assert.deepEqual(problems('a.ts', { lines: 450, longLines: 3 }, listed), [], 'exactly the counts listed');
  const oneMore = problems('a.ts', { lines: 450, longLines: 4 }, listed).join();
  assert.match(oneMore, /4 lines over 140 characters \(3 allowed\)/, 'one more long line fails');
  assert.match(problems('a.ts', { lines: 451, longLines: 3 }, listed).join(), /451 lines \(450 allowed\)/, 'one more line fails');
  assert.match(problems('a.ts', { lines: 450, longLines: 2 }, listed).join(), /lower its count to 2/, 'a wrapped line lowers the count');
  assert.match(problems('a.ts', { lines: 420, longLines: 3 }, listed).join(), /lower its count to 420/, 'a shorter file lowers it');
  const split = problems('a.ts', { lines: 380, longLines: 3 }, listed).join();
  assert.match(split, /drop it from the list/, 'a file split under 400 leaves the list');
});

test('source files are code and style in the source folders; data files and node_modules are not', () => {
  const files = sourceFiles(ROOT);
  for (const file of ['server/app.ts', 'public/lab.js', 'public/style.css', 'public/iframe-relay.html', '.ci/source-size.ts']) {
    assert.ok(files.includes(file), `${file} is checked`);
  }
  const data = files.filter((file) => /\.(json|md)$/.test(file) || file.includes('node_modules') || file.startsWith('results/'));
  assert.deepEqual(data, [], 'no data file');
});

test('the repository passes, and its exceptions name only files that exist', () => {
  assert.deepEqual(check(ROOT, readExceptions()), []);
});

test('--lower brings every count down to what its file has, never up, and drops what is within the limits', () => {
  const file = 'server/app.ts';
  const now = measure(readFileSync(path.join(ROOT, file), 'utf8'));
  const out = lowered(ROOT, { longLines: { [file]: now.longLines + 5, 'gone.ts': 3 }, lines: { [file]: 9999 } });
  assert.deepEqual(out.longLines, now.longLines > 0 ? { [file]: now.longLines } : {}, "down to the file's count; a file gone is dropped");
  assert.deepEqual(out.lines, now.lines > MAX_LINES ? { [file]: now.lines } : {}, 'a file within 400 lines leaves the list');
  assert.deepEqual(lowered(ROOT, { longLines: { [file]: 0 }, lines: {} }).longLines, {}, 'never raised');
});
