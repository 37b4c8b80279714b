/**
 * The shared heartbeat timers (heartbeat.ts): one timer per period, gone with its last beater,
 * the period's beats spread over its slots. The spreading is checked on Node's mocked timers
 * (node:test's mock.timers), tick by tick; the rest on real ones.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type Beater, beatingAt, everyPeriod, slotsOf, stopBeating } from './heartbeat.ts';

/** Waits until `done()` holds, checking every 5 ms, or fails after `timeoutMs`. */
async function waitFor(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A beater that counts its beats. */
function counter(): { beats: number; beat(): void } {
  return {
    beats: 0,
    beat() {
      this.beats++;
    },
  };
}

test('beaters of one period share a timer and each beats; stopping the last one clears it', async () => {
  const period = 30;
  const a = counter();
  const b = counter();
  everyPeriod(period, a);
  everyPeriod(period, b);
  everyPeriod(period, a); // joining twice is still one beater
  assert.equal(beatingAt(period), 2, 'two beaters at this period');
  await waitFor(() => a.beats >= 2 && b.beats >= 2, 'both beat twice');
  stopBeating(period, a);
  const stoppedAt = a.beats;
  assert.equal(beatingAt(period), 1);
  await waitFor(() => b.beats >= stoppedAt + 3, 'b beats on');
  assert.equal(a.beats, stoppedAt, 'a stopped beating');
  stopBeating(period, b);
  stopBeating(period, b); // safe twice
  assert.equal(beatingAt(period), 0, 'no beater, no timer');
});

test('periods are apart, and a beater may stop itself (or another) during a beat', async () => {
  const fast = counter();
  const slow = counter();
  everyPeriod(20, fast);
  everyPeriod(5000, slow);
  assert.equal(beatingAt(20), 1);
  assert.equal(beatingAt(5000), 1);
  const second = counter();
  const quitter = {
    beats: 0,
    beat() {
      this.beats++;
      stopBeating(20, this);
      stopBeating(20, second);
    },
  };
  everyPeriod(20, quitter);
  everyPeriod(20, second);
  await waitFor(() => quitter.beats === 1, 'the quitter beat once');
  const secondBeats = second.beats;
  await waitFor(() => fast.beats >= 4, 'the fast beater goes on');
  assert.equal(quitter.beats, 1, 'the quitter stopped itself');
  assert.equal(second.beats, secondBeats, 'the one it stopped did not beat again');
  assert.equal(slow.beats, 0, 'the slow period has not come yet');
  stopBeating(20, fast);
  stopBeating(5000, slow);
  assert.equal(beatingAt(20) + beatingAt(5000), 0, 'both timers cleared: the test process can exit');
});

/** The running timers of this process (a mocked timer is none). */
function timeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

test('the shared timer is a real one while anyone beats, and none is left after the last', async () => {
  const before = timeouts();
  const a = counter();
  const b = counter();
  everyPeriod(40, a);
  everyPeriod(40, b);
  assert.equal(timeouts(), before + 1, 'one timer for two beaters of one period');
  await waitFor(() => a.beats >= 1 && b.beats >= 1, 'both beat');
  stopBeating(40, a);
  assert.equal(timeouts(), before + 1, 'the timer stays while b beats');
  stopBeating(40, b);
  assert.equal(timeouts(), before, 'the last beater took the timer with it');
});

test('a period is cut into whole milliseconds: the most slots up to 64, ticks of 10 ms or more', () => {
  for (const [periodMs, slots] of [
    [15_000, 60],
    [30_000, 60],
    [1000, 50],
    [300, 30],
    [100, 10],
    [30, 3],
    [20, 2],
    [10, 1],
    [997, 1],
  ]) {
    assert.equal(slotsOf(periodMs), slots, `${periodMs} ms`);
    assert.equal(periodMs % slots, 0, `${periodMs} ms: ${slots} ticks make one period exactly`);
  }
});

/** `count` beaters that write their name into `log` when they beat. */
function named(log: string[], prefix: string, count: number): (Beater & { name: string })[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${i}`,
    beat() {
      log.push(this.name);
    },
  }));
}

/** Advances the mocked clock one tick at a time for `ticks` ticks; returns who beat at each. */
function run(t: TestContext, tickMs: number, ticks: number, log: string[]): string[][] {
  const beaten: string[][] = [];
  for (let i = 0; i < ticks; i++) {
    t.mock.timers.tick(tickMs);
    beaten.push(log.splice(0));
  }
  return beaten;
}

test("a period's beats are spread over its slots: no tick beats more than its share, each beater once a period", (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
  const periodMs = 1000;
  const slots = slotsOf(periodMs);
  const tickMs = periodMs / slots;
  const log: string[] = [];
  const beaters = named(log, 'b', 1001);
  for (const beater of beaters) everyPeriod(periodMs, beater);
  // Joining at once, they fill the half of the slots whose turn is furthest off: twice the even share at most.
  const share = Math.ceil(beaters.length / Math.ceil(slots / 2));
  const beaten = run(t, tickMs, 3 * slots, log);
  for (const [i, names] of beaten.entries()) assert.ok(names.length <= share, `tick ${i} beat ${names.length}, more than ${share}`);
  for (let period = 0; period < 3; period++) {
    const names = beaten.slice(period * slots, (period + 1) * slots).flat();
    assert.equal(names.length, beaters.length, `period ${period}: every beater once`);
    assert.equal(new Set(names).size, beaters.length, `period ${period}: no beater twice`);
  }
  // Each beater keeps its slot: the same tick of every period.
  assert.deepEqual(beaten[slots + 7], beaten[7]);
  for (const beater of beaters) stopBeating(periodMs, beater);
  assert.equal(beatingAt(periodMs), 0);
  assert.deepEqual(run(t, tickMs, slots, log).flat(), [], 'no beat after every beater stopped');
});

test('a beater joining at any moment beats within one period, then once every period; a stopped one never again', (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'Date'] });
  const periodMs = 100;
  const slots = slotsOf(periodMs);
  const tickMs = periodMs / slots;
  const log: string[] = [];
  const early = named(log, 'early', 25);
  for (const beater of early) everyPeriod(periodMs, beater);
  // Latecomers join one a tick, at every phase of the period, and some mid-tick; the clock runs a millisecond at a time.
  const late = named(log, 'late', 2 * slots);
  const joinedAt = new Map<string, number>();
  const beatsAt = new Map<string, number[]>();
  let clock = 0;
  const advance = (ms: number) => {
    for (const end = clock + ms; clock < end; ) {
      t.mock.timers.tick(1);
      clock++;
      for (const name of log.splice(0)) beatsAt.set(name, [...(beatsAt.get(name) ?? []), clock]);
    }
  };
  for (const beater of late) {
    advance(joinedAt.size % 3 === 0 ? tickMs / 2 : tickMs);
    everyPeriod(periodMs, beater);
    joinedAt.set(beater.name, clock);
  }
  advance(4 * periodMs);
  for (const [name, at] of joinedAt) {
    const beats = beatsAt.get(name) ?? [];
    assert.ok(beats.length >= 3, `${name} beat ${beats.length} times in 4 periods`);
    assert.ok(beats[0] - at <= periodMs, `${name}: first beat ${beats[0] - at} ms after joining`);
    assert.ok(beats[0] - at >= periodMs / 2, `${name}: first beat ${beats[0] - at} ms after joining, not sooner than half a period`);
    for (let i = 1; i < beats.length; i++) assert.equal(beats[i] - beats[i - 1], periodMs, `${name}: one beat a period`);
  }
  // Stopping frees a beater's place: a newcomer takes an emptied slot, and no tick beats more than twice the even share.
  const quitters = late.slice(0, 10);
  for (const beater of quitters) stopBeating(periodMs, beater);
  for (const beater of quitters) stopBeating(periodMs, beater); // safe twice
  const newcomers = named(log, 'new', 10);
  for (const beater of newcomers) everyPeriod(periodMs, beater);
  const all = [...early, ...late.slice(10), ...newcomers];
  assert.equal(beatingAt(periodMs), all.length);
  const beaten = run(t, tickMs, slots, log);
  const share = Math.ceil(all.length / Math.ceil(slots / 2));
  for (const [i, names] of beaten.entries()) assert.ok(names.length <= share, `tick ${i} beat ${names.length}, more than ${share}`);
  assert.deepEqual(beaten.flat().sort(), all.map((b) => b.name).sort(), 'the quitters never again; everyone else once');
  for (const beater of all) stopBeating(periodMs, beater);
  assert.equal(beatingAt(periodMs), 0, 'no beater, no timer');
});

test('on a busy event loop every tick runs late, and still each beater beats once a period by the clock', async () => {
  const periodMs = 200;
  const slots = slotsOf(periodMs);
  const log: string[] = [];
  const beaters = named(log, 'busy', slots);
  const started = Date.now();
  for (const beater of beaters) everyPeriod(periodMs, beater);
  // Keep the loop busy 8 ms of every 10 (a tick's length here): each callback comes late, and an
  // interval that counts its own callbacks would stretch every period by all its ticks' delays.
  const busyUntil = started + 6 * periodMs;
  while (Date.now() < busyUntil) {
    const end = Date.now() + 8;
    while (Date.now() < end);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const elapsed = Date.now() - started;
  for (const beater of beaters) stopBeating(periodMs, beater);
  const periods = Math.floor(elapsed / periodMs);
  for (const beater of beaters) {
    const beats = log.filter((name) => name === beater.name).length;
    assert.ok(beats >= periods - 1 && beats <= periods + 1, `${beater.name} beat ${beats} times in ${elapsed} ms (${periods} periods)`);
  }
});
