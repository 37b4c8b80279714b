/**
 * The page's trace-step bus (ladder-bus.js): a picture mounted late still gets the
 * steps so far, in order, then each new one; a stopped listener gets nothing more;
 * and what is kept for late pictures stays bounded, the newest kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onSteps, publishStep } from './ladder-bus.js';

test('a listener gets the steps so far, then each new one, until it stops', () => {
  const early: unknown[] = [];
  const stopEarly = onSteps((step: unknown) => early.push(step));
  publishStep({ n: 1 });
  publishStep({ n: 2 });
  const late: unknown[] = [];
  const stopLate = onSteps((step: unknown) => late.push(step));
  assert.deepEqual(late, [{ n: 1 }, { n: 2 }], 'a late listener is handed the steps so far, oldest first');
  publishStep({ n: 3 });
  assert.deepEqual(early, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.deepEqual(late, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  assert.equal(stopEarly(), true, 'the stop removes the listener');
  publishStep({ n: 4 });
  assert.equal(early.length, 3, 'a stopped listener hears nothing more');
  assert.equal(late.length, 4);
  stopLate();
});

test('past 4,000 kept steps the oldest go, down to the newest 2,000, in order', () => {
  for (let n = 5; n <= 4001; n++) publishStep({ n });
  // 4 steps from the first test and 3,997 here: 4,001 steps, one over the bound.
  const kept: { n: number }[] = [];
  const stop = onSteps((step: { n: number }) => kept.push(step));
  stop();
  assert.equal(kept.length, 2000);
  assert.deepEqual(kept[0], { n: 2002 }, 'the oldest kept');
  assert.deepEqual(kept.at(-1), { n: 4001 }, 'the newest');
  assert.ok(
    kept.every((step, i) => i === 0 || step.n === kept[i - 1].n + 1),
    'in order, none missing',
  );
});
