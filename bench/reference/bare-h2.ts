/**
 * Reference subject: HTTP/2 as Node serves it natively, `http2.createSecureServer`
 * (TLS and nghttp2 both in C++, no byte crossing into JavaScript), doing the lab's
 * SSE, polling and WebSocket job (same event JSON, the SSE lines the lab writes, the
 * polls' `{ epoch, lastSeq, events }`, one text frame per event, resume with `since`)
 * and nothing else: no framework, no frame meter, no heartbeats, no origin check.
 * Beside the lab's HTTP/2 port it says what HTTP/2 itself costs and what the lab's
 * meter adds.
 *
 * The same SETTINGS as the lab's HTTP/2 port (server/http2/listener.ts): 100
 * concurrent streams, a 16 KiB header list, and extended CONNECT (RFC 8441), so a
 * WebSocket is a stream of the client's one connection, as with the lab.
 *
 * With BARE_H2_JS_PIPE=1 in its environment the same server reads and writes its connections through the lab's
 * plaintext pipe (server/http2/plaintext.ts) with nothing reading the bytes: TLS
 * terminated in a TLSSocket, Node's http2 session on a JS stream, as the lab's port
 * does, but no frame meter, no framework. Beside the native subject it measures what
 * making every byte visible to JavaScript costs before anything counts it: the floor
 * under the lab's meter.
 *
 * It tells the bench its port the way the lab does (`tls.ports.main`, the
 * certificate to trust), so the bench's HTTP/2 drivers reach either alike.
 */
import { randomBytes } from 'node:crypto';
import http2, { type Http2Server, type ServerHttp2Stream } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';
import { createSelfSigned, spkiSha256 } from '../../server/http2/certificate.ts';
import { PlaintextPipe } from '../../server/http2/plaintext.ts';
import { serve } from '../ipc.ts';
import { exitOnSigterm, runSchedule, usage } from '../server-harness.ts';

const BUFFER_SIZE = 20_000;
const epoch = randomBytes(4).toString('hex');
let seq = 0;
let delivered = 0;
const recent: { seq: number; sse: string; json: string }[] = [];
const sseClients = new Set<ServerHttp2Stream>();
const wsClients = new Set<WebSocket>();
/** Held long polls, each answered by the next event (all it missed) or its timeout. */
const heldPolls = new Set<{ stream: ServerHttp2Stream; since: number; timer: NodeJS.Timeout }>();
/** Open HTTP/2 connections: what a short-polling client holds between its polls. */
let sessions = 0;

const { certPem, keyPem } = await createSelfSigned(['127.0.0.1', 'localhost']);
const settings = { maxConcurrentStreams: 100, enableConnectProtocol: true, maxHeaderListSize: 16 * 1024 };
const jsPipe = process.env.BARE_H2_JS_PIPE === '1';
const server: Http2Server = jsPipe ? http2.createServer({ settings }) : http2.createSecureServer({ cert: certPem, key: keyPem, settings });
server.on('sessionError', () => {});
server.on('session', (session) => {
  sessions++;
  session.once('close', () => sessions--);
});

