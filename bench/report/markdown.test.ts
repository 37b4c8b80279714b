/** What the summary says of a run whose figures cannot be judged or whose scenario could not run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LABELS, TRANSPORT_IDS } from '../../server/transports/registry.ts';
import { derive } from './derive.ts';
import { emptyResults } from './fixtures.ts';
import { summaryMarkdown } from './markdown.ts';

test('a quick run judges no target', () => {
  const quick = emptyResults(true);
  assert.ok(quick.derived.targets.length > 5, 'the targets are listed');
  for (const target of quick.derived.targets) {
    assert.equal(target.met, null, `${target.id}: not judged`);
    assert.equal(target.note, 'quick run', `${target.id}: says why`);
  }
  assert.match(summaryMarkdown(quick), /not judged \(quick run\)/, 'the summary says so');
});

test('a cluster scenario that could not run says so, and why, instead of failing', () => {
  const r = emptyResults(true);
  const reason = 'The cluster needs nginx: install it (Debian: sudo apt-get install -y nginx) and run the command again.';
  r.scenarios.cluster = { skipped: true, reason, processes: 3, problems: [] };
  r.derived = derive(r.scenarios, [...TRANSPORT_IDS], LABELS, { quick: true, h2Heads: null, h1HeadBytes: null });
  assert.deepEqual(r.derived.cluster, { skipped: true, reason, processes: 3 }, 'the derived figures carry the reason');
  assert.match(summaryMarkdown(r), /## Several processes on one Redis feed\n\n\*\*Skipped:\*\* The cluster needs nginx/, 'the summary says skipped, and why');
  assert.equal(emptyResults(true).derived.cluster, null, 'a run without the scenario has no cluster figures');
});
