/**
 * /stats against a packet capture of the TLS ports, byte for byte.
 *
 * dumpcap records the lab's HTTP/2 port and its HTTP/1.1-over-TLS port on
 * loopback while Node clients, logging their TLS keys, drive every transport over
 * HTTP/2 (one connection) and HTTP/1.1 over TLS (a connection each), and a client
 * of each protocol resets its connection mid-stream. tshark decrypts the capture
 * with that key log, capture-figures.ts works out every figure from it alone, and
 * each must equal /stats exactly: per transport and protocol (head, framing,
 * payload both ways, requests, events), the HTTP/2 connection line and frame
 * counts, and the TLS section (handshake by record type, TCP, plaintext, records).
 *
 * Without tshark it installs Debian's as root, or skips saying why; under CI
 * (CI=true) it fails instead, so that CI never passes it by skipping.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { Duplex } from 'node:stream';
import { join } from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import type { TransportId } from '../transports/registry.ts';
import { type RunningLab, startLab, waitFor } from '../test-helpers.ts';
import {
  type Traffic,
  addTraffic,
  emptyTraffic,
  eventJson,
  http1Traffic,
  http2Figures,
  streamTraffic,
  tlsFigures,
} from './capture-figures.ts';
import { openWebSocketOverHttp2 } from './websocket.ts';
import { WireCapture, whyNoCapture } from './wire-capture.ts';

/** A chat text whose JSON the iframe carries escaped: `<`, `&` and `>` become \u003c, \u0026 and \u003e. */
const CHAT_TEXT = 'x<y & z>w';
const TRANSPORTS: TransportId[] = ['short-poll', 'long-poll', 'iframe', 'sse', 'ws'];

interface StatsBody {
  lastSeq: number;
  transports: Record<TransportId, { protocols: Record<'h1' | 'h2', Traffic & { connectionsOpen: number; connectionsOpened: number }> }>;
  http2: {
    connection: { bytesIn: number; bytesOut: number };
    other: Traffic;
    frames: { in: Record<string, number>; out: Record<string, number> };
  };
  tls: Record<'h1' | 'h2', Record<string, number>>;
}

let keyLog = '';
const stats = async (lab: RunningLab) => (await (await fetch(`${lab.baseUrl}/stats`)).json()) as StatsBody;

/** Each client TLS socket's TCP socket, for a reset. */
const tcpOf = new WeakMap<tls.TLSSocket, net.Socket>();

/** A TLS connection to `port` whose keys go to the key log (NSS format, as --tls-keylog writes it). */
function connectLogged(port: number, alpn: string, ca: string): tls.TLSSocket {
  const tcp = net.connect(port, '127.0.0.1');
  const socket = tls.connect({ socket: tcp, ca, ALPNProtocols: [alpn], servername: 'localhost' });
  socket.on('keylog', (line) => appendFileSync(keyLog, line));
  tcpOf.set(socket, tcp);
  return socket;
}

/** Resets the TCP connection under `socket` (RST), as a client that vanishes mid-stream. */
const resetConnection = (socket: tls.TLSSocket) => tcpOf.get(socket)!.resetAndDestroy();

/**
 * A key-logged TLS connection whose encrypted bytes pass through JavaScript on their way
 * to TCP, so that `closeAndReset` can send the client's close_notify and reset the
 * connection in one go: both are in the lab's kernel before the lab reads either, and
 * the close_notify the lab answers with meets a reset connection and never leaves.
 */
function connectRelayed(port: number, alpn: string, ca: string): { socket: tls.TLSSocket; tcp: net.Socket; closeAndReset: () => void } {
  const tcp = net.connect(port, '127.0.0.1');
  let resetAfterWrite = false;
  const relay = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      tcp.write(chunk);
      if (resetAfterWrite) tcp.resetAndDestroy();
      done();
    },
  });
  tcp.on('data', (chunk: Buffer) => relay.push(chunk));
  tcp.on('error', () => {});
  tcp.on('close', () => relay.destroy());
  const socket = tls.connect({ socket: relay, ca, ALPNProtocols: [alpn], servername: 'localhost' });
  socket.on('keylog', (line) => appendFileSync(keyLog, line));
  socket.on('error', () => {});
  const closeAndReset = () => {
    resetAfterWrite = true;
    socket.end();
  };
  return { socket, tcp, closeAndReset };
}

/** An HTTP/2 session over a key-logged connection, and its TLS socket. */
async function h2Session(url: string, ca: string): Promise<{ session: ClientHttp2Session; socket: tls.TLSSocket }> {
  let socket: tls.TLSSocket | undefined;
  const session = http2.connect(url, { createConnection: () => (socket = connectLogged(Number(new URL(url).port), 'h2', ca)) });
  session.on('error', () => {});
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  return { session, socket: socket! };
}

