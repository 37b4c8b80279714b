/**
 * The table of hostile.test.ts: every endpoint's malformed input, one row each,
 * with what must come back (an HTTP status with its coded error, a WebSocket error
 * frame without seq, or a WebSocket close code). The rows are sent in this order.
 */
import type { ErrorCode } from './errors.ts';
import {
  BINARY,
  CONTINUATION,
  type Expected,
  JSON_TYPE,
  type Outcome,
  type Row,
  TEXT,
  type WsFollower,
  ask,
  askWs,
  clientFrame,
  head,
  postChat,
  raw,
  rawWs,
  upgrade,
} from './hostile-clients.ts';

/** Every row; the WebSocket message rows are sent on `attacker()`, one socket opened before the first row. */
export function hostileRows(attacker: () => WsFollower): Row[] {
  const rows: Row[] = [];
  const row = (name: string, send: () => Promise<Outcome>, expect: Expected) => rows.push({ name, send, expect });

  // Query parameters every following transport reads (cursor.ts), on each of the five.
  const sinceRow = (value: string, label = JSON.stringify(value)) => ({
    label: `since=${label}`,
    query: `since=${encodeURIComponent(value)}`,
    code: 'bad_since' as const,
  });
  const QUERY_ATTACKS: { label: string; query: string; code: ErrorCode }[] = [
    sinceRow('-1'),
    sinceRow('1e3'),
    sinceRow('1.5'),
    sinceRow('0x10'),
    sinceRow(' 5'),
    sinceRow('+5'),
    sinceRow('5\n'), // a `$` that also matched before a final newline would let this through
    sinceRow(''),
    sinceRow('abc'),
    sinceRow('Infinity'),
    sinceRow('9007199254740992'), // 2^53: the first integer a double cannot tell from its neighbour
    sinceRow('99999999999999999999'),
    sinceRow('\u0663'), // ARABIC-INDIC DIGIT THREE: a digit to \p{Nd}, not to \d
    sinceRow('\u0000'),
    sinceRow('1\u001b[2J'),
    sinceRow('9'.repeat(4000), '<4000 nines>'),
    { label: 'since=1&since=2', query: 'since=1&since=2', code: 'bad_since' },
    { label: 'since (no =)', query: 'since', code: 'bad_since' },
    { label: 'types=CHAT', query: 'types=CHAT', code: 'bad_types' },
    { label: 'types=chat,,tick', query: 'types=chat,,tick', code: 'bad_types' },
    { label: 'types=<script>', query: 'types=%3Cscript%3E', code: 'bad_types' },
    { label: 'heartbeatMs=50', query: 'heartbeatMs=50', code: 'bad_heartbeat' },
    { label: 'heartbeatMs=-1', query: 'heartbeatMs=-1', code: 'bad_heartbeat' },
    { label: 'heartbeatMs=1e3', query: 'heartbeatMs=1e3', code: 'bad_heartbeat' },
    { label: 'client="a b"', query: 'client=a%20b', code: 'bad_client' },
    { label: 'client=NUL', query: 'client=%00', code: 'bad_client' },
    { label: 'client=<41 chars>', query: `client=${'c'.repeat(41)}`, code: 'bad_client' },
  ];
  const FOLLOWERS: { id: string; send(query: string): Promise<Outcome> }[] = [
    { id: 'GET /feed/short-poll', send: (query) => ask(`/feed/short-poll?${query}`) },
    // A short hold, so that a missing check answers (wrongly, 200) well within ANSWER_MS.
    { id: 'GET /feed/long-poll', send: (query) => ask(`/feed/long-poll?timeoutMs=100&${query}`) },
    { id: 'GET /feed/iframe', send: (query) => ask(`/feed/iframe?cb=f&${query}`) },
    { id: 'GET /feed/sse', send: (query) => ask(`/feed/sse?${query}`) },
    { id: 'upgrade /feed/ws', send: (query) => upgrade(`/feed/ws?${query}`) },
  ];
  for (const { id, send } of FOLLOWERS) {
    for (const { label, query, code } of QUERY_ATTACKS) row(`${id} ${label}`, () => send(query), { status: 400, code });
  }

  for (const [label, query] of [
    ['-5', 'timeoutMs=-5'],
    ['1e3', 'timeoutMs=1e3'],
    ['1.5', 'timeoutMs=1.5'],
    ['soon', 'timeoutMs=soon'],
    ['""', 'timeoutMs='],
    ['<12 digits>', `timeoutMs=${'9'.repeat(12)}`],
    ['twice', 'timeoutMs=100&timeoutMs=200'],
  ]) {
    row(`GET /feed/long-poll timeoutMs ${label}`, () => ask(`/feed/long-poll?${query}`), { status: 400, code: 'bad_timeout' });
  }

  // The callback name is pasted into a <script>: only an identifier path may pass (the contract in README.md).
  for (const [label, query] of [
    ['missing', ''],
    ['""', 'cb='],
    ['alert(1)', 'cb=alert(1)'],
    ['1x', 'cb=1x'],
    ['a..b', 'cb=a..b'],
    ['a.', 'cb=a.'],
    ['a-b', 'cb=a-b'],
    ['f;alert(1)', 'cb=f%3Balert(1)'],
    ['</script><script>alert(1)//', `cb=${encodeURIComponent('</script><script>alert(1)//')}`],
    ['f + LF', 'cb=f%0A'],
    ['f + NUL', 'cb=f%00'],
    ['\u0192 (non-ASCII)', 'cb=%C6%92'],
    ['<65 chars>', `cb=${'x'.repeat(65)}`],
    ['<10000 chars>', `cb=${'x'.repeat(10_000)}`],
    ['twice', 'cb=f&cb=g'],
  ]) {
    row(`GET /feed/iframe cb ${label}`, () => ask(`/feed/iframe?${query}`), { status: 400, code: 'bad_callback' });
  }

  // EventSource's reconnect cursor is checked like `since`, and wins over it.
  for (const [label, value] of [
    ['nope', 'nope'],
    ['-1', '-1'],
    ['1e3', '1e3'],
    ['0x10', '0x10'],
    ['1.5', '1.5'],
    ['5 x', '5 x'],
    ['9007199254740992', '9007199254740992'],
    ['<4000 nines>', '9'.repeat(4000)],
    ['sent twice (joined as "1, 2")', ['1', '2']],
  ] as [string, string | string[]][]) {
    row(`GET /feed/sse Last-Event-ID ${label}`, () => ask('/feed/sse', { headers: { 'last-event-id': value } }), {
      status: 400,
      code: 'bad_since',
    });
  }
  row('GET /feed/sse?since=3 with Last-Event-ID: nope', () => ask('/feed/sse?since=3', { headers: { 'last-event-id': 'nope' } }), {
    status: 400,
    code: 'bad_since',
  });

  // The upgrade itself: checked before the 101, so a browser sees a plain refusal.
  row('GET /feed/ws without Upgrade', () => ask('/feed/ws'), { status: 426, code: 'upgrade_required' });
  row('upgrade /feed/ws from Origin http://evil.example', () => upgrade('/feed/ws', { origin: 'http://evil.example' }), {
    status: 403,
    code: 'foreign_origin',
  });
  row('upgrade /feed/ws from Origin null', () => upgrade('/feed/ws', { origin: 'null' }), { status: 403, code: 'foreign_origin' });
  row("upgrade /feed/ws from the lab's host on a port it does not use", () => upgrade('/feed/ws', { origin: 'http://127.0.0.1:1' }), {
    status: 403,
    code: 'foreign_origin',
  });
  // The wiretap reads a page's raw bytes: its socket is guarded as the feed's is (wiretap.test.ts has the rest).
  row('GET /wiretap without Upgrade', () => ask('/wiretap'), { status: 426, code: 'upgrade_required' });
  row('upgrade /wiretap from Origin http://evil.example', () => upgrade('/wiretap', { origin: 'http://evil.example' }), {
    status: 403,
    code: 'foreign_origin',
  });
  row('upgrade /wiretap from Origin null', () => upgrade('/wiretap', { origin: 'null' }), { status: 403, code: 'foreign_origin' });
  row('upgrade /feed/ws with Sec-WebSocket-Version: 7', () => upgrade('/feed/ws', { 'sec-websocket-version': '7' }), {
    status: 400,
    code: 'bad_request',
  });
  row('upgrade /feed/ws with a Sec-WebSocket-Key that is not 16 bytes', () => upgrade('/feed/ws', { 'sec-websocket-key': 'c2hvcnQ=' }), {
    status: 400,
    code: 'bad_request',
  });

  // Chat over HTTP: shape, encoding, size, type and origin.
  const BAD_UTF8 = (bytes: number[]) => Buffer.concat([Buffer.from('{"text":"'), Buffer.from(bytes), Buffer.from('"}')]);
  for (const [label, body, code] of [
    ['broken JSON', '{"name":"a","text":', 'bad_json'],
    ['empty body', '', 'bad_json'],
    ['a byte order mark first', '\ufeff{"text":"hi"}', 'bad_json'],
    ['invalid UTF-8 (C3 28)', BAD_UTF8([0xc3, 0x28]), 'bad_json'],
    ['a UTF-8-encoded surrogate (ED A0 80)', BAD_UTF8([0xed, 0xa0, 0x80]), 'bad_json'],
    ['an overlong "/" (C0 AF)', BAD_UTF8([0xc0, 0xaf]), 'bad_json'],
    ['[]', '[]', 'bad_chat'],
    ['null', 'null', 'bad_chat'],
    ['"str"', '"str"', 'bad_chat'],
    ['5', '5', 'bad_chat'],
    ['{"name":1}', '{"name":1}', 'bad_chat'],
    ['{"name":1,"text":"hi"}', '{"name":1,"text":"hi"}', 'bad_chat'],
    ['{"text":5}', '{"text":5}', 'bad_chat'],
    ['{"text":1e999}', '{"text":1e999}', 'bad_chat'],
    ['{"text":["hi"]}', '{"text":["hi"]}', 'bad_chat'],
    ['{"text":"   "}', '{"text":"   "}', 'bad_chat'],
    ['text of 2001 characters', JSON.stringify({ text: 'x'.repeat(2001) }), 'bad_chat'],
    ['name of 65 characters', JSON.stringify({ text: 'hi', name: 'n'.repeat(65) }), 'bad_chat'],
    ['text with NUL', JSON.stringify({ text: 'a\u0000b' }), 'bad_chat'],
    ['text with ESC (a terminal escape)', JSON.stringify({ text: '\u001b[2Jhi' }), 'bad_chat'],
    ['text with DEL', JSON.stringify({ text: 'a\u007fb' }), 'bad_chat'],
    ['text with a C1 control (U+0085)', JSON.stringify({ text: 'a\u0085b' }), 'bad_chat'],
    ['name with LF', JSON.stringify({ text: 'hi', name: 'a\nb' }), 'bad_chat'],
    ['name with a tab', JSON.stringify({ text: 'hi', name: 'a\tb' }), 'bad_chat'],
    ['name with U+2028', JSON.stringify({ text: 'hi', name: 'a\u2028b' }), 'bad_chat'],
    ['text with a lone surrogate (\\ud800)', '{"text":"hi \\ud800"}', 'bad_chat'],
    ['name with a lone surrogate (\\udc00)', '{"text":"hi","name":"\\udc00"}', 'bad_chat'],
    ['{"__proto__":{"text":"pwned"}}', '{"__proto__":{"text":"pwned"}}', 'bad_chat'],
    ['an array nested 10000 deep', '['.repeat(10_000) + ']'.repeat(10_000), 'bad_chat'],
  ] as const) {
    row(`POST /feed/chat ${label}`, () => postChat(body), { status: 400, code });
  }
  row('POST /feed/chat a 70 KB body', () => postChat(JSON.stringify({ text: 'hi', pad: 'x'.repeat(70_000) })), {
    status: 413,
    code: 'too_large',
  });
  row(
    'POST /feed/chat a 96 KiB chunked body (no Content-Length)',
    () => postChat(Array.from({ length: 6 }, () => Buffer.alloc(16 * 1024, 0x20))),
    { status: 413, code: 'too_large' },
  );
  row(
    'POST /feed/chat claiming Content-Length: 1000000',
    () => raw(`${head('POST /feed/chat HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 1000000')}{"text":"hi"}`),
    { status: 413, code: 'too_large' },
  );
  const CHAT = '{"text":"hi"}';
  row('POST /feed/chat as text/plain (JSON inside)', () => postChat(CHAT, { 'content-type': 'text/plain' }), {
    status: 415,
    code: 'bad_content_type',
  });
  row('POST /feed/chat as a form', () => postChat('text=hi', { 'content-type': 'application/x-www-form-urlencoded' }), {
    status: 415,
    code: 'bad_content_type',
  });
  row('POST /feed/chat as multipart', () => postChat('--x\r\n\r\nhi\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }), {
    status: 415,
    code: 'bad_content_type',
  });
  row('POST /feed/chat as application/jsonx', () => postChat(CHAT, { 'content-type': 'application/jsonx' }), {
    status: 415,
    code: 'bad_content_type',
  });
  row('POST /feed/chat with a body and no Content-Type', () => postChat(CHAT, {}), { status: 415, code: 'bad_content_type' });
  row('POST /feed/chat from Origin http://evil.example', () => postChat(CHAT, { ...JSON_TYPE, origin: 'http://evil.example' }), {
    status: 403,
    code: 'foreign_origin',
  });
  row('POST /feed/chat from Origin null', () => postChat(CHAT, { ...JSON_TYPE, origin: 'null' }), { status: 403, code: 'foreign_origin' });
  row(
    'OPTIONS /feed/chat preflight from Origin http://evil.example',
    () => ask('/feed/chat', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } }),
    { status: 403, code: 'foreign_origin' },
  );
  row('PUT /feed/chat', () => ask('/feed/chat', { method: 'PUT', headers: JSON_TYPE, body: CHAT }), { status: 404, code: 'not_found' });

  // Bytes Node's parser refuses before any route runs (errors.ts answerClientError).
  row('a 20 KiB header', () => raw(head('GET /feed/short-poll HTTP/1.1', `X-Big: ${'a'.repeat(20 * 1024)}`)), {
    status: 431,
    code: 'headers_too_large',
    closes: true,
  });
  row(
    '1500 small headers (over 16 KiB together)',
    () => raw(head('GET /feed/sse HTTP/1.1', ...Array.from({ length: 1500 }, (_, i) => `X-${i}: 1234567`))),
    { status: 431, code: 'headers_too_large', closes: true },
  );
  row('a 20 KiB request target', () => raw(head(`GET /feed/sse?since=1&pad=${'a'.repeat(20 * 1024)} HTTP/1.1`)), {
    status: 431,
    code: 'headers_too_large',
    closes: true,
  });
  row('a request line that is not one', () => raw('GARBAGE\r\n\r\n'), { status: 400, code: 'bad_request', closes: true });
  row('a TLS ClientHello on the plain port', () => raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c, 0x03, 0x03])), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row('HTTP/9.9', () => raw(head('GET /feed/short-poll HTTP/9.9')), { status: 400, code: 'bad_request', closes: true });
  row('a header line without a colon', () => raw(head('GET /feed/short-poll HTTP/1.1', 'Bad Header')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row('bare LF line ends', () => raw(head('GET /feed/short-poll HTTP/1.1').replaceAll('\r\n', '\n')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row('a raw NUL in the request target', () => raw(head('GET /feed/short-poll?since=\u0000 HTTP/1.1')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row('a raw ESC in the request target', () => raw(head('GET /feed/sse?since=1\u001b HTTP/1.1')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row(
    'raw bytes FF FE in the request target',
    () => raw(Buffer.concat([Buffer.from('GET /feed/sse?since='), Buffer.from([0xff, 0xfe]), Buffer.from(head(' HTTP/1.1'))])),
    { status: 400, code: 'bad_request', closes: true },
  );
  row('a control character in Last-Event-ID', () => raw(head('GET /feed/sse HTTP/1.1', 'Last-Event-ID: 1\u0001')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row(
    'Content-Length with Transfer-Encoding (request smuggling)',
    () =>
      raw(
        head('POST /feed/chat HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 13', 'Transfer-Encoding: chunked') +
          '0\r\n\r\n',
      ),
    { status: 400, code: 'bad_request', closes: true },
  );
  row('Content-Length: abc', () => raw(head('POST /feed/chat HTTP/1.1', 'Content-Type: application/json', 'Content-Length: abc')), {
    status: 400,
    code: 'bad_request',
    closes: true,
  });
  row(
    'a chunk size that is not hex',
    () =>
      raw(
        head('POST /feed/chat HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked') +
          'ZZ\r\n{"text":"hi"}\r\n0\r\n\r\n',
      ),
    { status: 400, code: 'bad_request', closes: true },
  );
  row('HTTP/1.1 without Host', () => raw('GET /feed/short-poll HTTP/1.1\r\n\r\n'), { status: 400, code: 'bad_request', closes: true });
  row('GET /feed/sse%FF (a broken percent escape in the path)', () => ask('/feed/sse%FF'), { status: 400, code: 'bad_path' });

  // WebSocket messages, all on one socket: an error frame answers each, and the socket stays usable.
  const wsRow = (label: string, data: string | Buffer, code: ErrorCode, binary = false) =>
    row(`ws message ${label}`, () => askWs(attacker(), data, binary), { frame: code });
  wsRow('binary [1,2,3]', Buffer.from([1, 2, 3]), 'bad_message', true);
  wsRow('binary holding a valid chat', Buffer.from('{"type":"chat","text":"smuggled"}'), 'bad_message', true);
  wsRow('"not json"', 'not json', 'bad_message');
  wsRow('empty', '', 'bad_message');
  wsRow('broken JSON', '{"type":"chat","text":', 'bad_message');
  wsRow('null', 'null', 'bad_message');
  wsRow('[]', '[]', 'bad_message');
  wsRow('"chat"', '"chat"', 'bad_message');
  wsRow('5', '5', 'bad_message');
  wsRow('{"text":"hi"} (no type)', '{"text":"hi"}', 'bad_message');
  wsRow('{"type":"shout"}', '{"type":"shout","text":"hi"}', 'bad_message');
  wsRow('{"type":"CHAT"}', '{"type":"CHAT","text":"hi"}', 'bad_message');
  wsRow('{"type":["chat"]}', '{"type":["chat"],"text":"hi"}', 'bad_message');
  wsRow('{"__proto__":{"type":"chat"}}', '{"__proto__":{"type":"chat"},"text":"hi"}', 'bad_message');
  wsRow('chat without text', '{"type":"chat"}', 'bad_chat');
  wsRow('chat with text ""', '{"type":"chat","text":""}', 'bad_chat');
  wsRow('chat with text 5', '{"type":"chat","text":5}', 'bad_chat');
  wsRow('chat with name 1', '{"type":"chat","name":1,"text":"hi"}', 'bad_chat');
  wsRow('chat with text of 2001 characters', JSON.stringify({ type: 'chat', text: 'x'.repeat(2001) }), 'bad_chat');
  wsRow('chat with name of 65 characters', JSON.stringify({ type: 'chat', text: 'hi', name: 'n'.repeat(65) }), 'bad_chat');
  wsRow('chat with NUL in text', JSON.stringify({ type: 'chat', text: 'a\u0000b' }), 'bad_chat');
  wsRow('chat with ESC in text', JSON.stringify({ type: 'chat', text: '\u001b[2Jhi' }), 'bad_chat');
  wsRow('chat with LF in name', JSON.stringify({ type: 'chat', text: 'hi', name: 'a\nb' }), 'bad_chat');
  wsRow('chat with a lone surrogate in text', '{"type":"chat","text":"hi \\ud800"}', 'bad_chat');
  wsRow('chat with text nested 10000 deep', `{"type":"chat","text":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'bad_chat');

  // WebSocket frames the protocol itself forbids: the socket is closed with the fitting code.
  row('ws text frame with invalid UTF-8 (C3 28)', () => rawWs([clientFrame(TEXT, Buffer.from([0xc3, 0x28]))]), { close: 1007 });
  row('ws text frame with a UTF-8-encoded surrogate', () => rawWs([clientFrame(TEXT, Buffer.from([0xed, 0xa0, 0x80]))]), { close: 1007 });
  // Each fragment alone could be the start of valid text: only the whole message is invalid.
  const TRUNCATED_EURO = Buffer.concat([Buffer.from('{"type":"chat","text":"'), Buffer.from([0xe2, 0x82])]);
  row(
    'ws text split over fragments with invalid UTF-8',
    () => rawWs([clientFrame(TEXT, TRUNCATED_EURO, { fin: false }), clientFrame(CONTINUATION, Buffer.from('x"}'))]),
    { close: 1007 },
  );
  row('ws message of 70 KB', () => rawWs([clientFrame(TEXT, Buffer.from(JSON.stringify({ type: 'chat', text: 'x'.repeat(70_000) })))]), {
    close: 1009,
  });
  row('ws frame header claiming 1 GiB', () => rawWs([clientFrame(TEXT, Buffer.alloc(0), { declaredBytes: 2 ** 30 })]), { close: 1009 });
  row(
    'ws message of two 40 KB fragments',
    () => rawWs([clientFrame(TEXT, Buffer.alloc(40_000, 0x20), { fin: false }), clientFrame(CONTINUATION, Buffer.alloc(40_000, 0x20))]),
    { close: 1009 },
  );
  row('ws binary message of 70 KB', () => rawWs([clientFrame(BINARY, Buffer.alloc(70_000))]), { close: 1009 });
  // 1002 is ws's answer to a broken frame (RFC 6455 section 7.4.1), named in app.ts's errorHandler.
  row('ws unmasked client frame', () => rawWs([clientFrame(TEXT, Buffer.from('{"type":"chat","text":"hi"}'), { masked: false })]), {
    close: 1002,
  });
  row('ws reserved opcode 0x3', () => rawWs([clientFrame(0x3, Buffer.from('hi'))]), { close: 1002 });

  return rows;
}
