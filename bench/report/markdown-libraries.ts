/**
 * results/summary.md's sections for the example servers beside the lab ("What a
 * library costs") and for Node's own HTTP/2 beside the lab's ("What HTTP/2 costs,
 * and what the meter costs"), from the results JSON alone.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { H2_SUBJECTS, type H2Subject } from '../scenarios/h2-native.ts';
import type { LibraryRow } from '../scenarios/libraries.ts';
import { fmt, ms, section, table } from './format.ts';
import type { Results } from './schema.ts';

/** Verdict counts as the checker's terminal table prints them: passed, then what did not. */
function verdictWords(row: Pick<LibraryRow, 'verdicts' | 'checkError'>): string {
  const v = row.verdicts;
  if (!v) return `not checked (${row.checkError ?? 'no report'})`;
  const rest = (
    [
      ['non-strict', 'non-strict'],
      ['fail', 'fail'],
      ['info', 'info'],
      ['missing', 'missing'],
    ] as const
  )
    .filter(([key]) => v[key] > 0)
    .map(([key, word]) => `${v[key]} ${word}`);
  return [`${v.pass} pass`, ...rest].join(', ');
}

export function librariesSection(r: Results): string {
  const x = r.scenarios.libraries!;
  const rows = x.rows.flatMap((row) =>
    (row.runs.length ? row.runs : [null]).map((run) => [
      r.labels[row.transport],
      row.subject === 'lab' ? `**${row.library}**` : `${row.library} (\`${row.subject}\`)`,
      row.version,
      verdictWords(row),
      ms(row.idle?.latency.p50Ms),
      run ? fmt(run.clients) : 'n/a',
      run ? fmt(run.load.deliveriesPerSecond) : (row.error ?? 'n/a'),
      run ? fmt(run.load.serverCpuMicrosPerDelivery, 2) : 'n/a',
      run ? fmt(run.rssBytesPerConnection) : 'n/a',
      run ? ms(run.load.latency.p50Ms) : 'n/a',
      run ? ms(run.load.latency.p99Ms) : 'n/a',
      run ? fmt(run.load.deliveries === run.load.deliveriesExpected ? 0 : run.load.deliveriesExpected - run.load.deliveries) : 'n/a',
    ]),
  );
  const failing = x.rows
    .filter((row) => row.subject !== 'lab' && row.notPassed.length > 0)
    .map((row) => `${row.library} (${r.labels[row.transport]}): ${row.notPassed.map((c) => `${c.id} ${c.verdict}`).join(', ')}`);
  return section(
    '## What a library costs',
    `Each example server of \`lessons/servers/\`, as the seeds build them, beside the lab serving the same transport: each in a fresh ` +
      `process, plain HTTP/1.1, the same drivers and the same events (${x.ratePerSecond} events/s of ${x.dataBytes} B data, ` +
      `${fmt(x.warmupMs / 1000, 1)} s of warm-up, then ${fmt(x.durationMs / 1000, 1)} s measured) to ` +
      `${x.clients.map((n) => fmt(n)).join(' and ')} clients. The checker (\`npm run check\`) ran against each first, on an instance ` +
      `of its own, all at once (${fmt(x.checkSeconds, 1)} s): its verdicts count this transport's cases. Socket.IO is read through ` +
      'its own packets (Engine.IO 3, `42["event",{...}]`) by a client that does so; its verdicts are those of a plain WebSocket client ' +
      'of the contract. Idle p50 is one client alone before the fan-out.',
    table(
      [
        'Transport',
        'Server',
        'Version',
        'Checker',
        'Idle p50 (ms)',
        'Clients',
        'Deliveries/s',
        'Server CPU per delivery (µs)',
        'RSS per connection (B)',
        'p50 (ms)',
        'p99 (ms)',
        'Not delivered',
      ],
      rows,
    ),
    failing.length ? `Cases not passed: ${failing.join('; ')}.` : '',
  );
}

const SUBJECT_WORDS: Record<H2Subject, string> = {
  'native-h2': "Node's own HTTP/2 (`http2.createSecureServer`, no meter)",
  'piped-h2':
    "Node's own HTTP/2 server through the lab's plaintext pipe, nothing reading the bytes " + '(the floor of any meter in JavaScript)',
  'lab-h2': 'the lab over HTTP/2 (every frame metered)',
  'lab-h1-tls': 'the lab over HTTP/1.1 inside TLS',
  'lab-h1': 'the lab over plain HTTP/1.1',
};

/** The columns of the table of HTTP/2 fan-out runs, one row per run. */
const H2_NATIVE_COLUMNS = [
  'Clients',
  'Transport',
  'Subject',
  'Deliveries/s',
  'Server CPU per delivery (µs)',
  'RSS per connection (B)',
  'p50 (ms)',
  'p99 (ms)',
];

