/**
 * DNS rebinding, internal errors and what /assets serves: the lab answers only to
 * its own names, a request naming two hosts is refused on every port, a 500 leaves
 * a trace and a count, and the page tests' source is not served as an asset.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { build, listen } from './app.ts';
import { configWith } from './config.ts';
import { type RunningLab, rawExchange, startLab } from './test-helpers.ts';

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

test("a Host that is not one of the lab's names is refused (DNS rebinding), on pages, feeds, /stats and WebSocket upgrades", async () => {
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

test("the lab's own names are answered: addresses, localhost and *.localhost, this machine, ALLOWED_HOSTS", async () => {
  const own = [
    '127.0.0.1',
    `127.0.0.1:${lab.port}`,
    '127.0.0.2',
    '[::1]',
    `[::1]:${lab.port}`,
    'localhost',
    `localhost:${lab.port}`,
    'board.localhost',
    os.hostname(),
    'lab.school.example',
    'LAB.SCHOOL.EXAMPLE',
    '10.1.2.3',
  ];
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
  assert.ok(
    written.some((line) => line.includes('GET /boom') && line.includes('a bug in a route')),
    `written to stderr with the request and the error (${written.join(' | ')})`,
  );
  assert.equal((await fetch(`http://127.0.0.1:${port}/stats`)).status, 200, 'the lab keeps serving');
  await failing.app.close();
});

/** The code of a coded error body; undefined when the body is not one. */
function codeOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** An HPACK string literal, not Huffman-coded (RFC 7541 section 5.2; short strings only). */
const hpackString = (text: string) => Buffer.concat([Buffer.from([Buffer.byteLength(text)]), Buffer.from(text)]);

/** An HTTP/2 frame (RFC 9113 section 4.1). */
function h2Frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/**
 * Sends one GET with exactly these header fields (duplicates included, which
 * Node's client will not send) on a fresh HTTP/2 connection; resolves with the
 * stream's fate: its RST_STREAM code, or the first byte of its response HEADERS
 * block (HPACK's static table: 0x88 is :status 200, 0x8c is :status 400).
 */
function rawH2(port: number, ca: string, fields: [string, string][]): Promise<{ reset?: number; statusByte?: number }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2'] }, () => {
      // Literal fields without indexing, new names (RFC 7541 section 6.2.2); END_STREAM | END_HEADERS.
      const block = Buffer.concat(fields.flatMap(([name, value]) => [Buffer.from([0]), hpackString(name), hpackString(value)]));
      socket.write(
        Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), h2Frame(4, 0, 0, Buffer.alloc(0)), h2Frame(1, 0x5, 1, block)]),
      );
    });
    let buffer = Buffer.alloc(0);
    const done = (fate: { reset?: number; statusByte?: number }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(fate);
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 9 && buffer.length >= 9 + buffer.readUIntBE(0, 3)) {
        const length = buffer.readUIntBE(0, 3);
        const type = buffer[3];
        const stream = buffer.readUInt32BE(5) & 0x7fffffff;
        const payload = buffer.subarray(9, 9 + length);
        buffer = buffer.subarray(9 + length);
        if (stream === 1 && type === 3) return done({ reset: payload.readUInt32BE(0) });
        if (stream === 1 && type === 1) return done({ statusByte: payload[0] });
      }
    });
    socket.on('error', reject);
    const timer = setTimeout(() => reject(new Error('no answer on stream 1 within 5 s')), 5000);
  });
}

describe('a request that names two hosts', () => {
  let own: RunningLab;
  before(async () => {
    own = await startLab({ tlsPort: 0 });
  });
  after(async () => {
    await own?.close();
  });

  test('is answered 400 bad_request and its connection closed, on the main port, every extra port and HTTP/1.1 over TLS', async () => {
    const ports = own.ctx.ports!;
    const plain = Object.entries({ main: ports.main, ...ports.extra });
    assert.ok(plain.length >= 7, `the extra ports are open (${plain.map(([name]) => name)})`);
    const twoHosts = [
      ['Host: 127.0.0.1', 'Host: evil.example'],
      ['Host: 127.0.0.1', 'Host: 127.0.0.1'],
      ['Host: 127.0.0.1', 'host: localhost'],
    ];
    const check = async (where: string, port: number, ca?: string) => {
      for (const hosts of twoHosts) {
        const answer = await rawExchange(port, `GET /stats HTTP/1.1\r\n${hosts.join('\r\n')}\r\n\r\n`, { ca });
        assert.equal(answer.status, 400, `${where}, ${hosts.join(' + ')}: 400 (got ${answer.status} ${answer.body.slice(0, 120)})`);
        assert.equal(codeOf(answer.body), 'bad_request', `${where}: coded bad_request`);
        assert.match(answer.body, /one Host header/, `${where}: says why`);
        assert.ok(answer.closed, `${where}: the connection is closed after the answer`);
      }
      // And without Host: the lab's coded answer too, not Node's bare 400.
      const none = await rawExchange(port, 'GET /stats HTTP/1.1\r\n\r\n', { ca });
      assert.equal(none.status, 400, `${where}, no Host: 400`);
      assert.equal(codeOf(none.body), 'bad_request', `${where}, no Host: coded (got ${JSON.stringify(none.body.slice(0, 80))})`);
      // One Host is served.
      assert.equal(
        (await rawExchange(port, 'GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', { ca })).status,
        200,
        `${where}: one Host is served`,
      );
    };
    for (const [name, port] of plain) await check(`the ${name} port`, port);
    await check('HTTP/1.1 over TLS', ports.tls!.h1, own.https!.ca);
    await check('HTTP/1.1 on the HTTP/2 port', ports.tls!.main, own.https!.ca);
  });

  test(
    'over HTTP/2 is malformed: two :authority or two host fields ' + 'reset the stream, a host that differs from :authority is 400',
    async () => {
      const { ca } = own.https!;
      const port = own.ctx.ports!.tls!.main;
      const base: [string, string][] = [
        [':method', 'GET'],
        [':scheme', 'https'],
        [':path', '/stats'],
      ];
      assert.deepEqual(
        await rawH2(port, ca, [...base, [':authority', '127.0.0.1']]),
        { statusByte: 0x88 },
        'one :authority is served (200)',
      );
      // nghttp2 refuses these itself, as RFC 9113 section 8.1.1 asks of a malformed request: RST_STREAM PROTOCOL_ERROR.
      assert.deepEqual(
        await rawH2(port, ca, [...base, [':authority', '127.0.0.1'], [':authority', 'evil.example']]),
        { reset: 1 },
        'two :authority',
      );
      assert.deepEqual(
        await rawH2(port, ca, [...base, [':authority', '127.0.0.1'], ['host', '127.0.0.1'], ['host', 'evil.example']]),
        { reset: 1 },
        'two host',
      );
      assert.deepEqual(
        await rawH2(port, ca, [...base, [':authority', '127.0.0.1'], ['host', 'localhost']]),
        { statusByte: 0x8c },
        'host differs from :authority: 400',
      );
      assert.deepEqual(
        await rawH2(port, ca, [...base, [':authority', '127.0.0.1'], ['host', '127.0.0.1']]),
        { statusByte: 0x88 },
        'host agreeing with :authority is served',
      );
    },
  );
});
