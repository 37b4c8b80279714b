/**
 * The figures table: every figure the lessons may quote comes out of the committed
 * reference run, says where, and equals what is there; the data file, the paths and
 * the printing are read strictly. figures-paths.test.ts checks that each path reads
 * what its name says, figures-lessons.test.ts what the figures bear out.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  FIGURE_NAME,
  FIGURE_SPECS,
  PLACEHOLDER,
  RESULTS_FILE,
  SPECS_FILE,
  buildFigures,
  formatFigure,
  loadFigures,
  parseFigureSpecs,
  parsePath,
  resolvePath,
} from './figures.ts';
import { LANGS, LESSONS, loadLesson } from './lessons.ts';
import { ROOT } from './paths.ts';

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));

/**
 * A second, deliberately naive reading of a figure's path, written apart from
 * figures.ts: split at the dots outside brackets, then read each key, index or
 * selector by hand. If the two readings agree, the path means what it says.
 */
function walk(root: unknown, source: string): unknown {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of source) {
    if (char === '[') depth++;
    if (char === ']') depth--;
    if (char === '.' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  let here = root as never;
  for (const part of parts) {
    const key = part.split('[')[0];
    here = here[key];
    for (const [, inside] of part.matchAll(/\[([^\]]*)\]/g)) {
      if (/^\d+$/.test(inside)) {
        here = here[Number(inside)];
        continue;
      }
      const wanted = inside.split(',').map((pair) => pair.split('='));
      const found = (here as unknown as Record<string, unknown>[]).filter((el) => wanted.every(([k, v]) => String(el[k]) === v));
      assert.equal(found.length, 1, `${source}: [${inside}] picks exactly one element`);
      here = found[0] as never;
    }
  }
  return here;
}

test('figure names are well formed and unique, and paths parse', () => {
  const names = FIGURE_SPECS.map((spec) => spec.name);
  assert.equal(new Set(names).size, names.length, 'no two figures share a name');
  for (const spec of FIGURE_SPECS) {
    assert.match(spec.name, FIGURE_NAME, `${spec.name}: <group>.<quantity>`);
    assert.doesNotThrow(() => parsePath(spec.path), `${spec.name}: its path parses`);
    assert.ok(spec.about.length > 5, `${spec.name}: says what it is`);
  }
});

test('every figure is available in the committed reference run', () => {
  const table = loadFigures();
  assert.equal(table.file, 'results/latest.json', 'read from results/latest.json');
  assert.equal(table.runId, results.id, 'the run is named');
  assert.deepEqual(Object.fromEntries(table.unavailable), {}, 'no figure is missing from the reference run');
  assert.equal(table.figures.size, FIGURE_SPECS.length, 'one figure per spec');
});

