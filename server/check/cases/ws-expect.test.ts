/**
 * The WebSocket cases' verdicts after a frame, decided on a connection whose state
 * is set by hand: each way a server can fail a connection (RFC 6455 §7.1.7's close
 * code, another code, a bare TCP close, nothing) or carry on, and how long each
 * wait is allowed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaseContext } from '../context.ts';
import type { WsConn } from '../ws-conn.ts';
import type { FrameSpec } from '../ws-wire.ts';
import { CLOSE_MS, REACT_MS, acceptCase, expectFailure, expectOpen, failureCase } from './ws-expect.ts';

interface FakeState {
  closeFrame?: { code: number; reason: Buffer };
  ended?: boolean;
  error?: string;
  /** Whether a ping is answered. */
  pongs?: boolean;
}

/** A connection in a fixed state: `until` answers at once, and each wait's bound is recorded. */
function fakeConn(state: FakeState) {
  const waits: number[] = [];
  const sent: string[] = [];
  const conn = {
    closeFrame: state.closeFrame,
    ended: state.ended ?? false,
    error: state.error,
    async until(condition: () => boolean, timeoutMs: number) {
      waits.push(timeoutMs);
      return condition();
    },
    async pingPong(_payload: string, timeoutMs: number) {
      waits.push(timeoutMs);
      return state.pongs ?? false;
    },
    send(frame: FrameSpec) {
      sent.push(`frame ${frame.opcode}`);
    },
    sendRaw(bytes: Buffer, label: string) {
      sent.push(`raw ${bytes.length} ${label}`);
    },
  };
  return { conn: conn as unknown as WsConn, waits, sent };
}

const close = (code: number, reason = '') => ({ code, reason: Buffer.from(reason) });

test("expectFailure: the RFC's code then the TCP close passes; the code alone passes, saying the connection stayed open", async () => {
  const closed = fakeConn({ closeFrame: close(1002), ended: true });
  assert.deepEqual(await expectFailure(closed.conn, [1002], 'a reserved opcode'), {
    verdict: 'pass',
    reason: 'a reserved opcode: closed with 1002',
  });
  assert.deepEqual(closed.waits, [REACT_MS, CLOSE_MS], 'up to 2 s for the close frame, then 500 ms for the TCP close');
  const open = fakeConn({ closeFrame: close(1007) });
  assert.deepEqual(await expectFailure(open.conn, [1002, 1007], 'bad UTF-8'), {
    verdict: 'pass',
    reason: 'bad UTF-8: closed with 1007 (the TCP connection stayed open afterwards)',
  });
});

test('expectFailure: another close code is Non-Strict, naming the codes the RFC asks for', async () => {
  const { conn, waits } = fakeConn({ closeFrame: close(1000), ended: true });
  assert.deepEqual(await expectFailure(conn, [1002, 1007], 'bad UTF-8'), {
    verdict: 'non-strict',
    reason: "bad UTF-8: closed, but with 1000; the RFC's code is 1002 or 1007",
  });
  assert.deepEqual(waits, [REACT_MS, CLOSE_MS]);
});

test('expectFailure: a TCP close without a close frame is Non-Strict; a server that carries on or stays silent fails', async () => {
  const dropped = fakeConn({ ended: true });
  assert.deepEqual(await expectFailure(dropped.conn, [1009], 'too big'), {
    verdict: 'non-strict',
    reason: 'too big: the connection was dropped without a close frame; the RFC asks for close 1009 first',
  });
  assert.deepEqual(dropped.waits, [REACT_MS], 'no ping on a closed connection');
  const carriesOn = fakeConn({ pongs: true });
  assert.deepEqual(await expectFailure(carriesOn.conn, [1002], 'unmasked'), {
    verdict: 'fail',
    reason: 'unmasked: the server carried on (it answered a ping afterwards) instead of failing the connection',
  });
  assert.deepEqual(carriesOn.waits, [REACT_MS, 1000], 'a second to answer the probe ping');
  const stuck = fakeConn({});
  assert.deepEqual(await expectFailure(stuck.conn, [1002], 'unmasked'), {
    verdict: 'fail',
    reason: `unmasked: neither a close frame nor a close within ${REACT_MS} ms; the server is stuck waiting`,
  });
});

test("expectFailure: a broken connection (the reader's error) fails with that error, even beside a close frame", async () => {
  const { conn } = fakeConn({ error: 'the server closed the connection in the middle of a frame', closeFrame: close(1002) });
  assert.deepEqual(await expectFailure(conn, [1002], 'x'), {
    verdict: 'fail',
    reason: 'the server closed the connection in the middle of a frame',
  });
});

test('expectOpen: a pong after the frames passes; otherwise the failure says what the server did', async () => {
  const alive = fakeConn({ pongs: true });
  assert.deepEqual(await expectOpen(alive.conn, 'a fragmented text'), {
    verdict: 'pass',
    reason: 'a fragmented text: taken, and the connection answers pings',
  });
  assert.deepEqual(alive.waits, [REACT_MS]);
  const outcomes = await Promise.all(
    [{ error: 'bad frame' }, { closeFrame: close(1002, 'protocol error') }, { ended: true }, {}].map((state) =>
      expectOpen(fakeConn(state).conn, 'x'),
    ),
  );
  assert.deepEqual(outcomes, [
    { verdict: 'fail', reason: 'bad frame' },
    { verdict: 'fail', reason: 'x: the server closed with 1002 "protocol error"' },
    { verdict: 'fail', reason: 'x: the server dropped the connection' },
    { verdict: 'fail', reason: `x: no pong within ${REACT_MS} ms afterwards` },
  ]);
});

test('failureCase and acceptCase: a ws. case that sends its frames in order on a fresh socket, then judges', async () => {
  const fresh = fakeConn({ closeFrame: close(1002), ended: true });
  const bad = failureCase('rsv', 'RSV bits set', 'RFC 6455 §5.2', [1002], [{ opcode: 1 } as FrameSpec, Buffer.from([0xf1, 0x00])]);
  assert.deepEqual([bad.id, bad.transport, bad.title, bad.section], ['ws.rsv', 'ws', 'RSV bits set', 'RFC 6455 §5.2']);
  const outcome = await bad.run({ ws: async () => fresh.conn } as unknown as CaseContext);
  assert.deepEqual(fresh.sent, ['frame 1', 'raw 2 raw 2 B']);
  assert.deepEqual(outcome, { verdict: 'pass', reason: 'RSV bits set: closed with 1002' });
  const alive = fakeConn({ pongs: true });
  const good = acceptCase('ping', 'a ping', 'RFC 6455 §5.5.2', [{ opcode: 9 } as FrameSpec, { opcode: 1 } as FrameSpec]);
  assert.equal(good.id, 'ws.ping');
  assert.equal((await good.run({ ws: async () => alive.conn } as unknown as CaseContext)).verdict, 'pass');
  assert.deepEqual(alive.sent, ['frame 9', 'frame 1']);
});
