/** `npm start` as a user runs it: a real process, its first line, its settings, SIGTERM. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import WebSocket from 'ws';
import { ROOT } from './paths.ts';

function start(env: Record<string, string>, args: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function output(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.split('\n')[0]);
    });
    child.once('exit', () => reject(new Error(`exited before its first line: ${text}`)));
  });
}

test('the first line names the URL; SIGTERM closes sockets with 1001, ends streams, exits within 2 s', async () => {
  const child = start({ TICK_MS: '50', HEARTBEAT_MS: '60000' });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    const line = await firstLine(child);
    const match = /^Wirelab listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
    assert.ok(match, `first line names the URL: ${line}`);
    const url = match[1];
    const ws = new WebSocket(`${url.replace('http', 'ws')}/feed/ws`);
    const closeCode = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const ticks: unknown[] = [];
    ws.on('message', (data) => ticks.push(JSON.parse(data.toString())));
    const sse = await fetch(`${url}/feed/sse`);
    const sseText = sse.text();
    while (ticks.length < 2) await new Promise((r) => setTimeout(r, 20));

    const started = Date.now();
    child.kill('SIGTERM');
    assert.equal(await closeCode, 1001, 'the WebSocket heard 1001 going away');
    assert.match(await sseText, /^retry: \d+\n\n/, 'the SSE stream ended cleanly');
    const [code] = await exited;
    assert.equal(code, 0, `exit code 0 (stderr: ${stderr})`);
    assert.ok(Date.now() - started < 2000, `exited within 2 s (${Date.now() - started} ms)`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('a bad setting stops the server with a message naming it', async () => {
  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['TICK_MS', '-1'],
    ['BUFFER_SIZE', '0'],
    ['ALLOWED_ORIGINS', 'not an origin'],
    ['HEARTBEAT_MS', '1.5'],
  ]) {
    const { code, stderr } = await output(start({ [name]: value }));
    assert.equal(code, 2, `${name}=${value}: exit code 2`);
    assert.match(stderr, new RegExp(`^Wirelab cannot start: ${name} `), `${name}=${value}: the message names ${name}`);
  }
});

test('--help lists every setting', async () => {
  const { code, stdout } = await output(start({}, ['--help']));
  assert.equal(code, 0, 'exit 0');
  for (const name of ['HOST', 'PORT', 'TICK_MS', 'BUFFER_SIZE', 'HEARTBEAT_MS', 'ALLOWED_ORIGINS', 'CHAT_RATE']) {
    assert.match(stdout, new RegExp(`\\b${name}\\b`), `${name} is listed`);
  }
});

test('an argument other than --help stops the server with one line saying where the settings go', async () => {
  for (const args of [['--port', '80'], ['3000']]) {
    const { code, stderr } = await output(start({}, args));
    assert.equal(code, 2, `${args.join(' ')}: exit code 2`);
    assert.match(
      stderr,
      /^Wirelab cannot start: .*npm start takes only --help, and every setting is an environment variable/,
      `${args.join(' ')}: says so`,
    );
    assert.equal(stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line, no stack trace (${stderr})`);
  }
  const { code, stdout } = await output(start({}, ['-h']));
  assert.equal(code, 0, '-h is --help');
  assert.match(stdout, /\bPORT\b/, '-h prints the settings');
});

test('a taken port or a bad HOST stops the server with one clear line, not a stack trace', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = String((blocker.address() as net.AddressInfo).port);
  try {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { PORT: taken, TLS_PORT: 'off', EXTRA_PORTS: 'off' },
        new RegExp(`^Wirelab cannot start: port ${taken} on 127\\.0\\.0\\.1 is taken`),
      ],
      [{ HOST: '192.0.2.1' }, /^Wirelab cannot start: HOST=192\.0\.2\.1 is not an address of this machine/],
      [{ HOST: 'no-such-host.invalid' }, /^Wirelab cannot start: HOST=no-such-host\.invalid is not a name this machine can resolve/],
    ];
    for (const [env, message] of cases) {
      const { code, stderr } = await output(start(env));
      assert.equal(code, 2, `${JSON.stringify(env)}: exit code 2`);
      assert.match(stderr, message, `${JSON.stringify(env)}: the message says what is wrong`);
      assert.equal(stderr.trim().split('\n').length, 1, `${JSON.stringify(env)}: one line, no stack trace (${stderr})`);
    }
  } finally {
    blocker.close();
  }
});

test('the output names all three TLS ports, each one listening', async () => {
  const child = start({ TICK_MS: '0' });
  try {
    let text = '';
    child.stdout!.on('data', (chunk) => (text += chunk));
    const exited = once(child, 'exit').then(() => Promise.reject(new Error(`exited: ${text}`)));
    exited.catch(() => {}); // raced below; the kill at the end must not leave it unhandled
    const deadline = Date.now() + 60_000;
    while (!/over TLS:.*\n/.test(text)) {
      if (Date.now() > deadline) throw new Error(`no TLS line within 60 s: ${text}`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exited]);
    }
    const line = /^.*over TLS:.*$/m.exec(text)![0];
    const ports = [...line.matchAll(/https:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(new Set(ports).size, 3, `three distinct HTTPS ports: ${line}`);
    assert.match(line, /HTTP\/2 \(and HTTP\/1\.1\).*HTTP\/1\.1 only.*HTTP\/2 experiment \(\d+ streams\)/, 'each named for what it is');
    for (const port of ports) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve();
        });
        socket.on('error', reject);
      });
    }
  } finally {
    child.kill('SIGKILL');
  }
});
