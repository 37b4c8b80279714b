/**
 * /stats over HTTP/2 against the client's own count: one connection carries all
 * five transports at once, and for each of them the bytes the lab says it read
 * and wrote over HTTP/2 (head, framing, payload) equal, to the byte, what a client
 * counted on its side of the TLS connection (decrypted, frame by frame, per
 * stream); the connection line equals the client's stream-0 bytes; the TLS totals
 * equal what crossed the TCP socket.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import type { TrafficStats, TransportStats } from '../stats.ts';
import type { TransportId } from '../transports/registry.ts';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import { ScriptChunkParser } from '../clients/iframe.ts';
import { SseParser } from '../clients/sse.ts';
import { type ByteKind, CLIENT_PREFACE, FrameReader, HEADERS, RST_STREAM, encodeFrame } from './frames.ts';
import { openWebSocketOverHttp2 } from './websocket.ts';
import { ConnectionMeter, type Http2Totals, emptyHttp2Totals } from './frame-meter.ts';

type Split = { head: number; other: number; total: number };
const zero = (): Split => ({ head: 0, other: 0, total: 0 });

/**
 * The client's side of the TLS connection: every decrypted byte passes through
 * here, and two frame readers credit each to its stream, as the lab's meter does
 * on the other side (but with no knowledge of transports).
 */
class CountingPipe extends Duplex {
  readonly sent = new Map<number, Split>();
  readonly received = new Map<number, Split>();
  private readonly up: FrameReader;
  private readonly down: FrameReader;

  constructor(readonly secure: tls.TLSSocket) {
    super();
    const counter = (map: Map<number, Split>) => ({
      bytes: (streamId: number, kind: ByteKind, n: number) => {
        const split = map.get(streamId) ?? zero();
        map.set(streamId, split);
        if (kind === 'head') split.head += n;
        else split.other += n;
        split.total += n;
      },
    });
    this.up = new FrameReader(counter(this.sent), true);
    this.down = new FrameReader(counter(this.received), false);
    secure.on('data', (chunk: Buffer) => {
      this.down.push(chunk);
      this.push(chunk);
    });
    secure.on('end', () => this.push(null));
    secure.on('close', () => this.destroy());
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.up.push(chunk);
    this.secure.write(chunk, done);
  }

  override _final(done: () => void): void {
    this.secure.end();
    done();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.secure.destroy();
    done(error);
  }
}

let lab: RunningLab;
before(async () => {
  lab = await startLab({ tlsPort: 0, heartbeatMs: 200, iframeMaxBytes: 4096 });
});
after(async () => {
  await lab.close();
});

