/**
 * `npm run typecheck` as part of `npm test`: the TypeScript of server/, bench/ and
 * the tests, and the browser code in public/ checked from its JSDoc (checkJs, DOM
 * types). A type error fails the suite, not just a separate command nobody runs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../server/paths.ts';

const run = promisify(execFile);
const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** tsc is not the lab: under `npm test`'s c8 it would otherwise record coverage of the whole compiler for nothing. */
const { NODE_V8_COVERAGE: _coverage, ...env } = process.env;

for (const [what, args] of [
  ['the TypeScript', ['--noEmit']],
  ['the browser JavaScript (checkJs)', ['--noEmit', '-p', 'public/tsconfig.json']],
] as const) {
  test(`${what} type-checks`, async () => {
    const result = await run(process.execPath, [tsc, ...args], { cwd: ROOT, env, maxBuffer: 16 << 20 }).then(
      () => ({ ok: true, output: '' }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    assert.ok(result.ok, `tsc ${args.join(' ')} reports no errors:\n${result.output.slice(0, 4000)}`);
  });
}
