/**
 * The lab's contract over WebSocket: chat from the socket, coded error frames,
 * the size of a message, and the cases every transport shares.
 */
import { type CaseDef, fail, info, nonStrict, pass } from '../types.ts';
import { OPCODE } from '../ws-wire.ts';
import { commonCases } from './common.ts';
import { chatJson } from './ws-frames.ts';
import { expectOpen } from './ws-expect.ts';

const KIB = 1024;

/** A chat message padded to exactly `bytes` of JSON. */
function chatOfSize(bytes: number): string {
  const empty = chatJson('');
  return chatJson('y'.repeat(bytes - Buffer.byteLength(empty)));
}

export const wsContractCases: CaseDef[] = [
  {
    id: 'ws.chat',
    transport: 'ws',
    title: 'a chat message sent over the socket is published',
    section: 'contract: five transports',
    async run(c) {
      const conn = await c.ws();
      const chat = c.nonce('ws-chat');
      conn.sendText(chatJson(chat));
      if (await conn.until(() => conn.events().some((e) => e.type === 'chat' && e.data?.text === chat), 3000))
        return pass('the chat came back to the sender as a feed event');
      return fail(conn.closeFrame ? `closed with ${conn.closeFrame.code}` : 'the chat never came back as an event');
    },
  },
  {
    id: 'ws.bad-message',
    transport: 'ws',
    title: 'a frame that is not JSON gets a coded error frame, no seq',
    section: 'contract: errors',
    async run(c) {
      const conn = await c.ws();
      const from = conn.messages.length;
      conn.sendText('this is not json');
      const answered = () => conn.messages.slice(from).some((m) => /"error"/.test(m.data.toString('utf8')));
      if (!(await conn.until(answered, 1500))) {
        const outcome = await expectOpen(conn, 'a frame that is not JSON');
        return outcome.verdict === 'pass'
          ? nonStrict('ignored in silence: a coded {"type":"error","error":{...}} frame tells the client what was wrong')
          : outcome;
      }
      const message = conn.messages.slice(from).find((m) => /"error"/.test(m.data.toString('utf8')))!;
      let value: { type?: unknown; seq?: unknown; error?: { code?: unknown; message?: unknown } };
      try {
        value = JSON.parse(message.data.toString('utf8'));
      } catch {
        return fail('the error frame is not JSON');
      }
      if (value.seq !== undefined) return fail('the error frame carries a seq: clients would take it for an event');
      if (value.type !== 'error' || typeof value.error?.code !== 'string' || typeof value.error?.message !== 'string')
        return nonStrict(
          `the error frame is not {"type":"error","error":{"code","message"}}: ${message.data.toString('utf8').slice(0, 100)}`,
        );
      return expectOpen(conn, `error frame ${value.error.code}, then`);
    },
  },
  {
    id: 'ws.message-64k',
    transport: 'ws',
    title: 'a message of 64 KiB is read',
    section: 'contract: limits; RFC 6455 §7.4.1',
    async run(c) {
      const conn = await c.ws();
      conn.send({ opcode: OPCODE.text, payload: chatOfSize(64 * KIB) });
      await conn.until(() => conn.closeFrame !== undefined, 500);
      if (conn.closeFrame?.code === 1009) return nonStrict('closed with 1009: the contract reads messages up to 64 KiB');
      return expectOpen(conn, 'a 64 KiB message');
    },
  },
  {
    id: 'ws.message-1m',
    transport: 'ws',
    title: 'a message of 1 MiB: read, or refused with 1009',
    section: 'RFC 6455 §7.4.1; contract: limits',
    async run(c) {
      const conn = await c.ws();
      conn.send({ opcode: OPCODE.text, payload: chatOfSize(1024 * KIB) });
      await conn.until(() => conn.closeFrame !== undefined || conn.ended, 2000);
      if (conn.closeFrame)
        return conn.closeFrame.code === 1009
          ? pass('closed with 1009 (message too big)')
          : nonStrict(`closed with ${conn.closeFrame.code}; 1009 says "too big"`);
      if (conn.ended) return nonStrict('dropped the connection without a close frame; 1009 says "too big"');
      const outcome = await expectOpen(conn, 'a 1 MiB message');
      return outcome.verdict === 'pass'
        ? info('read a 1 MiB message whole: allowed, but every such message costs the server that much memory')
        : outcome;
    },
  },
  {
    id: 'ws.bad-since',
    transport: 'ws',
    title: 'a bad since is refused before the upgrade',
    section: 'contract: the cursor since',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws?since=abc' });
      if (answer.conn) return fail('since=abc was accepted: the error can only be told before the handshake, as an HTTP status');
      return answer.status === 400 ? pass('400 before the upgrade') : nonStrict(`refused with ${answer.status}; the contract says 400`);
    },
  },
  ...commonCases('ws'),
];
