/**
 * The clock offset that lets a latency be measured across processes: every process's
 * `performance.timeOrigin + performance.now()` against the one monotonic clock they share.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { clockOffsetMs } from './ipc.ts';

test('the offset is steady within a process, even when the reads are disturbed', () => {
  const offsets = Array.from({ length: 20 }, () => clockOffsetMs());
  // A burst of allocation and a timer-heavy loop between readings: what a loaded process does.
  for (let i = 0; i < 20; i++) {
    const junk = Array.from({ length: 20_000 }, (_, j) => ({ j }));
    offsets.push(clockOffsetMs());
    assert.ok(junk.length > 0);
  }
  const spread = Math.max(...offsets) - Math.min(...offsets);
  assert.ok(spread < 0.05, `20 readings agree within 50 µs (spread ${(spread * 1000).toFixed(1)} µs)`);
});

test("two processes agree: the difference of their offsets is their clocks' disagreement, not the reading's", () => {
  const script = "import('./bench/ipc.ts').then((m) => process.stdout.write(String(m.clockOffsetMs())))";
  const other = () => Number(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' }));
  const a = other();
  const b = other();
  assert.ok(Number.isFinite(a) && Number.isFinite(b), 'each process names its offset');
  // Each process takes its wall clock once at start, so two may disagree by some µs, never by a pause.
  assert.ok(Math.abs(a - b) < 1, `two processes' offsets within 1 ms (${((a - b) * 1000).toFixed(1)} µs apart)`);
});
