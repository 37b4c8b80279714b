/**
 * The browser's set of files (assets.ts): what a page loads is served under
 * /assets/; the page tests, their helpers, type declarations and tsconfig.json,
 * which live in public/ too, are 404.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAsset } from './assets.ts';
import { PUBLIC_DIR } from './paths.ts';
import { type RunningLab, startLab } from './test-helpers.ts';

test('scripts, style sheets and framed documents in the listed folders are assets', () => {
  for (const file of ['/lab.js', '/style.css', '/iframe-relay.html', '/clients/sse.js', '/demos/frames.js', '/results/main.js']) {
    assert.equal(isAsset(file), true, `${file} is served`);
  }
});

test('tests, helpers, declarations, configs, data and other folders are not', () => {
  for (const file of [
    '/pages.test.ts',
    '/clients/common.test.ts',
    '/testing/browser.ts',
    '/globals.d.ts',
    '/tsconfig.json',
    '/i18n.json',
    '/results-i18n.json',
    '/other/lab.js',
    '/clients/deeper/sse.js',
    '/testing/',
    '/clients/',
    '/',
    '/.js',
    '/lab.test.js',
    '/lab',
  ]) {
    assert.equal(isAsset(file), false, `${file} is not served`);
  }
});

test('every file in public/ is an asset, or one of what only Node reads', () => {
  const nodeOnly = (file: string) => file.endsWith('.ts') || file === '/tsconfig.json' || file.endsWith('i18n.json');
  const walk = (dir: string): string[] =>
    readdirSync(path.join(PUBLIC_DIR, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
    );
  const files = walk('');
  assert.ok(files.length > 50, `public/ read (${files.length} files)`);
  for (const file of files)
    assert.ok(
      isAsset(file) !== nodeOnly(file),
      `${file}: ${isAsset(file) ? 'served' : 'not served'}, and ${nodeOnly(file) ? 'only Node reads it' : 'a page loads it'}`,
    );
});

describe('/assets/ serves the set and nothing else', () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ extraPorts: false });
  });
  after(async () => {
    await lab?.close();
  });

  test('browser code is served; a test, a Node helper, a declaration and tsconfig.json are 404', async () => {
    for (const served of ['/assets/lab.js', '/assets/clients/sse.js', '/assets/style.css', '/assets/iframe-relay.html']) {
      assert.equal((await fetch(`${lab.baseUrl}${served}`)).status, 200, `${served} is served`);
    }
    const refused = [
      '/assets/pages.test.ts',
      '/assets/http2.test.ts',
      '/assets/clients/common.test.ts',
      '/assets/testing/browser.ts',
      '/assets/testing/',
      '/assets/globals.d.ts',
      '/assets/tsconfig.json',
      '/assets/i18n.json',
    ];
    for (const file of refused) {
      const response = await fetch(`${lab.baseUrl}${file}`);
      assert.equal(response.status, 404, `${file} is not served`);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_found', `${file}: the coded 404`);
    }
  });
});
