/**
 * What the TLS ports' hostile tests share (hostile.test.ts, hostile-limits.test.ts):
 * a lab of their own, three bystanders that follow the feed from before the first
 * row while a ticker publishes all along, a fourth connection (HTTP/2) that reads
 * /stats after every row, and the checks afterwards that the bystanders noticed
 * nothing and the lab holds nothing a row opened.
 */
import assert from 'node:assert/strict';
import type { ClientHttp2Session } from 'node:http2';
import { after, afterEach, before, describe, test } from 'node:test';
import { DRIVERS } from '../clients/index.ts';
import type { Connection, WireProtocol } from '../clients/common.ts';
import type { FeedEvent } from '../feed.ts';
import { type RunningLab, delay, startLab, waitFor } from '../test-helpers.ts';
import { aimAt, ask, connectH2 } from './hostile-clients.ts';
import { ANSWER_MS } from './raw-h2.ts';

/** The lab's TLS handshake deadline during these tests (TLS_HANDSHAKE_TIMEOUT_MS is 10 s otherwise). */
export const HANDSHAKE_TIMEOUT_MS = 1000;

/** The lab under attack and its TLS ports (live bindings: set before the first row). */
export let lab: RunningLab;
export const ports = { main: 0, h1: 0, experiment: 0 };

interface Bystander {
  name: string;
  events: FeedEvent[];
  states: string[];
  connection: Connection;
}

/** One of the lab's Node clients following the feed from seq 1, without reconnecting: a drop would show. */
function bystander(name: string, id: 'sse' | 'ws', baseUrl: string, protocol: WireProtocol): Bystander {
  const events: FeedEvent[] = [];
  const states: string[] = [];
  const connection = DRIVERS[id]({
    baseUrl,
    protocol,
    ca: lab.https!.ca,
    since: 0,
    reconnect: false, // a bystander that had to reconnect noticed: it must not
    onEvent: (event) => events.push(event),
    onState: (state, detail) => states.push(detail ? `${state} ${detail}` : state),
  });
  return { name, events, states, connection };
}

/** An HTTP/2 session open all along: it reads /stats after every row. */
let checker: ClientHttp2Session;

export interface Stats {
  tls: { handshakesFailed: number; plainHttpRefused: number; h1: { connectionsOpen: number }; h2: { connectionsOpen: number } };
  http2: { sessionErrors: number; sessionsOpen: number };
}

/** GET /stats on the checker's session, which must still answer. */
export async function stats(): Promise<Stats> {
  const answer = await ask(checker, { ':path': '/stats' });
  assert.equal(answer.status, 200, 'the checker session still gets /stats');
  return JSON.parse(answer.body) as Stats;
}

/**
 * /stats once `condition` holds, or as it is after ANSWER_MS: the lab counts a
 * connection when its side closes, a moment after the client's may have.
 */
export async function statsOnce(condition: (s: Stats) => boolean): Promise<Stats> {
  const deadline = Date.now() + ANSWER_MS;
  for (;;) {
    const now = await stats();
    if (condition(now) || Date.now() > deadline) return now;
    await delay(20);
  }
}

/** Runs `attack` and checks that /stats counted it once in `tls.<counter>`. */
export async function counted(counter: 'handshakesFailed' | 'plainHttpRefused', attack: () => Promise<void>): Promise<void> {
  const before = (await stats()).tls[counter];
  await attack();
  const after = await statsOnce((s) => s.tls[counter] > before);
  assert.equal(after.tls[counter], before + 1, `/stats tls.${counter} counts it once`);
}

/** Runs `attack` and checks that /stats counted one more HTTP/2 session ended by an error. */
export async function sessionErrorCounted(attack: () => Promise<void>): Promise<void> {
  const before = (await stats()).http2.sessionErrors;
  await attack();
  const after = await statsOnce((s) => s.http2.sessionErrors > before);
  assert.equal(after.http2.sessionErrors, before + 1, '/stats http2.sessionErrors counts the session once');
}

/**
 * Registers `rows` in a describe of their own, on a lab of their own watched by the
 * bystanders and the checker, and then the checks afterwards.
 */
export function describeUnderAttack(name: string, rows: () => void): void {
  describe(name, () => {
    let bystanders: Bystander[] = [];
    let ticker: NodeJS.Timeout | undefined;

    before(async () => {
      lab = await startLab({ tlsPort: 0, extraPorts: false, tlsHandshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
      aimAt(lab.https!);
      const portOf = (url: string) => Number(new URL(url).port);
      Object.assign(ports, { main: portOf(lab.https!.h2Url), h1: portOf(lab.https!.h1Url), experiment: portOf(lab.https!.experimentUrl) });
      checker = await connectH2();
      bystanders = [
        bystander('SSE over HTTP/2', 'sse', lab.https!.h2Url, 'h2'),
        bystander('WebSocket over HTTP/2', 'ws', lab.https!.h2Url, 'h2'),
        bystander('WebSocket over HTTP/1.1 (TLS)', 'ws', lab.https!.h2Url, 'h1'),
      ];
      await waitFor(() => lab.ctx.feed.subscriberCount === bystanders.length, 'the bystanders follow the feed', ANSWER_MS);
      // Published all along, attacks included: every bystander must have each one.
      ticker = setInterval(() => lab.ctx.feed.publish('tick', { price: lab.ctx.feed.lastSeq }), 20);
    });

    afterEach(async () => {
      lab.ctx.feed.publish('tick', { price: -1 });
      await stats(); // the lab is still there, and the checker's session survived the row
    });

    after(async () => {
      clearInterval(ticker);
      checker?.destroy();
      await Promise.all(bystanders.map((b) => b.connection.close()));
      await lab?.close();
    });

    rows();

    describe('afterwards', () => {
      test('the bystanders are still connected and got every event, in order and once', async () => {
        clearInterval(ticker);
        const last = lab.ctx.feed.publish('tick', { price: 0 }).seq;
        await waitFor(() => bystanders.every((b) => b.events.length >= last), `${last} events at every bystander`, ANSWER_MS);
        const all = Array.from({ length: last }, (_, i) => i + 1);
        for (const b of bystanders) {
          assert.deepEqual(b.states, ['connecting', 'open'], `${b.name}: connected once and never dropped`);
          assert.deepEqual(
            b.events.map((event) => event.seq),
            all,
            `${b.name}: every event, in order, once`,
          );
          assert.ok(
            b.events.every((event) => event.type === 'tick'),
            `${b.name}: only the ticker's events, nothing a row sent`,
          );
        }
      });

      test('the lab holds nothing a row opened, and answered no 500', async () => {
        // The bystanders' two HTTP/2 sessions and the checker's; one HTTP/1.1 WebSocket.
        await waitFor(
          () => lab.ctx.feed.subscriberCount === bystanders.length && lab.ctx.closers.size === bystanders.length,
          'nothing held but the bystanders',
          ANSWER_MS,
        );
        const now = await statsOnce((s) => s.http2.sessionsOpen === 3 && s.tls.h2.connectionsOpen === 3 && s.tls.h1.connectionsOpen === 1);
        assert.equal(now.http2.sessionsOpen, 3, 'every attacking HTTP/2 session is gone');
        assert.equal(now.tls.h2.connectionsOpen, 3, 'every attacking TLS connection is gone');
        assert.equal(now.tls.h1.connectionsOpen, 1, "the HTTP/1.1 bystander's connection only");
        assert.equal(lab.ctx.counters.internalErrors, 0, 'no request was answered 500');
      });
    });
  });
}
