/**
 * What the figures' paths (figures.json) read in the committed reference run, read
 * again directly from the run's JSON: each figure is the element its name says (the
 * headline's, a cell's, a run's), over HTTP/1.1, HTTP/2 and TLS. figures.test.ts checks
 * the table's machinery, figures-lessons.test.ts what the figures bear out.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RESULTS_FILE, loadFigures } from './figures.ts';

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8'));

test('the paths mean what their names say (read directly, as bench/report/derive.ts does)', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)?.value;
  const cell = (profile: string, transport: string) =>
    results.scenarios.overhead.cells
      .filter((c: { profile: string; transport: string }) => c.profile === profile && c.transport === transport)
      .sort((a: { dataBytes: number }, b: { dataBytes: number }) => a.dataBytes - b.dataBytes)[0];
  const shortPoll = cell('browser', 'short-poll');
  assert.equal(value('short-poll.responseHeadBytes'), shortPoll.oneOff.down.headBytes, "the lab's short-poll response head");
  assert.equal(value('short-poll.requestHeadBytes'), shortPoll.oneOff.up.headBytes, "Chromium's poll request head");
  assert.equal(value('short-poll.emptyBodyBytes'), shortPoll.oneOff.down.framingBytes, "an empty answer's body");
  assert.equal(
    value('short-poll.emptyPollBytes'),
    shortPoll.oneOff.up.headBytes + shortPoll.oneOff.down.headBytes + shortPoll.oneOff.down.framingBytes,
    "one empty poll is request head + response head + body, so the lesson's sum adds up",
  );
  for (const transport of ['short-poll', 'long-poll', 'iframe', 'sse', 'ws']) {
    const headline = results.derived.headline.find((h: { transport: string }) => h.transport === transport);
    assert.equal(
      value(`${transport}.overheadBytesPerEvent`),
      headline.overheadBytesPerEventBrowser,
      `${transport}: the headline's overhead per event (browser heads)`,
    );
    assert.equal(value(`${transport}.idleP50Ms`), headline.idleP50Ms, `${transport}: the headline's idle p50`);
    assert.equal(value(`${transport}.maxClientsHeld`), headline.maxClientsHeld, `${transport}: the headline's clients held`);
  }
  for (const transport of ['iframe', 'sse']) {
    assert.equal(
      value(`${transport}.framingBytesPerEvent`),
      cell('browser', transport).perEvent.downFramingBytes,
      `${transport}: framing per event`,
    );
  }
  assert.equal(value('ws.requestHeadBytes'), cell('browser', 'ws').oneOff.up.headBytes, "Chromium's upgrade request");
  assert.equal(value('ws.responseHeadBytes'), cell('browser', 'ws').oneOff.down.headBytes, "the lab's 101");
  assert.equal(value('run.browser'), results.browserHeads.browser, 'the browser whose heads were captured');
  const rtt = (transport: string) =>
    results.scenarios.rtt.runs.find(
      (r: { rttMs: number; transport: string }) => r.rttMs === value('rtt.roundTripMs') && r.transport === transport,
    );
  assert.equal(value('long-poll.rtt150MaxMs'), rtt('long-poll').latency.maxMs, "long polling's worst case through the delay proxy");
  assert.equal(value('rtt.roundTripMs'), Math.max(...results.parameters.rtt.rttsMs), 'the largest simulated round trip');
});

test('the HTTP/2 and TLS paths mean what their names say (read directly, as bench/report/derive.ts does)', () => {
  const table = loadFigures();
  const value = (name: string) => table.figures.get(name)?.value;
  const p = results.derived.protocols;
  const captured = results.browserHeads.h2;
  assert.equal(captured.heads['short-poll'].protocol, 'h2', "Chromium's polls were carried over HTTP/2");
  assert.equal(value('h2.pollHeadFirstBytes'), captured.heads['short-poll'].firstBytes, "the first poll's HPACK block");
  assert.equal(value('h2.pollHeadFirstBytes'), captured.heads['short-poll'].samplesBytes[0], 'which is the first sample');
  assert.equal(value('h2.pollHeadRepeatedBytes'), captured.heads['short-poll'].repeatedBytes, "the repeated polls' HPACK block");
  assert.equal(value('h2.pollResponseHeadFirstBytes'), captured.heads['short-poll'].responseFirstBytes, "the lab's first response head");
  assert.equal(
    value('h2.pollResponseHeadRepeatedBytes'),
    captured.heads['short-poll'].responseRepeatedBytes,
    "the lab's repeated response head",
  );
  assert.equal(value('h2.wsConnectHeadBytes'), captured.heads.ws.firstBytes, "Chromium's extended CONNECT");
  assert.equal(value('h2.wsResponseHeadBytes'), captured.heads.ws.responseFirstBytes, "the lab's 200");
  assert.equal(captured.page, '/', 'the heads were measured after loading the page on the same connection, as the lesson says');
  const h2Cell = (transport: string) =>
    results.scenarios.overhead.byWire.h2.cells.find(
      (c: { profile: string; transport: string; dataBytes: number }) =>
        c.profile === 'browser' && c.transport === transport && c.dataBytes === 16,
    );
  const names: Record<string, string> = { 'short-poll': 'shortPoll', 'long-poll': 'longPoll', iframe: 'iframe', sse: 'sse', ws: 'ws' };
  for (const transport of ['short-poll', 'long-poll', 'iframe', 'sse', 'ws']) {
    const cell = h2Cell(transport);
    assert.equal(cell.client, 'chromium', `${transport}: over HTTP/2 the browser figures are Chromium itself`);
    const headline = results.derived.headline.find((h: { transport: string }) => h.transport === transport);
    assert.equal(
      value(`h2.${names[transport]}OverheadBytesPerEvent`),
      headline.byWire.h2.overheadBytesPerEventBrowser,
      `${transport}: the headline's HTTP/2 overhead per event`,
    );
    assert.equal(
      value(`h2.${names[transport]}OverheadBytesPerEvent`),
      p.overhead.find((o: { profile: string; transport: string }) => o.profile === 'browser' && o.transport === transport)
        .overheadBytesPerEvent.h2,
      `${transport}: the protocols table agrees`,
    );
  }
  const poll = h2Cell('short-poll').perEvent;
  assert.equal(value('h2.shortPollUpHeadBytesPerEvent'), poll.upHeadBytes, 'request heads per event');
  assert.equal(value('h2.shortPollDownHeadBytesPerEvent'), poll.downHeadBytes, 'response heads per event');
  const ratio = value('h2.shortPollShareOfH1') as number;
  assert.ok(
    Math.abs(ratio - (value('h2.shortPollOverheadBytesPerEvent') as number) / (value('short-poll.overheadBytesPerEvent') as number)) <
      0.001,
    "the share is HTTP/2's overhead over HTTP/1.1's",
  );
  assert.equal(value('h2.sseOwnFramingBytes'), h2Cell('sse').floorFramingBytes, "SSE's own lines per event");
  const connection = p.connection.find((c: { profile: string }) => c.profile === 'browser');
  assert.equal(connection.client, 'chromium', "the connection set-up is Chromium's");
  assert.equal(value('h2.connectionSetupBytes'), connection.oneOffBytes, "Chromium's connection set-up");
  assert.equal(value('tls.chromiumHandshakeUpBytes'), p.chromiumHandshake.bytesIn, "Chromium's handshake, up");
  assert.equal(value('tls.chromiumHandshakeDownBytes'), p.chromiumHandshake.bytesOut, 'and down');
  assert.equal(
    value('tls.clients'),
    Math.max(...results.parameters.fanout.tlsClients),
    'the TLS figures come from the largest fan-out over TLS',
  );
  const fanout = (wire: string, transport: string) =>
    results.scenarios.fanout.byWire[wire].runs.find(
      (r: { clients: number; transport: string }) => r.clients === value('tls.clients') && r.transport === transport,
    );
  assert.ok(
    Math.abs((value('tls.recordBytesPerEventH1') as number) - fanout('h1-tls', 'sse').tls.recordBytesPerDelivery) < 0.01,
    'records per SSE event under HTTP/1.1, as the fan-out run measured',
  );
  assert.ok(
    Math.abs((value('tls.recordBytesPerEventH2') as number) - fanout('h2', 'sse').tls.recordBytesPerDelivery) < 0.01,
    'records per SSE event under HTTP/2, as the fan-out run measured',
  );
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
  assert.equal(
    value('h2.longPollRtt150MaxMs'),
    results.scenarios.rtt.byWire.h2.runs.find(
      (r: { rttMs: number; transport: string }) => r.rttMs === value('rtt.roundTripMs') && r.transport === 'long-poll',
    ).latency.maxMs,
    "HTTP/2's long-poll run at the same round trip as HTTP/1.1's",
  );
});
