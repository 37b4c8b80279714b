/**
 * Hostile input on the TLS ports (listener.ts): bytes that are not TLS, TLS that
 * never finishes, and HTTP/2 frames no client should send (floods and well-formed
 * HTTP/2 past the lab's limits: hostile-limits.test.ts). Each row asserts exactly what the peer gets back (a TLS alert,
 * the coded 400 `tls_required`, a GOAWAY or RST_STREAM and its error code, an HTTP
 * status with the coded body, a WebSocket close code), that the lab closes the
 * connection when it should, and what /stats counted.
 *
 * The answers are Node's and nghttp2's, found by probing first. Where they differ
 * from RFC 9113 the row says so: nghttp2's own connection errors carry the RFC's
 * code, but an error Node's JavaScript layer ends a session for goes out as
 * INTERNAL_ERROR (Http2Session.destroy), whatever nghttp2 had found.
 *
 * Node's client will not send malformed HTTP/2, so the rows write frames by hand
 * and read whole frames back (raw-h2.ts).
 *
 * Bad input must cost only its sender. Three bystanders follow the feed from
 * before the first row (SSE over HTTP/2 and WebSocket over HTTP/2, RFC 8441, each
 * on its own connection, and a WebSocket over HTTP/1.1 on the TLS port), a ticker
 * publishes all along, and at the end each has every event, in order and once,
 * while the lab holds nothing the rows opened. A fourth connection, HTTP/2, reads
 * /stats after every row: it must stay usable too (hostile-harness.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { CLIENT_PREFACE } from './frames.ts';
import { ALERT, assertTlsRequired, clientHello, fatalAlert, handshakeWith, rawTcp } from './hostile-clients.ts';
import { HANDSHAKE_TIMEOUT_MS, counted, describeUnderAttack, lab, ports, sessionErrorCounted } from './hostile-harness.ts';
import {
  ANSWER_MS,
  DATA,
  END_HEADERS,
  END_STREAM,
  type H2Error,
  HEADERS,
  PING,
  RawH2,
  SETTINGS,
  WINDOW_UPDATE,
  frame,
  headerBlock,
  request,
  requestFields,
  u32,
} from './raw-h2.ts';

describeUnderAttack('hostile input on the TLS ports: closed connections with the right code, and nobody else notices', () => {
  describe('TLS junk', () => {
    test('junk that does not start like TLS: the coded 400 tls_required, then close', () =>
      counted('plainHttpRefused', async () => {
        const junk = randomBytes(512);
        junk[0] = 0x01; // anything but 0x16, a handshake record
        const { received, closed } = await rawTcp(ports.main, junk);
        assertTlsRequired('junk', received.toString('latin1'), ports.main);
        assert.ok(closed, 'junk: the lab closes the connection');
      }));

    for (const [label, port] of [
      ['the main port', () => ports.main],
      ['the HTTP/1.1 port', () => ports.h1],
      ['the experiment port', () => ports.experiment],
    ] as const) {
      test(`a plain HTTP/1.1 request to ${label}: 400 tls_required naming the port, then close`, () =>
        counted('plainHttpRefused', async () => {
          const { received, closed } = await rawTcp(port(), Buffer.from(`GET /feed/sse HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\n\r\n`));
          assertTlsRequired('plain HTTP', received.toString('latin1'), port());
          assert.ok(closed, 'plain HTTP: the lab closes the connection');
        }));
    }

    test('the HTTP/2 preface in cleartext (h2c with prior knowledge): 400 tls_required, then close', () =>
      counted('plainHttpRefused', async () => {
        const { received, closed } = await rawTcp(ports.main, Buffer.concat([CLIENT_PREFACE, frame(SETTINGS, 0, 0)]));
        assertTlsRequired('h2c', received.toString('latin1'), ports.main);
        assert.ok(closed, 'h2c: the lab closes the connection');
      }));

    test('0x16 then random bytes (no TLS record version): closed without a word', () =>
      counted('handshakesFailed', async () => {
        const junk = randomBytes(512);
        junk[0] = 0x16;
        junk[1] = 0xfe; // not 0x03: no TLS version, so OpenSSL gives up at the record header
        const { received, closed } = await rawTcp(ports.main, junk);
        assert.equal(received.toString('hex'), '', 'nothing comes back, not even an alert');
        assert.ok(closed, 'the lab closes the connection');
      }));

    test('a handshake record of random bytes: fatal alert unexpected_message, then close', () =>
      counted('handshakesFailed', async () => {
        const record = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 200]), randomBytes(200)]);
        record[5] = 0x63; // the handshake message type: no such message
        const { received, closed } = await rawTcp(ports.main, record);
        assert.equal(fatalAlert(received), ALERT.unexpected_message, `a fatal unexpected_message alert (got ${received.toString('hex')})`);
        assert.ok(closed, 'the lab closes the connection');
      }));

    test('a truncated ClientHello, then FIN: closed, counted as a failed handshake', async () => {
      const hello = await clientHello(['h2']);
      for (const cut of [1, 3, 60]) {
        await counted('handshakesFailed', async () => {
          const { received, closed } = await rawTcp(ports.main, hello.subarray(0, cut), { end: true });
          assert.equal(received.length, 0, `cut at ${cut} B: nothing comes back`);
          assert.ok(closed, `cut at ${cut} B: the lab closes the connection`);
        });
      }
    });

    test('a truncated ClientHello, then silence: dropped at the handshake deadline', () =>
      counted('handshakesFailed', async () => {
        const hello = await clientHello(['h2']);
        const { received, closed, elapsedMs } = await rawTcp(ports.main, hello.subarray(0, hello.length - 10), {
          waitMs: HANDSHAKE_TIMEOUT_MS + ANSWER_MS,
        });
        assert.ok(closed, 'the lab drops the connection');
        assert.equal(received.length, 0, 'without a word');
        assert.ok(elapsedMs >= HANDSHAKE_TIMEOUT_MS - 50, `not before the deadline (${Math.round(elapsedMs)} ms)`);
      }));

    test('a TCP connection that says nothing: dropped at the handshake deadline', () =>
      counted('handshakesFailed', async () => {
        const { closed, elapsedMs } = await rawTcp(ports.h1, undefined, { waitMs: HANDSHAKE_TIMEOUT_MS + ANSWER_MS });
        assert.ok(closed, 'the lab drops the connection');
        assert.ok(elapsedMs >= HANDSHAKE_TIMEOUT_MS - 50, `not before the deadline (${Math.round(elapsedMs)} ms)`);
      }));

    test('a ClientHello offering only spdy/3.1: fatal alert no_application_protocol', () =>
      counted('handshakesFailed', async () => {
        const { received, closed } = await rawTcp(ports.main, await clientHello(['spdy/3.1']));
        assert.equal(fatalAlert(received), ALERT.no_application_protocol, `alert 120 (got ${received.toString('hex')})`);
        assert.ok(closed, 'the lab closes the connection');
      }));

    test("a client offering only h2 to the HTTP/1.1-only port: no_application_protocol, as Node's client reports it", () =>
      counted('handshakesFailed', async () => {
        const result = await handshakeWith(ports.h1, { ALPNProtocols: ['h2'] });
        assert.deepEqual(result, { error: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' }, 'the client hears alert 120');
      }));

    test('a client that speaks at most TLS 1.1: fatal alert protocol_version', () =>
      counted('handshakesFailed', async () => {
        // OpenSSL 3.5 (Node 24 on) will not offer TLS 1.1 at its default security level and fails before
        // sending anything (ERR_SSL_NO_PROTOCOLS_AVAILABLE): level 0 makes the client send its hello.
        const result = await handshakeWith(ports.main, {
          ALPNProtocols: ['h2'],
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1.1',
          ciphers: 'DEFAULT:@SECLEVEL=0',
        });
        assert.deepEqual(result, { error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' }, 'the client hears alert 70');
      }));
  });

  describe('malformed HTTP/2 after a good handshake: GOAWAY with its code, then close', () => {
    test('a bad client preface: GOAWAY INTERNAL_ERROR (RFC 9113 section 3.4 says PROTOCOL_ERROR; Node ends the session itself)', () =>
      sessionErrorCounted(async () => {
        const h2 = await RawH2.open(ports.main, { preface: false, ca: lab.https!.ca });
        try {
          h2.send(Buffer.from('PRI * HTTP/1.1\r\n\r\nSM\r\n\r\n'), frame(SETTINGS, 0, 0));
          await h2.closedByLab('bad preface');
          assert.deepEqual(h2.answer(), ['SETTINGS#0', 'GOAWAY(INTERNAL_ERROR, last 0)'], "the lab's SETTINGS, then GOAWAY");
        } finally {
          h2.close();
        }
      }));

    // Each is a connection error (RFC 9113 section 5.4.1): one GOAWAY and nothing else. Where two codes are
    // listed, the first is the RFC's: nghttp2 finds the error and Node 24 on sends its code, while Node 20's
    // session error handler ends the session with INTERNAL_ERROR (section 5.4.1 asks for the code as a SHOULD).
    const PROTOCOL_OR_INTERNAL: [H2Error, H2Error] = ['PROTOCOL_ERROR', 'INTERNAL_ERROR'];
    const CONNECTION_ERRORS: { name: string; send: () => Buffer[]; goaway: H2Error | [H2Error, H2Error]; debug?: string }[] = [
      {
        name: 'a PING of 16,385 B, over SETTINGS_MAX_FRAME_SIZE',
        send: () => [frame(PING, 0, 0, Buffer.alloc(16_385))],
        goaway: 'FRAME_SIZE_ERROR',
        debug: 'too large frame size',
      },
      {
        name: 'a DATA frame of 16,385 B',
        send: () => [request(1, '/feed/chat', { method: 'POST', endStream: false }), frame(DATA, 0, 1, Buffer.alloc(16_385))],
        goaway: 'FRAME_SIZE_ERROR',
        debug: 'too large frame size',
      },
      {
        name: 'a HEADERS frame of 20,000 B',
        send: () => [
          frame(
            HEADERS,
            END_HEADERS | END_STREAM,
            1,
            Buffer.concat([headerBlock(requestFields('/feed/short-poll')), headerBlock([['x-pad', 'a'.repeat(19_800)]])]),
          ),
        ],
        goaway: 'FRAME_SIZE_ERROR',
        debug: 'too large frame size',
      },
      {
        name: 'DATA on stream 0',
        send: () => [frame(DATA, 0, 0, Buffer.from('hi'))],
        goaway: 'PROTOCOL_ERROR',
        debug: 'DATA: stream_id == 0',
      },
      { name: 'SETTINGS of 7 B, not a multiple of 6', send: () => [frame(SETTINGS, 0, 0, Buffer.alloc(7))], goaway: 'FRAME_SIZE_ERROR' },
      { name: 'PING of 7 B', send: () => [frame(PING, 0, 0, Buffer.alloc(7))], goaway: 'FRAME_SIZE_ERROR' },
      // RFC 9113 section 6.9.
      { name: 'WINDOW_UPDATE of 0 on the connection', send: () => [frame(WINDOW_UPDATE, 0, 0, u32(0))], goaway: PROTOCOL_OR_INTERNAL },
      // RFC 9113 section 5.1.1.
      { name: 'HEADERS on an even (server-initiated) stream', send: () => [request(2, '/feed/short-poll')], goaway: PROTOCOL_OR_INTERNAL },
      // 0xbf: indexed field 63, the dynamic table's second entry, in a table that is empty.
      {
        name: 'HEADERS whose HPACK block indexes past both tables',
        send: () => [frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0xbf, 0x7e]))],
        goaway: 'COMPRESSION_ERROR',
      },
      {
        name: 'HEADERS whose HPACK block is an integer that never ends',
        send: () => [frame(HEADERS, END_HEADERS | END_STREAM, 1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]))],
        goaway: 'COMPRESSION_ERROR',
      },
    ];
    for (const { name, send, goaway, debug } of CONNECTION_ERRORS) {
      const codes: H2Error[] = typeof goaway === 'string' ? [goaway] : goaway;
      test(`${name}: GOAWAY ${codes.join(' (RFC 9113) or ')}${codes.length > 1 ? ' (Node 20)' : ''}`, () =>
        sessionErrorCounted(async () => {
          const h2 = await RawH2.open(ports.main, { ca: lab.https!.ca });
          try {
            h2.send(...send());
            await h2.closedByLab(name);
            const answer = h2.answer();
            assert.equal(answer.length, 1, `${name}: one frame back, a GOAWAY (got ${answer.join(' ')})`);
            const code = h2.goaway()?.code;
            assert.ok(code !== undefined && (codes as string[]).includes(code), `${name}: GOAWAY ${codes.join(' or ')} (got ${code})`);
            if (debug !== undefined) assert.equal(h2.goaway()?.debug, debug, `${name}: nghttp2's debug data`);
          } finally {
            h2.close();
          }
        }));
    }
  });
});