const eventJson = (text: string) =>
  [...text.matchAll(/\{"seq":\d+,"epoch":"[^"]+","type":"[a-z]+","at":[\d.]+,"data":\{[^}]*\}\}/g)].map((m) => m[0]);
const bytesOf = (texts: string[]) => texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);

test("one HTTP/2 connection carrying all five transports: /stats per transport equals the client's own count, byte for byte", async () => {
  const port = Number(new URL(lab.https!.h2Url).port);
  const tcp = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => tcp.once('connect', resolve));
  const secure = tls.connect({ socket: tcp, ca: lab.https!.ca, host: '127.0.0.1', ALPNProtocols: ['h2'] });
  await new Promise((resolve) => secure.once('secureConnect', resolve));
  assert.equal(secure.alpnProtocol, 'h2', 'ALPN chose HTTP/2');
  const pipe = new CountingPipe(secure);
  const session = http2.connect(lab.https!.h2Url, { createConnection: () => pipe as unknown as net.Socket });
  const streams = new Map<number, TransportId>();
  const payloads: Record<TransportId, string[]> = { 'short-poll': [], 'long-poll': [], iframe: [], sse: [], ws: [] };

  /** A GET on the session; resolves with the body once it ends (or when `until` says so, then cancels). */
  const get = (id: TransportId, path: string, until?: (body: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': path });
      // A stream has its id once the session is connected: at once, or when it says it is ready.
      if (stream.id !== undefined) streams.set(stream.id, id);
      else stream.once('ready', () => streams.set(stream.id!, id));
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
        if (until?.(body)) stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      stream.on('close', () => resolve(body));
      stream.on('error', reject);
    });

  const feed = lab.ctx.feed;
  for (let i = 0; i < 3; i++) feed.publish('tick', { price: i });
  // Short polling: three polls, the first with everything kept, the others empty or not.
  for (const since of [0, 1, 3]) payloads['short-poll'].push(...eventJson(await get('short-poll', `/feed/short-poll?since=${since}`)));
  // Long polling: held, then answered by the next event.
  const held = get('long-poll', '/feed/long-poll?since=3&timeoutMs=5000');
  await waitFor(() => feed.subscriberCount >= 1, 'the long poll is held');
  feed.publish('tick', { price: 3 });
  payloads['long-poll'].push(...eventJson(await held));
  // The streams, open together on the same connection, each until it has seen seq 8.
  const sse = get('sse', '/feed/sse?since=4', (body) => new SseParser().push(body).some((e) => e.data.includes('"seq":8,')));
  const iframe = get('iframe', '/feed/iframe?cb=onEvent&since=4', (body) =>
    new ScriptChunkParser().push(body).some((e) => (e as { seq: number }).seq === 8),
  );
  const socket = await openWebSocketOverHttp2(session, lab.https!.h2Url, '/feed/ws?since=4');
  const wsStream = (socket as unknown as { _socket: http2.ClientHttp2Stream })._socket;
  streams.set(wsStream.id!, 'ws');
  const wsSeen: string[] = [];
  socket.on('message', (data: Buffer) => wsSeen.push(data.toString('utf8')));
  await waitFor(() => feed.subscriberCount >= 3, 'three streams follow the feed');
  await delay(250); // at least one heartbeat each (200 ms): comments, keep-alive chunks, a ping and its pong
  const chat = JSON.stringify({ type: 'chat', name: 'h2', text: 'x<y & z>w' }); // escaped in the iframe's script chunk: payload as carried
  socket.send(chat);
  await waitFor(() => feed.lastSeq >= 5, 'the chat is published');
  for (let i = 0; i < 3; i++) feed.publish('tick', { price: 10 + i });
  payloads.sse.push(...eventJson(await sse));
  payloads.iframe.push(...eventJson(await iframe));
  await waitFor(() => wsSeen.some((m) => m.includes('"seq":8,')), 'the WebSocket saw seq 8');
  socket.close(1000, 'done');
  await new Promise((resolve) => socket.once('close', resolve));
  payloads.ws.push(...wsSeen.filter((m) => m.startsWith('{"seq":')));
  await new Promise<void>((resolve) => session.close(resolve));
  await waitFor(() => tcp.destroyed, 'the client closed its connection');
  const h2 = lab.ctx.stats.streams!.snapshot() as Http2Totals & { pending: { bytesIn: number } };
  await waitFor(() => (lab.ctx.stats.streams!.snapshot() as Http2Totals).sessionsOpen === 0, 'the lab closed its side');

  const transports = lab.ctx.stats.snapshot();
  const sumOf = (map: Map<number, Split>, id: TransportId) => {
    const total = zero();
    for (const [streamId, split] of map) {
      if (streams.get(streamId) !== id) continue;
      total.head += split.head;
      total.other += split.other;
      total.total += split.total;
    }
    return total;
  };
  const all = (split: TrafficStats['bytesIn']) => split.head + split.framing + split.payload;
  for (const id of Object.keys(payloads) as TransportId[]) {
    const stats: TrafficStats = (transports[id] as TransportStats).protocols.h2;
    const sent = sumOf(pipe.sent, id);
    const received = sumOf(pipe.received, id);
    assert.equal(all(stats.bytesIn), sent.total, `${id}: bytes in over HTTP/2 = what the client sent on its streams`);
    assert.equal(all(stats.bytesOut), received.total, `${id}: bytes out over HTTP/2 = what the client received on its streams`);
    assert.equal(stats.bytesIn.head, sent.head, `${id}: head in = the client's HPACK blocks`);
    assert.equal(stats.bytesOut.head, received.head, `${id}: head out = the server's HPACK blocks the client received`);
    assert.equal(stats.bytesOut.payload, bytesOf(payloads[id]), `${id}: payload out = the event JSON the client received`);
    assert.equal(stats.eventsDelivered, payloads[id].length, `${id}: events delivered`);
    assert.ok(stats.bytesOut.framing >= 0 && stats.bytesIn.framing >= 0, `${id}: framing is never negative`);
    assert.ok(stats.requests >= 1 && stats.connectionsOpened === 1, `${id}: its requests on one connection`);
  }
  assert.equal(transports['short-poll'].protocols.h2.requests, 3, 'three polls, three streams');
  assert.equal(transports.ws.protocols.h2.bytesIn.payload, Buffer.byteLength(chat), 'the chat sent over the WebSocket is payload in');
  assert.equal(transports.sse.protocols.h1.requests, 0, 'nothing was counted as HTTP/1.1');

  const final = lab.ctx.stats.streams!.snapshot() as Http2Totals;
  assert.equal(final.connection.bytesIn, pipe.sent.get(0)!.total, 'connection line in = the preface and stream-0 frames the client sent');
  assert.equal(final.connection.bytesOut, pipe.received.get(0)!.total, 'connection line out = the stream-0 frames the client received');
  const clientStreams = [...pipe.sent.keys(), ...pipe.received.keys()].filter((s) => s !== 0);
  assert.ok(
    clientStreams.every((s) => streams.has(s)),
    "every stream the client used was a transport's",
  );
  assert.equal(final.other.bytesIn.head + final.other.bytesIn.framing, 0, 'nothing in the `other` line: no stream left unclaimed');
  assert.ok(h2.pending.bytesIn >= 0, 'pending is reported');

  const tlsStats = lab.ctx.stats.tls.snapshot().h2;
  assert.equal(tlsStats.tcpBytesIn, tcp.bytesWritten, "TLS: TCP bytes in = what the client's socket wrote");
  assert.equal(tlsStats.tcpBytesOut, tcp.bytesRead, "TLS: TCP bytes out = what the client's socket read");
  const plaintextSent = [...pipe.sent.values()].reduce((sum, s) => sum + s.total, 0);
  const plaintextReceived = [...pipe.received.values()].reduce((sum, s) => sum + s.total, 0);
  assert.equal(tlsStats.plaintextBytesIn, plaintextSent, 'TLS: plaintext in = every decrypted byte the client sent');
  assert.equal(tlsStats.plaintextBytesOut, plaintextReceived, 'TLS: plaintext out = every decrypted byte the client received');
  assert.equal(tlsStats.recordBytesIn, tlsStats.tcpBytesIn - tlsStats.plaintextBytesIn, 'record overhead = TCP minus plaintext');
  assert.ok(
    tlsStats.handshakeBytesIn > 200 && tlsStats.handshakeBytesOut > 500,
    `a handshake's bytes (${tlsStats.handshakeBytesIn} in, ${tlsStats.handshakeBytesOut} out)`,
  );
  assert.equal(tlsStats.connectionsOpened, 1, 'one TLS connection');
});

