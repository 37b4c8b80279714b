/**
 * `npm run cluster` as a person runs it: the launcher in a process group of its
 * own, as a terminal starts it, stopped by Ctrl-C, which the terminal sends to
 * the whole group (the launcher, the labs, redis-server, nginx). It prints the
 * page's address with the run's control token after '#', and a curl line that
 * sends it; on Ctrl-C everything stops and nothing is reported as a crash.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ROOT } from '../paths.ts';

test('npm run cluster prints the page with its token, and one Ctrl-C to the group stops it all, with no crash reported', async () => {
  const launcher = spawn(process.execPath, ['--import', 'tsx', 'server/cluster/main.ts', '--processes', '2', '--port', '0'], {
    cwd: ROOT,
    detached: true, // a process group of its own, as a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TICK_MS: '0' },
  });
  let output = '';
  launcher.stdout.on('data', (chunk: Buffer) => (output += chunk));
  launcher.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    while (!output.includes('Ctrl-C stops all of it.') && Date.now() < deadline && launcher.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /Ctrl-C stops all of it\./, `the launcher started: ${output}`);
    const page = /cluster page +(http:\/\/127\.0\.0\.1:\d+)\/cluster\/#token=([\w-]{43})\n/.exec(output);
    assert.ok(page, `the page's address with the token in its fragment: ${output}`);
    const [, url, token] = page;
    assert.ok(
      output.includes(`curl -X POST -H 'Authorization: Bearer ${token}' ${url}/cluster/processes/lab-1/kill`),
      'and a curl line that sends it',
    );
    const refused = await fetch(`${url}/cluster/processes/lab-2/kill`, { method: 'POST' });
    assert.equal(refused.status, 401, 'without it, nothing is killed');
    const killed = await fetch(`${url}/cluster/processes/lab-2/kill`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(killed.status, 202, 'with it, the kill is taken');
    while (!output.includes('[lab-2] exited') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mark = output.length;
    process.kill(-launcher.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    assert.equal(code, 0, `stopped by one Ctrl-C: ${output.slice(mark)}`);
    assert.doesNotMatch(output.slice(mark), /exited \(|starting it again/, 'no exit reported as a crash, no restart announced');
  } finally {
    if (launcher.exitCode === null) process.kill(-launcher.pid!, 'SIGKILL');
  }
});

test('bad options stop the launcher before it starts anything, saying what is wrong; --help prints the usage', async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/cluster/main.ts', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      child.once('exit', (code) => resolve({ code, out, err }));
    });
  const refusals: [string[], RegExp][] = [
    [['--processes', '0'], /--processes takes a whole number from 1 to 16, got "0"/],
    [['--processes=17'], /--processes takes a whole number from 1 to 16, got "17"/],
    [['--port', 'x'], /--port takes a whole number from 0 to 65535, got "x"/],
    [['--port'], /Option '--port <value>' argument missing \(try --help\)/],
    [['--nope'], /Unknown option '--nope' \(try --help\)/],
    [['lab-1'], /Unexpected argument 'lab-1' \(try --help\)/],
  ];
  for (const [args, said] of refusals) {
    const { code, err } = await run(args);
    assert.equal(code, 2, `${args.join(' ')}: exit 2`);
    assert.match(err, /^Wirelab cluster cannot start: /, `${args.join(' ')}: says it cannot start`);
    assert.match(err, said, `${args.join(' ')}: says why`);
  }
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Wirelab cluster: .*\n\nUsage: npm run cluster -- \[--processes N\] \[--port P\]/, '--help prints the usage');
});
