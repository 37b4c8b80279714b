/**
 * Reference subject: a bare `ws` server on `node:http` doing the lab's WebSocket
 * job (same event JSON, one text frame per event, resume with `since`) and
 * nothing else: no Fastify, no metering, no pings, no origin check. Beside the
 * lab's WebSocket it shows what the framework and the lab's bookkeeping cost.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveReference } from '../server-harness.ts';

const BUFFER_SIZE = 20_000;
const epoch = randomBytes(4).toString('hex');
let seq = 0;
let delivered = 0;
const recent: { seq: number; json: string }[] = [];
const clients = new Set<WebSocket>();

const server = http.createServer((_req, res) => {
  res.writeHead(426).end();
});
// ws's defaults, as in its README: no permessage-deflate, a 100 MiB message limit.
const wss = new WebSocketServer({ server, path: '/feed/ws', clientTracking: false });
wss.on('connection', (socket, req) => {
  const since = new URL(req.url ?? '/', 'http://localhost').searchParams.get('since');
  if (since) {
    for (const entry of recent) {
      if (entry.seq > Number(since)) {
        socket.send(entry.json);
        delivered++;
      }
    }
  }
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => socket.terminate());
});

function publish(type: string, data: unknown) {
  const event = { seq: ++seq, epoch, type, at: performance.timeOrigin + performance.now(), data };
  const json = JSON.stringify(event);
  recent.push({ seq: event.seq, json });
  if (recent.length > BUFFER_SIZE) recent.shift();
  // The broadcast loop of ws's own README.
  for (const socket of clients) {
    if (socket.readyState === socket.OPEN) {
      socket.send(json);
      delivered++;
    }
  }
  return event;
}

await serveReference(server, { publish, clients, delivered: () => delivered, lastSeq: () => seq, drop: (socket) => socket.terminate() });
