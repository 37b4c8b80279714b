/**
 * How the Markdown summary prints numbers and tables: thousands separators, a
 * fixed count of decimals, 'n/a' for every kind of missing number, the two
 * precision steps of a millisecond figure, and a table GitHub renders.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_WORDS, fmt, ms, section, table, times } from './format.ts';

test('fmt: thousands separators and exactly `digits` decimals, rounded', () => {
  assert.equal(fmt(1234567), '1,234,567');
  assert.equal(fmt(1234.5), '1,235', 'no decimals by default: rounded');
  assert.equal(fmt(2, 2), '2.00', 'trailing zeros kept');
  assert.equal(fmt(0.125, 2), '0.13');
  assert.equal(fmt(-1500.25, 1), '-1,500.3');
  assert.equal(fmt(0), '0');
});

test('fmt: n/a for null, undefined, NaN and both infinities', () => {
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.equal(fmt(value, 2), 'n/a', `${value}`);
  }
});

test('ms: three decimals under 1 ms, one under 100 ms, none from 100 ms; n/a when missing', () => {
  assert.equal(ms(0.0424), '0.042');
  assert.equal(ms(0.999), '0.999');
  assert.equal(ms(1), '1.0', '1 ms is in the one-decimal step');
  assert.equal(ms(12.345), '12.3');
  assert.equal(ms(99.94), '99.9');
  assert.equal(ms(100), '100', '100 ms is in the whole step');
  assert.equal(ms(12345.6), '12,346');
  assert.equal(ms(null), 'n/a');
  assert.equal(ms(undefined), 'n/a');
  assert.equal(ms(Number.NaN), 'n/a');
});

test('table: a header row, a separator of one --- per column, then the rows', () => {
  assert.equal(
    table(
      ['transport', 'bytes'],
      [
        ['sse', '12'],
        ['ws', '2'],
      ],
    ),
    '| transport | bytes |\n|---|---|\n| sse | 12 |\n| ws | 2 |',
  );
  assert.equal(table(['only'], []), '| only |\n|---|', 'no rows: the head alone');
});

test('section: blocks one blank line apart; CLIENT_WORDS names every overhead client', () => {
  assert.equal(section('## Title', 'A paragraph.', '| a |\n|---|'), '## Title\n\nA paragraph.\n\n| a |\n|---|');
  assert.equal(section('## Alone'), '## Alone');
  assert.deepEqual(Object.keys(CLIENT_WORDS).sort(), ['chromium', 'node', 'node-replay']);
});

test('times: a ratio with its x, two decimals by default; n/a alone, never n/ax, when there is none', () => {
  assert.equal(times(1.5), '1.50x');
  assert.equal(times(1234.5, 0), '1,235x');
  assert.equal(times(0), '0.00x');
  for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(times(value), 'n/a', `${value}`);
});
