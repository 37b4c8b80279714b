/**
 * The opening handshake (RFC 6455 section 4; RFC 8441 over HTTP/2).
 */
import { type CaseDef, fail, info, nonStrict, pass } from '../types.ts';
import { acceptFor } from '../ws-conn.ts';
import { hostHeader } from '../http.ts';
import { codedErrorOutcome } from './http-checks.ts';

const refusedOutcome = (status: number, what: string, h2: boolean) =>
  status === (h2 ? 200 : 101) ? fail(`${what} was accepted (${status})`) : pass(`${what}: refused with ${status}`);

export const wsHandshakeCases: CaseDef[] = [
  {
    id: 'ws.handshake',
    transport: 'ws',
    title: '101 with the right Sec-WebSocket-Accept',
    section: 'RFC 6455 §4.2.2; RFC 8441 §5',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws' });
      if (c.target.wsOverH2)
        return answer.status === 200
          ? pass('extended CONNECT answered 200 (no key and accept over HTTP/2: RFC 8441 §5)')
          : fail(`extended CONNECT answered ${answer.status}, not 200`);
      if (answer.status !== 101) return fail(`answered ${answer.status}, not 101 Switching Protocols`);
      if (!/^websocket$/i.test(answer.headers.upgrade ?? ''))
        return fail(`Upgrade: ${JSON.stringify(answer.headers.upgrade ?? null)}, not websocket`);
      if (!/\bupgrade\b/i.test(answer.headers.connection ?? ''))
        return fail(`Connection: ${JSON.stringify(answer.headers.connection ?? null)} lacks upgrade`);
      const expected = acceptFor(answer.key!);
      if (answer.headers['sec-websocket-accept'] !== expected)
        return fail(
          `Sec-WebSocket-Accept is ${JSON.stringify(answer.headers['sec-websocket-accept'] ?? null)}, ` +
            `not base64(SHA-1(key + GUID)) = ${expected}`,
        );
      return pass(`101, Sec-WebSocket-Accept: ${expected}`);
    },
  },
  {
    id: 'ws.bad-version',
    transport: 'ws',
    title: 'an unknown version is refused, naming 13',
    section: 'RFC 6455 §4.4',
    async run(c) {
      // 25 is no version anyone speaks (8, the last draft's, is still accepted by some servers, rightly).
      const answer = await c.handshake({ path: '/feed/ws', headers: { 'Sec-WebSocket-Version': '25' } });
      if (answer.status === 101 || (c.target.wsOverH2 && answer.status === 200)) return fail('Sec-WebSocket-Version: 25 was accepted');
      if (!/\b13\b/.test(answer.headers['sec-websocket-version'] ?? ''))
        return fail(`refused with ${answer.status}, but without Sec-WebSocket-Version: 13, which tells the client what to speak`);
      return pass(`${answer.status} with Sec-WebSocket-Version: ${answer.headers['sec-websocket-version']}`);
    },
  },
  {
    id: 'ws.missing-key',
    transport: 'ws',
    title: 'a handshake without Sec-WebSocket-Key is refused',
    section: 'RFC 6455 §4.2.1',
    only: 'http/1.1',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { 'Sec-WebSocket-Key': null } });
      return refusedOutcome(answer.status, 'no Sec-WebSocket-Key', false);
    },
  },
  {
    id: 'ws.bad-key',
    transport: 'ws',
    title: 'a key that is not 16 bytes in base64 is refused',
    section: 'RFC 6455 §4.2.1',
    only: 'http/1.1',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { 'Sec-WebSocket-Key': 'short' } });
      return refusedOutcome(answer.status, 'Sec-WebSocket-Key: short', false);
    },
  },
  {
    id: 'ws.post',
    transport: 'ws',
    title: 'a POST with Upgrade headers is refused',
    section: 'RFC 6455 §4.1',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', method: 'POST' });
      return refusedOutcome(answer.status, 'POST with the upgrade headers', c.target.wsOverH2);
    },
  },
  {
    id: 'ws.foreign-origin',
    transport: 'ws',
    title: 'a foreign Origin is refused with 403',
    section: 'RFC 6455 §10.2; contract: origins',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { Origin: 'http://elsewhere.example' } });
      if (answer.status === 403) return pass('Origin: http://elsewhere.example was refused with 403');
      if (answer.status === 101 || answer.status === 200)
        return nonStrict(
          "Origin: http://elsewhere.example was accepted: any page on the web can open this socket with the visitor's cookies",
        );
      return nonStrict(`refused with ${answer.status}; the contract says 403`);
    },
  },
  {
    id: 'ws.own-origin',
    transport: 'ws',
    title: "the server's own Origin is accepted",
    section: 'contract: origins',
    async run(c) {
      const origin = `${c.target.endpoint.tls ? 'https' : 'http'}://${hostHeader(c.target.endpoint)}`;
      const answer = await c.handshake({ path: '/feed/ws', headers: { Origin: origin } });
      if (answer.conn) return pass(`Origin: ${origin} accepted`);
      return fail(`Origin: ${origin} (the server's own) was refused with ${answer.status}: its own pages could not open the socket`);
    },
  },
  {
    id: 'ws.plain-get',
    transport: 'ws',
    title: 'a plain GET on the WebSocket URL gets 426',
    section: 'RFC 9110 §15.5.22; contract: errors',
    async run(c) {
      const response = await c.get('/feed/ws');
      await response.end(1000);
      if (response.status >= 200 && response.status < 300) return nonStrict(`a plain GET was answered ${response.status}`);
      const outcome = codedErrorOutcome(response, 426, 'upgrade_required', 'a plain GET');
      return outcome.verdict === 'fail'
        ? nonStrict(`answered ${response.status}; 426 Upgrade Required tells the client what is missing`)
        : outcome;
    },
  },
  {
    id: 'ws.header-case',
    transport: 'ws',
    title: 'Upgrade: WebSocket and Connection: keep-alive, Upgrade are accepted',
    section: 'RFC 6455 §4.2.1',
    only: 'http/1.1',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' } });
      return answer.status === 101
        ? pass('accepted, as Firefox sends it')
        : fail(`refused with ${answer.status}: header values are case-insensitive and Connection is a list`);
    },
  },
  {
    id: 'ws.subprotocol',
    transport: 'ws',
    title: 'no subprotocol the client did not offer',
    section: 'RFC 6455 §4.2.2',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { 'Sec-WebSocket-Protocol': 'x-check-proto' } });
      const chosen = answer.headers['sec-websocket-protocol'];
      if (!answer.conn) return info(`a handshake offering a subprotocol was refused (${answer.status})`);
      if (chosen === undefined || chosen === 'x-check-proto') return pass(chosen ? 'chose the offered x-check-proto' : 'chose none');
      return fail(`answered Sec-WebSocket-Protocol: ${chosen}, which the client never offered; browsers fail the connection`);
    },
  },
  {
    id: 'ws.extension',
    transport: 'ws',
    title: 'no extension the client did not offer',
    section: 'RFC 6455 §9.1',
    async run(c) {
      const answer = await c.handshake({ path: '/feed/ws', headers: { 'Sec-WebSocket-Extensions': 'x-check-ext' } });
      const chosen = answer.headers['sec-websocket-extensions'];
      if (!answer.conn) return info(`a handshake offering an unknown extension was refused (${answer.status})`);
      if (chosen === undefined) return pass('no extension chosen');
      return /x-check-ext/.test(chosen)
        ? info(`accepted the unknown x-check-ext: ${chosen}`)
        : fail(`answered Sec-WebSocket-Extensions: ${chosen}, which the client never offered`);
    },
  },
];