/** A GET on `session`, its body gathered as it comes. */
function h2Get(session: ClientHttp2Session, path: string): { stream: ClientHttp2Stream; body: () => string; ended: Promise<void> } {
  const stream = session.request({ ':path': path });
  let body = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('error', () => {});
  const ended = new Promise<void>((resolve) => stream.once('close', resolve));
  return { stream, body: () => body, ended };
}

/** A raw HTTP/1.1 client over a key-logged TLS connection: writes request heads, gathers what comes back. */
async function h1Client(port: number, ca: string): Promise<{ socket: tls.TLSSocket; text: () => string; get: (path: string) => void }> {
  const socket = connectLogged(port, 'http/1.1', ca);
  socket.on('error', () => {});
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { socket, text: () => text, get: (path) => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`) };
}

const lastSeqIn = (text: string) => Math.max(0, ...eventJson(text).map((json) => (JSON.parse(json) as { seq: number }).seq));

const TITLE = 'a decrypted capture of the TLS ports and /stats agree on every figure, over HTTP/2 and HTTP/1.1 over TLS';

test(TITLE, { timeout: 120_000 }, async (t) => {
  const why = whyNoCapture();
  if (why) {
    if (process.env.CI === 'true') assert.fail(`the capture test cannot run under CI: ${why}`);
    t.skip(`no packet capture here: ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wirelab-keys-'));
  keyLog = join(dir, 'keys.log');
  writeFileSync(keyLog, '');
  const lab = await startLab({ tlsPort: 0, extraPorts: false, heartbeatMs: 300 });
  const ca = lab.https!.ca;
  const portOf = (url: string) => Number(new URL(url).port);
  const [h2Port, h1Port] = [portOf(lab.https!.h2Url), portOf(lab.https!.h1Url)];
  const capture = await WireCapture.start([h2Port, h1Port]);
  const feed = lab.ctx.feed;
  try {
    for (let i = 0; i < 3; i++) feed.publish('tick', { price: i });
    const chat = JSON.stringify({ type: 'chat', name: 'capture', text: CHAT_TEXT });
    // Which transport each HTTP/2 stream and each HTTP/1.1 connection carried, by client port.
    const h2Streams = new Map<number, Map<number, TransportId>>();
    const h1Connections = new Map<number, TransportId>();

    // HTTP/2: every transport on one connection, which the client closes cleanly.
    const a = await h2Session(lab.https!.h2Url, ca);
    const streamsOfA: { id: TransportId; stream: ClientHttp2Stream }[] = [];
    const poll = h2Get(a.session, '/feed/short-poll?since=0');
    streamsOfA.push({ id: 'short-poll', stream: poll.stream });
    await poll.ended;
    const sse = h2Get(a.session, '/feed/sse?since=0');
    const iframe = h2Get(a.session, '/feed/iframe?cb=onEvent&since=0');
    const longPoll = h2Get(a.session, `/feed/long-poll?since=${feed.lastSeq}&timeoutMs=10000`);
    streamsOfA.push({ id: 'sse', stream: sse.stream }, { id: 'iframe', stream: iframe.stream });
    streamsOfA.push({ id: 'long-poll', stream: longPoll.stream });
    const ws = await openWebSocketOverHttp2(a.session, lab.https!.h2Url, '/feed/ws?since=0');
    // ws runs on the CONNECT stream it was handed (websocket.ts).
    streamsOfA.push({ id: 'ws', stream: (ws as unknown as { _socket: ClientHttp2Stream })._socket });
    const wsSeen: string[] = [];
    ws.on('message', (data) => wsSeen.push(String(data)));
    await waitFor(() => feed.subscriberCount === 4, 'SSE, iframe, the long poll and the WebSocket follow the feed');
    ws.send(chat);
    await waitFor(() => feed.lastSeq === 4, 'the chat sent over the WebSocket is published');
    feed.publish('tick', { price: 4 });
    await longPoll.ended;
    const allHave5 = () => lastSeqIn(sse.body()) === 5 && lastSeqIn(iframe.body()) === 5 && wsSeen.some((m) => m.includes('"seq":5'));
    await waitFor(allHave5, 'every stream has seq 5');
    sse.stream.close();
    iframe.stream.close();
    ws.close(1000);
    await Promise.all([sse.ended, iframe.ended, new Promise((resolve) => ws.once('close', resolve))]);
    h2Streams.set(a.socket.localPort!, new Map(streamsOfA.map(({ id, stream }) => [stream.id!, id])));
    a.session.close();
    await new Promise((resolve) => a.socket.once('close', resolve));

    // HTTP/2: an SSE stream whose client resets the TCP connection while events flow.
    const b = await h2Session(lab.https!.h2Url, ca);
    const reset = h2Get(b.session, '/feed/sse?since=0');
    await waitFor(() => lastSeqIn(reset.body()) === feed.lastSeq, 'the SSE stream before the reset has every event');
    h2Streams.set(b.socket.localPort!, new Map([[reset.stream.id!, 'sse']]));
    feed.publish('tick', { price: 6 });
    await waitFor(() => lastSeqIn(reset.body()) === 6, 'seq 6 arrives');
    resetConnection(b.socket);

    // HTTP/2: a client that says GOAWAY and is gone at once, leaving unread events behind (its kernel answers with RST).
    const c = await h2Session(lab.https!.h2Url, ca);
    const gone = h2Get(c.session, '/feed/sse?since=0');
    await waitFor(() => lastSeqIn(gone.body()) === feed.lastSeq, 'the SSE stream of the leaving client has every event');
    h2Streams.set(c.socket.localPort!, new Map([[gone.stream.id!, 'sse']]));
    c.socket.pause();
    for (let i = 0; i < 20; i++) feed.publish('tick', { price: 100 + i });
    await new Promise((resolve) => setTimeout(resolve, 50));
    c.session.destroy();

    // HTTP/2 and HTTP/1.1 over TLS: a client that sends its close_notify and resets at once, after a poll.
    // The lab reads the close_notify, ends its side with a close_notify of its own, which cannot leave.
    const closing = [] as { tcp: net.Socket; closeAndReset: () => void }[];
    {
      const d = connectRelayed(h2Port, 'h2', ca);
      const session = http2.connect(lab.https!.h2Url, { createConnection: () => d.socket });
      session.on('error', () => {});
      await new Promise((resolve) => session.once('remoteSettings', resolve));
      const poll = h2Get(session, '/feed/short-poll?since=0');
      await poll.ended;
      h2Streams.set(d.tcp.localPort!, new Map([[poll.stream.id!, 'short-poll']]));
      closing.push(d);
      const e = connectRelayed(h1Port, 'http/1.1', ca);
      await new Promise((resolve) => e.socket.once('secureConnect', resolve));
      let text = '';
      e.socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      e.socket.write(`GET /feed/short-poll?since=0 HTTP/1.1\r\nHost: 127.0.0.1:${h1Port}\r\n\r\n`);
      await waitFor(() => text.endsWith(']}'), 'the poll of the client that closes and resets');
      h1Connections.set(e.tcp.localPort!, 'short-poll');
      closing.push(e);
    }
    for (const { closeAndReset } of closing) closeAndReset();

    // HTTP/1.1 over TLS: a connection per transport (two polls on one), and an SSE stream reset by its client.
    const polls = await h1Client(h1Port, ca);
    polls.get('/feed/short-poll?since=0');
    await waitFor(() => polls.text().endsWith(']}'), 'the first poll');
    polls.get(`/feed/short-poll?since=${feed.lastSeq}`);
    await waitFor(() => polls.text().endsWith('"events":[]}'), 'the second, empty poll');
    const h1Streams: { id: TransportId; client: Awaited<ReturnType<typeof h1Client>> }[] = [{ id: 'short-poll', client: polls }];
    const paths = [
      ['sse', '/feed/sse?since=0'],
      ['iframe', '/feed/iframe?cb=onEvent&since=0'],
      ['long-poll', `/feed/long-poll?since=${feed.lastSeq}`],
    ] as const;
    for (const [id, path] of paths) {
      const client = await h1Client(h1Port, ca);
      client.get(path);
      h1Streams.push({ id, client });
    }
    await waitFor(() => feed.subscriberCount === 3, 'SSE, iframe and the long poll follow the feed over HTTP/1.1');
    feed.publish('chat', { name: 'capture', text: CHAT_TEXT });
    const following = h1Streams.filter(({ id }) => id !== 'short-poll');
    await waitFor(() => following.every(({ client }) => lastSeqIn(client.text()) === feed.lastSeq), 'every HTTP/1.1 stream has the chat');
    for (const { id, client } of h1Streams) {
      h1Connections.set(client.socket.localPort!, id);
      if (id === 'sse') resetConnection(client.socket);
      else client.socket.end();
    }

    await waitFor(() => TRANSPORTS.every((id) => lab.ctx.stats.transports[id].connectionsOpen === 0), 'the lab saw every connection close');
    const tlsOpen = () => lab.ctx.stats.tls.snapshot();
    await waitFor(() => tlsOpen().h1.connectionsOpen === 0 && tlsOpen().h2.connectionsOpen === 0, 'the lab closed every TLS connection');
    const now = await stats(lab);
    await capture.stop();

    // ---------------------------------------------------------------- the capture's figures
    const mismatches: string[] = [];
    const check = (figure: string, got: number, want: number) => {
      if (got !== want) mismatches.push(`${figure}: ${got} against ${want}`);
    };
    const all = capture.read(keyLog);
    const connections = all.filter((c) => c.serverPort === h2Port || c.serverPort === h1Port);
    const made = [...h2Streams.keys(), ...h1Connections.keys()].sort();
    assert.deepEqual(connections.map((c) => c.clientPort).sort(), made, 'the capture holds every connection the clients made');
    assert.ok(
      connections.every((c) => c.fromSyn),
      'each from its SYN',
    );
    const h2Captured = connections.filter((c) => c.serverPort === h2Port);
    const h1Captured = connections.filter((c) => c.serverPort === h1Port);

    for (const [protocol, captured] of [
      ['h2', h2Captured],
      ['h1', h1Captured],
    ] as const) {
      const expected = tlsFigures(captured);
      const got = now.tls[protocol];
      for (const [key, value] of Object.entries(expected)) check(`tls.${protocol}.${key}`, got[key], value);
    }

    const h2Expected = Object.fromEntries(TRANSPORTS.map((id) => [id, emptyTraffic()])) as Record<TransportId, Traffic>;
    const other = emptyTraffic();
    const connection = { bytesIn: 0, bytesOut: 0 };
    const frames = { in: {} as Record<string, number>, out: {} as Record<string, number> };
    http2Figures(h2Captured).forEach((figures, i) => {
      const owners = h2Streams.get(h2Captured[i].clientPort)!;
      connection.bytesIn += figures.connection.bytesIn;
      connection.bytesOut += figures.connection.bytesOut;
      for (const dir of ['in', 'out'] as const) {
        for (const [type, n] of Object.entries(figures.frames[dir])) frames[dir][type] = (frames[dir][type] ?? 0) + n;
      }
      for (const [streamId, bytes] of figures.streams) {
        const id = owners.get(streamId);
        addTraffic(id ? h2Expected[id] : other, streamTraffic(bytes, id === 'ws'));
      }
    });
    const h1Expected = Object.fromEntries(TRANSPORTS.map((id) => [id, emptyTraffic()])) as Record<TransportId, Traffic>;
    for (const c of h1Captured) addTraffic(h1Expected[h1Connections.get(c.clientPort)!], http1Traffic(c));

    for (const [protocol, expected] of [
      ['h2', h2Expected],
      ['h1', h1Expected],
    ] as const) {
      for (const id of TRANSPORTS) {
        const got = now.transports[id].protocols[protocol];
        const want = expected[id];
        const figure = `transports.${id}.protocols.${protocol}`;
        for (const field of ['requests', 'eventsDelivered'] as const) check(`${figure}.${field}`, got[field], want[field]);
        for (const dir of ['bytesIn', 'bytesOut'] as const) {
          for (const kind of ['head', 'framing', 'payload'] as const) {
            check(`${figure}.${dir}.${kind}`, got[dir][kind], want[dir][kind]);
          }
        }
      }
    }
    check('http2.connection.bytesIn', now.http2.connection.bytesIn, connection.bytesIn);
    check('http2.connection.bytesOut', now.http2.connection.bytesOut, connection.bytesOut);
    for (const dir of ['bytesIn', 'bytesOut'] as const) {
      for (const kind of ['head', 'framing', 'payload'] as const) {
        check(`http2.other.${dir}.${kind}`, now.http2.other[dir][kind], other[dir][kind]);
      }
    }
    for (const dir of ['in', 'out'] as const) {
      for (const type of new Set([...Object.keys(frames[dir]), ...Object.keys(now.http2.frames[dir])])) {
        check(`http2.frames.${dir}.${type}`, now.http2.frames[dir][type] ?? 0, frames[dir][type] ?? 0);
      }
    }
    assert.deepEqual(mismatches, [], "every figure of /stats equals the capture's (figure: /stats, then the capture)");
    const carried = eventJson(Buffer.concat(connections.map((c) => c.out.plaintext)).toString());
    const iframeJson = carried.filter((json) => json.includes('\\u003c'));
    assert.ok(iframeJson.length > 0, 'the iframe carried the chat escaped, and its escaped JSON is what payload counts');
  } finally {
    await capture.dispose();
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
