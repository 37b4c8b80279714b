/**
 * The ladder's model (ladder-steps.js), from steps shaped as server/trace.ts sends them:
 * an amend lands in the step it corrects and the sums stay the sums of what was sent;
 * rows say how long a pause was, which response was held and for how long, which
 * request opened a connection; the live window keeps the latest rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceStep } from '../server/trace.ts';
import { lastRows, rowsOf, stepLog } from './ladder-steps.js';

let clock = 1_000;
const step = (fields: Partial<TraceStep> & Pick<TraceStep, 'dir' | 'what'>, afterMs = 1): TraceStep => ({
  type: 'step',
  transport: 'long-poll',
  protocol: 'h1',
  connection: 1,
  at: (clock += afterMs),
  head: 0,
  framing: 0,
  payload: 0,
  ...fields,
});

test('an amend moves bytes within the last step of its connection, stream and direction; the sums are what was sent', () => {
  const log = stepLog();
  const data = step({ transport: 'ws', protocol: 'h2', stream: 3, dir: 'out', what: 'data', framing: 100 });
  const other = step({ transport: 'ws', protocol: 'h2', stream: 5, dir: 'out', what: 'data', framing: 40 });
  assert.ok(log.add(data)?.added);
  log.add(other);
  const amended = log.add(
    step({ transport: 'ws', protocol: 'h2', stream: 3, dir: 'out', what: 'event', framing: -89, payload: 89, seqs: [7], amend: true }),
  );
  assert.equal(amended?.amended, log.steps[0], 'the step on stream 3');
  assert.deepEqual([log.steps[0].what, log.steps[0].framing, log.steps[0].payload, log.steps[0].seqs], ['event', 11, 89, [7]]);
  assert.deepEqual(log.steps[1].framing, 40, 'stream 5 untouched');
  assert.deepEqual(log.totals.out, { head: 0, framing: 51, payload: 89 });
  assert.equal(log.steps.length, 2, 'an amend is no arrow of its own');
});

test("a log takes only its transport, and an HTTP/2 connection's own frames only when asked", () => {
  const log = stepLog({ accept: (s) => s.transport === 'sse' });
  assert.equal(log.add(step({ transport: 'ws', dir: 'in', what: 'request', head: 500 })), undefined);
  assert.equal(log.add(step({ transport: 'sse', protocol: 'h2', stream: 0, dir: 'out', what: 'frame', framing: 13 })), undefined);
  assert.ok(log.add(step({ transport: 'sse', dir: 'in', what: 'request', head: 560 })));
  assert.deepEqual(log.totals, { in: { head: 560, framing: 0, payload: 0 }, out: { head: 0, framing: 0, payload: 0 } });
  const withConnection = stepLog({ connectionFrames: true });
  assert.ok(withConnection.add(step({ protocol: 'h2', stream: 0, dir: 'out', what: 'frame', framing: 13 })));
});

test('rows: a long pause is a row, a held response points back to its request, a new connection opens', () => {
  const steps = [
    step({ dir: 'in', what: 'request', head: 520, label: 'GET /feed/long-poll?since=1' }, 0),
    step({ dir: 'out', what: 'response', head: 286, framing: 44, payload: 90, seqs: [2] }, 950),
    step({ dir: 'in', what: 'request', head: 520 }, 5),
    step({ dir: 'out', what: 'end' }, 10),
    step({ connection: 2, dir: 'in', what: 'request', head: 520 }, 700),
  ];
  const rows = rowsOf(steps);
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['arrow', 'gap', 'arrow', 'arrow', 'end', 'gap', 'arrow'],
  );
  assert.equal(rows[1].kind === 'gap' && rows[1].ms, 950);
  const held = rows[2];
  assert.ok(held.kind === 'arrow' && held.heldMs === 950 && held.heldFrom === 0, 'held 950 ms since row 0');
  assert.ok(rows[0].kind === 'arrow' && rows[0].opens && rows[0].t === 0);
  assert.ok(rows[3].kind === 'arrow' && !rows[3].opens, 'the second request reuses the connection');
  assert.ok(rows[6].kind === 'arrow' && rows[6].opens, 'the reconnect opens connection 2');
  assert.equal(rows[6].kind === 'arrow' && rows[6].t, steps[4].at - steps[0].at);
});

test('the live window keeps the latest rows that fit, never starting on a pause, and remembers connections seen before it', () => {
  const steps = [step({ dir: 'in', what: 'request', head: 500 }, 0)];
  for (let i = 0; i < 20; i++) steps.push(step({ dir: 'out', what: 'event', framing: 2, payload: 80, seqs: [i] }, 1000));
  const rows = lastRows(steps, { startAt: steps[0].at, maxRows: 7 });
  assert.ok(rows.length <= 7);
  assert.equal(rows[0].kind, 'arrow');
  const last = rows.at(-1)!;
  assert.ok(last.kind === 'arrow' && last.step === steps.at(-1), 'ends on the latest step');
  const request = [step({ dir: 'in', what: 'request', head: 500 }, 0), step({ dir: 'in', what: 'request', head: 500 })];
  const windowed = lastRows(request, { startAt: request[0].at, maxRows: 1 });
  assert.ok(windowed[0].kind === 'arrow' && !windowed[0].opens, 'the connection was opened before the window');
});
