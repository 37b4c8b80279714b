/**
 * A real cluster, started by the code `npm run cluster` runs (cluster.ts): a
 * redis-server, three lab processes and nginx, on free loopback ports. Every
 * client here goes through nginx, as a student's browser does:
 * - the contract's main promises, for all five transports: in order, no gap, no
 *   duplicate, resume, the gap signal, chat from both doors (POST and WebSocket);
 * - polls spread over every process, with no stickiness;
 * - hostile input refused as the lab refuses it without nginx.
 * A process failing (killed, frozen), the control endpoints and /cluster/stats are
 * failover.test.ts's, and Redis going away redis-outage.test.ts's, each on a cluster of its own.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { delay, waitFor } from '../test-helpers.ts';
import { TRANSPORT_IDS } from '../transports/registry.ts';
import { BUFFER_SIZE, NAMES, closeAll, cluster, follow, getOn, lastSeq, post, range, sseProcess, useCluster } from './test-helpers.ts';

useCluster();

describe('a cluster of three lab processes behind nginx', () => {
  test('the contract through nginx: every transport gets every event once, in order, whether posted or sent up a WebSocket', async () => {
    const start = await lastSeq();
    const clients = TRANSPORT_IDS.map((id) => follow(id, start));
    const ws = clients.find((c) => c.id === 'ws')!;
    await waitFor(() => ws.states.includes('open'), 'the WebSocket is open');
    const texts: string[] = [];
    for (let i = 0; i < 20; i++) {
      const text = `door ${i % 2 ? 'ws' : 'post'} ${i}`;
      texts.push(text);
      if (i % 2) ws.connection.send!({ type: 'chat', name: 'cluster', text });
      else assert.equal((await post(text)).status, 201, 'a post through nginx is taken');
    }
    for (const c of clients) await waitFor(() => c.events.length >= 20, `${c.id}: twenty events`, 10_000);
    await delay(100);
    await closeAll(clients);
    for (const c of clients) {
      assert.deepEqual(c.seqs(), range(start + 1, start + 20), `${c.id}: every seq once, in order`);
      assert.deepEqual(c.events.map((e) => (e.data as { text: string }).text).sort(), [...texts].sort(), `${c.id}: both doors' messages`);
    }
  });

  test('a client that stopped resumes through nginx, on whichever process it reaches, exactly after its cursor', async () => {
    for (const id of TRANSPORT_IDS) {
      const first = follow(id, await lastSeq());
      for (let i = 0; i < 3; i++) await post(`${id} before`);
      await waitFor(() => first.events.length >= 3, `${id}: three events`);
      await first.connection.close();
      const cursor = first.connection.lastSeq!;
      for (let i = 0; i < 4; i++) await post(`${id} while away`);
      const second = follow(id, cursor);
      await waitFor(() => second.events.length >= 4, `${id}: the four it missed`);
      await delay(50);
      await second.connection.close();
      assert.deepEqual(second.seqs(), range(cursor + 1, cursor + 4), `${id}: resumed exactly after ${cursor}`);
    }
  });

  test('a client further behind than the buffer gets one gap event first, on every transport', async () => {
    while ((await lastSeq()) <= BUFFER_SIZE + 5) await post('filling the buffer');
    const last = await lastSeq();
    const clients = TRANSPORT_IDS.map((id) => follow(id, 0));
    for (const c of clients) await waitFor(() => c.connection.lastSeq === last, `${c.id}: caught up to ${last}`);
    await closeAll(clients);
    for (const c of clients) {
      const [gap, ...rest] = c.events;
      assert.equal(gap.type, 'gap', `${c.id}: a gap first`);
      assert.equal((gap.data as { from: number }).from, 1, `${c.id}: missing from seq 1`);
      assert.deepEqual(
        rest.map((e) => e.seq),
        range(gap.seq + 1, last),
        `${c.id}: then every kept event, in order`,
      );
    }
  });

  test('polls spread over every process, one keep-alive connection included, and streams do too: no stickiness', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await getOn(agent, '/feed/short-poll'));
    agent.destroy();
    assert.equal(new Set(answers.map((a) => a.localPort)).size, 1, 'one TCP connection to nginx');
    assert.deepEqual([...new Set(answers.map((a) => a.process))].sort(), NAMES, 'its polls reached every process');
    assert.ok(
      answers.every((a) => a.cookie === undefined),
      'no cookie to stick with',
    );
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await sseProcess());
    for (const stream of streams) stream.close();
    assert.deepEqual(streams.map((s) => s.name).sort(), NAMES, 'three streams opened one after another: one on each process');
  });

  test(
    'hostile input is refused through nginx as the lab refuses it: coded 400s, ' +
      'a foreign Origin 403, a foreign Host 403, oversized 413 and 431',
    async () => {
      const code = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];
      assert.deepEqual(await code(await fetch(`${cluster.url}/feed/short-poll?since=-1`)), [400, 'bad_since']);
      assert.deepEqual(await code(await fetch(`${cluster.url}/feed/iframe?cb=alert(1)`)), [400, 'bad_callback']);
      assert.deepEqual(await code(await fetch(`${cluster.url}/feed/long-poll?timeoutMs=soon`)), [400, 'bad_timeout']);
      assert.deepEqual(
        await code(await fetch(`${cluster.url}/feed/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })),
        [400, 'bad_json'],
      );
      assert.deepEqual(
        await code(
          await fetch(`${cluster.url}/feed/chat`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"name":"x","text":""}',
          }),
        ),
        [400, 'bad_chat'],
      );
      assert.deepEqual(await code(await post('from elsewhere', { origin: 'http://evil.example' })), [403, 'foreign_origin']);
      assert.equal((await post('from the cluster page', { origin: cluster.url })).status, 201, "the cluster's own origin may post");
      // Posted on by nginx as it arrives (proxy_request_buffering off): the lab answers 413 before the body is
      // whole and reads the rest (refused-body.ts), so nginx never meets a broken pipe and answers its own 502.
      const big = JSON.stringify({ name: 'x', text: 'y'.repeat(100_000) });
      const bigPosts = await Promise.all(
        Array.from({ length: 12 }, async () =>
          code(await fetch(`${cluster.url}/feed/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })),
        ),
      );
      for (const answer of bigPosts) assert.deepEqual(answer, [413, 'too_large']);
      assert.doesNotMatch(
        readFileSync(cluster.nginx.errorLogPath, 'utf8'),
        /while sending request to upstream/,
        'nginx had no process fail under a refused body',
      );
      const raw = (headers: Record<string, string>) =>
        new Promise<[number, string]>((resolve, reject) => {
          http
            .get(`${cluster.url}/feed/short-poll`, { headers }, (response) => {
              let body = '';
              response.on('data', (chunk) => (body += chunk));
              response.on('end', () => resolve([response.statusCode!, (JSON.parse(body) as { error: { code: string } }).error.code]));
            })
            .on('error', reject);
        });
      assert.deepEqual(await raw({ host: 'evil.example' }), [403, 'unknown_host'], "a name that is not the lab's (DNS rebinding)");
      assert.deepEqual(await raw({ 'x-big': 'z'.repeat(20_000) }), [431, 'headers_too_large'], "the lab's own 16 KiB cap on heads");
      const upgrade = (origin: string) =>
        new Promise<number>((resolve) => {
          const socket = new WebSocket(`${cluster.url.replace('http', 'ws')}/feed/ws`, { origin });
          socket.on('open', () => {
            socket.close();
            resolve(101);
          });
          socket.on('unexpected-response', (_request, response) => resolve(response.statusCode!));
          socket.on('error', () => {});
        });
      assert.equal(await upgrade('http://evil.example'), 403, 'a WebSocket from a foreign origin is refused');
      assert.equal(await upgrade(cluster.url), 101, "a WebSocket from the cluster's own origin opens");
    },
  );
});
