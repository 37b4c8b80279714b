/**
 * Data framing (RFC 6455 §5), fragmentation (§5.4) and UTF-8 (§8.1): the
 * Autobahn testsuite's territory, in a subset written for this lab.
 */
import type { CaseContext } from '../context.ts';
import { type CaseDef, fail, pass } from '../types.ts';
import { OPCODE } from '../ws-wire.ts';
import { acceptCase, expectFailure, expectOpen, failureCase } from './ws-expect.ts';

const { text, binary, continuation, ping } = OPCODE;

/** A chat message as the contract's WebSocket client sends it. */
export const chatJson = (textValue: string) => JSON.stringify({ type: 'chat', name: 'checker', text: textValue });

/** Sends `parts` as one fragmented message (text, then continuations) and waits for its chat event to come back. */
async function fragmentedChat(
  c: CaseContext,
  split: (json: Buffer) => Buffer[],
  between?: (conn: Awaited<ReturnType<CaseContext['ws']>>) => void,
) {
  const conn = await c.ws();
  const chat = `${c.nonce('frag')} 中文 ✓`;
  const parts = split(Buffer.from(chatJson(chat)));
  parts.forEach((part, i) => {
    conn.send({ opcode: i === 0 ? text : continuation, fin: i === parts.length - 1, payload: part });
    if (i === 0) between?.(conn);
  });
  const back = await conn.until(() => conn.events().some((e) => e.data?.text === chat), 3000);
  return { conn, chat, back };
}

const chunksOf = (size: number) => (json: Buffer) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < json.length; i += size) parts.push(json.subarray(i, i + size));
  return parts;
};

/** Bytes that are not UTF-8 (Autobahn's classics): an overlong '/', a UTF-16 surrogate, a code point past U+10FFFF. */
const OVERLONG = Buffer.from([0x22, 0xc0, 0xaf, 0x22]);
const SURROGATE = Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]);
const TOO_HIGH = Buffer.from([0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]);

