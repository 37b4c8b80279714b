/**
 * Control frames (RFC 6455 §5.5): ping and pong, the closing handshake, and the
 * close codes a peer may and may not send (§7.4).
 */
import { type CaseDef, fail, nonStrict, pass } from '../types.ts';
import { OPCODE, closePayload } from '../ws-wire.ts';
import { CLOSE_MS, acceptCase, expectOpen, failureCase } from './ws-expect.ts';

const { ping, pong, close, text, continuation } = OPCODE;

function pingCase(id: string, title: string, payload: Buffer): CaseDef {
  return {
    id: `ws.${id}`,
    transport: 'ws',
    title,
    section: 'RFC 6455 §5.5.2, §5.5.3',
    async run(c) {
      const conn = await c.ws();
      if (await conn.pingPong(payload, 2000)) return pass(`pong with the same ${payload.length}-byte payload`);
      if (conn.error) return fail(conn.error);
      const other = conn.frames.find((f) => f.opcode === pong);
      if (other) return fail(`a pong came, but with ${other.payload.length} bytes that are not the ping's`);
      return fail(conn.closeFrame ? `closed with ${conn.closeFrame.code} instead of answering` : 'no pong within 2 s');
    },
  };
}

/** A close frame from the client; the server must answer with its own and close. */
function closeCase(id: string, title: string, payload: Buffer, expectCode: number | undefined): CaseDef {
  return {
    id: `ws.${id}`,
    transport: 'ws',
    title,
    section: 'RFC 6455 §5.5.1, §7.4',
    async run(c) {
      const conn = await c.ws();
      conn.send({ opcode: close, payload });
      if (!(await conn.until(() => conn.closeFrame !== undefined, 2000))) {
        if (conn.error) return fail(conn.error);
        return conn.ended
          ? nonStrict('the connection was closed without a close frame in answer')
          : fail('no close frame in answer within 2 s');
      }
      const ended = await conn.until(() => conn.ended, CLOSE_MS);
      const code = conn.closeFrame!.code;
      if (expectCode !== undefined && code !== expectCode && !(expectCode === 1000 && code === 1005))
        return nonStrict(`answered close ${code}; echoing ${expectCode} is what peers expect`);
      if (!ended) return nonStrict(`answered close ${code}, but kept the TCP connection open: the server should close it first (§7.1.1)`);
      return pass(`answered close ${code}, then closed the connection`);
    },
  };
}

export const wsControlCases: CaseDef[] = [
  pingCase('ping', 'a ping is answered by a pong with the same payload', Buffer.from('checker ping 1')),
  pingCase('ping-empty', 'an empty ping gets an empty pong', Buffer.alloc(0)),
  pingCase('ping-125', 'a ping of 125 bytes (the most a control frame holds)', Buffer.alloc(125, 0x61)),
  pingCase(
    'ping-binary',
    'a ping whose payload is not text comes back byte for byte',
    Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff)),
  ),
  {
    id: 'ws.ping-burst',
    transport: 'ws',
    title: 'ten pings: the last is answered',
    section: 'RFC 6455 §5.5.3',
    async run(c) {
      const conn = await c.ws();
      for (let i = 0; i < 10; i++) conn.send({ opcode: ping, payload: `burst-${i}` });
      if (!(await conn.until(() => conn.frames.some((f) => f.opcode === pong && f.payload.toString() === 'burst-9'), 2000)))
        return fail('the last of ten pings got no pong');
      const answered = conn.frames.filter((f) => f.opcode === pong).length;
      return pass(`${answered} pongs, the last for the last ping`);
    },
  },
  acceptCase('pong-unsolicited', 'an unsolicited pong is ignored', 'RFC 6455 §5.5.3', [{ opcode: pong, payload: 'unasked' }]),
  failureCase(
    'ping-126',
    'a control frame over 125 bytes fails the connection',
    'RFC 6455 §5.5',
    [1002],
    [{ opcode: ping, payload: Buffer.alloc(126, 0x61) }],
  ),
  failureCase(
    'ping-fragmented',
    'a fragmented control frame fails the connection',
    'RFC 6455 §5.5',
    [1002],
    [
      { opcode: ping, fin: false, payload: 'a' },
      { opcode: continuation, payload: 'b' },
    ],
  ),
  closeCase('close', 'close 1000 is answered with a close frame, then the connection closes', closePayload(1000, 'bye'), 1000),
  closeCase('close-empty', 'a close with no status is answered', Buffer.alloc(0), undefined),
  closeCase('close-3000', 'a registered code (3000) is a valid close', closePayload(3000), 3000),
  closeCase('close-4000', 'a private code (4000) is a valid close', closePayload(4000, 'private'), 4000),
  failureCase(
    'close-one-byte',
    'a close payload of one byte fails the connection',
    'RFC 6455 §5.5.1',
    [1002],
    [{ opcode: close, payload: Buffer.from([0x03]) }],
  ),
  failureCase(
    'close-1005',
    'close code 1005 on the wire fails the connection',
    'RFC 6455 §7.4.1',
    [1002],
    [{ opcode: close, payload: closePayload(1005) }],
  ),
  failureCase(
    'close-999',
    'close code 999 fails the connection',
    'RFC 6455 §7.4.2',
    [1002],
    [{ opcode: close, payload: closePayload(999) }],
  ),
  failureCase(
    'close-bad-utf8',
    'a close reason that is not UTF-8 fails the connection',
    'RFC 6455 §5.5.1; §8.1',
    [1007, 1002],
    [{ opcode: close, payload: closePayload(1000, Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80])) }],
  ),
  {
    id: 'ws.text-after-close',
    transport: 'ws',
    title: 'after the close handshake nothing more is sent',
    section: 'RFC 6455 §5.5.1',
    async run(c) {
      const conn = await c.ws();
      conn.send({ opcode: close, payload: closePayload(1000) });
      conn.send({ opcode: text, payload: '{"type":"chat","name":"checker","text":"after close"}' });
      await conn.until(() => conn.ended, 2000);
      const index = conn.frames.findIndex((f) => f.opcode === close);
      if (index < 0) return fail('no close frame in answer');
      const after = conn.frames.slice(index + 1);
      return after.length === 0 ? pass('nothing after the close frame') : fail(`${after.length} frame(s) after the server's close frame`);
    },
  },
  {
    id: 'ws.stays-open',
    transport: 'ws',
    title: 'an idle connection stays open',
    section: 'RFC 6455 §5.5.2',
    async run(c) {
      const conn = await c.ws();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return expectOpen(conn, 'one idle second');
    },
  },
];
