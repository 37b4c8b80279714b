/**
 * The summary's library and native-HTTP/2 sections from small results: the
 * checker's verdicts in words, a row per run (or one saying why a subject was not
 * measured), deliveries missed, the cases an example did not pass; runs in order
 * of clients, transport and subject; the meter's floor only where it was measured.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyResults } from './fixtures.ts';
import { h2NativeSection, librariesSection } from './markdown-libraries.ts';

const load = (deliveries: number, expected: number) => ({
  deliveries,
  deliveriesExpected: expected,
  deliveriesPerSecond: 1000,
  serverCpuMicrosPerDelivery: 3.456,
  latency: { p50Ms: 1.5, p99Ms: 12 },
});
const verdicts = (pass: number, nonStrict: number, fail: number) => ({ pass, 'non-strict': nonStrict, fail, info: 0, missing: 0 });

function libraries() {
  const r = emptyResults(false);
  r.scenarios.libraries = {
    ratePerSecond: 10,
    dataBytes: 64,
    warmupMs: 1000,
    durationMs: 5000,
    checkSeconds: 12.34,
    clients: [100],
    rows: [
      {
        subject: 'lab',
        transport: 'ws',
        library: 'Wirelab (Fastify)',
        version: '5.12.0',
        verdicts: verdicts(65, 0, 0),
        notPassed: [],
        idle: { latency: { p50Ms: 0.2 } },
        runs: [{ clients: 100, load: load(1000, 1000), rssBytesPerConnection: 4321 }],
      },
      {
        subject: 'ws-faye',
        transport: 'ws',
        library: 'faye-websocket',
        version: '0.11.4',
        verdicts: verdicts(60, 3, 2),
        notPassed: [
          { id: 'ws.rsv', verdict: 'fail' },
          { id: 'ws.close-code', verdict: 'non-strict' },
        ],
        idle: { latency: { p50Ms: 0.3 } },
        runs: [{ clients: 100, load: load(990, 1000), rssBytesPerConnection: 5000 }],
      },
      {
        subject: 'sse-node',
        transport: 'sse',
        library: 'node:http',
        version: null, // node:http is Node's own: no version cell
        verdicts: null,
        checkError: 'the server did not start',
        notPassed: [],
        idle: null,
        runs: [],
        error: 'exited with code 1',
      },
    ],
  } as never;
  return librariesSection(r);
}

test("libraries: a row per run, the lab in bold, the checker's verdicts in words, the deliveries missed", () => {
  const md = libraries();
  assert.match(md, /^## What a library costs\n/);
  assert.match(md, /\(10 events\/s of 64 B data, 1\.0 s of warm-up, then 5\.0 s measured\) to 100 clients/);
  assert.match(md, /all at once \(12\.3 s\)/);
  assert.ok(md.includes('| WebSocket | **Wirelab (Fastify)** | 5.12.0 | 65 pass | 0.200 | 100 | 1,000 | 3.46 | 4,321 | 1.5 | 12.0 | 0 |'));
  assert.match(
    md,
    /\| WebSocket \| faye-websocket \(`ws-faye`\) \| 0\.11\.4 \| 60 pass, 3 non-strict, 2 fail \| 0\.300 \| 100 \| 1,000 \|.* \| 10 \|/,
  );
});

test('libraries: a subject not measured is one row saying why; the cases an example did not pass are named', () => {
  const md = libraries();
  const row =
    '| Server-Sent Events | node:http (`sse-node`) |  | not checked (the server did not start) | n/a | n/a | exited with code 1 |';
  assert.ok(md.includes(row), md);
  assert.match(md, /Cases not passed: faye-websocket \(WebSocket\): ws\.rsv fail, ws\.close-code non-strict\.$/);
  assert.doesNotMatch(md, /Wirelab \(Fastify\) \(WebSocket\):/, 'the lab is not listed among the examples');
});

function h2Native(pipe: number | null) {
  const r = emptyResults(false);
  const run = (clients: number, transport: string, subject: string) => ({
    clients,
    transport,
    subject,
    load: load(10, 10),
    rssBytesPerConnection: 1000,
  });
  const split = (clients: number) => ({
    clients,
    transport: 'ws',
    http2: 1.2,
    tls: 1.1,
    meter: 1.31,
    whole: 1.73,
    meterMemory: 1.07,
    pipe,
    meterOnPipe: 1.03,
  });
  r.scenarios.h2Native = {
    transports: ['sse', 'ws'],
    clients: [100, 1000],
    ratePerSecond: 5,
    durationMs: 3000,
    runs: [run(1000, 'sse', 'native-h2'), run(100, 'ws', 'lab-h1'), run(100, 'ws', 'native-h2'), run(100, 'sse', 'lab-h2')],
    split: [split(100)],
    failures: pipe === null ? ['lab-h1 ws 1000: no answer'] : [],
  } as never;
  return h2NativeSection(r);
}

test('native HTTP/2: runs by clients, then transport, then subject; the three costs; failures named', () => {
  const md = h2Native(null);
  const order = [...md.matchAll(/^\| ([\d,]+) \| ([^|]+) \| ([a-z0-9-]+) \| /gm)].map((m) => `${m[1]} ${m[2].trim()} ${m[3]}`);
  assert.deepEqual(order, [
    '100 Server-Sent Events lab-h2',
    '100 WebSocket native-h2',
    '100 WebSocket lab-h1',
    '1,000 Server-Sent Events native-h2',
  ]);
  assert.match(md, /\| 100 \| WebSocket \| 1\.20 \| 1\.10 \| 1\.31 \| 1\.73 \| 1\.07 \|/);
  assert.doesNotMatch(md, /The meter's floor/, 'no piped subject measured: no floor');
  assert.match(md, /Runs not measured: lab-h1 ws 1000: no answer\.$/);
});

test('native HTTP/2 with the piped subject: the floor and what the lab adds on it', () => {
  const md = h2Native(1.27);
  assert.match(md, /### The meter's floor/);
  assert.match(md, /\| 100 \| WebSocket \| 1\.31 \| 1\.27 \| 1\.03 \|/);
  assert.doesNotMatch(md, /Runs not measured/);
});
