/**
 * DNS rebinding, internal errors and what /assets serves: the lab answers only to
 * its own names, a 500 leaves a trace and a count, and the page tests' source is
 * not served as an asset.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { build, listen } from './app.ts';
import { configWith } from './config.ts';
import { type RunningLab, startLab } from './test-helpers.ts';

let lab: RunningLab;
before(async () => {
  lab = await startLab({ allowedHosts: ['lab.school.example'] });
});
after(async () => {
  await lab.close();
});

/** GET `path` with exactly this Host header; resolves with the status and body. */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: lab.port, path, headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

test('a Host that is not one of the lab\'s names is refused (DNS rebinding), on pages, feeds, /stats and WebSocket upgrades', async () => {
  for (const host of ['evil.example', `evil.example:${lab.port}`, 'localhost.evil.example', '127.0.0.1.nip.io']) {
    for (const path of ['/', '/board', '/stats', '/feed/short-poll', '/assets/lab.js']) {
      const { status, body } = await getWithHost(path, host);
      assert.equal(status, 403, `${host} ${path}: 403`);
      assert.equal(JSON.parse(body).error.code, 'unknown_host', `${host} ${path}: coded unknown_host`);
    }
  }
  const upgrade = await new Promise<number>((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${lab.port}/feed/ws`, { headers: { host: 'evil.example' } });
    socket.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy(); // ws leaves a refused handshake's socket to its caller
    });
    socket.on('open', () => {
      resolve(101);
      socket.terminate();
    });
    socket.on('error', () => {});
  });
  assert.equal(upgrade, 403, 'a WebSocket upgrade with a foreign Host is refused before the 101');
  assert.ok(lab.ctx.counters.unknownHostsRefused >= 21, 'the refusals are counted');
});

test('the lab\'s own names are answered: addresses, localhost and *.localhost, this machine, ALLOWED_HOSTS', async () => {
  const own = ['127.0.0.1', `127.0.0.1:${lab.port}`, '127.0.0.2', '[::1]', `[::1]:${lab.port}`, 'localhost', `localhost:${lab.port}`, 'board.localhost', os.hostname(), 'lab.school.example', 'LAB.SCHOOL.EXAMPLE', '10.1.2.3'];
  for (const host of own) {
    const { status } = await getWithHost('/stats', host);
    assert.equal(status, 200, `Host ${host} is the lab's`);
  }
});

test('an internal error answers a coded 500, is written to stderr and counted, and the lab keeps serving', async () => {
  const failing = await build(configWith({ tickMs: 0, tlsPort: 'off', extraPorts: false }));
  failing.app.get('/boom', async () => {
    throw new Error('a bug in a route');
  });
  await listen(failing, '127.0.0.1', 0);
  const port = (failing.app.server.address() as { port: number }).port;
  const written: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => written.push(args.map(String).join(' '));
  try {
    const response = await fetch(`http://127.0.0.1:${port}/boom`);
    assert.equal(response.status, 500, 'a 500');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'internal', 'coded internal');
  } finally {
    console.error = original;
  }
  assert.equal(failing.ctx.counters.internalErrors, 1, 'counted in /stats counters');
  assert.ok(written.some((line) => line.includes('GET /boom') && line.includes('a bug in a route')), `written to stderr with the request and the error (${written.join(' | ')})`);
  assert.equal((await fetch(`http://127.0.0.1:${port}/stats`)).status, 200, 'the lab keeps serving');
  await failing.app.close();
});

test('/assets serves browser code, not the page tests or their Node helpers', async () => {
  assert.equal((await fetch(`${lab.baseUrl}/assets/lab.js`)).status, 200, 'browser code is served');
  for (const path of ['/assets/pages.test.ts', '/assets/http2.test.ts', '/assets/testing/browser.ts', '/assets/testing/']) {
    assert.equal((await fetch(`${lab.baseUrl}${path}`)).status, 404, `${path} is not served`);
  }
});
