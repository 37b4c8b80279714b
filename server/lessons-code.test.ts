/**
 * What the lessons say of the lab's code, checked against the code: every
 * identifier a lesson quotes is defined where the lesson says, every file it
 * names exists, and the constants it states are the ones the code uses.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { configWith } from './config.ts';
import { CLIENT_PREFACE, FRAME_HEADER_BYTES } from './http2/frames.ts';
import { EXPERIMENT_MAX_STREAMS } from './http2/listener.ts';
import { LANGS, loadLesson } from './lessons.ts';
import { ROOT } from './paths.ts';
import { eachLessonSource as eachLesson, labFile as read, lessonSource as sourceOf } from './test-helpers.ts';

/** Lab identifiers the lessons quote, and the file that must define each (checked below). */
const LAB_IDENTIFIERS: Record<string, string> = {
  answerPoll: 'server/poll.ts',
  readFiltered: 'server/poll.ts',
  pollBody: 'server/frames.ts',
  sseMessage: 'server/frames.ts',
  sseEvent: 'server/frames.ts',
  sseComment: 'server/frames.ts',
  escapeJsonForScript: 'server/frames.ts',
  iframePreamble: 'server/frames.ts',
  iframeCall: 'server/frames.ts',
  iframeKeepAlive: 'server/frames.ts',
  iframeEnd: 'server/frames.ts',
  isCallbackName: 'server/frames.ts',
  wsTextFrame: 'server/frames.ts',
  lastSeq: 'server/frames.ts',
  FeedSocket: 'server/feed-socket.ts',
  CLOSE: 'server/feed-socket.ts',
  MAX_MESSAGE_BYTES: 'server/transports/ws.ts',
  preValidation: 'server/transports/ws.ts',
  wsHandler: 'server/transports/ws.ts',
  isHandshake: 'server/transports/ws.ts',
  beat: 'server/feed-socket.ts',
  shutdown: 'server/feed-socket.ts',
  cleanup: 'server/stream.ts',
  timeoutMs: 'server/transports/long-poll.ts',
  checkOrigin: 'server/origin.ts',
  parseChat: 'server/chat.ts',
  ChatLimiter: 'server/chat.ts',
  publish: 'server/feed.ts',
  read: 'server/feed.ts',
  follow: 'server/feed.ts',
  unfollow: 'server/feed.ts',
  heartbeatMs: 'server/cursor.ts',
  deadPeersTerminated: 'server/feed-socket.ts',
  counters: 'server/feed-socket.ts',
  uptimeMs: 'server/app.ts',
  bytesIn: 'server/stats.ts',
  bytesOut: 'server/stats.ts',
  connectionsOpen: 'server/stats.ts',
  connectionsOpened: 'server/stats.ts',
  eventsDelivered: 'server/stats.ts',
  IDLE_PROXY_MS: 'server/listeners.ts',
  maxPayload: 'server/app.ts',
  backoffMs: 'public/clients/common.js',
  HEARTBEAT_MS: 'server/config.ts',
  IFRAME_MAX_BYTES: 'server/config.ts',
  LONG_POLL_TIMEOUT_MS: 'server/config.ts',
  MAX_QUEUED_BYTES: 'server/config.ts',
  ALLOWED_ORIGINS: 'server/config.ts',
  BUFFER_SIZE: 'server/config.ts',
  CHAT_RATE: 'server/config.ts',
  CHECK_HOSTS: 'server/config.ts',
  TICK_MS: 'server/config.ts',
  EXTRA_PORTS: 'server/config.ts',
  bad_callback: 'server/errors.ts',
  bad_chat: 'server/errors.ts',
  bad_message: 'server/errors.ts',
  bad_request: 'server/errors.ts',
  bad_since: 'server/errors.ts',
  bad_timeout: 'server/errors.ts',
  foreign_origin: 'server/errors.ts',
  too_large: 'server/errors.ts',
  upgrade_required: 'server/errors.ts',
  handleUpgrade: 'node_modules/ws/lib/websocket-server.js',
  completeUpgrade: 'node_modules/ws/lib/websocket-server.js',
  // HTTP/2 and TLS (the http2 lesson).
  listenTls: 'server/http2/listener.ts',
  http2Server: 'server/http2/listener.ts',
  maxConcurrentStreams: 'server/http2/listener.ts',
  enableConnectProtocol: 'server/http2/listener.ts',
  EXPERIMENT_MAX_STREAMS: 'server/http2/listener.ts',
  MAX_REFUSED_STREAMS: 'server/http2/connection.ts',
  PlaintextPipe: 'server/http2/plaintext.ts',
  FrameReader: 'server/http2/frames.ts',
  CLIENT_PREFACE: 'server/http2/frames.ts',
  FRAME_HEADER_BYTES: 'server/http2/frames.ts',
  ConnectionMeter: 'server/http2/frame-meter.ts',
  webSocketRoute: 'server/http2/websocket.ts',
  acceptWebSocketOverHttp2: 'server/http2/websocket.ts',
  openWebSocketOverHttp2: 'server/http2/websocket.ts',
  createSelfSigned: 'server/http2/certificate.ts',
  describeCertificate: 'server/http2/certificate.ts',
  loadOrCreateCertificate: 'server/http2/certificate.ts',
  pageWire: 'server/pages.ts',
  requestHeadBytes: 'public/wiretap.js',
  protocols: 'server/stats.ts',
  http2: 'server/app.ts',
  tls: 'server/app.ts',
  H2_MAX_STREAMS: 'server/config.ts',
  TLS_PORT: 'server/config.ts',
  TLS_CERT: 'server/config.ts',
  TLS_KEY: 'server/config.ts',
  tls_required: 'server/errors.ts',
};