test(
  "a connection's stream accounts are bounded: past the bound a new stream is the connection's, " +
    'the peer is reported once, and a stream the lab refused closes its account',
  () => {
    const totals = emptyHttp2Totals();
    const reasons: string[] = [];
    const meter = new ConnectionMeter(totals, { maxOpenAccounts: 3, onAbuse: (reason) => reasons.push(reason) });
    // END_STREAM | END_HEADERS, GET https /
    const headers = (streamId: number) => encodeFrame(HEADERS, 0x5, streamId, Buffer.from([0x82, 0x87, 0x84]));
    meter.incoming.push(CLIENT_PREFACE);
    for (const id of [1, 3, 5, 7, 9]) meter.incoming.push(headers(id));
    const size = headers(1).length;
    assert.deepEqual(reasons, ['more than 3 streams neither served nor refused'], 'the peer is reported once');
    assert.equal(meter.pending().bytesIn, 3 * size, 'three streams have accounts');
    assert.equal(totals.connection.bytesIn, CLIENT_PREFACE.length + 2 * size, 'the two past the bound are on the connection line');
    // nghttp2 refuses stream 1 before Node announced it: the lab's RST_STREAM closes its account.
    const rst = encodeFrame(RST_STREAM, 0, 1, Buffer.from([0, 0, 0, 7]));
    meter.outgoing.push(rst);
    assert.equal(meter.pending().bytesIn, 2 * size, 'stream 1 is no longer pending');
    assert.equal(totals.other.bytesIn.head + totals.other.bytesIn.framing, size, 'its request went to `other`');
    assert.equal(totals.other.bytesOut.framing, rst.length, 'and so did the RST_STREAM');
    meter.incoming.push(headers(11));
    assert.equal(meter.pending().bytesIn, 3 * size, 'a place was free again: stream 11 has an account');
    meter.streamOpened(3);
    meter.outgoing.push(encodeFrame(RST_STREAM, 0, 3, Buffer.from([0, 0, 0, 8])));
    assert.equal(meter.pending().bytesIn, 3 * size, 'an announced stream waits for its own close, whatever the lab sends');
  },
);
