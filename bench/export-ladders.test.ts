/**
 * The ladder slides (export-ladders.ts): a trace recorded from real traffic in
 * Chromium, the three shared events on every transport's steps, the scale-out lesson's
 * resume, and seven titled 1600x900 PNGs drawn from it; drawn again from the saved trace alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../server/clients/browser.ts';
import { type RunningLab, startLab } from '../server/test-helpers.ts';
import { type LadderTrace, exportLadders } from './export-ladders.ts';

let lab: RunningLab;
let browser: Browser;
const outDir = mkdtempSync(path.join(tmpdir(), 'wirelab-ladders-'));
before(async () => {
  lab = await startLab();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await lab?.close();
  rmSync(outDir, { recursive: true, force: true });
});

/** A PNG's width and height, from its IHDR chunk. */
const pngSize = (file: string) => {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bytes: bytes.length };
};

const SLIDES = [
  'ladder-short-poll.png',
  'ladder-long-poll.png',
  'ladder-iframe.png',
  'ladder-sse.png',
  'ladder-ws.png',
  'ladders-five.png',
  'ladder-resume.png',
];

test("bench:png's ladders: a recorded trace and six 1600x900 slides drawn from it", async () => {
  const files = await exportLadders({ browser, base: lab.baseUrl, outDir, lang: 'en', scale: 1 });
  assert.deepEqual(
    files.map((f) => path.basename(f)),
    ['ladders-trace.json', ...SLIDES],
  );
  const trace = JSON.parse(readFileSync(path.join(outDir, 'ladders-trace.json'), 'utf8')) as LadderTrace;
  assert.equal(trace.to - trace.from, 2, 'three events');
  // The scale-out lesson's picture, recorded on this one process: the cut, the reconnect with the cursor, the next event.
  const resume = trace.resume!;
  assert.equal(resume.resumedSeq, resume.since + 1, `the next event after the cursor: ${JSON.stringify(resume)}`);
  const cut = resume.steps.findIndex((s) => s.what === 'mark');
  const reconnect = resume.steps.findIndex((s, i) => i > cut && s.what === 'request');
  assert.ok(
    cut >= 0 && reconnect > cut && resume.steps[reconnect].label?.includes(`since=${resume.since}`),
    'the cut, then the request with since',
  );
  assert.ok(
    resume.steps.some((s) => s.what === 'event' && s.seqs?.includes(resume.resumedSeq)),
    'the resumed event',
  );
  assert.deepEqual(Object.keys(trace.steps), ['short-poll', 'long-poll', 'iframe', 'sse', 'ws']);
  for (const [transport, steps] of Object.entries(trace.steps)) {
    const seqs = steps.flatMap((s) => s.seqs ?? []);
    for (let seq = trace.from; seq <= trace.to; seq++) assert.ok(seqs.includes(seq), `${transport}: #${seq} was recorded`);
    assert.ok(
      steps.every((s) => s.type === 'step' && s.transport === transport),
      `${transport}: the lab's own trace steps`,
    );
    assert.ok(
      steps.some((s) => s.dir === 'in' && s.what === 'request' && s.head > 300),
      `${transport}: Chromium's real request head`,
    );
  }
  for (const slide of SLIDES) {
    const { width, height, bytes } = pngSize(path.join(outDir, slide));
    assert.deepEqual({ width, height }, { width: 1600, height: 900 }, slide);
    assert.ok(bytes > 10_000, `${slide} has a drawing in it (${bytes} B)`);
  }
  // From the saved trace alone, in the other language: the same slides, no new recording.
  const again = await exportLadders({
    browser,
    base: lab.baseUrl,
    outDir,
    lang: 'zh',
    scale: 1,
    traceFile: path.join(outDir, 'ladders-trace.json'),
  });
  assert.deepEqual(
    again.map((f) => path.basename(f)),
    SLIDES,
  );
});
