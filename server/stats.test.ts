/**
 * /stats against a raw socket: for every transport, the bytes the server says
 * it read and wrote equal, to the byte, what a plain TCP client wrote and read.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';
import type { TransportStats } from './stats.ts';
import type { TransportId } from './transports/registry.ts';
import { type RunningLab, delay, startLab, waitFor } from './test-helpers.ts';

/** A TCP client that counts every byte both ways. */
class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  sent = 0;
  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }
  write(bytes: string | Buffer): void {
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.sent += buffer.length;
    this.socket.write(buffer);
  }
  text(): string {
    return this.received.toString('latin1');
  }
  async until(condition: (text: string) => boolean, what: string): Promise<void> {
    await waitFor(() => condition(this.text()), what);
  }
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.closed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`;
const total = (split: { head: number; framing: number; payload: number }) => split.head + split.framing + split.payload;
const jsonBytes = (texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

let lab: RunningLab;
before(async () => {
  lab = await startLab({ iframeMaxBytes: 2048, heartbeatMs: 100 });
});
after(async () => {
  await lab.close();
});

/** After the client has closed and the server has noticed, /stats (over HTTP, as anyone reads it). */
async function statsOf(id: TransportId): Promise<TransportStats> {
  await waitFor(() => lab.ctx.stats.transports[id].connectionsOpen === 0, `${id} connection closed on the server`);
  const body = (await (await fetch(`${lab.baseUrl}/stats`)).json()) as { transports: Record<TransportId, TransportStats> };
  return body.transports[id];
}

function assertMatches(id: TransportId, stats: TransportStats, client: RawClient, payloads: string[], requests: number) {
  assert.equal(total(stats.bytesIn), client.sent, `${id}: bytes in = what the client wrote`);
  assert.equal(total(stats.bytesOut), client.received.length, `${id}: bytes out = what the client read`);
  assert.equal(stats.bytesOut.payload, jsonBytes(payloads), `${id}: payload out = the event JSON the client received`);
  assert.equal(stats.eventsDelivered, payloads.length, `${id}: events delivered`);
  assert.equal(stats.requests, requests, `${id}: requests`);
  assert.equal(stats.connectionsOpened, 1, `${id}: one TCP connection`);
  // The iframe stream's head is the longest: it carries its Content-Security-Policy (security-headers.ts).
  assert.ok(
    stats.bytesOut.head > 100 * requests && stats.bytesOut.head < 500 * requests,
    `${id}: plausible response heads (${stats.bytesOut.head} B)`,
  );
  assert.ok(stats.bytesOut.framing >= 0 && stats.bytesIn.framing >= 0, `${id}: framing is never negative`);
}

const eventsIn = (text: string) =>
  [...text.matchAll(/\{"seq":\d+,"epoch":"[^"]+","type":"[a-z]+","at":[\d.]+,"data":\{[^}]*\}\}/g)].map((m) => m[0]);

test('short-poll: two polls on one keep-alive socket', async () => {
  lab.ctx.feed.publish('tick', { price: 1 });
  const client = await RawClient.connect(lab.port);
  client.write(get('/feed/short-poll?since=0'));
  await client.until((t) => t.endsWith(']}'), 'first answer');
  client.write(get(`/feed/short-poll?since=${lab.ctx.feed.lastSeq}`));
  await client.until((t) => t.endsWith('"events":[]}'), 'second, empty answer');
  // A non-feed request on the same socket is not the transport's.
  client.write(get('/stats'));
  await client.until((t) => t.endsWith('}}') && t.includes('"transports"'), '/stats answer');
  const statsBytes = client.received.length - client.text().lastIndexOf('HTTP/1.1 200');
  const statsRequestBytes = Buffer.byteLength(get('/stats'));
  await client.close();
  const stats = await statsOf('short-poll');
  client.sent -= statsRequestBytes;
  client.received = client.received.subarray(0, client.received.length - statsBytes);
  assertMatches('short-poll', stats, client, eventsIn(client.text()), 2);
});

test('long-poll: a held request answered by a publish', async () => {
  const client = await RawClient.connect(lab.port);
  client.write(get(`/feed/long-poll?since=${lab.ctx.feed.lastSeq}&timeoutMs=5000`));
  await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'the poll is held');
  lab.ctx.feed.publish('chat', { name: 'a', text: 'hello' });
  await client.until((t) => t.endsWith(']}'), 'the answer');
  await client.close();
  assertMatches('long-poll', await statsOf('long-poll'), client, eventsIn(client.text()), 1);
});

test('iframe: a stream the server ends at its byte limit, heartbeats included', async () => {
  const client = await RawClient.connect(lab.port);
  client.write(get(`/feed/iframe?cb=onEvent&since=${lab.ctx.feed.lastSeq}`));
  await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'subscribed');
  await delay(250); // two heartbeats
  // The iframe carries this chat's JSON escaped for a script (\u003c for <): its payload is those bytes, as carried.
  lab.ctx.feed.publish('chat', { name: 'a', text: 'x<y & z>w' });
  for (let i = 0; i < 20 && lab.ctx.feed.subscriberCount > 0; i++) lab.ctx.feed.publish('tick', { price: i });
  await client.until((t) => t.endsWith('0\r\n\r\n'), 'the chunked response ends');
  assert.match(client.text(), /x\\u003cy \\u0026 z\\u003ew/, 'the chat arrived escaped');
  assert.match(client.text(), /<!-- keep-alive -->/, 'keep-alive chunks were sent');
  await client.close();
  assertMatches('iframe', await statsOf('iframe'), client, eventsIn(client.text()), 1);
});

test('sse: a stream the client leaves', async () => {
  const client = await RawClient.connect(lab.port);
  client.write(get('/feed/sse', `Last-Event-ID: ${lab.ctx.feed.lastSeq}\r\nAccept: text/event-stream\r\n`));
  await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'subscribed');
  for (let i = 0; i < 3; i++) lab.ctx.feed.publish('tick', { price: i });
  await delay(250);
  await client.until((t) => (t.match(/\n\n/g) ?? []).length >= 5, 'retry, events and a heartbeat');
  assert.match(client.text(), /: heartbeat\n\n/, 'comment heartbeats were sent');
  await client.close();
  assertMatches('sse', await statsOf('sse'), client, eventsIn(client.text()), 1);
});

/** A masked client frame (RFC 6455 5.2), as browsers send. */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

test('ws: the handshake, events, a chat frame, a ping and the close handshake', async () => {
  const client = await RawClient.connect(lab.port);
  const key = randomBytes(16).toString('base64');
  client.write(
    get(
      `/feed/ws?since=${lab.ctx.feed.lastSeq}`,
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n`,
    ),
  );
  await client.until((t) => t.includes('\r\n\r\n'), '101 response');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  assert.match(
    client.text(),
    new RegExp(`^HTTP/1.1 101 Switching Protocols\r\n[^]*Sec-WebSocket-Accept: ${accept.replace(/[+/]/g, '\\$&')}\r\n`),
    'accept key',
  );
  await waitFor(() => lab.ctx.feed.subscriberCount === 1, 'subscribed');
  lab.ctx.feed.publish('tick', { price: 1 });
  const chat = Buffer.from(JSON.stringify({ type: 'chat', name: 'raw', text: 'masked' }));
  client.write(clientFrame(0x1, chat));
  await client.until((t) => t.includes('"text":"masked"'), 'the chat comes back as an event');
  // The server pings every 100 ms and terminates a peer that misses one pong:
  // this client answers by hand, as a browser does by itself.
  await client.until((t) => t.includes('\x89\x00'), 'a ping');
  client.write(clientFrame(0xa, Buffer.alloc(0)));
  client.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
  await waitFor(() => client.socket.destroyed || client.socket.readableEnded, 'server closes after the close handshake');
  await client.close();
  const stats = await statsOf('ws');
  assertMatches('ws', stats, client, eventsIn(client.text()), 1);
  assert.equal(stats.bytesIn.payload, chat.length, 'payload in: the chat JSON; control frames are framing');
});
