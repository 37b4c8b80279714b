/**
 * The lab's edges: coded errors for bad input (and nothing lost by them), the
 * Origin rule, and a close that leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { beatingAt } from './heartbeat.ts';
import { type RunningLab, startLab, waitFor } from './test-helpers.ts';

let lab: RunningLab;
before(async () => {
  lab = await startLab({ allowedOrigins: ['http://teacher.example:8080'] });
});
after(async () => {
  await lab.close();
});

async function expectError(response: Response, status: number, code: string, what: string) {
  assert.equal(response.status, status, `${what}: status`);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/, `${what}: JSON`);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, code, `${what}: code`);
  assert.ok(body.error.message.length > 10, `${what}: a message for a person`);
}

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${lab.baseUrl}/feed/chat`, { method: 'POST', headers, body });

describe('bad cursors and parameters get a coded 400 on every HTTP transport', () => {
  const bad = ['-1', 'abc', '1.5', '1e3', '', ' 1', '9007199254740992', '99999999999999999999', '0x10'];
  for (const path of ['/feed/short-poll', '/feed/long-poll', '/feed/iframe?cb=f', '/feed/sse']) {
    test(path, async () => {
      for (const since of bad) {
        const url = `${lab.baseUrl}${path}${path.includes('?') ? '&' : '?'}since=${encodeURIComponent(since)}`;
        await expectError(await fetch(url), 400, 'bad_since', `${path} since=${JSON.stringify(since)}`);
      }
      const twice = `${lab.baseUrl}${path}${path.includes('?') ? '&' : '?'}since=1&since=2`;
      await expectError(await fetch(twice), 400, 'bad_since', `${path} with since twice`);
    });
  }
  test('Last-Event-ID is checked like since', async () => {
    await expectError(
      await fetch(`${lab.baseUrl}/feed/sse`, { headers: { 'last-event-id': 'nope' } }),
      400,
      'bad_since',
      'bad Last-Event-ID',
    );
  });
  test('iframe callback names', async () => {
    for (const cb of [undefined, '', 'alert(1)', '1x', 'a..b', 'x'.repeat(65), '</script>']) {
      const url = `${lab.baseUrl}/feed/iframe${cb === undefined ? '' : `?cb=${encodeURIComponent(cb)}`}`;
      await expectError(await fetch(url), 400, 'bad_callback', `cb=${JSON.stringify(cb)}`);
    }
  });
  test('long-poll timeoutMs', async () => {
    for (const t of ['-5', 'soon', '1.5', '']) {
      await expectError(await fetch(`${lab.baseUrl}/feed/long-poll?timeoutMs=${t}`), 400, 'bad_timeout', `timeoutMs=${t}`);
    }
    const started = Date.now();
    const response = await fetch(`${lab.baseUrl}/feed/long-poll?timeoutMs=1`);
    assert.equal(response.status, 200, 'a tiny timeout is clamped, not refused');
    assert.ok(Date.now() - started >= 90, 'clamped up to 100 ms');
  });
  test('a plain GET on the WebSocket URL is 426', async () => {
    const response = await fetch(`${lab.baseUrl}/feed/ws`);
    assert.equal(response.headers.get('upgrade'), 'websocket', 'says which protocol');
    await expectError(response, 426, 'upgrade_required', 'plain GET on /feed/ws');
  });
  test('an unknown URL is a coded 404', async () => {
    await expectError(await fetch(`${lab.baseUrl}/feed/carrier-pigeon`), 404, 'not_found', 'unknown transport');
  });
});

describe('chat input', () => {
  test('bad bodies get 400/413/415 and publish nothing', async () => {
    const before = lab.ctx.feed.lastSeq;
    await expectError(await post('{"name":"a","text":'), 400, 'bad_json', 'broken JSON');
    await expectError(await post(''), 400, 'bad_json', 'empty body');
    await expectError(await post('[]'), 400, 'bad_chat', 'an array');
    await expectError(await post('"hi"'), 400, 'bad_chat', 'a string');
    await expectError(await post('{"name":"a"}'), 400, 'bad_chat', 'no text');
    await expectError(await post('{"text":"   "}'), 400, 'bad_chat', 'blank text');
    await expectError(await post('{"text":5}'), 400, 'bad_chat', 'text a number');
    await expectError(await post('{"text":"hi","name":{}}'), 400, 'bad_chat', 'name an object');
    await expectError(await post(JSON.stringify({ text: 'x'.repeat(2001) })), 400, 'bad_chat', 'text over 2000');
    await expectError(await post(JSON.stringify({ text: 'hi', name: 'n'.repeat(65) })), 400, 'bad_chat', 'name over 64');
    await expectError(await post(JSON.stringify({ text: 'x'.repeat(70_000) })), 413, 'too_large', 'body over 64 KiB');
    await expectError(
      await post('text=hi', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'bad_content_type',
      'a form post',
    );
    assert.equal(lab.ctx.feed.lastSeq, before, 'nothing was published');
    const ok = await post(JSON.stringify({ text: '中文 ✓ '.repeat(250), name: 'é' }));
    assert.equal(ok.status, 201, '2000 characters of non-ASCII text are fine');
  });

  test("origins: none, the lab's own and the allowed may post; others get 403", async () => {
    const body = JSON.stringify({ text: 'hi' });
    assert.equal((await post(body)).status, 201, 'no Origin (curl)');
    const own = await post(body, { 'content-type': 'application/json', origin: lab.baseUrl });
    assert.equal(own.status, 201, "the lab's own origin");
    const listed = await post(body, { 'content-type': 'application/json', origin: 'http://teacher.example:8080' });
    assert.equal(listed.status, 201, 'an allowed origin');
    assert.equal(listed.headers.get('access-control-allow-origin'), 'http://teacher.example:8080', 'CORS for the allowed origin');
    await expectError(
      await post(body, { 'content-type': 'application/json', origin: 'http://evil.example' }),
      403,
      'foreign_origin',
      'a foreign origin',
    );
    await expectError(await post(body, { 'content-type': 'application/json', origin: 'null' }), 403, 'foreign_origin', 'the opaque origin');
  });

  test('the rate limit answers 429 with Retry-After', async () => {
    const limited = await startLab({ chatRate: 2 });
    try {
      const send = () =>
        fetch(`${limited.baseUrl}/feed/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' });
      assert.equal((await send()).status, 201, 'first');
      assert.equal((await send()).status, 201, 'second');
      const third = await send();
      assert.equal(third.headers.get('retry-after'), '10', 'Retry-After');
      await expectError(third, 429, 'rate_limited', 'third in 10 s');
      assert.equal(limited.ctx.feed.lastSeq, 2, 'the refused message was not published');
    } finally {
      await limited.close();
    }
  });
});

describe('WebSocket edges', () => {
  const open = (headers: Record<string, string> = {}, path = '/feed/ws') =>
    new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
      const ws = new WebSocket(`${lab.baseUrl.replace('http', 'ws')}${path}`, { headers });
      ws.on('open', () => resolve({ ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
      ws.on('error', () => {});
    });

  test('a foreign Origin is refused with 403 before the upgrade', async () => {
    assert.equal((await open({ origin: 'http://evil.example' })).status, 403, 'foreign');
    const own = await open({ origin: lab.baseUrl });
    assert.ok(own.ws, "the lab's own origin upgrades");
    own.ws!.close();
    const listed = await open({ origin: 'http://teacher.example:8080' });
    assert.ok(listed.ws, 'an allowed origin upgrades');
    listed.ws!.close();
    assert.equal((await open({}, '/feed/ws?since=-4')).status, 400, 'a bad since is refused before the upgrade');
  });

  test('bad messages get an error frame; the socket stays usable', async () => {
    const { ws } = await open();
    const messages: { type: string; error?: { code: string } }[] = [];
    ws!.on('message', (data) => messages.push(JSON.parse(data.toString())));
    ws!.send('not json');
    ws!.send(Buffer.from([1, 2, 3]), { binary: true });
    ws!.send('{"type":"shout","text":"hi"}');
    ws!.send('{"type":"chat","text":""}');
    ws!.send('{"type":"chat","name":"ws","text":"still here"}');
    await waitFor(() => messages.some((m) => m.type === 'chat'), 'the good chat comes back');
    assert.deepEqual(
      messages.map((m) => m.error?.code ?? m.type),
      ['bad_message', 'bad_message', 'bad_message', 'bad_chat', 'chat'],
      'one answer each, in order',
    );
    assert.ok(
      messages.slice(0, 4).every((m) => !('seq' in m)),
      'error frames carry no seq',
    );
    ws!.close();
  });

  test('a message over 64 KiB closes with 1009; invalid UTF-8 with 1007', async () => {
    const big = (await open()).ws!;
    const bigCode = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    big.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(70_000) }));
    assert.equal(await bigCode, 1009, 'too big');
    const bad = (await open()).ws!;
    const badCode = new Promise<number>((resolve) => bad.on('close', (code) => resolve(code)));
    bad.send(Buffer.from([0xc3, 0x28]), { binary: false });
    assert.equal(await badCode, 1007, 'invalid UTF-8');
  });
});

describe('closing the app', () => {
  test('ends every stream, answers held polls, closes sockets with 1001 and leaves nothing behind', async () => {
    const closing = await startLab({ heartbeatMs: 50 });
    const url = closing.baseUrl;
    const sse = await fetch(`${url}/feed/sse`);
    const iframe = await fetch(`${url}/feed/iframe?cb=f`);
    const poll = fetch(`${url}/feed/long-poll?timeoutMs=30000`);
    const ws = new WebSocket(`${url.replace('http', 'ws')}/feed/ws`);
    const wsClosed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.on('open', resolve));
    await waitFor(() => closing.ctx.feed.subscriberCount === 4, 'four subscribers');
    const upgradeListeners = closing.app.server.listenerCount('upgrade');
    assert.ok(upgradeListeners > 0, 'an upgrade listener while running');
    assert.equal(beatingAt(50), 3, 'SSE, iframe and WebSocket beat on one shared 50 ms timer');

    const started = Date.now();
    await closing.close();
    assert.ok(Date.now() - started < 2000, `closed within 2 s (took ${Date.now() - started} ms)`);
    assert.equal(await wsClosed, 1001, 'WebSocket heard 1001 going away');
    assert.equal((await poll).status, 200, 'the held poll was answered');
    await sse.text(); // ends: the stream was closed, not left hanging
    await iframe.text();
    assert.equal(closing.ctx.feed.subscriberCount, 0, 'no subscriber left');
    assert.equal(closing.ctx.closers.size, 0, 'no held request or socket left');
    assert.equal(beatingAt(50), 0, 'no heartbeat listener or timer left');
    assert.equal(closing.app.server.listenerCount('upgrade'), 0, 'no upgrade listener left');
    assert.equal(closing.app.server.listening, false, 'not listening');
    const before = closing.ctx.feed.lastSeq;
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(closing.ctx.feed.lastSeq, before, 'no ticker left');
  });
});
