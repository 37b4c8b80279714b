/**
 * The lessons as files and as pages: both languages complete and parallel, the
 * one shape every lesson has, links that lead somewhere, the language rules.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { configWith } from './config.ts';
import { FIGURE_NAME, buildFigures, loadFigures } from './figures.ts';
import { CLIENT_PREFACE, FRAME_HEADER_BYTES } from './http2/frames.ts';
import { EXPERIMENT_MAX_STREAMS } from './http2/listener.ts';
import { LANGS, type Lang, LESSONS, type LessonName, SECTION_IDS, loadLesson, renderLesson } from './lessons.ts';
import { ROOT } from './paths.ts';
import { TRANSPORT_IDS } from './transports/registry.ts';
import { type RunningLab, startLab } from './test-helpers.ts';

const sourceOf = (name: LessonName, lang: Lang) => readFileSync(path.join(ROOT, 'lessons', lang, `${name}.md`), 'utf8');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const eachLesson = function* () {
  for (const name of LESSONS) for (const lang of LANGS) yield { name, lang, source: sourceOf(name, lang), where: `lessons/${lang}/${name}.md` };
};

let lab: RunningLab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab.close();
});

test('every lesson exists in every language, with the six sections in order and the same demos', () => {
  for (const name of LESSONS) {
    const demos: string[][] = [];
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      assert.ok(lesson.title.length > 1, `${lang}/${name}: a title`);
      assert.ok(lesson.summary.length > 20, `${lang}/${name}: a one-sentence summary`);
      const ids = [...lesson.html.matchAll(/<h2 id="([a-z0-9]+)"/g)].map((m) => m[1]).filter((id) => SECTION_IDS.includes(id));
      assert.deepEqual(ids, SECTION_IDS, `${lang}/${name}: the six sections, in order`);
      assert.ok(lesson.demos.length >= 1, `${lang}/${name}: embeds a live demo`);
      assert.doesNotMatch(lesson.html, /\[\[demo:/, `${lang}/${name}: no demo marker left unrendered`);
      demos.push(lesson.demos);
    }
    assert.deepEqual(demos[1], demos[0], `${name}: the same demos in both languages`);
  }
});

test('every demo a lesson names exists, and every /code/ link points at a real file', () => {
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      for (const demo of lesson.demos) {
        const known = (TRANSPORT_IDS as readonly string[]).includes(demo) || existsSync(path.join(ROOT, 'public', 'demos', `${demo}.js`));
        assert.ok(known, `${lang}/${name}: demo ${demo} has a module`);
      }
      for (const [, file] of lesson.html.matchAll(/href="\/code\/([^"#]+)/g)) {
        assert.ok(existsSync(path.join(ROOT, file)), `${lang}/${name}: /code/${file} exists`);
      }
    }
  }
});

test('lesson pages, the index and the board answer in the reader\'s language', async () => {
  const get = (url: string, headers: Record<string, string> = {}) => fetch(`${lab.baseUrl}${url}`, { headers });
  const zh = await get('/lessons/sse', { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' });
  assert.equal(zh.status, 200, 'lesson page');
  assert.match(await zh.text(), /<html lang="zh-Hans">/, 'Accept-Language zh picks Chinese');
  const en = await get('/lessons/sse?lang=en', { 'accept-language': 'zh-CN' });
  assert.match(en.headers.get('set-cookie') ?? '', /^lang=en;/, '?lang is remembered');
  assert.match(await en.text(), /<html lang="en">/, '?lang wins over Accept-Language');
  const remembered = await get('/', { cookie: 'lang=zh' });
  const index = await remembered.text();
  assert.match(index, /<html lang="zh-Hans">/, 'the cookie is honoured');
  for (const name of LESSONS) assert.match(index, new RegExp(`href="/lessons/${name}"`), `the index links ${name}`);
  assert.match(index, /href="\/board"/, 'the index links the board');
  assert.match(index, /href="\/results"/, 'the index links the results');
  const board = await (await get('/board')).text();
  for (const id of TRANSPORT_IDS) assert.match(board, new RegExp(`data-transport="${id}"`), `the board has a ${id} panel`);
  const missing = await get('/lessons/telegraph');
  assert.equal(missing.status, 404, 'an unknown lesson is 404');
});

test('the source viewer shows the lab\'s code and nothing else', async () => {
  const ok = await fetch(`${lab.baseUrl}/code/server/transports/sse.ts`);
  assert.equal(ok.status, 200, 'a transport file');
  assert.match(await ok.text(), /text\/event-stream/, 'its source, escaped into the page');
  for (const bad of ['/code/package.json', '/code/server/../package.json', '/code/server/%2e%2e/.git/config', '/code/node_modules/ws/index.js', '/code/server/nope.ts']) {
    assert.equal((await fetch(`${lab.baseUrl}${bad}`)).status, 404, `${bad} is not shown`);
  }
});

// ---------------------------------------------------------------- figures

test('every figure placeholder in every lesson resolves, and the page shows it with its source', () => {
  const table = loadFigures();
  for (const { name, lang, source, where } of eachLesson()) {
    const lesson = loadLesson(name, lang);
    assert.deepEqual(lesson.missingFigures, [], `${where}: every placeholder names a figure of the reference run`);
    for (const braces of source.matchAll(/\{\{[^]{0,60}/g)) {
      assert.match(braces[0], /^\{\{fig:[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9]*\}\}/, `${where}: "{{" only opens a placeholder, {{fig:<name>}}: ${braces[0].split('\n')[0]}`);
    }
    assert.doesNotMatch(lesson.html, /\{\{fig|\uE000|\uE001|figure-missing/, `${where}: nothing left unfilled`);
    for (const figure of lesson.figures) {
      assert.match(figure, FIGURE_NAME, `${where}: ${figure} is a figure name`);
      const { text, path: jsonPath } = table.figures.get(figure)!;
      const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      assert.match(lesson.html, new RegExp(`<span class="figure" data-figure="${escape(figure)}" title="[^"]*${escape(jsonPath.replace(/&/g, '&#38;'))}">${escape(text)}</span>`), `${where}: ${figure} shows as ${text}, titled with its path`);
      assert.ok(lesson.html.includes(`<td><code>${figure}</code></td>`), `${where}: ${figure} is listed at the end of the page`);
    }
  }
});

test('for each lesson, both languages quote the same figures', () => {
  for (const name of LESSONS) {
    const [en, zh] = LANGS.map((lang) => [...new Set(loadLesson(name, lang).figures)].sort());
    assert.deepEqual(zh, en, `${name}: en and zh use the same set of figure placeholders`);
  }
});

test('an unknown placeholder fails loudly: listed as missing and shown on the page, never silently empty', () => {
  const source = '---\ntitle: T\nsummary: A summary quoting {{fig:nope.nothing}}.\n---\n\n## Open side by side\n\nKnown {{fig:short-poll.responseHeadBytes}}, unknown {{fig:nope.nothing}}, broken {{fig:short-poll.responseHeadBytes}.\n\n`head {{fig:short-poll.responseHeadBytes}}`\n';
  const table = loadFigures();
  const lesson = renderLesson(source, 'en', 'test source', table);
  const names = lesson.missingFigures.map((m) => m.name);
  assert.ok(names.includes('nope.nothing'), 'the unknown figure is listed');
  assert.ok(names.some((n) => n.startsWith('{{fig:short-poll.responseHeadBytes}')), 'the malformed placeholder is listed');
  assert.match(lesson.html, /<mark class="figure-missing" data-figure="nope\.nothing" title="no figure is named[^"]*">\[figure nope\.nothing\?\]<\/mark>/, 'the page marks it visibly');
  assert.match(lesson.summary, /\[figure nope\.nothing\?\]/, 'so does the summary');
  const text = table.figures.get('short-poll.responseHeadBytes')!.text;
  assert.match(lesson.html, new RegExp(`<code>head <span class="figure"[^>]*>${text}</span></code>`), 'a figure is filled inside inline code too');
  const unavailable = renderLesson(source.replace('{{fig:nope.nothing}}', ''), 'zh', 'test source', buildFigures({}));
  assert.ok(unavailable.missingFigures.some((m) => m.name === 'short-poll.responseHeadBytes' && /no "scenarios"/.test(m.reason)), 'a figure the run lacks is missing, with the reason');
  assert.doesNotMatch(unavailable.html, /<details class="figures"/, 'and no source list is printed for figures that are not there');
});

test('lesson pages served by the lab carry the filled figures', async () => {
  const page = await (await fetch(`${lab.baseUrl}/lessons/short-poll?lang=zh`)).text();
  const figure = loadFigures().figures.get('short-poll.responseHeadBytes')!;
  assert.ok(page.includes(`data-figure="short-poll.responseHeadBytes"`), 'the figure is on the page');
  assert.ok(page.includes(`>${figure.text}</span>`), `as ${figure.text}`);
  assert.doesNotMatch(page, /\{\{fig:|figure-missing/, 'nothing unfilled');
});

// ---------------------------------------------------------------- plain-text summaries

test('titles and summaries are plain text: no Markdown, since the index and the page header show them escaped', () => {
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const lesson = loadLesson(name, lang);
      for (const [field, text] of [['title', lesson.title], ['summary', lesson.summary]] as const) {
        assert.doesNotMatch(text, /[`*_#<>\\]|\[[^\]]*\]\(|\{\{|\[\[/, `${lang}/${name}: the ${field} has no backticks, emphasis, links, HTML or placeholders left: ${text}`);
      }
    }
  }
});

// ---------------------------------------------------------------- the corrections, checked against code and data

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
  'ArrayBuffer', 'ArrayBufferView', 'InvalidStateError', 'EventSource', 'WebSocket', 'WebSocketServer', 'SameSite', 'XMLHttpRequest',
  'addEventListener', 'binaryType', 'bufferedAmount', 'innerHTML', 'textContent', 'lastEventId', 'postMessage', 'readyState', 'wasClean',
  'setImmediate', 'setInterval', 'setTimeout', 'onmessage', 'onEvent', 'CONNECTING', 'OPEN', 'CLOSING', 'CLOSED', 'GET', 'POST',
  'JSON.stringify', 'crypto.subtle', 'e.data', 'event.data', 'source.onmessage', 'parent.onEvent', 'parent.fn', 'lab.onEvent', 'wirelab.onEvent',
  'request.origin', 'message.utf8Data', 'socket.ping', 'ws.ping', 'a.example', 'bank.example', 'evil.example', 'proxy_read_timeout',
  // HTTP/2's frame types, settings and error codes (RFC 9113, RFC 8441), and the platform's names around them.
  'DATA', 'HEADERS', 'CONTINUATION', 'SETTINGS', 'RST_STREAM', 'GOAWAY', 'WINDOW_UPDATE', 'END_STREAM', 'REFUSED_STREAM', 'CONNECT',
  'SETTINGS_MAX_CONCURRENT_STREAMS', 'SETTINGS_ENABLE_CONNECT_PROTOCOL', 'SETTINGS_HEADER_TABLE_SIZE', 'SETTINGS_QPACK_BLOCKED_STREAMS', 'SO_KEEPALIVE',
  'nextHopProtocol', 'TLSSocket', 'http2.createSecureServer',
  // nginx's variables (the scale-out lesson).
  '$remote_addr', '$proxy_add_x_forwarded_for', '$http_host', '$http_upgrade',
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
      assert.ok(name in LAB_IDENTIFIERS || name.split('.')[0] in LAB_IDENTIFIERS || NOT_LAB.has(name), `${where}: \`${quoted}\` is a known lab identifier (add it to LAB_IDENTIFIERS with its file) or a platform name`);
    }
  }
});

test('every file a lesson names in code exists', () => {
  const everywhere = (base: string) => ['server', 'server/transports', 'public', 'public/clients', 'public/demos', 'bench', 'bench/drivers']
    .some((dir) => readdirSync(path.join(ROOT, dir)).includes(base));
  for (const { source, where } of eachLesson()) {
    for (const [, quoted] of source.matchAll(/`([\w./-]+\.(?:ts|js))`/g)) {
      if (quoted === 'app.js') continue; // the attacker's script in the cache-poisoning story
      if (quoted.includes('/')) assert.ok(existsSync(path.join(ROOT, quoted)), `${where}: ${quoted} exists`);
      else assert.ok(everywhere(quoted), `${where}: a file named ${quoted} exists in the lab`);
    }
  }
});

test('the iframe lessons name the encoders the iframe transport really uses', () => {
  const imported = /import \{([^}]*)\} from '\.\.\/frames\.ts'/.exec(read('server/transports/iframe.ts'))![1].split(',').map((x) => x.trim());
  const frames = read('server/frames.ts');
  for (const lang of LANGS) {
    const named = [...sourceOf('iframe', lang).matchAll(/`(iframe[A-Z]\w*|escapeJsonForScript)`/g)].map((m) => m[1]);
    assert.ok(named.includes('iframeCall'), `${lang}/iframe names iframeCall, the encoder iframe.ts writes with`);
    for (const name of named) {
      assert.ok(imported.includes(name), `${lang}/iframe: ${name} is one of the encoders server/transports/iframe.ts imports (${imported.join(', ')})`);
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
  for (const lang of LANGS) assert.match(sourceOf('handshake', lang), /Sec-WebSocket-Version: 13`/, `${lang}/handshake shows the lab's answer`);
});

test('the handshake lessons name the SHA-1 the demo really uses', () => {
  const demo = read('public/demos/handshake.js');
  const usesSubtle = /crypto\.subtle/.test(demo);
  assert.equal(/from '\.\.\/sha1\.js'/.test(demo), !usesSubtle, 'the demo hashes with public/sha1.js (or else with crypto.subtle)');
  for (const { source, where } of eachLesson()) {
    for (const line of source.split('\n').filter((l) => l.includes('crypto.subtle'))) {
      assert.ok(usesSubtle || line.includes('sha1.js'), `${where}: crypto.subtle is only mentioned beside sha1.js, what the demo uses: ${line.slice(0, 80)}`);
    }
  }
  for (const lang of LANGS) assert.match(sourceOf('handshake', lang), /public\/sha1\.js/, `${lang}/handshake names public/sha1.js`);
});

test('a lesson that says where wasClean is used links a file that uses it', () => {
  for (const { source, where } of eachLesson()) {
    for (const line of source.split('\n').filter((l) => l.includes('wasClean') && l.includes('](/code/'))) {
      const files = [...line.matchAll(/\]\(\/code\/([^)#]+)\)/g)].map((m) => m[1]);
      assert.ok(files.some((file) => read(file).includes('wasClean')), `${where}: one of ${files.join(', ')} uses wasClean`);
    }
  }
  assert.doesNotMatch(read('public/clients/ws.js'), /wasClean/, 'the browser client does not read wasClean (the lessons say so)');
});

test('the known errors stay fixed', () => {
  for (const lang of LANGS) {
    assert.match(sourceOf('long-poll', lang), /1\.5/, `${lang}/long-poll: the worst case is 1.5 round trips`);
    assert.doesNotMatch(sourceOf('sse', lang), /不要\*{0,2}同时开着|close \[?\/board/i, `${lang}/sse: no need to close /board before the experiment`);
    assert.match(sourceOf('sse', lang), /`experiment`/, `${lang}/sse: the six-connection experiment has a port of its own`);
  }
  assert.match(read('public/demos/connection-limit.js'), /originFor\('experiment'\)/, 'the six-connection demo uses the experiment port');
  for (const { source, where } of eachLesson()) {
    assert.doesNotMatch(source, /都只是“模拟”推送|只是模拟出推送/, `${where}: streaming is real push, not simulated`);
    assert.doesNotMatch(source, /claim(s|ing)? another site's `?Origin/, `${where}: a page cannot claim another Origin`);
    assert.doesNotMatch(source, /\b(171|497|508)\s*(B|bytes|字节)/, `${where}: no stale hand-typed head sizes`);
  }
});

test('the HTTP/2 lesson states the constants the lab\'s HTTP/2 code uses, and the earlier lessons point to it', () => {
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
    assert.match(source, new RegExp(`${EXPERIMENT_MAX_STREAMS}\\s*[(（]\`EXPERIMENT_MAX_STREAMS\`[)）]`), `${where}: the experiment port announces ${EXPERIMENT_MAX_STREAMS} streams`);
    assert.match(source, new RegExp(`${configWith().h2MaxStreams}\\s*[(（]\`H2_MAX_STREAMS\`[)）]`), `${where}: the main TLS port announces ${configWith().h2MaxStreams} by default`);
    assert.deepEqual(loadLesson('http2', lang).demos, ['ladder', 'http2', 'connection-limit'], `${where}: its picture, the HPACK demo, then the stream-limit experiment`);
    for (const file of ['listener', 'frames', 'frame-meter', 'websocket', 'certificate']) {
      assert.ok(source.includes(`](/code/server/http2/${file}.ts)`), `${where} links server/http2/${file}.ts`);
    }
    for (const name of ['intro', 'comparison'] as const) {
      assert.ok(sourceOf(name, lang).includes('](/lessons/http2)'), `${lang}/${name} links the HTTP/2 lesson`);
    }
  }
});
