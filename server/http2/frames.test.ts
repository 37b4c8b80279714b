/**
 * The frame reader, byte for byte: hand-built frames of every shape (padding,
 * priority, split anywhere), then a real HTTP/2 conversation between Node's own
 * client and server, whose every byte must be classified once.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { test } from 'node:test';
import { type ByteKind, CLIENT_PREFACE, FrameReader, type FrameHeader, encodeFrame, frameTypeName } from './frames.ts';

const frame = encodeFrame;

/** Totals per `stream:kind`, and the frames seen. */
function record(expectPreface: boolean) {
  const totals = new Map<string, number>();
  const frames: FrameHeader[] = [];
  const reader = new FrameReader(
    {
      frame: (h) => frames.push(h),
      bytes: (streamId: number, kind: ByteKind, n: number) =>
        totals.set(`${streamId}:${kind}`, (totals.get(`${streamId}:${kind}`) ?? 0) + n),
    },
    expectPreface,
  );
  const sum = () => [...totals.values()].reduce((a, b) => a + b, 0);
  return { reader, totals, frames, sum, get: (key: string) => totals.get(key) ?? 0 };
}

test('frame types have their RFC 9113 names', () => {
  assert.equal(frameTypeName(0), 'DATA', 'type 0');
  assert.equal(frameTypeName(4), 'SETTINGS', 'type 4');
  assert.equal(frameTypeName(9), 'CONTINUATION', 'type 9');
  assert.equal(frameTypeName(0x42), 'UNKNOWN', 'an extension type');
});

test('preface, padded DATA, HEADERS with priority and padding, CONTINUATION, SETTINGS: each byte once, split at every offset', () => {
  const bytes = Buffer.concat([
    CLIENT_PREFACE,
    frame(4, 0, 0, Buffer.alloc(12)), // SETTINGS, two settings
    // HEADERS, PADDED | PRIORITY: pad length 1 B, priority 5 B, 7 B of block, 3 B padding
    frame(1, 0x8 | 0x20, 1, Buffer.concat([Buffer.from([3]), Buffer.alloc(5), Buffer.alloc(7, 0x82), Buffer.alloc(3)])),
    frame(9, 0x4, 1, Buffer.alloc(4, 0x84)), // CONTINUATION, END_HEADERS
    frame(0, 0x8, 1, Buffer.concat([Buffer.from([2]), Buffer.from('hello'), Buffer.alloc(2)])), // DATA padded
    frame(0, 0x1, 1, Buffer.from('!')), // DATA, END_STREAM
    frame(8, 0, 0, Buffer.alloc(4)), // WINDOW_UPDATE on the connection
    frame(3, 0, 1, Buffer.alloc(4)), // RST_STREAM
    frame(4, 0x1, 0, Buffer.alloc(0)), // SETTINGS ACK, empty payload
  ]);
  const expected = {
    '0:preface': 24,
    '0:frame': 9 * 3,
    '0:control': 12 + 4,
    '1:frame': 9 * 5 + (1 + 5 + 3) + (1 + 2),
    '1:head': 7 + 4,
    '1:data': 5 + 1,
    '1:control': 4,
  };
  for (let split = 0; split <= bytes.length; split++) {
    const r = record(true);
    r.reader.push(bytes.subarray(0, split));
    r.reader.push(bytes.subarray(split));
    assert.deepEqual(Object.fromEntries([...r.totals].filter(([, n]) => n > 0)), expected, `split at ${split}`);
  }
  const oneByOne = record(true);
  for (const byte of bytes) oneByOne.reader.push(Buffer.from([byte]));
  assert.equal(oneByOne.sum(), bytes.length, 'fed one byte at a time, every byte counted once');
  assert.deepEqual(
    oneByOne.frames.map((f) => frameTypeName(f.type)),
    ['SETTINGS', 'HEADERS', 'CONTINUATION', 'DATA', 'DATA', 'WINDOW_UPDATE', 'RST_STREAM', 'SETTINGS'],
    'frames in order',
  );
});

test('a broken preface is counted as preface, not read as frames', () => {
  const r = record(true);
  r.reader.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(r.get('0:preface'), 27, 'everything after a mismatch stays preface');
  assert.equal(r.frames.length, 0, 'no frame invented from garbage');
});

test("a real conversation between Node's http2 client and server: every byte classified once, bodies and header blocks found", async () => {
  const body = 'x'.repeat(70_000); // more than one DATA frame (16,384 B each) and one window
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    let posted = 0;
    stream.on('data', (chunk: Buffer) => (posted += chunk.length));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-posted': String(posted) });
      stream.end(headers[':path'] === '/big' ? body : 'ok');
    });
  });
  const up = record(true);
  const down = record(false);
  // A TCP relay between client and server that shows each direction to a reader.
  let sentUp = 0;
  let sentDown = 0;
  const relay = net.createServer((client) => {
    const upstream = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('data', (chunk) => {
      sentUp += chunk.length;
      up.reader.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      sentDown += chunk.length;
      down.reader.push(chunk);
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const session = http2.connect(`http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`);
  const request = (path: string, upload: string) =>
    new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': path });
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
      stream.end(upload);
    });
  assert.equal(await request('/big', 'hello'), body, 'the big body arrives');
  assert.equal(await request('/small', 'y'.repeat(1000)), 'ok', 'the small one too');
  await new Promise((resolve) => setTimeout(resolve, 50));
  session.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  relay.close();
  server.close();
  assert.equal(up.get('0:preface'), 24, 'the client preface');
  assert.equal(up.get('1:data'), 5, 'stream 1 upload: the body, exactly');
  assert.equal(up.get('3:data'), 1000, 'stream 3 upload');
  assert.equal(down.get('1:data'), body.length, 'stream 1 download: the body, exactly, over several DATA frames');
  assert.equal(down.get('3:data'), 2, 'stream 3 download');
  assert.ok(up.get('1:head') > 0 && down.get('1:head') > 0, 'header blocks both ways');
  assert.ok(up.get('3:head') < up.get('1:head'), 'the second request head is smaller: HPACK refers to the table the first one filled');
  assert.ok(down.frames.filter((f) => f.type === 0 && f.streamId === 1).length >= 5, 'the big body took several DATA frames');
  assert.equal(up.sum(), sentUp, 'every byte the client sent, classified once');
  assert.equal(down.sum(), sentDown, 'every byte the server sent, classified once');
});
