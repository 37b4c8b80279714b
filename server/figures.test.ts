/**
 * The figures table: every figure the lessons may quote comes out of the committed
 * reference run, says where, and equals what is there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FIGURE_NAME, FIGURE_SPECS, PLACEHOLDER, RESULTS_FILE, buildFigures, formatFigure, loadFigures, parsePath, resolvePath } from './figures.ts';
import { LANGS, LESSONS, loadLesson } from './lessons.ts';

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
  for (const figure of table.figures.values()) {
    const value = walk(results, figure.path);
    assert.equal(figure.value, value, `${figure.name} = ${figure.path}`);
    assert.equal(figure.text, formatFigure(value, figure.unit), `${figure.name}: its text is its value, formatted`);
    if (figure.unit === 'text') assert.equal(typeof value, 'string', `${figure.name}: text`);
    else assert.equal(typeof value, 'number', `${figure.name}: a number`);
  }
});

test('the paths mean what their names say (read directly, as bench/report.ts does)', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)?.value;
  const cell = (profile: string, transport: string) =>
    results.scenarios.overhead.cells.filter((c: { profile: string; transport: string }) => c.profile === profile && c.transport === transport)
      .sort((a: { dataBytes: number }, b: { dataBytes: number }) => a.dataBytes - b.dataBytes)[0];
  const shortPoll = cell('browser', 'short-poll');
  assert.equal(value('short-poll.responseHeadBytes'), shortPoll.oneOff.down.headBytes, 'the lab\'s short-poll response head');
  assert.equal(value('short-poll.requestHeadBytes'), shortPoll.oneOff.up.headBytes, 'Chromium\'s poll request head');
  assert.equal(value('short-poll.emptyBodyBytes'), shortPoll.oneOff.down.framingBytes, 'an empty answer\'s body');
  assert.equal(
    value('short-poll.emptyPollBytes'),
    shortPoll.oneOff.up.headBytes + shortPoll.oneOff.down.headBytes + shortPoll.oneOff.down.framingBytes,
    'one empty poll is request head + response head + body, so the lesson\'s sum adds up',
  );
  for (const transport of ['short-poll', 'long-poll', 'iframe', 'sse', 'ws']) {
    const headline = results.derived.headline.find((h: { transport: string }) => h.transport === transport);
    assert.equal(value(`${transport}.overheadBytesPerEvent`), headline.overheadBytesPerEventBrowser, `${transport}: the headline's overhead per event (browser heads)`);
    assert.equal(value(`${transport}.idleP50Ms`), headline.idleP50Ms, `${transport}: the headline's idle p50`);
    assert.equal(value(`${transport}.maxClientsHeld`), headline.maxClientsHeld, `${transport}: the headline's clients held`);
  }
  for (const transport of ['iframe', 'sse']) {
    assert.equal(value(`${transport}.framingBytesPerEvent`), cell('browser', transport).perEvent.downFramingBytes, `${transport}: framing per event`);
  }
  assert.equal(value('ws.requestHeadBytes'), cell('browser', 'ws').oneOff.up.headBytes, 'Chromium\'s upgrade request');
  assert.equal(value('ws.responseHeadBytes'), cell('browser', 'ws').oneOff.down.headBytes, 'the lab\'s 101');
  assert.equal(value('run.browser'), results.browserHeads.browser, 'the browser whose heads were captured');
  const rtt = (transport: string) => results.scenarios.rtt.runs.find((r: { rttMs: number; transport: string }) => r.rttMs === value('rtt.roundTripMs') && r.transport === transport);
  assert.equal(value('long-poll.rtt150MaxMs'), rtt('long-poll').latency.maxMs, 'long polling\'s worst case through the delay proxy');
  assert.equal(value('rtt.roundTripMs'), Math.max(...results.parameters.rtt.rttsMs), 'the largest simulated round trip');
});

test('the reference run bears out what the lessons say about latency', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const rttMs = value('rtt.roundTripMs');
  // Long polling's worst case is 1.5 round trips; a stream needs half of one.
  const worst = value('long-poll.rtt150MaxMs') / rttMs;
  assert.ok(worst > 1.35 && worst < 2, `long polling's slowest event took about 1.5 RTT (${value('long-poll.rtt150MaxMs')} ms at ${rttMs} ms)`);
  assert.ok(Math.abs(value('sse.rtt150MeanMs') / rttMs - 0.5) < 0.1, 'SSE averaged about half a round trip');
  const interval = value('rtt.shortPollIntervalMs');
  assert.ok(Math.abs(value('short-poll.rtt150MeanMs') - (interval / 2 + rttMs)) < 0.1 * rttMs, 'short polling averaged half the interval plus one round trip');
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
  assert.equal(formatFigure(0.8986, 'percent'), '90%');
  assert.equal(formatFigure(6.415, 'Mbit/s'), '6.4 Mbit/s');
  assert.equal(formatFigure(0.016, 'Mbit/s'), '0.016 Mbit/s');
  assert.equal(formatFigure('Chromium 156', 'text'), 'Chromium 156');
  assert.throws(() => formatFigure(null, 'B'), TypeError, 'a missing value is an error, never an empty string');
  assert.throws(() => formatFigure('285', 'B'), TypeError, 'a number must be a number');
  assert.throws(() => formatFigure(Number.NaN, 'ms'), TypeError);
});

test('paths are read strictly: a path that leads nowhere, or to several places, is an error', () => {
  const data = { a: { list: [{ k: 'x', n: 1, v: 10 }, { k: 'y', n: 1, v: 20 }, { k: 'y', n: 2, v: 30 }] } };
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

test('every figure in the table is quoted by some lesson', () => {
  const used = new Set<string>();
  for (const name of LESSONS) for (const lang of LANGS) for (const figure of loadLesson(name, lang).figures) used.add(figure);
  const unused = FIGURE_SPECS.map((spec) => spec.name).filter((name) => !used.has(name));
  assert.deepEqual(unused, [], 'no figure is defined for nothing (remove it, or quote it)');
  assert.ok(PLACEHOLDER.global, 'the placeholder pattern finds every occurrence');
});
