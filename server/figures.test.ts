/**
 * The figures table: every figure the lessons may quote comes out of the committed
 * reference run, says where, and equals what is there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  FIGURE_NAME, FIGURE_SPECS, PLACEHOLDER, RESULTS_FILE, SPECS_FILE,
  buildFigures, formatFigure, loadFigures, parseFigureSpecs, parsePath, resolvePath,
} from './figures.ts';
import { FRAME_HEADER_BYTES } from './http2/frames.ts';
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

test('the HTTP/2 and TLS paths mean what their names say (read directly, as bench/report.ts does)', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)?.value;
  const p = results.derived.protocols;
  const captured = results.browserHeads.h2;
  assert.equal(captured.heads['short-poll'].protocol, 'h2', 'Chromium\'s polls were carried over HTTP/2');
  assert.equal(value('h2.pollHeadFirstBytes'), captured.heads['short-poll'].firstBytes, 'the first poll\'s HPACK block');
  assert.equal(value('h2.pollHeadFirstBytes'), captured.heads['short-poll'].samplesBytes[0], 'which is the first sample');
  assert.equal(value('h2.pollHeadRepeatedBytes'), captured.heads['short-poll'].repeatedBytes, 'the repeated polls\' HPACK block');
  assert.equal(value('h2.pollResponseHeadFirstBytes'), captured.heads['short-poll'].responseFirstBytes, 'the lab\'s first response head');
  assert.equal(value('h2.pollResponseHeadRepeatedBytes'), captured.heads['short-poll'].responseRepeatedBytes, 'the lab\'s repeated response head');
  assert.equal(value('h2.wsConnectHeadBytes'), captured.heads.ws.firstBytes, 'Chromium\'s extended CONNECT');
  assert.equal(value('h2.wsResponseHeadBytes'), captured.heads.ws.responseFirstBytes, 'the lab\'s 200');
  assert.equal(captured.page, '/', 'the heads were measured after loading the page on the same connection, as the lesson says');
  const h2Cell = (transport: string) => results.scenarios.overhead.byWire.h2.cells.find((c: { profile: string; transport: string; dataBytes: number }) => c.profile === 'browser' && c.transport === transport && c.dataBytes === 16);
  const names: Record<string, string> = { 'short-poll': 'shortPoll', 'long-poll': 'longPoll', iframe: 'iframe', sse: 'sse', ws: 'ws' };
  for (const transport of ['short-poll', 'long-poll', 'iframe', 'sse', 'ws']) {
    const cell = h2Cell(transport);
    assert.equal(cell.client, 'chromium', `${transport}: over HTTP/2 the browser figures are Chromium itself`);
    const headline = results.derived.headline.find((h: { transport: string }) => h.transport === transport);
    assert.equal(value(`h2.${names[transport]}OverheadBytesPerEvent`), headline.byWire.h2.overheadBytesPerEventBrowser, `${transport}: the headline's HTTP/2 overhead per event`);
    assert.equal(value(`h2.${names[transport]}OverheadBytesPerEvent`), p.overhead.find((o: { profile: string; transport: string }) => o.profile === 'browser' && o.transport === transport).overheadBytesPerEvent.h2, `${transport}: the protocols table agrees`);
  }
  const poll = h2Cell('short-poll').perEvent;
  assert.equal(value('h2.shortPollUpHeadBytesPerEvent'), poll.upHeadBytes, 'request heads per event');
  assert.equal(value('h2.shortPollDownHeadBytesPerEvent'), poll.downHeadBytes, 'response heads per event');
  const ratio = value('h2.shortPollShareOfH1') as number;
  assert.ok(Math.abs(ratio - (value('h2.shortPollOverheadBytesPerEvent') as number) / (value('short-poll.overheadBytesPerEvent') as number)) < 0.001, 'the share is HTTP/2\'s overhead over HTTP/1.1\'s');
  assert.equal(value('h2.sseOwnFramingBytes'), h2Cell('sse').floorFramingBytes, 'SSE\'s own lines per event');
  const connection = p.connection.find((c: { profile: string }) => c.profile === 'browser');
  assert.equal(connection.client, 'chromium', 'the connection set-up is Chromium\'s');
  assert.equal(value('h2.connectionSetupBytes'), connection.oneOffBytes, 'Chromium\'s connection set-up');
  assert.equal(value('tls.chromiumHandshakeUpBytes'), p.chromiumHandshake.bytesIn, 'Chromium\'s handshake, up');
  assert.equal(value('tls.chromiumHandshakeDownBytes'), p.chromiumHandshake.bytesOut, 'and down');
  assert.equal(value('tls.clients'), Math.max(...results.parameters.fanout.tlsClients), 'the TLS figures come from the largest fan-out over TLS');
  const fanout = (wire: string, transport: string) => results.scenarios.fanout.byWire[wire].runs.find((r: { clients: number; transport: string }) => r.clients === value('tls.clients') && r.transport === transport);
  assert.ok(Math.abs((value('tls.recordBytesPerEventH1') as number) - fanout('h1-tls', 'sse').tls.recordBytesPerDelivery) < 0.01, 'records per SSE event under HTTP/1.1, as the fan-out run measured');
  assert.ok(Math.abs((value('tls.recordBytesPerEventH2') as number) - fanout('h2', 'sse').tls.recordBytesPerDelivery) < 0.01, 'records per SSE event under HTTP/2, as the fan-out run measured');
  // HTTP/2's, TLS's and the meter's costs: each a ratio of the two subjects it names, at the count the lesson names.
  assert.equal(value('h2cost.clients'), 1000, 'the cost figures are read at 1,000 clients, as their paths select');
  for (const t of ['sse', 'ws']) {
    const cpu = (key: string) => value(`h2cost.${t}${key}CpuMicros`) as number;
    const close = (a: number, b: number) => Math.abs(a - b) < 0.01 * b;
    const http2 = value(`h2cost.${t}Http2`) as number;
    assert.ok(close(http2, cpu('Native') / cpu('H1Tls')), `${t}: HTTP/2's own cost is native over HTTP/1.1 over TLS`);
    assert.ok(close(value(`h2cost.${t}Tls`) as number, cpu('H1Tls') / cpu('H1')), `${t}: TLS's own cost is HTTP/1.1 over TLS over plain`);
    const meter = value(`h2cost.${t}Meter`) as number;
    assert.ok(close(meter, cpu('LabH2') / cpu('Native')), `${t}: the meter's is the lab's HTTP/2 over native`);
    const product = ['Http2', 'Tls', 'Meter'].reduce((x, k) => x * (value(`h2cost.${t}${k}`) as number), 1);
    assert.ok(close(product, value(`h2cost.${t}Whole`) as number), `${t}: the three multiply to the whole`);
  }
  assert.equal(value('h2.longPollRtt150MaxMs'), results.scenarios.rtt.byWire.h2.runs.find((r: { rttMs: number; transport: string }) => r.rttMs === value('rtt.roundTripMs') && r.transport === 'long-poll').latency.maxMs, 'HTTP/2\'s long-poll run at the same round trip as HTTP/1.1\'s');
});

test('the reference run bears out what the HTTP/2 lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  // HPACK: a repeated head is smaller than the first on the connection, which is far smaller than HTTP/1.1's text.
  assert.ok(value('h2.pollHeadRepeatedBytes') < value('h2.pollHeadFirstBytes'), 'a repeated poll head is smaller than the first');
  assert.ok(value('h2.pollHeadFirstBytes') * 4 < value('short-poll.requestHeadBytes'), 'even the first poll in a page is a fraction of HTTP/1.1\'s head');
  assert.ok(value('h2.pollResponseHeadRepeatedBytes') < value('h2.pollResponseHeadFirstBytes'), 'the response head shrinks once indexed');
  assert.ok(value('h2.pollResponseHeadFirstBytes') < value('short-poll.responseHeadBytes'), 'and starts below HTTP/1.1\'s');
  // Framing: every streamed event pays exactly one DATA frame header over its own framing; HTTP/1.1 a small chunk's 6 bytes.
  assert.equal(FRAME_HEADER_BYTES, 9, 'the lesson says 9 bytes');
  assert.equal(value('h2.sseOverheadBytesPerEvent') - value('h2.sseOwnFramingBytes'), FRAME_HEADER_BYTES, 'SSE over HTTP/2: its lines plus one frame header');
  assert.equal(value('sse.framingBytesPerEvent') - value('h2.sseOwnFramingBytes'), 6, 'SSE over HTTP/1.1: its lines plus a two-hex-digit size line and two CRLFs');
  assert.equal(value('h2.iframeOverheadBytesPerEvent') - value('iframe.framingBytesPerEvent'), FRAME_HEADER_BYTES - 6, 'the iframe: a frame header instead of a chunk\'s 6 bytes');
  assert.equal(value('h2.wsOverheadBytesPerEvent'), value('ws.overheadBytesPerEvent') + FRAME_HEADER_BYTES, 'WebSocket: its 2-byte header inside a DATA frame');
  // The ranking keeps its order on both protocols, and narrows: from hundreds of WebSocket frames per poll to about ten.
  const order = ['ws', 'sse', 'iframe', 'shortPoll', 'longPoll'];
  const h1 = ['ws.overheadBytesPerEvent', 'sse.overheadBytesPerEvent', 'iframe.overheadBytesPerEvent', 'short-poll.overheadBytesPerEvent', 'long-poll.overheadBytesPerEvent'].map(value);
  const h2 = order.map((name) => value(`h2.${name}OverheadBytesPerEvent`));
  for (let i = 1; i < order.length; i++) {
    assert.ok(h1[i - 1] <= h1[i] && h2[i - 1] <= h2[i], `${order[i - 1]} costs no more than ${order[i]} on either protocol`);
  }
  assert.ok(h1[3] / h1[0] > 100, `over HTTP/1.1 a poll costs hundreds of WebSocket frames (${h1[3] / h1[0]})`);
  assert.ok(h2[3] / h2[0] > 5 && h2[3] / h2[0] < 20, `over HTTP/2 about ten (${h2[3] / h2[0]})`);
  assert.ok(value('h2.shortPollUpHeadBytesPerEvent') + value('h2.shortPollDownHeadBytesPerEvent') < value('h2.shortPollOverheadBytesPerEvent') / 2, 'over HTTP/2 heads are under half of a poll\'s cost');
  // TLS: one record per streamed event, a TLS 1.3 record's 5-byte header, 1 byte of inner type and a 16-byte tag.
  assert.equal(value('tls.recordBytesPerEventH1'), 5 + 1 + 16, 'one record per SSE event under HTTP/1.1');
  assert.equal(value('tls.recordBytesPerEventH2'), 5 + 1 + 16, 'one record per SSE event under HTTP/2');
  assert.ok(value('tls.recordBytesPerEventH2') > value('ws.overheadBytesPerEvent'), 'a record costs more than WebSocket\'s own framing');
  assert.ok(value('tls.chromiumHandshakeUpBytes') > value('tls.chromiumHandshakeDownBytes'), 'most of Chromium\'s handshake goes up (its key share)');
  assert.ok(value('h2cost.wsTls') > 1 && value('h2cost.sseTls') > 1, 'TLS costs CPU');
  assert.ok(value('h2cost.wsMeter') > 1 && value('h2cost.sseMeter') > 1, 'the meter costs CPU over native HTTP/2, as the lesson says');
  // What holds on both: long polling's worst case near 1.5 round trips; through a round trip, latency alike.
  const rttMs = value('rtt.roundTripMs');
  const worst = value('h2.longPollRtt150MaxMs') / rttMs;
  assert.ok(worst > 1.35 && worst < 2, `over HTTP/2 too, long polling's slowest event took about 1.5 RTT (${value('h2.longPollRtt150MaxMs')} ms)`);
  assert.ok(Math.abs(value('h2.wsRtt150MeanMs') - value('ws.rtt150MeanMs')) < 0.05 * rttMs, 'WebSocket\'s latency through the round trip is alike on both');
  assert.ok(value('h2.wsIdleP50Ms') > value('ws.idleP50Ms') && value('h2.wsIdleP50Ms') < 5, 'on loopback HTTP/2 adds a fraction of a millisecond');
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

test('a figure from a focused run is read from that run alone, and is unavailable, with the reason, without it', () => {
  const pinnedSpecs = FIGURE_SPECS.filter((spec) => spec.run !== undefined);
  assert.ok(pinnedSpecs.length > 0, 'the library figures come from a focused run');
  const spec = pinnedSpecs[0];
  const file = `results/${spec.run}`;
  const focused = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
  const table = buildFigures(results, 'results/latest.json', new Map([[spec.run!, { file, results: focused }]]));
  assert.equal(table.figures.get(spec.name)?.file, file, 'read from the focused run');
  assert.equal(table.figures.get(spec.name)?.value, walk(focused, spec.path), 'its value is the focused run\'s');
  assert.match(buildFigures(results).unavailable.get(spec.name) ?? '', /was not read/, 'no focused run given: unavailable');
  const broken = buildFigures(results, 'results/latest.json', new Map([[spec.run!, { file, error: `${file} cannot be read: gone` }]]));
  assert.match(broken.unavailable.get(spec.name) ?? '', /cannot be read: gone/, 'an unreadable focused run: unavailable, saying why');
  assert.ok(broken.figures.has('short-poll.responseHeadBytes'), 'the reference run\'s figures stay');
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

test('the reference run bears out what the lessons say about capacity, the cluster and TLS', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const ramp = results.scenarios.capacity.runs.find((r: { transport: string }) => r.transport === 'long-poll');
  const held = ramp.steps.findIndex((step: { clients: number }) => step.clients === ramp.maxClientsHeld);
  assert.equal(held, 0, 'long-poll.heldP99Ms reads steps[0]: the step long polling last passed (move the paths with it)');
  assert.equal(value('long-poll.overBoundClients'), ramp.steps[held + 1].clients, 'the next step is the one after it');
  assert.ok(value('long-poll.heldP99Ms') <= value('long-poll.capacityBoundMs'), 'the held step was within the bound');
  assert.ok(value('long-poll.overBoundP99Ms') > value('long-poll.capacityBoundMs'), 'the next step passed it: the limit lies between');
  const polls = results.scenarios.cluster.polls.find((p: { transport: string }) => p.transport === 'long-poll');
  assert.equal(value('cluster.pollClients'), polls.clients, 'the clients that polled through nginx');
  assert.deepEqual([polls.deliveries, polls.duplicates, polls.gaps, polls.clientErrors], [polls.deliveriesExpected, 0, 0, 0],
    'every client got every seq once, in order, as the scale-out lesson says');
  assert.ok(value('ws.idleP50Ms') < value('tls.wsIdleP50Ms') && value('tls.wsIdleP50Ms') < value('h2.wsIdleP50Ms'),
    'on loopback TLS adds a little latency, and HTTP/2 with the frame meter a little more, as the http2 lesson says');
});

test('the focused libraries run bears out what the build-your-own lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  const framedOnce = 'the lab, framing each event once, spends less per delivery than the ws example';
  assert.ok(value('libraries.labWsCpuUs') < value('libraries.wsCpuUs'), framedOnce);
  assert.ok(value('libraries.socketIoCpuUs') > value('libraries.wsCpuUs'), 'Socket.IO pays for its own protocol on top');
});

test('the focused loss run bears out what the http2 lesson says', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  // Real loss in that run; over HTTP/2 the three streams stall together, over HTTP/1.1 each on its own.
  const run = JSON.parse(readFileSync(path.join(ROOT, 'results', 'loss', 'latest.json'), 'utf8'));
  assert.equal(run.scenarios.loss.mechanism, 'netns', 'the lesson says the loss was real');
  const spread = (list: number[]) => Math.max(...list) - Math.min(...list);
  const lossH2 = ['Iframe', 'Sse', 'Ws'].map((t) => value(`loss.h2${t}P99Ms`));
  const lossH1 = ['Iframe', 'Sse', 'Ws'].map((t) => value(`loss.h1${t}P99Ms`));
  assert.ok(spread(lossH2) < 0.05 * Math.max(...lossH2), `over HTTP/2 the streams' p99 are one stall (${lossH2.join(', ')} ms)`);
  assert.ok(spread(lossH1) > spread(lossH2), `over HTTP/1.1 each stream's own (${lossH1.join(', ')} ms)`);
});

test('the focused native HTTP/2 run bears out what the http2 lesson says of the meter\'s floor', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)!.value as number;
  for (const t of ['sse', 'ws']) {
    const meter = value(`h2cost.${t}Meter`);
    const floor = value(`h2cost.${t}PipeFloor`);
    const onFloor = value(`h2cost.${t}OnFloor`);
    assert.ok(floor > onFloor, `${t}: most of the meter's cost is the floor, not the counting (${floor} against ${onFloor})`);
    assert.ok(Math.abs(floor * onFloor - meter) < 0.02, `${t}: floor x counting = the meter's cost (${floor} x ${onFloor} = ${meter})`);
  }
});
