/**
 * The quick run's checks of "What a library costs" and of native HTTP/2 beside the
 * lab (bench.test.ts registers them in its describe, on the run it made): what is
 * exact on any machine (every subject measured, every event delivered once, the
 * checker's verdicts where the lab's tests assert them, the three ratios multiplying
 * to the one), never a timing against a threshold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_CASES } from '../server/check/cases/index.ts';
import { subjectsOf } from './scenarios/h2-native.ts';
import { LIBRARY_SUBJECTS } from './scenarios/libraries.ts';
import type { Results } from './report/schema.ts';

/** Registers the tests; `results` and `summary` are read when the tests run. */
export function costTests(results: () => Results, summary: () => string): void {
  test('libraries: each example server beside the lab, checked, every event delivered once', () => {
    const x = results().scenarios.libraries!;
    assert.ok(x, 'the libraries scenario ran');
    const subjects = x.rows.map((r) => `${r.subject} ${r.transport}`);
    for (const s of LIBRARY_SUBJECTS) assert.ok(subjects.includes(`${s.subject} ${s.transport}`), `${s.subject} measured`);
    for (const t of ['ws', 'sse', 'long-poll', 'iframe']) assert.ok(subjects.includes(`lab ${t}`), `the lab beside them on ${t}`);
    for (const row of x.rows) {
      const what = `${row.subject} (${row.transport})`;
      assert.equal(row.error, undefined, `${what}: measured to the end`);
      assert.ok(row.idle && row.idle.received === row.idle.events, `${what}: the idle client heard every event`);
      assert.deepEqual(
        row.runs.map((r) => r.clients),
        x.clients,
        `${what}: a run per client count`,
      );
      for (const run of row.runs) {
        assert.equal(run.load.deliveries, run.load.deliveriesExpected, `${what}, ${run.clients} clients: every delivery arrived`);
        assert.equal(run.load.duplicates + run.load.gaps + run.load.gapEvents, 0, `${what}: nothing twice, nothing skipped`);
        assert.ok((run.load.serverCpuMicrosPerDelivery ?? 0) > 0, `${what}: CPU per delivery measured`);
      }
      const cases = ALL_CASES.filter((c) => c.transport === row.transport).length;
      assert.ok(row.verdicts, `${what}: checked (${row.checkError ?? ''})`);
      const v = row.verdicts!;
      assert.equal(v.pass + v['non-strict'] + v.fail + v.info + v.missing, cases, `${what}: every case of the transport counted`);
      assert.equal(row.notPassed.length, cases - v.pass, `${what}: the cases not passed are named`);
    }
    const verdicts = (subject: string) => x.rows.find((r) => r.subject === subject)!.verdicts!;
    // A failed count names the cases and the checker's reasons, so that a run on another machine says what changed.
    const failed = (subject: string) =>
      x.rows
        .find((r) => r.subject === subject)!
        .notPassed.filter((c) => c.verdict === 'fail')
        .map((c) => `${c.id}: ${c.reason}`)
        .join('\n');
    for (const row of x.rows.filter((r) => r.subject === 'lab'))
      assert.equal(row.notPassed.length, 0, `the lab passes every ${row.transport} case`);
    // As lessons/servers/servers.test.ts asserts them, case by case.
    for (const clean of ['ws-ws', 'sse-node', 'sse-better-sse', 'long-poll-node', 'iframe-node'])
      assert.equal(verdicts(clean).fail + verdicts(clean)['non-strict'], 0, `${clean} passes everything`);
    assert.equal(verdicts('ws-websocket').fail, 3, `WebSocket-Node fails 3 cases:\n${failed('ws-websocket')}`);
    assert.equal(verdicts('ws-faye').fail, 2, `faye-websocket fails 2:\n${failed('ws-faye')}`);
    assert.equal(verdicts('ws-nodejs-websocket').fail, 13, `nodejs-websocket fails 13:\n${failed('ws-nodejs-websocket')}`);
    const socketIo = `Socket.IO fails 16 (its frames are not the contract's events):\n${failed('ws-socketio')}`;
    assert.equal(verdicts('ws-socketio').fail, 16, socketIo);
    assert.match(summary(), /## What a library costs\n/, 'the summary has its section');
    assert.match(
      summary(),
      /\| WebSocket \| Socket\.IO [^|]*\| [\d.]+ \| 47 pass, 2 non-strict, 16 fail \|/,
      'with the verdicts beside the costs',
    );
  });

  test('native HTTP/2 beside the lab: every subject, transport and count; three ratios that multiply to the one', () => {
    const x = results().scenarios.h2Native!;
    assert.ok(x, 'the native HTTP/2 scenario ran');
    assert.deepEqual(x.failures, [], 'every run measured');
    for (const clients of x.clients) {
      for (const transport of x.transports) {
        for (const subject of subjectsOf(transport)) {
          const run = x.runs.find((r) => r.subject === subject && r.transport === transport && r.clients === clients);
          const what = `${subject} ${transport} ${clients}`;
          assert.ok(run, `${what} measured`);
          assert.equal(run.wire, subject === 'lab-h1' ? 'h1' : subject === 'lab-h1-tls' ? 'h1-tls' : 'h2', `${what}: over its wire`);
          assert.equal(run.load.held, clients, `${what}: every client held before measuring`);
          assert.equal(run.load.deliveries, run.load.deliveriesExpected, `${what}: every delivery arrived`);
          assert.equal(run.load.duplicates + run.load.gaps, 0, `${what}: nothing twice, nothing skipped`);
        }
        const split = x.split.find((s) => s.transport === transport && s.clients === clients)!;
        for (const key of ['http2', 'tls', 'meter', 'whole'] as const)
          assert.ok((split[key] ?? 0) > 0, `${transport}: the ${key} ratio measured`);
        const product = split.http2! * split.tls! * split.meter!;
        assert.ok(
          Math.abs(product / split.whole! - 1) < 0.01,
          `${transport}: HTTP/2's x TLS's x the meter's = the whole (${product} against ${split.whole})`,
        );
        if (subjectsOf(transport).includes('piped-h2')) {
          const floor = split.pipe! * split.meterOnPipe!;
          const what = `${transport}: the floor x what the lab adds on it = the meter's (${floor} against ${split.meter})`;
          assert.ok(Math.abs(floor / split.meter! - 1) < 0.01, what);
        }
      }
    }
    assert.match(summary(), /## What HTTP\/2 costs, and what the meter costs\n/, 'the summary has its section');
    assert.match(summary(), /### Three costs where there was one/, 'and the split');
    assert.match(summary(), /### The meter's floor/, "and the meter's floor");
  });

  test('the idle-latency targets are relative to a bare subject measured in the same run', () => {
    const idle = results().derived.targets.filter((t) => t.id.startsWith('idle-p50-'));
    assert.deepEqual(
      idle.map((t) => t.transport),
      ['ws', 'sse', 'iframe', 'long-poll'],
      'one per streaming transport and long polling',
    );
    for (const t of idle) {
      assert.equal(t.unit, 'x', `${t.transport}: a ratio`);
      assert.equal(t.target, '<= 1.1x', `${t.transport}: at most 1.1 times the bare subject`);
      assert.ok(t.measured !== null && t.measured > 0, `${t.transport}: measured in this run (${t.note})`);
    }
  });
}