/** Names the lessons quote in code that belong to the web platform, Node, `ws` or examples, not to the lab. */
const NOT_LAB = new Set([
  'ArrayBuffer',
  'ArrayBufferView',
  'InvalidStateError',
  'EventSource',
  'WebSocket',
  'WebSocketServer',
  'SameSite',
  'XMLHttpRequest',
  'addEventListener',
  'binaryType',
  'bufferedAmount',
  'innerHTML',
  'textContent',
  'lastEventId',
  'postMessage',
  'readyState',
  'wasClean',
  'setImmediate',
  'setInterval',
  'setTimeout',
  'onmessage',
  'onEvent',
  'CONNECTING',
  'OPEN',
  'CLOSING',
  'CLOSED',
  'GET',
  'POST',
  'JSON.stringify',
  'crypto.subtle',
  'e.data',
  'event.data',
  'source.onmessage',
  'parent.onEvent',
  'parent.fn',
  'lab.onEvent',
  'wirelab.onEvent',
  'request.origin',
  'message.utf8Data',
  'socket.ping',
  'ws.ping',
  'a.example',
  'bank.example',
  'evil.example',
  'proxy_read_timeout',
  // HTTP/2's frame types, settings and error codes (RFC 9113, RFC 8441), and the platform's names around them.
  'DATA',
  'HEADERS',
  'CONTINUATION',
  'SETTINGS',
  'RST_STREAM',
  'GOAWAY',
  'WINDOW_UPDATE',
  'END_STREAM',
  'REFUSED_STREAM',
  'CONNECT',
  'SETTINGS_MAX_CONCURRENT_STREAMS',
  'SETTINGS_ENABLE_CONNECT_PROTOCOL',
  'SETTINGS_HEADER_TABLE_SIZE',
  'SETTINGS_QPACK_BLOCKED_STREAMS',
  'SO_KEEPALIVE',
  'nextHopProtocol',
  'TLSSocket',
  'http2.createSecureServer',
  // nginx's variables (the scale-out lesson).
  '$remote_addr',
  '$proxy_add_x_forwarded_for',
  '$http_host',
  '$http_upgrade',
]);

