/**
 * Paths the lab will not read: every static prefix and page route, probed over raw
 * sockets (no client tidies the path first, as curl --path-as-is), answers a
 * traversal, an encoded NUL, an encoded slash or a backslash with `400 bad_path`,
 * and a folder with `404 not_found`, on the main port, an extra port, HTTP/1.1
 * over TLS and HTTP/2; the files themselves are still served.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { ERRORS, type ErrorCode } from './errors.ts';
import { type RunningLab, rawExchange, startLab } from './test-helpers.ts';
import { pathProblem } from './url-path.ts';

describe('pathProblem', () => {
  test('plain paths pass, whatever their query says', () => {
    for (const url of [
      '/',
      '/board',
      '/lessons/intro?lang=zh',
      '/assets/clients/sse.js',
      '/results/latest.json',
      '/code/server/app.ts',
      '/vendor/chart.js/chart.umd.min.js',
      '/assets/',
      '/feed/sse?since=1&x=..%2f%00',
      '/feed/ws',
      '*',
      'http://example/x',
      '/a%20b',
      '/%E4%B8%AD',
    ]) {
      assert.equal(pathProblem(url), undefined, url);
    }
  });

  test('traversal, empty segments, encoded slashes, backslashes and control characters are refused', () => {
    for (const url of [
      '/assets/../server/app.ts',
      '/assets/%2e%2e/server/app.ts',
      '/assets/%2E%2e/x',
      '/assets/./style.css',
      '/assets/%2e',
      '/..',
      '/assets/..%2fserver%2fapp.ts',
      '/assets/clients%2Fsse.js',
      '/assets/%5c..%5cserver',
      '/assets/\\..\\server',
      '/assets//etc/passwd',
      '//board',
      '/assets/style.css%00',
      '/assets/style.css%00.js',
      '/lessons/%0aintro',
      '/lessons/intro%7f',
      '/assets/%E0',
    ]) {
      assert.ok(pathProblem(url), `${url} is refused`);
    }
  });
});

/** The attacks, each appended to every prefix below; every one must be `400 bad_path`. */
const ATTACKS = [
  '../server/app.ts',
  '../../package.json',
  '%2e%2e/server/app.ts',
  '%2e%2e%2fserver%2fapp.ts',
  '..%2f..%2fpackage.json',
  '..%5c..%5cpackage.json',
  'x/../../package.json',
  './style.css',
  '%2e',
  'style.css%00',
  'style.css%00.html',
  '%00',
  'intro%0d%0aX-Injected:%201',
  'clients%2fsse.js',
  '/etc/passwd',
];

/** Every prefix the lab serves files or pages under, with one thing that is really there. */
const ROUTES = [
  { prefix: '/assets/', file: 'style.css' },
  { prefix: '/assets/clients/', file: 'sse.js' },
  { prefix: '/results/', file: 'latest.json' },
  { prefix: '/vendor/chart.js/', file: 'chart.umd.min.js' },
  { prefix: '/code/server/', file: 'app.ts' },
  { prefix: '/lessons/', file: 'intro' },
  { prefix: '/', file: 'board' },
];

/** Folders: there is no listing, so nothing is there. */
const FOLDERS = [
  '/assets/',
  '/assets/clients/',
  '/assets/demos/',
  '/results/',
  '/vendor/chart.js/',
  '/code/',
  '/code/server/',
  '/lessons/',
  '/board/',
  '/results/charts/',
];

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;

function assertCoded(path: string, answer: { status: number; body: string }, code: ErrorCode, where: string): void {
  assert.equal(answer.status, ERRORS[code].status, `${where} ${JSON.stringify(path)}: status (body ${answer.body.slice(0, 120)})`);
  assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, code, `${where} ${JSON.stringify(path)}: code`);
}

describe('static routes and pages refuse odd paths with a coded answer', () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ tlsPort: 0 });
  });
  after(async () => {
    await lab?.close();
  });

  test('on the main port: every attack under every prefix is 400 bad_path, every folder 404 not_found, every file 200', async () => {
    for (const { prefix, file } of ROUTES) {
      assert.equal((await rawExchange(lab.port, request(prefix + file))).status, 200, `${prefix}${file} is served`);
      for (const attack of ATTACKS)
        assertCoded(prefix + attack, await rawExchange(lab.port, request(prefix + attack)), 'bad_path', 'main port');
    }
    // Backslashes raw on the request line (Node's parser lets them through).
    assertCoded(
      '/assets/..\\..\\package.json',
      await rawExchange(lab.port, request('/assets/..\\..\\package.json')),
      'bad_path',
      'main port',
    );
    for (const folder of FOLDERS) assertCoded(folder, await rawExchange(lab.port, request(folder)), 'not_found', 'main port');
  });

  test('the same on an extra port and over TLS (HTTP/1.1 and HTTP/2)', async () => {
    const samples = ['/assets/../server/app.ts', '/results/%00', '/assets/clients%2fsse.js', '/code/server/..%2f..%2fpackage.json'];
    const extra = lab.ctx.ports!.extra.sse!;
    const tls = lab.ctx.ports!.tls!;
    for (const path of samples) {
      assertCoded(path, await rawExchange(extra, request(path)), 'bad_path', 'extra port');
      assertCoded(path, await rawExchange(tls.h1, request(path), { ca: lab.https!.ca }), 'bad_path', 'HTTP/1.1 over TLS');
    }
    assertCoded('/results/', await rawExchange(tls.h1, request('/results/'), { ca: lab.https!.ca }), 'not_found', 'HTTP/1.1 over TLS');

    const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = session.request({ ':path': path });
          let status = 0;
          let body = '';
          stream.on('response', (head) => (status = Number(head[':status'])));
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status, body }));
          stream.on('error', reject);
        });
      for (const path of samples) assertCoded(path, await get(path), 'bad_path', 'HTTP/2');
      assertCoded('/results/', await get('/results/'), 'not_found', 'HTTP/2');
      assert.equal((await get('/assets/style.css')).status, 200, 'HTTP/2: a file is served');
    } finally {
      await new Promise<void>((resolve) => session.close(resolve));
    }
  });
});
