/**
 * The timed pipe through real sockets: a chunk waits until its time, one due earlier
 * waits behind it (never reordered), and the end comes after what was held.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { type TestContext, test } from 'node:test';
import { timedPipe } from './timed-pipe.ts';

/** A listening socket pair: what `client` writes, `accepted` reads. */
async function pair(): Promise<{ client: net.Socket; accepted: net.Socket; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  client.setNoDelay(true);
  return { client, accepted: await accepted, close: () => server.close() };
}

/** Two socket pairs, the pipe's ends: it reads `inbound.accepted` and writes `outbound.client`; closed after the test. */
async function pipeEnds(t: TestContext) {
  const inbound = await pair();
  const outbound = await pair();
  t.after(() => {
    for (const p of [inbound, outbound]) {
      p.client.destroy();
      p.accepted.destroy();
      p.close();
    }
  });
  return { inbound, outbound };
}

test('each chunk at its time, in order, and the end after what was held', async (t) => {
  const { inbound, outbound } = await pipeEnds(t);
  const waits = [150, 0, 0];
  let finishedAt = 0;
  const start = performance.now();
  timedPipe(
    inbound.accepted,
    outbound.client,
    (arrivedMs) => arrivedMs + (waits.shift() ?? 0),
    () => {
      finishedAt = performance.now();
      outbound.client.end();
    },
  );
  const arrivals: { text: string; atMs: number }[] = [];
  outbound.accepted.on('data', (chunk: Buffer) => arrivals.push({ text: chunk.toString(), atMs: performance.now() - start }));
  const ended = new Promise<void>((resolve) => outbound.accepted.on('end', resolve));
  inbound.client.write('a');
  // Each write its own chunk on the far side: wait until the pipe has read the one before.
  await new Promise((resolve) => setTimeout(resolve, 30));
  inbound.client.write('b');
  await new Promise((resolve) => setTimeout(resolve, 30));
  inbound.client.end('c');
  await ended;
  assert.equal(arrivals.map((a) => a.text).join(''), 'abc', 'in order');
  assert.ok(arrivals[0].atMs >= 149, `the first chunk waited its 150 ms (${arrivals[0].atMs.toFixed(1)})`);
  assert.ok(finishedAt - start >= 149, 'the end came after the held chunks');
});

test('a chunk due now with nothing held goes at once', async (t) => {
  const { inbound, outbound } = await pipeEnds(t);
  timedPipe(
    inbound.accepted,
    outbound.client,
    (arrivedMs) => arrivedMs,
    () => outbound.client.end(),
  );
  const first = new Promise<string>((resolve) => outbound.accepted.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  inbound.client.write('now');
  assert.equal(await first, 'now');
});
