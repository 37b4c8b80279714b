/**
 * The headers every response carries (security-headers.ts): nosniff on all of them,
 * pages with a policy that names the lab's own origins, the iframe transport's
 * documents framed from the lab's other ports, and its stream's policy costing no
 * byte per event. Over HTTP/1.1 on each kind of port and over HTTP/2.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { iframeCall } from './frames.ts';
import { type RunningLab, rawExchange, startLab } from './test-helpers.ts';

/** The directives of a policy, by name. */
function directives(policy: string | undefined): Map<string, string[]> {
  assert.ok(policy, 'a Content-Security-Policy');
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );
}

/** GETs `path` on the lab's main port with `headers`; resolves with the status and head (the body is dropped: some never end). */
function head(
  lab: RunningLab,
  path: string,
  headers: http.OutgoingHttpHeaders = {},
  port = lab.port,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      resolve({ status: response.statusCode!, headers: response.headers });
      request.destroy();
    });
    request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
  });
}

describe('security headers', () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ tlsPort: 0 });
  });
  after(async () => {
    await lab?.close();
  });

  test('every kind of response says nosniff: pages, files, JSON, feeds, chat, coded errors, raw refusals', async () => {
    const paths = [
      '/',
      '/board',
      '/lessons/intro',
      '/results',
      '/code/server/app.ts',
      '/assets/style.css',
      '/assets/lab.js',
      '/results/latest.json',
      '/vendor/chart.js/chart.umd.min.js',
      '/stats',
      '/lab.json',
      '/nope',
      '/assets/%00',
      '/feed/short-poll',
      '/feed/long-poll?timeoutMs=100',
      '/feed/sse',
      '/feed/iframe?cb=f',
      '/feed/iframe',
      '/feed/ws',
      '/wiretap',
    ];
    for (const path of paths) assert.equal((await head(lab, path)).headers['x-content-type-options'], 'nosniff', `GET ${path}`);
    assert.equal(
      (await head(lab, '/stats', { host: 'evil.example' })).headers['x-content-type-options'],
      'nosniff',
      'a foreign Host refused',
    );
    const chat = await fetch(`${lab.baseUrl}/feed/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a","text":"b"}',
    });
    assert.equal(chat.headers.get('x-content-type-options'), 'nosniff', 'a chat post');
    const garbage = await rawExchange(lab.port, 'GARBAGE\r\n\r\n');
    assert.deepEqual([garbage.status, garbage.headers['x-content-type-options']], [400, ['nosniff']], 'a request Node could not parse');
    const plainOnTls = await rawExchange(lab.ctx.ports!.tls!.main, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.deepEqual([plainOnTls.status, plainOnTls.headers['x-content-type-options']], [400, ['nosniff']], 'plain HTTP on a TLS port');
  });

  test("a page's policy: its own scripts and styles only, the lab's own origins to talk to and frame, framed only by itself", async () => {
    const ports = lab.ctx.ports!;
    for (const host of [`127.0.0.1:${lab.port}`, `localhost:${lab.port}`]) {
      const name = host.split(':')[0];
      const { headers } = await head(lab, '/board', { host });
      const policy = directives(headers['content-security-policy'] as string);
      assert.deepEqual(policy.get('script-src'), ["'self'"], `${host}: no inline script, no eval, no other origin`);
      assert.deepEqual(policy.get('style-src'), ["'self'"], `${host}: no inline style`);
      assert.deepEqual(policy.get('object-src'), ["'none'"]);
      assert.deepEqual(policy.get('base-uri'), ["'none'"]);
      assert.deepEqual(policy.get('frame-ancestors'), ["'self'"], `${host}: only the lab frames a page`);
      assert.equal(headers['x-frame-options'], 'SAMEORIGIN', `${host}: X-Frame-Options says the same`);
      const connect = policy.get('connect-src')!;
      for (const port of [ports.main, ...Object.values(ports.extra)]) {
        assert.ok(
          connect.includes(`http://${name}:${port}`) && connect.includes(`ws://${name}:${port}`),
          `${host}: connect-src names port ${port} by the name the page used`,
        );
      }
      for (const port of Object.values(ports.tls!))
        assert.ok(connect.includes(`https://${name}:${port}`) && connect.includes(`wss://${name}:${port}`), `${host}: TLS port ${port}`);
      assert.ok(
        connect.every((source) => source === "'self'" || source.includes(`//${name}:`)),
        `${host}: no origin but the lab's (${connect.join(' ')})`,
      );
      assert.ok(
        policy.get('frame-src')!.includes(`http://${name}:${ports.extra.iframe}`),
        `${host}: the iframe transport's port may be framed`,
      );
    }
  });

  test(
    "the iframe transport: its relay is framed from the page's port; " +
      'its stream allows inline script and nothing else, at no byte per event',
    async () => {
      const ports = lab.ctx.ports!;
      const page = `http://127.0.0.1:${ports.main}`;
      const relay = await head(lab, '/assets/iframe-relay.html?doc=1', {}, ports.extra.iframe);
      assert.ok(
        directives(relay.headers['content-security-policy'] as string)
          .get('frame-ancestors')!
          .includes(page),
        'the relay may be framed by the page on the main port',
      );
      assert.equal(relay.headers['x-frame-options'], undefined, 'no X-Frame-Options, which would refuse that');

      const stream = await head(lab, '/feed/iframe?cb=f', {}, ports.extra.iframe);
      const policy = directives(stream.headers['content-security-policy'] as string);
      assert.deepEqual(policy.get('default-src'), ["'none'"], 'no file, fetch, image or frame');
      assert.deepEqual(policy.get('script-src'), ["'unsafe-inline'"], 'inline chunks, no script file');
      assert.ok(
        policy.get('frame-ancestors')!.includes(page) && !policy.get('frame-ancestors')!.includes('*'),
        "framed by the lab's pages only",
      );
      assert.equal(stream.headers['x-frame-options'], undefined);
      assert.equal(iframeCall('f', '{}'), '<script>parent.f({});</script>\n', 'each chunk is the bare script: no nonce');
    },
  );

  test("over HTTP/2: nosniff, the page policy with https and wss origins, the stream's policy", async () => {
    const session = http2.connect(lab.https!.h2Url, { ca: lab.https!.ca });
    try {
      const get = (path: string) =>
        new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
          const stream = session.request({ ':path': path });
          stream.on('response', (headers) => {
            resolve(headers);
            stream.close(http2.constants.NGHTTP2_CANCEL);
          });
          stream.on('error', reject);
        });
      const board = await get('/board');
      assert.equal(board['x-content-type-options'], 'nosniff');
      const connect = directives(board['content-security-policy'] as string).get('connect-src')!;
      assert.ok(
        connect.includes(lab.https!.h2Url) && connect.includes(lab.https!.h2Url.replace('https', 'wss')),
        "the page's own origin over TLS, and its WebSocket",
      );
      assert.equal((await get('/feed/short-poll'))['x-content-type-options'], 'nosniff');
      assert.match(String((await get('/feed/iframe?cb=f'))['content-security-policy']), /^default-src 'none'; script-src 'unsafe-inline'/);
    } finally {
      await new Promise<void>((resolve) => session.close(resolve));
    }
  });
});