/** A poll's answer, as the lab's polls give it; every event in it is one delivery. */
function answerPoll(stream: ServerHttp2Stream, events: string[]): void {
  if (stream.destroyed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  stream.end(`{"epoch":"${epoch}","lastSeq":${seq},"events":[${events.join(',')}]}`);
  delivered += events.length;
}

/** What ws's own server gives each socket it accepts (limits, UTF-8 checks), from a server that never listens. */
const wsOptions = new WebSocketServer({ noServer: true, clientTracking: false }).options;

/** ws runs over any Duplex once handed one: here the stream of the extended CONNECT. */
function acceptWebSocket(stream: ServerHttp2Stream): WebSocket {
  stream.respond({ ':status': 200 });
  const socket = new WebSocket(null as unknown as string, undefined, wsOptions as never);
  (socket as unknown as { setSocket(s: ServerHttp2Stream, head: Buffer, o: object): void }).setSocket(stream, Buffer.alloc(0), wsOptions);
  return socket;
}

server.on('stream', (stream, headers) => {
  stream.on('error', () => {});
  const url = new URL(headers[':path'] ?? '/', 'https://localhost');
  const since = Number(headers['last-event-id'] ?? url.searchParams.get('since') ?? NaN);
  const missed = Number.isFinite(since) ? recent.filter((entry) => entry.seq > since) : [];
  if (headers[':method'] === 'CONNECT' && headers[':protocol'] === 'websocket' && url.pathname === '/feed/ws') {
    const socket = acceptWebSocket(stream);
    for (const entry of missed) socket.send(entry.json);
    delivered += missed.length;
    wsClients.add(socket);
    socket.on('close', () => wsClients.delete(socket));
    socket.on('error', () => socket.terminate());
    return;
  }
  if (headers[':method'] === 'GET' && url.pathname === '/feed/short-poll') {
    answerPoll(
      stream,
      missed.map((entry) => entry.json),
    );
    return;
  }
  if (headers[':method'] === 'GET' && url.pathname === '/feed/long-poll') {
    if (missed.length > 0)
      return answerPoll(
        stream,
        missed.map((entry) => entry.json),
      );
    // Held from the cursor (without one, from now) until the next event or the timeout.
    const poll = {
      stream,
      since: Number.isFinite(since) ? since : seq,
      timer: setTimeout(() => release(poll, []), Number(url.searchParams.get('timeoutMs') ?? 30_000)),
    };
    heldPolls.add(poll);
    stream.on('close', () => release(poll, null));
    return;
  }
  if (headers[':method'] !== 'GET' || url.pathname !== '/feed/sse') {
    stream.respond({ ':status': 404 }, { endStream: true });
    return;
  }
  stream.respond({
    ':status': 200,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store, no-transform',
  });
  stream.write('retry: 2000\n\n');
  for (const entry of missed) stream.write(entry.sse);
  delivered += missed.length;
  sseClients.add(stream);
  stream.on('close', () => sseClients.delete(stream));
});

/** Lets a held poll go: answered with `events`, or (null) gone with its stream. */
function release(poll: { stream: ServerHttp2Stream; timer: NodeJS.Timeout }, events: string[] | null): void {
  if (!heldPolls.delete(poll as never)) return;
  clearTimeout(poll.timer);
  if (events) answerPoll(poll.stream, events);
}

function publish(type: string, data: unknown) {
  const event = { seq: ++seq, epoch, type, at: performance.timeOrigin + performance.now(), data };
  // Encoded once for every client: the cheapest a broadcast can be.
  const json = JSON.stringify(event);
  const sse = `id: ${event.seq}\nevent: ${type}\ndata: ${json}\n\n`;
  recent.push({ seq: event.seq, sse, json });
  if (recent.length > BUFFER_SIZE) recent.shift();
  for (const stream of sseClients) stream.write(sse);
  for (const socket of wsClients) {
    if (socket.readyState === socket.OPEN) {
      socket.send(json);
      delivered++;
    }
  }
  delivered += sseClients.size;
  for (const poll of [...heldPolls])
    release(
      poll,
      recent.filter((entry) => entry.seq > poll.since).map((entry) => entry.json),
    );
  return event;
}

/** Nothing reads the plaintext: the pipe's own cost, and no more. */
const unread = { incoming: { push() {} }, outgoing: { push() {} } };

/** BARE_H2_JS_PIPE: TLS in a TLSSocket over the TCP socket, and the session on the plaintext pipe. */
function pipedListener(): net.Server {
  const secureContext = tls.createSecureContext({ cert: certPem, key: keyPem });
  return net.createServer({ noDelay: true }, (tcp) => {
    tcp.on('error', () => tcp.destroy());
    const secure = new tls.TLSSocket(tcp, { isServer: true, secureContext, ALPNProtocols: ['h2'] });
    secure.once('error', () => tcp.destroy());
    secure.once('secure', () => server.emit('connection', new PlaintextPipe(secure, tcp, unread)));
  });
}

const listening: net.Server = jsPipe ? pipedListener() : server;
await new Promise<void>((resolve) => listening.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
const port = (listening.address() as AddressInfo).port;
serve(
  {
    publish: (schedule) => runSchedule(publish, schedule),
    // Clients held: streams, sockets and held polls; for short polling (`transport`), the connections.
    stats: ({ transport }: { transport?: string } = {}) => ({
      subscribers: transport === 'short-poll' ? sessions : sseClients.size + wsClients.size + heldPolls.size,
      eventsDelivered: delivered,
      lastSeq: seq,
    }),
    usage: (options: { gc?: boolean } = {}) => usage(options),
  },
  { port, pid: process.pid, tls: { ports: { main: port, h1: port, experiment: port }, cert: certPem, spkiSha256: spkiSha256(certPem) } },
);
exitOnSigterm(async () => {
  for (const stream of sseClients) stream.close();
  for (const socket of wsClients) socket.terminate();
  for (const poll of heldPolls) poll.stream.close();
  await new Promise((resolve) => listening.close(resolve));
});
