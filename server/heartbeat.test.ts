/** The shared heartbeat timers (heartbeat.ts): one timer per period, gone with its last beater. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beatingAt, everyPeriod, stopBeating } from './heartbeat.ts';

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
