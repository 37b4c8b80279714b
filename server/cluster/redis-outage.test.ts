/**
 * The cluster's Redis going away and coming back, on a real cluster of three lab
 * processes behind nginx (test-helpers.ts), every client going through nginx:
 * - Redis restarted with its data: clients notice nothing;
 * - Redis restarted empty: a new epoch, and every client starts over from seq 1;
 * - Redis asks for this run's password, and the launcher starts it again after kill -9;
 * - Redis unreachable: 503, held streams stay open and catch up.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import { delay, waitFor } from '../test-helpers.ts';
import { TRANSPORT_IDS } from '../transports/registry.ts';
import { closeAll, cluster, follow, lastSeq, launcherRedis, post, postSurely, range, useCluster, waitForAnswer } from './test-helpers.ts';

useCluster();

describe('the Redis of a cluster of three lab processes behind nginx', () => {
  test('Redis restarted with its data: clients through nginx notice nothing', async () => {
    const start = await lastSeq();
    const clients = TRANSPORT_IDS.map((id) => follow(id, start));
    await postSurely('before the restart');
    for (const c of clients) await waitFor(() => c.events.length === 1, `${c.id}: one event`);
    await cluster.redis.stop({ keepData: true });
    await cluster.redis.start();
    const seq = await postSurely('after the restart');
    for (const c of clients) await waitFor(() => c.connection.lastSeq === seq, `${c.id}: the event after the restart`, 10_000);
    await closeAll(clients);
    for (const c of clients) {
      assert.deepEqual(c.seqs(), [start + 1, start + 2], `${c.id}: the seq goes on`);
      assert.equal(c.events[1].epoch, c.events[0].epoch, `${c.id}: the same epoch`);
    }
  });

  test('Redis restarted empty: a new epoch, and every client through nginx starts over from seq 1', async () => {
    const since = await lastSeq();
    const clients = TRANSPORT_IDS.map((id) => follow(id, since));
    await postSurely('last of the old run');
    for (const c of clients) await waitFor(() => c.events.length >= 1, `${c.id}: an event of the old run`);
    const oldEpoch = clients[0].events[0].epoch;
    await cluster.redis.stop();
    await cluster.redis.start();
    await postSurely('first of the new run');
    await postSurely('second of the new run');
    for (const c of clients)
      await waitFor(() => c.events.filter((e) => e.epoch !== oldEpoch).length >= 2, `${c.id}: two events of the new run`, 10_000);
    await closeAll(clients);
    for (const c of clients) {
      const fresh = c.events.filter((e) => e.epoch !== oldEpoch);
      assert.deepEqual(
        fresh.map((e) => e.seq),
        [1, 2],
        `${c.id}: the new run from seq 1`,
      );
    }
  });

  test(
    "Redis asks for this run's password, and the launcher starts it again after kill -9; " + 'the feed carries on with a new epoch',
    async () => {
      const noAuth = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(cluster.redis.port, '127.0.0.1', () => socket.write('PING\r\n'));
        socket.once('data', (data) => {
          resolve(data.toString());
          socket.destroy();
        });
        socket.once('error', reject);
      });
      assert.match(noAuth, /^-NOAUTH/, 'a client without the password gets nothing');
      const describe = launcherRedis;
      const before = await describe();
      assert.equal(before.state, 'up');
      assert.equal(before.pid, cluster.redis.pid, "the control server names Redis's pid");
      process.kill(before.pid!, 'SIGKILL');
      let now = await describe();
      for (const deadline = Date.now() + 20_000; !(now.state === 'up' && now.pid !== before.pid) && Date.now() < deadline; ) {
        await delay(100);
        now = await describe();
      }
      assert.equal(now.state, 'up', 'Redis is up again');
      assert.notEqual(now.pid, before.pid, 'a new redis-server');
      assert.equal(now.restarts, before.restarts + 1);
      assert.equal(now.lastExit?.signal, 'SIGKILL', 'and the launcher says how the last one ended');
      const seq = await postSurely('after Redis was killed', 15_000);
      assert.equal(seq, 1, 'the feed carries on, from a new epoch (Redis saves nothing)');
    },
  );

  test('Redis unreachable: 503 through nginx, held streams stay open and catch up', async () => {
    // Stop the Redis the launcher calls up: not one it is still starting again (after the kill -9 above, say).
    await waitForAnswer(async () => (await launcherRedis()).state === 'up', 'the launcher says Redis is up', 30_000);
    const start = await lastSeq();
    const sse = follow('sse', start);
    const ws = follow('ws', start);
    await waitFor(() => sse.states.includes('open') && ws.states.includes('open'), 'both streams open');
    await cluster.redis.stop({ keepData: true });
    // Each process notices on its own connection, and nginx takes them in turn: ask until one answers 503
    // (by the clock, not a count of tries: a request through nginx on a loaded machine takes a while).
    let refused: Response | undefined;
    await waitForAnswer(async () => (refused = await post('while Redis is away')).status === 503, 'a post refused', 30_000);
    assert.equal(refused!.status, 503, 'a post through nginx is refused');
    assert.equal(((await refused!.json()) as { error: { code: string } }).error.code, 'feed_unavailable');
    assert.ok(refused!.headers.get('retry-after'), 'with Retry-After');
    let poll: Response | undefined;
    await waitForAnswer(
      async () => (poll = await fetch(`${cluster.url}/feed/short-poll?since=0`)).status === 503,
      'a poll refused',
      30_000,
    );
    assert.equal(poll!.status, 503, 'a new poll is refused rather than served stale');
    await cluster.redis.start();
    for (let i = 0; i < 3; i++) await postSurely(`back ${i}`, 30_000);
    const last = await lastSeq();
    await waitFor(() => sse.connection.lastSeq === last && ws.connection.lastSeq === last, 'both held streams catch up', 30_000);
    assert.ok(
      !sse.states.some((s) => s.startsWith('waiting') || s.startsWith('closed')),
      `the SSE stream never dropped: ${sse.states.join(', ')}`,
    );
    assert.ok(
      !ws.states.some((s) => s.startsWith('waiting') || s.startsWith('closed')),
      `the WebSocket never dropped: ${ws.states.join(', ')}`,
    );
    assert.deepEqual(sse.seqs(), range(start + 1, last), 'SSE: every event once');
    assert.deepEqual(ws.seqs(), range(start + 1, last), 'WebSocket: every event once');
    await closeAll([sse, ws]);
  });
});