test('every lab identifier the lessons quote exists in the file that defines it', () => {
  for (const [identifier, file] of Object.entries(LAB_IDENTIFIERS)) {
    assert.match(read(file), new RegExp(`\\b${identifier}\\b`), `${identifier} is in ${file}`);
  }
  for (const { source, where } of eachLesson()) {
    for (const [, quoted] of source.matchAll(/`([^`\n]+)`/g)) {
      const name = quoted.replace(/\(\)$/, '');
      const looksLikeIdentifier = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name) && /[A-Z_.]/.test(name.slice(1));
      if (!looksLikeIdentifier || /\.(ts|js|cjs|md|json)$/.test(name)) continue;
      assert.ok(
        name in LAB_IDENTIFIERS || name.split('.')[0] in LAB_IDENTIFIERS || NOT_LAB.has(name),
        `${where}: \`${quoted}\` is a known lab identifier (add it to LAB_IDENTIFIERS with its file) or a platform name`,
      );
    }
  }
});

test('every file a lesson names in code exists', () => {
  const everywhere = (base: string) =>
    ['server', 'server/transports', 'public', 'public/clients', 'public/demos', 'bench', 'server/clients'].some((dir) =>
      readdirSync(path.join(ROOT, dir)).includes(base),
    );
  for (const { source, where } of eachLesson()) {
    for (const [, quoted] of source.matchAll(/`([\w./-]+\.(?:ts|js))`/g)) {
      if (quoted === 'app.js') continue; // the attacker's script in the cache-poisoning story
      if (quoted.includes('/')) assert.ok(existsSync(path.join(ROOT, quoted)), `${where}: ${quoted} exists`);
      else assert.ok(everywhere(quoted), `${where}: a file named ${quoted} exists in the lab`);
    }
  }
});

test('the iframe lessons name the encoders the iframe transport really uses', () => {
  const imported = /import \{([^}]*)\} from '\.\.\/frames\.ts'/
    .exec(read('server/transports/iframe.ts'))![1]
    .split(',')
    .map((x) => x.trim());
  const frames = read('server/frames.ts');
  for (const lang of LANGS) {
    const named = [...sourceOf('iframe', lang).matchAll(/`(iframe[A-Z]\w*|escapeJsonForScript)`/g)].map((m) => m[1]);
    assert.ok(named.includes('iframeCall'), `${lang}/iframe names iframeCall, the encoder iframe.ts writes with`);
    for (const name of named) {
      assert.ok(
        imported.includes(name),
        `${lang}/iframe: ${name} is one of the encoders server/transports/iframe.ts imports (${imported.join(', ')})`,
      );
      assert.match(frames, new RegExp(`export function ${name}\\b`), `${name} is defined in server/frames.ts`);
    }
  }
});

test('the WebSocket lessons describe the version check the lab really makes', () => {
  const ws = read('server/transports/ws.ts');
  assert.match(ws, /'sec-websocket-version', '13'\)/, 'the lab answers a bad version naming 13 alone');
  assert.match(ws, /headers\['sec-websocket-version'\] === '13'/, 'and accepts 13 only (not 8)');
  for (const { source, where } of eachLesson()) {
    assert.doesNotMatch(source, /13,\s*8/, `${where}: no "13, 8" (the lab answers Sec-WebSocket-Version: 13 alone)`);
  }
  for (const lang of LANGS)
    assert.match(sourceOf('handshake', lang), /Sec-WebSocket-Version: 13`/, `${lang}/handshake shows the lab's answer`);
});

test('the handshake lessons name the SHA-1 the demo really uses', () => {
  const demo = read('public/demos/handshake.js');
  const usesSubtle = /crypto\.subtle/.test(demo);
  assert.equal(/from '\.\.\/sha1\.js'/.test(demo), !usesSubtle, 'the demo hashes with public/sha1.js (or else with crypto.subtle)');
  for (const { source, where } of eachLesson()) {
    for (const line of source.split('\n').filter((l) => l.includes('crypto.subtle'))) {
      assert.ok(
        usesSubtle || line.includes('sha1.js'),
        `${where}: crypto.subtle is only mentioned beside sha1.js, what the demo uses: ${line.slice(0, 80)}`,
      );
    }
  }
  for (const lang of LANGS) assert.match(sourceOf('handshake', lang), /public\/sha1\.js/, `${lang}/handshake names public/sha1.js`);
});