export const wsFrameCases: CaseDef[] = [
  {
    id: 'ws.server-unmasked',
    transport: 'ws',
    title: "the server's frames are not masked",
    section: 'RFC 6455 §5.1',
    async run(c) {
      const conn = await c.ws();
      const chat = c.nonce('unmasked');
      await c.publish(chat);
      if (!(await conn.until(() => conn.frames.some((f) => f.opcode === text), 3000)))
        return fail('no text frame came for a published event');
      const masked = conn.frames.find((f) => f.masked);
      if (masked) return fail('the server masked a frame: a client must fail the connection on a masked frame');
      return pass(`${conn.frames.length} frame(s), none masked`);
    },
  },
  {
    id: 'ws.event-frame',
    transport: 'ws',
    title: 'one text frame per event, carrying its JSON',
    section: 'contract: five transports',
    async run(c) {
      const conn = await c.ws();
      const chat = c.nonce('frame');
      const seq = await c.publish(chat);
      if (!(await conn.until(() => conn.events().some((e) => e.seq === seq), 3000))) {
        const first = conn.messages[0];
        return fail(
          first
            ? `the frames are not the event JSON: ${JSON.stringify(first.data.toString('utf8').slice(0, 80))}`
            : `event ${seq} did not arrive within 3 s`,
        );
      }
      const frame = conn.frames.find((f) => f.payload.toString('utf8').includes(chat));
      if (frame && (!frame.fin || frame.opcode !== text)) return fail('the event was not one whole text frame');
      return pass(`event ${seq} in one text frame of ${frame?.payload.length} B`);
    },
  },
  failureCase(
    'unmasked-client',
    'an unmasked client frame fails the connection',
    'RFC 6455 §5.1',
    [1002],
    [{ opcode: text, payload: chatJson('unmasked'), mask: false }],
  ),
  failureCase('rsv1', 'RSV1 without an extension fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: text, rsv: 4, payload: '{}' }]),
  failureCase('rsv2', 'RSV2 fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: text, rsv: 2, payload: '{}' }]),
  failureCase('rsv3', 'RSV3 fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: text, rsv: 1, payload: '{}' }]),
  failureCase('opcode-3', 'reserved data opcode 3 fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: 0x3, payload: '{}' }]),
  failureCase('opcode-7', 'reserved data opcode 7 fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: 0x7 }]),
  failureCase('opcode-b', 'reserved control opcode 0xB fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: 0xb }]),
  failureCase('opcode-f', 'reserved control opcode 0xF fails the connection', 'RFC 6455 §5.2', [1002], [{ opcode: 0xf, payload: 'x' }]),
  failureCase(
    'length-top-bit',
    'a 64-bit length with its top bit set fails the connection',
    'RFC 6455 §5.2',
    [1002, 1009],
    [{ opcode: text, declaredLength: 1n << 63n }],
  ),
  failureCase(
    'declared-4gib',
    'a frame that claims 4 GiB is refused at once',
    'RFC 6455 §7.4.1 (1009)',
    [1009, 1002],
    [{ opcode: text, declaredLength: 4n * 1024n * 1024n * 1024n, payload: '{' }],
  ),
  acceptCase('empty-text', 'an empty text message is taken', 'RFC 6455 §5.6', [{ opcode: text }]),
  {
    id: 'ws.binary',
    transport: 'ws',
    title: 'a binary message is answered or refused with 1003',
    section: 'RFC 6455 §7.4.1',
    async run(c) {
      const conn = await c.ws();
      conn.send({ opcode: binary, payload: Buffer.from([0, 1, 2, 255]) });
      await conn.until(() => conn.closeFrame !== undefined, 500);
      if (conn.closeFrame)
        return conn.closeFrame.code === 1003
          ? pass('closed with 1003 (cannot accept this type of data)')
          : fail(`closed with ${conn.closeFrame.code}; a protocol that takes no binary says 1003`);
      return expectOpen(conn, 'a binary message');
    },
  },
  {
    id: 'ws.length-16',
    transport: 'ws',
    title: 'a message with a 16-bit length (126+ bytes) is read whole',
    section: 'RFC 6455 §5.2',
    async run(c) {
      const chat = `${c.nonce('len16')} ${'x'.repeat(300)}`;
      const conn = await c.ws();
      conn.sendText(chatJson(chat));
      if (await conn.until(() => conn.events().some((e) => e.data?.text === chat), 3000))
        return pass('the 300-character chat came back as an event');
      return expectOpen(conn, 'a 16-bit-length message');
    },
  },
  {
    id: 'ws.fragmented',
    transport: 'ws',
    title: 'a message in three fragments is reassembled',
    section: 'RFC 6455 §5.4',
    async run(c) {
      const { back, conn } = await fragmentedChat(c, (json) => [json.subarray(0, 10), json.subarray(10, 30), json.subarray(30)]);
      return back
        ? pass('the chat sent in 3 fragments came back whole')
        : conn.closeFrame
          ? fail(`closed with ${conn.closeFrame.code} instead of reassembling`)
          : fail('the fragmented chat never came back as an event');
    },
  },
  {
    id: 'ws.fragmented-bytes',
    transport: 'ws',
    title: 'a message in one-byte fragments, a character split across two',
    section: 'RFC 6455 §5.4; §8.1',
    async run(c) {
      const { back, conn } = await fragmentedChat(c, chunksOf(1));
      return back
        ? pass('the chat sent one byte per frame (中 split across three) came back whole')
        : fail(
            conn.closeFrame
              ? `closed with ${conn.closeFrame.code}: a character split across fragments is valid UTF-8 once joined`
              : 'the chat never came back',
          );
    },
  },
  {
    id: 'ws.ping-between-fragments',
    transport: 'ws',
    title: 'a ping between fragments is answered, the message still whole',
    section: 'RFC 6455 §5.4',
    async run(c) {
      const { back, conn } = await fragmentedChat(c, chunksOf(20), (open) => open.send({ opcode: ping, payload: 'mid' }));
      const pong = conn.frames.some((f) => f.opcode === OPCODE.pong && f.payload.toString() === 'mid');
      if (!pong) return fail('the ping sent between fragments got no pong');
      return back
        ? pass('pong "mid" came, and the message was reassembled around the ping')
        : fail('the ping was answered, but the message never came back');
    },
  },
  failureCase(
    'continuation-first',
    'a continuation with no message begun fails the connection',
    'RFC 6455 §5.4',
    [1002],
    [{ opcode: continuation, payload: '{}' }],
  ),
  failureCase(
    'text-inside-message',
    'a new text frame inside a fragmented message fails the connection',
    'RFC 6455 §5.4',
    [1002],
    [
      { opcode: text, fin: false, payload: '{"type":' },
      { opcode: text, payload: '"chat"}' },
    ],
  ),
  failureCase(
    'utf8-overlong',
    'invalid UTF-8 (an overlong encoding) closes with 1007',
    'RFC 6455 §8.1',
    [1007],
    [{ opcode: text, payload: OVERLONG }],
  ),
  failureCase(
    'utf8-surrogate',
    'invalid UTF-8 (a UTF-16 surrogate) closes with 1007',
    'RFC 6455 §8.1',
    [1007],
    [{ opcode: text, payload: SURROGATE }],
  ),
  failureCase(
    'utf8-too-high',
    'invalid UTF-8 (past U+10FFFF) closes with 1007',
    'RFC 6455 §8.1',
    [1007],
    [{ opcode: text, payload: TOO_HIGH }],
  ),
  failureCase(
    'utf8-fragmented',
    'invalid UTF-8 across fragments closes with 1007',
    'RFC 6455 §8.1',
    [1007],
    [
      { opcode: text, fin: false, payload: Buffer.from([0x22, 0xed]) },
      { opcode: continuation, payload: Buffer.from([0xa0, 0x80, 0x22]) },
    ],
  ),
  {
    id: 'ws.utf8-valid',
    transport: 'ws',
    title: 'valid multi-byte UTF-8 comes back exact',
    section: 'RFC 6455 §8.1',
    async run(c) {
      const chat = `${c.nonce('utf8')} κόσμε 你好 😀 \u{10FFFF}`;
      const conn = await c.ws();
      conn.sendText(chatJson(chat));
      if (await conn.until(() => conn.events().some((e) => e.data?.text === chat), 3000))
        return pass('2-, 3- and 4-byte characters came back exact');
      const outcome = await expectOpen(conn, 'valid UTF-8');
      return outcome.verdict === 'pass' ? fail('the valid UTF-8 chat never came back as an event') : outcome;
    },
  },
  {
    id: 'ws.frame-after-failure',
    transport: 'ws',
    title: 'nothing is processed after a protocol error',
    section: 'RFC 6455 §7.1.7',
    async run(c) {
      const watcher = await c.ws();
      const conn = await c.ws();
      const chat = c.nonce('after-error');
      conn.send({ opcode: 0x3 });
      conn.sendText(chatJson(chat));
      const outcome = await expectFailure(conn, [1002], 'reserved opcode, then a chat');
      const leaked = await watcher.until(() => watcher.events().some((e) => e.data?.text === chat), 300);
      return leaked
        ? fail('the chat sent after the bad frame was published: an endpoint that failed the connection must process nothing after')
        : outcome;
    },
  },
];
