/**
 * lesson.js turns off, behind the cluster's round robin, the demos that read their
 * own connection's bytes: each such demo says so itself (readsOwnBytes), and this
 * keeps that true as demos start or stop using the wiretap.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';

test('a demo that opens a wiretap declares readsOwnBytes, and only such a demo', () => {
  const dir = new URL('./demos/', import.meta.url);
  const demos = readdirSync(dir).filter((file) => file.endsWith('.js'));
  assert.ok(demos.length >= 8, `the demos are there (${demos.length})`);
  for (const file of demos) {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const taps = /\bopenTap\b/.test(source);
    const declares = /^export const readsOwnBytes = true;$/m.test(source);
    assert.equal(declares, taps, `${file}: ${taps ? 'opens a wiretap but does not declare readsOwnBytes' : 'declares readsOwnBytes but opens no wiretap'}`);
  }
});