test('a lesson that says where wasClean is used links a file that uses it', () => {
  for (const { source, where } of eachLesson()) {
    for (const line of source.split('\n').filter((l) => l.includes('wasClean') && l.includes('](/code/'))) {
      const files = [...line.matchAll(/\]\(\/code\/([^)#]+)\)/g)].map((m) => m[1]);
      assert.ok(
        files.some((file) => read(file).includes('wasClean')),
        `${where}: one of ${files.join(', ')} uses wasClean`,
      );
    }
  }
  assert.doesNotMatch(read('public/clients/ws.js'), /wasClean/, 'the browser client does not read wasClean (the lessons say so)');
});

test('the known errors stay fixed', () => {
  for (const lang of LANGS) {
    assert.match(sourceOf('long-poll', lang), /1\.5/, `${lang}/long-poll: the worst case is 1.5 round trips`);
    assert.doesNotMatch(
      sourceOf('sse', lang),
      /不要\*{0,2}同时开着|close \[?\/board/i,
      `${lang}/sse: no need to close /board before the experiment`,
    );
    assert.match(sourceOf('sse', lang), /`experiment`/, `${lang}/sse: the six-connection experiment has a port of its own`);
  }
  assert.match(read('public/demos/connection-limit.js'), /originFor\('experiment'\)/, 'the six-connection demo uses the experiment port');
  for (const { source, where } of eachLesson()) {
    assert.doesNotMatch(source, /都只是“模拟”推送|只是模拟出推送/, `${where}: streaming is real push, not simulated`);
    assert.doesNotMatch(source, /claim(s|ing)? another site's `?Origin/, `${where}: a page cannot claim another Origin`);
    assert.doesNotMatch(source, /\b(171|497|508)\s*(B|bytes|字节)/, `${where}: no stale hand-typed head sizes`);
  }
});

test("the HTTP/2 lesson states the constants the lab's HTTP/2 code uses, and the earlier lessons point to it", () => {
  const listener = read('server/http2/listener.ts');
  assert.match(listener, /enableConnectProtocol: true/, 'the lab advertises SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)');
  assert.match(read('server/http2/websocket.ts'), /stream\.respond\(\{ ':status': 200 \}\)/, 'an extended CONNECT is answered 200');
  assert.match(listener, /\['h2', 'http\/1\.1'\], h2Main/, 'the main TLS port offers h2, then http/1.1');
  assert.match(listener, /\['http\/1\.1'\], undefined/, 'the next port offers http/1.1 only');
  for (const lang of LANGS) {
    const source = sourceOf('http2', lang);
    const where = `${lang}/http2`;
    const bytes = (n: number) => new RegExp(lang === 'en' ? `\\b${n}-byte\\b` : `\\b${n} 字节`);
    assert.match(source, bytes(FRAME_HEADER_BYTES), `${where}: the frame header is ${FRAME_HEADER_BYTES} bytes (server/http2/frames.ts)`);
    assert.match(source, bytes(CLIENT_PREFACE.length), `${where}: the preface is ${CLIENT_PREFACE.length} bytes`);
    assert.match(
      source,
      new RegExp(`${EXPERIMENT_MAX_STREAMS}\\s*[(（]\`EXPERIMENT_MAX_STREAMS\`[)）]`),
      `${where}: the experiment port announces ${EXPERIMENT_MAX_STREAMS} streams`,
    );
    assert.match(
      source,
      new RegExp(`${configWith().h2MaxStreams}\\s*[(（]\`H2_MAX_STREAMS\`[)）]`),
      `${where}: the main TLS port announces ${configWith().h2MaxStreams} by default`,
    );
    assert.deepEqual(
      loadLesson('http2', lang).demos,
      ['ladder', 'http2', 'connection-limit', 'loss'],
      `${where}: its picture, the HPACK demo, the stream-limit experiment, then the loss experiment`,
    );
    for (const file of ['listener', 'frames', 'frame-meter', 'websocket', 'certificate']) {
      assert.ok(source.includes(`](/code/server/http2/${file}.ts)`), `${where} links server/http2/${file}.ts`);
    }
    for (const name of ['intro', 'comparison'] as const) {
      assert.ok(sourceOf(name, lang).includes('](/lessons/http2)'), `${lang}/${name} links the HTTP/2 lesson`);
    }
  }
});
