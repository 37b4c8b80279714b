/**
 * Processes of a real cluster (three lab processes behind nginx, test-helpers.ts)
 * failing, and the launcher's control server, every client going through nginx:
 * - failover: a process killed while all five transports stream, every client
 *   resuming on another process with every seq once, in order;
 * - the per-client stream cap across processes, and a killed process's slots;
 * - a frozen process (SIGSTOP) passed over by nginx;
 * - the control endpoints, and /cluster/stats adding up the per-process figures,
 *   the processes killed and restarted above included.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { delay, waitFor } from '../test-helpers.ts';
import { TRANSPORT_IDS } from '../transports/registry.ts';
import {
  NAMES,
  bearer,
  closeAll,
  cluster,
  clusterStats,
  countedRequests,
  follow,
  getOn,
  lastSeq,
  openStream,
  placeStream,
  post,
  range,
  useCluster,
} from './test-helpers.ts';

useCluster();

describe('processes of a cluster behind nginx fail, and the control server', () => {
  test(
    'failover: a process killed while all five transports stream; ' + 'every client resumes on another, every seq once, in order',
    async (t) => {
      await waitFor(() => cluster.labs.every((lab) => lab.state === 'up'), 'every process up');
      const start = await lastSeq();
      // The three streams on one process (a stream that lands elsewhere is reopened), which is then killed.
      const sse = await placeStream('sse', start);
      const iframe = await placeStream('iframe', start, sse.where);
      const ws = await placeStream('ws', start, sse.where);
      const clients = [sse.follower, iframe.follower, ws.follower, follow('long-poll', start), follow('short-poll', start)];
      const victim = sse.where;
      const moved = ['sse', 'iframe', 'ws'] as const;

      let publishing = true;
      let refused = 0;
      const publisher = (async () => {
        for (let i = 0; publishing; i++) {
          const response = await post(`failover ${i}`).catch(() => undefined);
          if (response?.status !== 201) refused++;
          await delay(15);
        }
      })();
      await delay(300);
      const statesBefore = new Map(clients.map((c) => [c.id, c.states.length]));
      const messagesBefore = ws.follower.messages.length;
      const kill = await fetch(`${cluster.url}/cluster/processes/${victim}/kill`, {
        method: 'POST',
        headers: { origin: cluster.url, ...bearer() },
      });
      assert.equal(kill.status, 202, 'the kill is taken');
      assert.equal(((await kill.json()) as { signal: string }).signal, 'SIGKILL');
      for (const id of moved) {
        const c = clients.find((client) => client.id === id)!;
        await waitFor(() => c.states.slice(statesBefore.get(id)).includes('open'), `${id}: open again after the kill`, 3000);
      }
      // Where the streams are now, well before the launcher starts the killed process again (4 s).
      await delay(100);
      const now = await clusterStats();
      await delay(600);
      publishing = false;
      await publisher;
      const final = await lastSeq();
      for (const c of clients) await waitFor(() => c.connection.lastSeq === final, `${c.id}: caught up to ${final}`, 10_000);
      const victimNow = now.processes.find((p) => p.name === victim)!;
      await closeAll(clients);

      t.diagnostic(
        `SSE, iframe and WebSocket on ${victim}, killed; ${final - start} events published across the kill, ` +
          `${refused} posts refused on the way`,
      );
      assert.ok(final - start > 30, 'events were published throughout');
      for (const c of clients) assert.deepEqual(c.seqs(), range(start + 1, final), `${c.id}: every seq once, in order, across the kill`);
      assert.equal(victimNow.up, false, `${victim} was down when its streams had reopened`);
      assert.ok(
        now.processes.filter((p) => p.up).reduce((sum, p) => sum + (p.stats?.subscribers ?? 0), 0) >= 3,
        'the three streams are held by the other processes',
      );
      const named = ws.follower.messages.slice(messagesBefore).filter((m) => m.type === 'process');
      assert.ok(
        named.length > 0 && named.every((m) => m.process !== victim),
        `the WebSocket names its new process: ${named.map((m) => m.process).join(', ')}`,
      );
      // The launcher starts it again, and nginx sends it requests again.
      await waitFor(() => cluster.labs.find((lab) => lab.name === victim)!.state === 'up', `${victim} started again`, 15_000);
      await delay(2100); // nginx's fail_timeout: it tries the process again after 2 s
      const agent = new http.Agent({ keepAlive: true });
      const seen = new Set<string | undefined>();
      for (let i = 0; i < 9 && !seen.has(victim); i++) seen.add((await getOn(agent, '/feed/short-poll')).process);
      agent.destroy();
      assert.ok(seen.has(victim), `${victim} answers polls again`);
    },
  );

  test(
    'the per-client stream cap across processes: a burst of 250 streams through nginx gets 64, ' +
      "and a killed process's slots expire with its lease",
    async () => {
      await waitFor(() => cluster.labs.every((lab) => lab.state === 'up'), 'every process up', 20_000);
      const opened = await Promise.all(Array.from({ length: 250 }, () => openStream()));
      const admitted = opened.filter((s) => s.status === 200);
      for (const s of opened.filter((x) => x.status !== 200)) s.close();
      try {
        assert.equal(admitted.length, 64, `the cap and no more: ${admitted.length} admitted of 250 opened at once`);
        assert.ok(
          opened.every((s) => s.status === 200 || (s.status === 503 && s.code === 'too_many_streams')),
          'the others refused with the coded 503',
        );
        assert.ok(new Set(admitted.map((s) => s.process)).size > 1, 'the admitted streams are spread over several processes');
        // Kill one process that holds some: it gives nothing back, its lease runs out.
        const victim = admitted[0].process!;
        const lost = admitted.filter((s) => s.process === victim).length;
        cluster.labs.find((lab) => lab.name === victim)!.kill();
        const killedAt = Date.now();
        let probe = await openStream();
        while (probe.status !== 200 && Date.now() - killedAt < 6000) {
          probe.close();
          await delay(100);
          probe = await openStream();
        }
        admitted.push(probe);
        const waitedMs = Date.now() - killedAt;
        assert.equal(probe.status, 200, `a stream is admitted again once the killed process's lease ran out (${waitedMs} ms)`);
        // A request nginx passed on from the process starting again may hold a slot there for a moment, until
        // that process sees its connection close: ask again for the slots still missing, each time with five
        // more than should fit, so that a slot too many shows at once and one too few is waited for.
        const more: Awaited<ReturnType<typeof openStream>>[] = [];
        const admittedMore = () => more.filter((s) => s.status === 200).length;
        for (const deadline = Date.now() + 10_000; ; ) {
          more.push(...(await Promise.all(Array.from({ length: lost - 1 - admittedMore() + 5 }, () => openStream()))));
          if (admittedMore() >= lost - 1 || Date.now() > deadline) break;
          await delay(200);
        }
        admitted.push(...more.filter((s) => s.status === 200));
        for (const s of more.filter((x) => x.status !== 200)) s.close();
        const answers = more.map((s) => `${s.status}${s.code ? ` ${s.code}` : ''}${s.process ? ` ${s.process}` : ''}`).join(', ');
        assert.equal(admittedMore(), lost - 1, `the ${lost} slots ${victim} held are free again, and no more: ${answers}`);
      } finally {
        for (const s of admitted) s.close();
      }
      await waitFor(() => cluster.labs.every((lab) => lab.state === 'up'), 'the killed process started again', 20_000);
    },
  );

  test(
    'a frozen process (SIGSTOP) is passed over by new polls: nginx gives up on it after its short timeout, ' +
      'and the sum keeps its counts',
    async () => {
      await waitFor(() => cluster.labs.every((lab) => lab.state === 'up'), 'every process up', 20_000);
      const frozen = cluster.labs[1];
      // Polls on every process (round robin), so that the one frozen has carried some.
      for (let i = 0; i < 6; i++) await (await fetch(`${cluster.url}/feed/short-poll`)).text();
      const before = await clusterStats();
      const requestsBefore = countedRequests(before);
      assert.ok(
        Object.values(before.processes.find((p) => p.name === frozen.name)!.stats!.transports).some((t) => (t.requests as number) > 0),
        'the frozen one had requests',
      );
      process.kill(frozen.pid!, 'SIGSTOP');
      try {
        const answers: { status: number; process: string | null; ms: number }[] = [];
        for (let i = 0; i < 6; i++) {
          const started = Date.now();
          const response = await fetch(`${cluster.url}/feed/short-poll`);
          await response.text();
          answers.push({ status: response.status, process: response.headers.get('x-wirelab-process'), ms: Date.now() - started });
        }
        const said = answers.map((a) => `${a.status} ${a.process} ${a.ms} ms`).join(', ');
        assert.ok(
          answers.every((a) => a.status === 200 && a.process !== frozen.name),
          `every poll answered by another process: ${said}`,
        );
        // nginx's short timeout is 3 s: a poll may wait that long once, never the 120 s of a held request.
        assert.ok(
          answers.every((a) => a.ms < 8000),
          `none hung: ${said}`,
        );
        assert.ok(answers.filter((a) => a.ms > 2500).length <= 2, `and only the poll that met the frozen process waited: ${said}`);
        // It cannot answer for its figures now, yet the cluster's counts do not drop by what it carried.
        const during = await clusterStats();
        assert.equal(during.processes.find((p) => p.name === frozen.name)?.up, false, 'the frozen process is shown not up');
        assert.ok(
          countedRequests(during) >= requestsBefore + answers.length,
          `the sum keeps its counts: ${requestsBefore} then ${countedRequests(during)}`,
        );
      } finally {
        process.kill(frozen.pid!, 'SIGCONT');
      }
    },
  );

  test("the control endpoints: processes, restart, and nothing for a page elsewhere or a request without the run's token", async () => {
    const page = await fetch(`${cluster.url}/cluster/?lang=zh`);
    assert.equal(page.status, 200, 'the control page');
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<h1>Wirelab 集群<\/h1>/, "in the reader's language");
    const byBrowser = await (await fetch(`${cluster.url}/cluster/`, { headers: { 'accept-language': 'fr, zh-CN;q=0.8' } })).text();
    assert.match(
      byBrowser,
      /<h1>Wirelab 集群<\/h1>/,
      'the language a browser names after one the lab lacks, as every page of the lab picks it',
    );
    assert.match(byBrowser, /<header class="top">/, "the site's own header");
    assert.match(byBrowser, /href="\/lessons\/scale-out"/, 'a link to the scale-out lesson');
    const list = (await (await fetch(`${cluster.url}/cluster/processes`)).json()) as {
      processes: { name: string; pid: number; state: string; port: number }[];
    };
    assert.deepEqual(
      list.processes.map((p) => p.name),
      NAMES,
    );
    assert.ok(
      list.processes.every((p) => p.state === 'up' && p.pid > 0),
      'all up, with their pids',
    );
    const pid = list.processes[2].pid;
    const foreign = await fetch(`${cluster.url}/cluster/processes/lab-3/kill`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', ...bearer() },
    });
    assert.equal(foreign.status, 403, 'a kill from another origin is refused');
    assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'foreign_origin');
    assert.equal(
      (await fetch(`${cluster.url}/cluster/processes/lab-3/kill`, { method: 'POST', headers: { origin: 'null', ...bearer() } })).status,
      403,
      'and from a sandboxed page',
    );
    // A local program sends no Origin: the token is what keeps it out.
    assert.match(cluster.token, /^[\w-]{43}$/, 'a token of 32 random bytes, base64url');
    assert.equal(cluster.pageUrl, `${cluster.url}/cluster/#token=${cluster.token}`, "the page's address carries it in the fragment");
    const refusals: [string, Record<string, string>][] = [
      ['no token', {}],
      ["no token, from the cluster's own page", { origin: cluster.url }],
      ['a wrong token', bearer(`${cluster.token.slice(0, -1)}${cluster.token.endsWith('A') ? 'B' : 'A'}`)],
      ['a shorter token', bearer(cluster.token.slice(0, 8))],
      ['an empty one', { authorization: 'Bearer ' }],
      ['the token as Basic', { authorization: `Basic ${cluster.token}` }],
    ];
    for (const [what, headers] of refusals) {
      for (const action of ['kill', 'restart']) {
        const refused = await fetch(`${cluster.url}/cluster/processes/lab-3/${action}`, { method: 'POST', headers });
        assert.equal(refused.status, 401, `${action} with ${what}: 401`);
        assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer /, `${action} with ${what}: says which scheme`);
        const body = (await refused.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'control_token', `${action} with ${what}: coded`);
        assert.match(body.error.message, /#token=/, `${action} with ${what}: says where the token is`);
      }
    }
    assert.equal(
      (await fetch(`${cluster.url}/cluster/processes/lab-9/kill`, { method: 'POST' })).status,
      401,
      'nor does it learn which names exist',
    );
    assert.equal(cluster.labs[2].pid, pid, 'lab-3 still runs');
    assert.equal((await fetch(`${cluster.url}/cluster/processes/lab-3/kill`)).status, 405, 'a GET kills nothing');
    const code = async (response: Response) => [response.status, ((await response.json()) as { error: { code: string } }).error.code];
    assert.deepEqual(
      await code(await fetch(`${cluster.url}/cluster/processes/lab-3/kill`)),
      [405, 'method_not_allowed'],
      'a GET kills nothing',
    );
    assert.deepEqual(
      await code(await fetch(`${cluster.url}/cluster/processes/lab-9/kill`, { method: 'POST', headers: bearer() })),
      [404, 'unknown_process'],
      'no such process',
    );
    assert.deepEqual(
      await code(await fetch(`${cluster.url}/cluster/processes/%E0/kill`, { method: 'POST' })),
      [400, 'bad_request'],
      'a path that is not UTF-8',
    );
    assert.deepEqual(await code(await fetch(`${cluster.url}/cluster/nothing`)), [404, 'not_found']);
    const restart = await fetch(`${cluster.url}/cluster/processes/lab-3/restart`, {
      method: 'POST',
      headers: { origin: cluster.url, ...bearer() },
    });
    assert.equal(restart.status, 200, "a restart from the cluster's page");
    const restarted = (await restart.json()) as { stoppedPid: number; pid: number };
    assert.equal(restarted.stoppedPid, pid);
    assert.ok(restarted.pid > 0 && restarted.pid !== pid, 'a new process');
    assert.equal(cluster.labs[2].state, 'up');
  });

  test("/cluster/stats: the sum is the per-process figures added up, and /stats through nginx is the whole cluster's", async () => {
    const stats = await clusterStats();
    assert.ok(
      stats.processes.every((p) => p.up),
      'every process answered',
    );
    for (const id of TRANSPORT_IDS) {
      for (const field of ['requests', 'connectionsOpened', 'eventsDelivered']) {
        const added = stats.processes.reduce((sum, p) => sum + (p.stats!.transports[id][field] as number), 0);
        assert.equal(stats.sum.transports[id][field], added, `${id}.${field}`);
      }
      for (const side of ['bytesIn', 'bytesOut']) {
        for (const part of ['head', 'framing', 'payload']) {
          const added = stats.processes.reduce((sum, p) => sum + (p.stats!.transports[id][side] as Record<string, number>)[part], 0);
          assert.equal((stats.sum.transports[id][side] as Record<string, number>)[part], added, `${id}.${side}.${part}`);
        }
      }
    }
    // Each process's own /stats, asked directly, has the figures the cluster view shows for it.
    for (const p of stats.processes) {
      const own = (await (await fetch(`http://127.0.0.1:${p.port}/stats`)).json()) as {
        transports: Record<string, { eventsDelivered: number }>;
      };
      for (const id of TRANSPORT_IDS)
        assert.equal(
          own.transports[id].eventsDelivered,
          p.stats!.transports[id].eventsDelivered as number,
          `${p.name} ${id}: its own figure`,
        );
    }
    assert.equal(stats.retired.processes, 3, 'the two killed processes (failover, stream cap) and the restarted one are remembered');
    const whole = (await (await fetch(`${cluster.url}/stats`)).json()) as {
      transports: Record<string, { eventsDelivered: number }>;
      subscribers: number;
      process: { processes: { name: string; subscribers: number; transports: Record<string, { eventsDelivered: number }> }[] };
    };
    for (const id of TRANSPORT_IDS) {
      assert.equal(
        whole.transports[id].eventsDelivered,
        (stats.sum.transports[id].eventsDelivered as number) + ((stats.retired.transports[id]?.eventsDelivered as number) ?? 0),
        `/stats ${id}: the running processes and the gone ones`,
      );
    }
    assert.equal(whole.process.processes.length, 3, '/stats names the processes');
    // And shows each beside the sum: the clients it holds (one answer: they add up to the sum) and what it delivered, per transport.
    assert.equal(
      whole.process.processes.reduce((sum, q) => sum + q.subscribers, 0),
      whole.subscribers,
      "/stats: the processes' subscribers add up to the sum",
    );
    for (const p of stats.processes) {
      const shown = whole.process.processes.find((q) => q.name === p.name)!;
      for (const id of TRANSPORT_IDS)
        assert.ok(
          shown.transports[id].eventsDelivered >= (p.stats!.transports[id].eventsDelivered as number),
          `/stats ${p.name} ${id}: its deliveries`,
        );
    }
  });
});
