/**
 * Reference subject: Server-Sent Events on bare `node:http`, doing the lab's job
 * (same event JSON, same `id:`/`event:`/`data:` framing, resume with `since` or
 * Last-Event-ID) with nothing else: no framework, no metering, no heartbeats.
 * The bench runs it beside the lab, so the report can say what Fastify and the
 * lab's bookkeeping cost per delivered event.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { serveReference } from '../server-harness.ts';

const BUFFER_SIZE = 20_000;
const epoch = randomBytes(4).toString('hex');
let seq = 0;
let delivered = 0;
const recent: { seq: number; frame: string }[] = [];
const clients = new Set<http.ServerResponse>();

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/feed/sse') {
    res.writeHead(404).end();
    return;
  }
  const cursor = req.headers['last-event-id'] || url.searchParams.get('since');
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-store, no-transform' });
  res.write('retry: 2000\n\n');
  if (cursor) {
    const since = Number(cursor);
    for (const entry of recent) {
      if (entry.seq > since) {
        res.write(entry.frame);
        delivered++;
      }
    }
  }
  clients.add(res);
  res.on('close', () => clients.delete(res));
});

function publish(type: string, data: unknown) {
  const event = { seq: ++seq, epoch, type, at: performance.timeOrigin + performance.now(), data };
  // Encoded once for every client: the cheapest a broadcast can be.
  const frame = `id: ${event.seq}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
  recent.push({ seq: event.seq, frame });
  if (recent.length > BUFFER_SIZE) recent.shift();
  for (const res of clients) res.write(frame);
  delivered += clients.size;
  return event;
}

await serveReference(server, { publish, clients, delivered: () => delivered, lastSeq: () => seq, drop: (res) => res.destroy() });
