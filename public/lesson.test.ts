/**
 * lesson.js turns off, behind the cluster's round robin, the demos that read their
 * own connection's bytes: each demo that opens a wiretap says itself whether it must
 * be (readsOwnBytes true or false), and this keeps that true as demos start or stop
 * using the wiretap.
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
    // A demo whose tap sees its connection from any process (resume.js: the trace relay) declares false, saying so.
    const declaration = /^export const readsOwnBytes = (true|false);$/m.exec(source)?.[1];
    assert.equal(
      declaration !== undefined,
      taps,
      `${file}: ${taps ? 'opens a wiretap but does not declare readsOwnBytes' : 'declares readsOwnBytes but opens no wiretap'}`,
    );
  }
});