test('every figure equals the JSON value its path names, and is printed from it', () => {
  const table = loadFigures();
  const runs = new Map<string, unknown>([[table.file, results]]);
  const runOf = (file: string) => runs.get(file) ?? runs.set(file, JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'))).get(file);
  for (const figure of table.figures.values()) {
    const file = figure.run === undefined ? 'results/latest.json' : `results/${figure.run}`;
    assert.equal(figure.file, file, `${figure.name}: read from its run`);
    const value = walk(runOf(figure.file), figure.path);
    assert.equal(figure.value, value, `${figure.name} = ${figure.path}`);
    assert.equal(figure.text, formatFigure(value, figure.unit), `${figure.name}: its text is its value, formatted`);
    if (figure.unit === 'text') assert.equal(typeof value, 'string', `${figure.name}: text`);
    else assert.equal(typeof value, 'number', `${figure.name}: a number`);
  }
});

test('values are printed the same way everywhere', () => {
  assert.equal(formatFigure(285, 'B'), '285 B');
  assert.equal(formatFigure(2036, 'B'), '2,036 B');
  assert.equal(formatFigure(801.85, 'B'), '802 B', 'an average over 100 B, whole');
  assert.equal(formatFigure(43.75, 'B'), '43.8 B', 'an average under 100 B, to one decimal');
  assert.equal(formatFigure(0.3237, 'ms'), '0.324 ms');
  assert.equal(formatFigure(54.1073, 'ms'), '54.1 ms');
  assert.equal(formatFigure(150, 'ms'), '150 ms');
  assert.equal(formatFigure(1006.064, 'ms'), '1,006 ms');
  assert.equal(formatFigure(19873, 'count'), '19,873');
  assert.equal(formatFigure(8.52, 'µs'), '8.5 µs', 'CPU per delivery, to one decimal');
  assert.equal(formatFigure(313.82, 'µs'), '314 µs');
  assert.equal(formatFigure(1.7891, 'x'), '1.79x', 'a ratio, to two decimals');
  assert.equal(formatFigure(0.8986, 'percent'), '90%');
  assert.equal(formatFigure(6.415, 'Mbit/s'), '6.4 Mbit/s');
  assert.equal(formatFigure(0.016, 'Mbit/s'), '0.016 Mbit/s');
  assert.equal(formatFigure('Chromium 156', 'text'), 'Chromium 156');
  assert.throws(() => formatFigure(null, 'B'), TypeError, 'a missing value is an error, never an empty string');
  assert.throws(() => formatFigure('285', 'B'), TypeError, 'a number must be a number');
  assert.throws(() => formatFigure(Number.NaN, 'ms'), TypeError);
});

test('paths are read strictly: a path that leads nowhere, or to several places, is an error', () => {
  const data = {
    a: {
      list: [
        { k: 'x', n: 1, v: 10 },
        { k: 'y', n: 1, v: 20 },
        { k: 'y', n: 2, v: 30 },
      ],
    },
  };
  assert.equal(resolvePath(data, 'a.list[1].v'), 20, 'an index');
  assert.equal(resolvePath(data, 'a.list[k=x].v'), 10, 'a selector');
  assert.equal(resolvePath(data, 'a.list[k=y,n=2].v'), 30, 'a selector on two fields');
  assert.throws(() => resolvePath(data, 'a.list[k=y].v'), /2 elements/, 'two matches');
  assert.throws(() => resolvePath(data, 'a.list[k=z].v'), /0 elements/, 'no match');
  assert.throws(() => resolvePath(data, 'a.missing'), /no "missing"/);
  assert.throws(() => resolvePath(data, 'a.list[7]'), /no element 7/);
  assert.throws(() => resolvePath(data, 'a.list.v'), /no "v"/, 'a key on an array');
  assert.throws(() => parsePath('.a'), /cannot read/);
  assert.throws(() => parsePath('a[=x]'), /selector/);
});

test('a run without some figure lists it as unavailable, with the reason; a missing file makes all unavailable', () => {
  const partial = structuredClone(results);
  delete partial.scenarios.rtt;
  const table = buildFigures(partial);
  assert.ok(table.unavailable.has('long-poll.rtt150MaxMs'), 'the rtt figures are unavailable');
  assert.match(table.unavailable.get('long-poll.rtt150MaxMs')!, /no "rtt"/, 'with the reason');
  assert.ok(table.figures.has('short-poll.responseHeadBytes'), 'the others are still there');
  const none = loadFigures(path.join(path.dirname(RESULTS_FILE), 'no-such-run.json'));
  assert.equal(none.figures.size, 0, 'no figures from a missing file');
  assert.equal(none.unavailable.size, FIGURE_SPECS.length, 'every figure unavailable');
  assert.match([...none.unavailable.values()][0], /cannot be read/, 'saying why');
});

test('a figure from a focused run is read from that run alone, and is unavailable, with the reason, without it', () => {
  const pinnedSpecs = FIGURE_SPECS.filter((spec) => spec.run !== undefined);
  assert.ok(pinnedSpecs.length > 0, 'the library figures come from a focused run');
  const spec = pinnedSpecs[0];
  const file = `results/${spec.run}`;
  const focused = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
  const table = buildFigures(results, 'results/latest.json', new Map([[spec.run!, { file, results: focused }]]));
  assert.equal(table.figures.get(spec.name)?.file, file, 'read from the focused run');
  assert.equal(table.figures.get(spec.name)?.value, walk(focused, spec.path), "its value is the focused run's");
  assert.match(buildFigures(results).unavailable.get(spec.name) ?? '', /was not read/, 'no focused run given: unavailable');
  const broken = buildFigures(results, 'results/latest.json', new Map([[spec.run!, { file, error: `${file} cannot be read: gone` }]]));
  assert.match(broken.unavailable.get(spec.name) ?? '', /cannot be read: gone/, 'an unreadable focused run: unavailable, saying why');
  assert.ok(broken.figures.has('short-poll.responseHeadBytes'), "the reference run's figures stay");
});

test('every figure in the table is quoted by some lesson', () => {
  const used = new Set<string>();
  for (const name of LESSONS) for (const lang of LANGS) for (const figure of loadLesson(name, lang).figures) used.add(figure);
  const unused = FIGURE_SPECS.map((spec) => spec.name).filter((name) => !used.has(name));
  assert.deepEqual(unused, [], 'no figure is defined for nothing (remove it, or quote it)');
  assert.ok(PLACEHOLDER.global, 'the placeholder pattern finds every occurrence');
});

test('the data file is checked entry by entry: a malformed spec fails naming its entry', () => {
  const good = { name: 'x.y', unit: 'B', path: 'a.b', about: 'a figure for the test' };
  const doc = (entry: unknown) => ({ about: [], groups: [{ about: 'G', figures: [entry] }] });
  assert.deepEqual(parseFigureSpecs(doc(good)), [good], 'a good entry is read as it is');
  assert.throws(() => parseFigureSpecs({ figures: [] }), /expected \{ "groups"/, 'groups are required');
  assert.throws(() => parseFigureSpecs(doc({ ...good, name: 'xy' })), /entry 1: name "xy"/, 'a name without its group');
  assert.throws(() => parseFigureSpecs(doc({ ...good, unit: 'kB' })), /unit "kB"/, 'an unknown unit');
  assert.throws(() => parseFigureSpecs(doc({ ...good, path: '.a' })), /cannot read/, 'a path that does not parse');
  assert.throws(() => parseFigureSpecs(doc({ ...good, about: '' })), /"about"/, 'no description');
  assert.throws(() => parseFigureSpecs(doc({ ...good, units: 'B' })), /unknown field units/, 'a misspelt field');
  assert.throws(() => parseFigureSpecs({ groups: [{ about: 'G', figures: [good, good] }] }), /listed twice/, 'a name used twice');
  const focused = { ...good, run: 'libraries/latest.json' };
  assert.deepEqual(parseFigureSpecs(doc(focused)), [focused], 'a focused run');
  for (const run of ['../latest.json', 'latest.json', 'libraries/../../x.json', '/etc/x.json', 3]) {
    const refused = `run ${JSON.stringify(run)} refused`;
    assert.throws(() => parseFigureSpecs(doc({ ...good, run })), /is not a file in a folder of results/, refused);
  }
  const onDisk = JSON.parse(readFileSync(SPECS_FILE, 'utf8'));
  assert.deepEqual(parseFigureSpecs(onDisk), FIGURE_SPECS, 'FIGURE_SPECS is the data file, read as it is');
});
