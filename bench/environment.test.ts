/**
 * The run's commit, read from .git's files: in a checkout, a detached HEAD, packed
 * refs, and a linked worktree (where .git is a file and the refs live elsewhere).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gitCommit } from './environment.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function folder(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-git-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a checkout: HEAD names a branch, read loose or packed; a detached HEAD is the commit', (t) => {
  const root = folder(t);
  mkdirSync(path.join(root, '.git', 'refs', 'heads'), { recursive: true });
  writeFileSync(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(path.join(root, '.git', 'packed-refs'), `# pack-refs\n${B} refs/heads/main\n`);
  assert.deepEqual(gitCommit(root), { commit: B, ref: 'refs/heads/main' }, 'packed');
  writeFileSync(path.join(root, '.git', 'refs', 'heads', 'main'), `${A}\n`);
  assert.deepEqual(gitCommit(root), { commit: A, ref: 'refs/heads/main' }, 'a loose ref wins');
  writeFileSync(path.join(root, '.git', 'HEAD'), `${B}\n`);
  assert.deepEqual(gitCommit(root), { commit: B, ref: null }, 'detached');
});

test('a linked worktree: .git is a file; HEAD in its folder, refs in the common folder', (t) => {
  const root = folder(t);
  const common = path.join(root, 'main', '.git');
  const own = path.join(common, 'worktrees', 'run');
  mkdirSync(path.join(common, 'refs', 'heads'), { recursive: true });
  mkdirSync(own, { recursive: true });
  mkdirSync(path.join(root, 'run'));
  writeFileSync(path.join(root, 'run', '.git'), `gitdir: ${own}\n`);
  writeFileSync(path.join(own, 'commondir'), '../..\n');
  writeFileSync(path.join(own, 'HEAD'), 'ref: refs/heads/topic\n');
  writeFileSync(path.join(common, 'refs', 'heads', 'topic'), `${A}\n`);
  assert.deepEqual(gitCommit(path.join(root, 'run')), { commit: A, ref: 'refs/heads/topic' });
  writeFileSync(path.join(own, 'HEAD'), `${B}\n`);
  assert.deepEqual(gitCommit(path.join(root, 'run')), { commit: B, ref: null }, 'detached in the worktree');
});

test('this checkout: the commit git itself names', () => {
  let expected: string;
  try {
    expected = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    assert.equal(
      gitCommit().commit === null || /^[0-9a-f]{40}$/.test(gitCommit().commit!),
      true,
      'no git binary: a commit or none, never garbage',
    );
    return;
  }
  assert.equal(gitCommit().commit, expected);
});
