/**
 * Hostile input: one table sends every endpoint malformed input and checks the
 * coded error the contract promises for it (the contract, "Errors, origins and
 * limits" and "The cursor since"). A row is what is sent and what must come back:
 * an HTTP status with `{ "error": { "code", "message" } }`, a WebSocket error frame
 * without `seq`, or a WebSocket close code.
 *
 * The rows are hostile-rows.ts's. Bad input must cost only its sender. Two bystanders follow the feed from before
 * the first row (an SSE stream and a WebSocket), an event is published after every
 * row, and afterwards both are still connected and have every event, in order and
 * once, while the feed holds nothing that a bad row sent.
 *
 * Every answer is awaited for at most ANSWER_MS (hostile-clients.ts, the requests
 * and frames a hostile peer sends), so a missing defense shows as a failed row (a
 * 200, a 101, a stream that never ends) rather than a hung test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { FeedEvent } from './feed.ts';
import { type SseFollower, type WsFollower, aimAt, check, followSse, followWs, head, raw } from './hostile-clients.ts';
import { hostileRows } from './hostile-rows.ts';
import { type RunningLab, startLab, waitFor } from './test-helpers.ts';

let lab: RunningLab;

let attacker: WsFollower;
const rows = hostileRows(() => attacker);

// ------------------------------------------------------------------ running it

describe('hostile input: every endpoint answers malformed input with its coded error', () => {
  let sse: SseFollower;
  let bystander: WsFollower;
  /** Seqs of the events published between rows: all a bystander may see. */
  const published: number[] = [];

  before(async () => {
    lab = await startLab({ extraPorts: false });
    aimAt(lab);
    sse = await followSse();
    bystander = await followWs();
    attacker = await followWs();
    await waitFor(() => lab.ctx.feed.subscriberCount === 3, 'the bystanders and the attacking socket follow the feed');
  });

  after(async () => {
    sse?.close();
    bystander?.ws.terminate();
    attacker?.ws.terminate();
    await lab?.close();
  });

  for (const [index, { name, send, expect }] of rows.entries()) {
    test(name, async () => {
      try {
        check(name, expect, await send());
      } finally {
        published.push(lab.ctx.feed.publish('tick', { row: index }).seq);
      }
    });
  }

  test('afterwards: the bystanders are still connected and got every event, in order and once', async () => {
    const all = () => [sse.events.length, bystander.events.length, attacker.events.length].every((n) => n >= published.length);
    await waitFor(all, `${published.length} events at both bystanders and the attacking socket`);
    assert.equal(sse.ended, false, 'the SSE bystander is still connected');
    assert.equal(bystander.ws.readyState, WebSocket.OPEN, 'the WebSocket bystander is still connected');
    assert.equal(attacker.ws.readyState, WebSocket.OPEN, 'the socket that sent every bad message is still open');
    const seqs = (events: FeedEvent[]) => events.map((event) => event.seq);
    assert.deepEqual(seqs(sse.events), published, 'SSE bystander: every published event, in order, no duplicates');
    assert.deepEqual(seqs(bystander.events), published, 'WebSocket bystander: every published event, in order, no duplicates');
    assert.deepEqual(seqs(attacker.events), published, 'the attacking socket kept following the feed between its error frames');
    assert.deepEqual(bystander.answers, [], 'the bystander got no error frame meant for another socket');
  });

  test('afterwards: nothing a bad row sent reached the feed', () => {
    assert.equal(lab.ctx.feed.lastSeq, published.length, 'the feed holds only the events published between rows');
    for (const [name, events] of [
      ['SSE', sse.events],
      ['WebSocket', bystander.events],
    ] as const) {
      assert.ok(
        events.every((event) => event.type === 'tick'),
        `${name} bystander saw no chat event`,
      );
    }
    const frameRows = rows.filter((r) => 'frame' in r.expect).length;
    assert.equal(attacker.answers.length, frameRows, 'exactly one error frame per bad WebSocket message');
    assert.equal(lab.ctx.counters.wsErrorsAnswered, frameRows, '/stats counts each error frame');
  });

  test('afterwards: the attacking socket still publishes, and a fresh request gets 200', async () => {
    attacker.ws.send(JSON.stringify({ type: 'chat', name: 'ana', text: 'still here' }));
    const isChat = (events: FeedEvent[]) => events.some((event) => event.type === 'chat');
    await waitFor(() => isChat(sse.events) && isChat(bystander.events), 'the good chat at both bystanders');
    assert.deepEqual(bystander.events.at(-1)?.data, { name: 'ana', text: 'still here' }, 'the good chat after the bad ones is published');
    assert.equal(lab.ctx.feed.lastSeq, published.length + 1, 'and it is the only chat in the feed');

    const response = await fetch(`${lab.baseUrl}/feed/short-poll?since=${published.length}`);
    assert.equal(response.status, 200, 'a fresh short poll is served');
    const body = (await response.json()) as { lastSeq: number; events: FeedEvent[] };
    assert.equal(body.lastSeq, published.length + 1, 'and sees the feed as it is');
    assert.equal(body.events.length, 1, 'with the one event it missed');

    // A row that left a held request, stream or socket behind would show here.
    await waitFor(() => lab.ctx.closers.size === 3 && lab.ctx.feed.subscriberCount === 3, 'nothing held but the three followers');
  });
});

describe('hostile input on the extra ports: the same coded answers as on the main port', () => {
  test('a request line that is not one, and a 20 KiB header, on each port of its own', async () => {
    lab = await startLab();
    aimAt(lab);
    try {
      const relays = Object.entries(lab.ctx.ports?.extra ?? {}).filter(([name]) => name !== 'idle-proxy');
      assert.ok(relays.length >= 4, `the extra ports are open (${relays.map(([name]) => name)})`);
      for (const [name, port] of relays) {
        check(`garbage on the ${name} port`, { status: 400, code: 'bad_request', closes: true }, await raw('GARBAGE\r\n\r\n', port));
        check(
          `a 20 KiB header on the ${name} port`,
          { status: 431, code: 'headers_too_large', closes: true },
          await raw(head('GET /feed/short-poll HTTP/1.1', `X-Big: ${'a'.repeat(20 * 1024)}`), port),
        );
      }
    } finally {
      await lab.close();
    }
  });
});