export function h2NativeSection(r: Results): string {
  const x = r.scenarios.h2Native!;
  const L = (t: TransportId) => r.labels[t];
  const order = (subject: H2Subject) => H2_SUBJECTS.indexOf(subject);
  const runs = [...x.runs].sort(
    (a, b) =>
      a.clients - b.clients || x.transports.indexOf(a.transport) - x.transports.indexOf(b.transport) || order(a.subject) - order(b.subject),
  );
  return section(
    '## What HTTP/2 costs, and what the meter costs',
    `The same HTTP/2 fan-out against Node's own \`http2.createSecureServer\` (\`bench/reference/bare-h2.ts\`: TLS and nghttp2 in ` +
      'C++, no byte crossing into JavaScript, WebSocket over RFC 8441) and against the lab, over HTTP/2, HTTP/1.1 over TLS and plain ' +
      `HTTP/1.1: ${x.transports.map(L).join(', ')}, ${x.clients.map((n) => fmt(n)).join(' and ')} clients, ${x.ratePerSecond} events/s, ` +
      `${fmt(x.durationMs / 1000, 1)} s measured, every run in a fresh server process. ` +
      Object.entries(SUBJECT_WORDS)
        .map(([k, v]) => `\`${k}\`: ${v}`)
        .join('; ') +
      '.',
    table(
      H2_NATIVE_COLUMNS,
      runs.map((run) => [
        fmt(run.clients),
        L(run.transport),
        run.subject,
        fmt(run.load.deliveriesPerSecond),
        fmt(run.load.serverCpuMicrosPerDelivery, 2),
        fmt(run.rssBytesPerConnection),
        ms(run.load.latency.p50Ms),
        ms(run.load.latency.p99Ms),
      ]),
    ),
    "### Three costs where there was one\n\nServer CPU per delivery as ratios. HTTP/2's own cost: native HTTP/2 against HTTP/1.1 over " +
      "TLS (both encrypted, so only the protocol differs; the lab's HTTP/1.1 costs about what a bare server does, " +
      'see "What the framework costs"). ' +
      "TLS's own cost: HTTP/1.1 over TLS against plain HTTP/1.1. The meter's: the lab's HTTP/2 against native HTTP/2, the price " +
      "of seeing every byte of every frame. The three multiply to the one ratio the lab's HTTP/2 showed before (lab over HTTP/2 " +
      'against plain HTTP/1.1).',
    table(
      [
        'Clients',
        'Transport',
        "HTTP/2's own (x)",
        "TLS's own (x)",
        "The meter's (x)",
        'Together: lab HTTP/2 / plain HTTP/1.1 (x)',
        'Meter, memory per connection (x)',
      ],
      x.split.map((s) => [
        fmt(s.clients),
        L(s.transport),
        fmt(s.http2, 2),
        fmt(s.tls, 2),
        fmt(s.meter, 2),
        fmt(s.whole, 2),
        fmt(s.meterMemory, 2),
      ]),
    ),
    x.split.some((s) => s.pipe != null) ? pipeFloor(r) : '',
    x.failures.length ? `Runs not measured: ${x.failures.join('; ')}.` : '',
  );
}

/**
 * The meter's cost in two: the floor any meter that reads the bytes in JavaScript stands
 * on, and what the lab adds on it; with the reason for the floor, from a CPU profile.
 */
function pipeFloor(r: Results): string {
  const x = r.scenarios.h2Native!;
  const L = (t: TransportId) => r.labels[t];
  return [
    "### The meter's floor\n\nTo see every byte, the lab terminates TLS in a TLSSocket and hands Node's HTTP/2 session a " +
      "JavaScript stream (`server/http2/plaintext.ts`) instead of the TLS socket; `piped-h2` is Node's own HTTP/2 server set up the " +
      'same way with nothing reading the bytes. Against native HTTP/2 it is the floor under any meter that reads the bytes in ' +
      "JavaScript: where native HTTP/2 hands each of nghttp2's writes to TLS inside C++, the piped session crosses into JavaScript " +
      "for every write (Node's JS stream socket), writes to TLS from JavaScript with a completion callback of its own, finishes the " +
      'write a turn later, and is told to stop and start reading around it, each a crossing between C++ and JavaScript with a request ' +
      'object made and freed (a CPU profile of the fan-out: `npx tsx bench/h2-cost.ts --subjects=piped-h2 --prof=DIR`, or ' +
      "`--attach='perf record -g -p {pid}'`). The lab's frame meter, framework and bookkeeping are what it adds on that floor.",
    table(
      ['Clients', 'Transport', "The meter's (x)", 'Floor: piped / native (x)', 'On the floor: lab / piped (x)'],
      x.split
        .filter((s) => s.pipe != null)
        .map((s) => [fmt(s.clients), L(s.transport), fmt(s.meter, 2), fmt(s.pipe, 2), fmt(s.meterOnPipe, 2)]),
    ),
  ].join('\n\n');
}
