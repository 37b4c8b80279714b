/**
 * What the lessons say about the lab's own code and settings is read from that code:
 * a default quoted beside its setting, a limit, a padding, a retry, a configuration
 * sample. Change the code and these tests name the sentences to change with it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_BODY_BYTES, MAX_NAME_CHARS, MAX_TEXT_CHARS } from './chat.ts';
import { SETTINGS, configWith, loadConfig } from './config.ts';
import { ERRORS } from './errors.ts';
import { parseTimeoutMs } from './cursor.ts';
import { iframeKeepAlive, iframePreamble, isCallbackName, sseComment } from './frames.ts';
import { slotsOf } from './heartbeat.ts';
import { LANGS, type Lang, LESSONS, type LessonName, loadLesson } from './lessons.ts';
import { IDLE_PROXY_MS } from './listeners.ts';
import { ROOT } from './paths.ts';
import { SSE_RETRY_MS } from './transports/sse.ts';
import { MAX_MESSAGE_BYTES } from './transports/ws.ts';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const sourceOf = (name: LessonName, lang: Lang) => read(`lessons/${lang}/${name}.md`);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** 1000 -> "1,000", as both languages write numbers. */
const grouped = (n: number) => n.toLocaleString('en-US');

/** A number from code, as a lesson writes it in each language. */
function says(name: LessonName, en: string | RegExp, zh: string | RegExp, why: string): void {
  const phrases: Record<Lang, string | RegExp> = { en, zh };
  for (const lang of LANGS) {
    const phrase = phrases[lang];
    const pattern = typeof phrase === 'string' ? new RegExp(escapeRegExp(phrase)) : phrase;
    assert.match(sourceOf(name, lang), pattern, `${lang}/${name} says ${why}`);
  }
}

/** A number with its unit, in the base unit of a setting: milliseconds, bytes or a plain count. */
function inBaseUnit(number: string, unit: string | undefined): number {
  const value = Number(number.replace(/,/g, ''));
  const factor: Record<string, number> = {
    ms: 1,
    毫秒: 1,
    s: 1000,
    秒: 1000,
    KiB: 1024,
    MiB: 1024 * 1024,
    bytes: 1,
    字节: 1,
    B: 1,
    个: 1,
  };
  return value * (unit === undefined ? 1 : factor[unit]);
}

const UNIT = '(ms|毫秒|s|秒|KiB|MiB|bytes|字节|B|个)?';
/** A default written right after a setting's name: "`X` (15 s", "`X`, 15 s", "(20 by default)", "默认 20". */
const NUMBER = '(\\d[\\d,.]*)\\s*';
const DEFAULT_NEAR_NAME = new RegExp(
  [`^\\s*[(（,，]\\s*${NUMBER}${UNIT}`, `(?:默认|default)\\s*${NUMBER}${UNIT}`, `${NUMBER}${UNIT}\\s+by default`].join('|'),
);

test('a default quoted beside its setting is the default the code has', () => {
  const defaults = configWith() as unknown as Record<string, unknown>;
  let checked = 0;
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const source = sourceOf(name, lang);
      for (const setting of SETTINGS) {
        const value = defaults[setting.key];
        if (typeof value !== 'number') continue;
        for (const at of source.matchAll(new RegExp(`\`${setting.env}\``, 'g'))) {
          const window = source.slice(at.index + at[0].length, at.index + at[0].length + 45).split(/[.;。；\n]|`[A-Z_]{4,}`/)[0];
          const found = DEFAULT_NEAR_NAME.exec(window);
          if (!found) continue;
          const first = [1, 3, 5].find((i) => found[i] !== undefined)!;
          const [number, unit] = [found[first], found[first + 1]];
          const quoted = `${lang}/${name}: \`${setting.env}\` is quoted as ${number} ${unit ?? ''}`;
          assert.equal(inBaseUnit(number, unit), value, `${quoted}, but its default is ${value}`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked >= 10, `the rule found the defaults the lessons quote (${checked})`);
});

test('every setting a lesson tells you to start the lab with is one the lab accepts', () => {
  const names = new Set(SETTINGS.map((s) => s.env));
  let checked = 0;
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      for (const [, env, value] of sourceOf(name, lang).matchAll(/\b([A-Z][A-Z0-9_]{3,})=([^\s`'"…]+)/g)) {
        if (!names.has(env)) continue;
        assert.doesNotThrow(() => loadConfig({ [env]: value }), `${lang}/${name}: ${env}=${value} is a value the lab accepts`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 10, `settings found in the lessons (${checked})`);
});

test("the limits the lessons quote are the code's", () => {
  // Chat and request bodies (server/chat.ts), WebSocket messages (server/transports/ws.ts).
  says('security', `1 to ${grouped(MAX_TEXT_CHARS)} characters`, `1 到 ${grouped(MAX_TEXT_CHARS)} 个字符`, 'the chat text limit');
  says('security', `at most ${MAX_NAME_CHARS}`, `最多 ${MAX_NAME_CHARS} 个`, 'the name limit');
  says('security', `over ${MAX_BODY_BYTES / 1024} KiB: \`413\``, `超过 ${MAX_BODY_BYTES / 1024} KiB：\`413\``, 'the body limit');
  for (const name of ['security', 'frames'] as const) {
    says(name, `${MAX_MESSAGE_BYTES / 1024} KiB`, `${MAX_MESSAGE_BYTES / 1024} KiB`, 'the WebSocket message limit');
  }
  // The callback name: an identifier path of at most 64 characters.
  assert.ok(isCallbackName('a'.repeat(64)) && !isCallbackName('a'.repeat(65)), 'a callback name has at most 64 characters');
  for (const name of ['iframe', 'security'] as const) says(name, '(at most 64 characters)', '最多 64 个字符', 'the callback limit');
  // A long poll's hold: clamped by parseTimeoutMs.
  const [minMs, maxMs] = [parseTimeoutMs('0', 1), parseTimeoutMs('999999999', 1)];
  says('long-poll', `between ${minMs} ms and ${maxMs / 1000} s`, `${minMs} 毫秒到 ${maxMs / 1000} 秒`, "the hold time's bounds");
  says('long-poll', `clamped to ${maxMs / 1000} s`, `压到 ${maxMs / 1000} 秒`, 'what timeoutMs=999999 becomes');
});

test("the paddings, retries and timers the lessons quote are the code's", () => {
  assert.equal(Buffer.byteLength(iframePreamble()), 1024, 'the iframe preamble is 1,024 bytes');
  says('iframe', 'exactly 1,024 bytes', '正好 1,024 字节', 'the padding');
  says('sse', `\`retry: ${SSE_RETRY_MS}\``, `\`retry: ${SSE_RETRY_MS}\``, 'the retry the stream starts with');
  says('heartbeats', `sends ${grouped(SSE_RETRY_MS)} ms`, `发的是 ${grouped(SSE_RETRY_MS)} 毫秒`, "EventSource's wait");
  says('scale-out', `\`retry:\` (${SSE_RETRY_MS / 1000} s)`, `\`retry:\`（${SSE_RETRY_MS / 1000} 秒）`, "EventSource's wait");
  says('heartbeats', `for ${IDLE_PROXY_MS / 1000} seconds`, `${IDLE_PROXY_MS / 1000} 秒内`, "the idle proxy's limit");
  const period = configWith().heartbeatMs;
  const slots = slotsOf(period);
  const spread = [
    `the ${period / 1000} s are cut into ${slots} slots of ${period / slots} ms`,
    `${period / 1000} 秒切成 ${slots} 个 ${period / slots} 毫秒的槽`,
  ];
  says('heartbeats', spread[0], spread[1], 'how the default period is spread');
  // The clients' backoff (public/clients/common.js) and the iframe watchdog (public/panel.js).
  const backoff = /export function backoffMs\(attempt, baseMs = (\d+), capMs = (\d+)\)/.exec(read('public/clients/common.js'));
  assert.ok(backoff, 'backoffMs keeps its defaults in its signature');
  const [baseMs, capMs] = [Number(backoff[1]), Number(backoff[2])];
  says('heartbeats', `doubles from ${baseMs} ms`, `从 ${baseMs} 毫秒起翻倍`, "the backoff's first ceiling");
  says('heartbeats', `up to ${capMs / 1000} s`, `封顶 ${capMs / 1000} 秒`, "the backoff's cap");
  const en = `up to ${baseMs} ms at first and doubling up to ${capMs / 1000} s`;
  const zh = `第一次最多 ${baseMs} 毫秒，之后翻倍，最多 ${capMs / 1000} 秒`;
  says('scale-out', en, zh, 'the backoff');
  const watchdog = /quietMs: [^\n]*Math\.max\((\d+), (\d+) \* config\.tickMs\)/.exec(read('public/panel.js'));
  assert.ok(watchdog, 'the iframe watchdog is five tick intervals, at least 3 s, in public/panel.js');
  const [floorMs, ticks] = [Number(watchdog[1]), Number(watchdog[2])];
  assert.deepEqual([ticks, floorMs], [5, 3000], 'the lessons write the watchdog in words: five tick intervals, at least 3 s');
  for (const name of ['heartbeats', 'scale-out'] as const) {
    says(name, 'five tick intervals (at least 3 s)', /五个 tick 间隔[（(]至少 3 秒[）)]/, 'the watchdog');
  }
});

test('what the scale-out lesson says of the cluster is what its code and nginx configuration do', () => {
  const feed = read('server/redis/feed.ts');
  const catchUp = /const CATCH_UP_MS = (\d+);/.exec(feed);
  assert.ok(catchUp, 'server/redis/feed.ts names its catch-up wait');
  says('scale-out', `for at most ${Number(catchUp[1]) / 1000} s`, `最多 ${Number(catchUp[1]) / 1000} 秒`, 'the catch-up wait');
  // The timeline of a Redis that restarts empty: a figure whose steps are its text, the reader's wait from the code.
  const blockMs = /const BLOCK_MS = (\d+);/.exec(feed);
  assert.ok(blockMs, 'server/redis/feed.ts names how long a blocking read waits');
  const blockS = Number(blockMs[1]) / 1000;
  says('scale-out', `a blocking read waits at most ${blockS} s`, `一次阻塞读取最多等 ${blockS} 秒`, 'how soon a reader sees the epoch');
  for (const lang of LANGS) {
    const figure = /<figure class="timeline">\n<figcaption>([\s\S]*?)<\/figcaption>\n<ol>([\s\S]*?)<\/ol>\n<\/figure>/;
    const timeline = figure.exec(loadLesson('scale-out', lang).html);
    assert.ok(timeline, `${lang}/scale-out: the restart of an empty Redis is a timeline figure`);
    assert.equal([...timeline[2].matchAll(/<li>/g)].length, 5, `${lang}/scale-out: the timeline has its five steps, as text`);
    assert.match(timeline[2], /wirelab:epoch[\s\S]*1-1/, `${lang}/scale-out: the steps name the epoch key and the ids that start again`);
  }
  assert.match(feed, /Math\.max\(3 \* intervalMs, 1000\)/, 'the ticker lease lasts three tick intervals, at least a second');
  says('scale-out', 'three tick intervals (at least a second)', '三个 tick 间隔（至少一秒）', 'the ticker lease');
  const retryAfterS = ERRORS.feed_unavailable.retryAfterS;
  const code = '`"feed_unavailable"`';
  const retry = `\`Retry-After: ${retryAfterS}\``;
  says('scale-out', `${retry} and the code ${code}`, `${retry} 和错误码 ${code}`, 'what a process without its feed answers');
  const nginx = read('server/cluster/nginx.conf.example');
  const shortTimeout = /^ {4}proxy_read_timeout (\d+)s;/m.exec(nginx);
  assert.ok(shortTimeout, 'the example sets a read timeout for the short requests');
  says('scale-out', `only ${shortTimeout[1]} s on the others`, `只等 ${shortTimeout[1]} 秒`, "nginx's timeout for short requests");
  // The held requests (long polls, streams, sockets) have a location of their own, with the long read timeout.
  const readTimeout = /location ~ \^\/feed\/\(long-poll\|[^\n]*\{\n\s*proxy_read_timeout (\d+)s;/.exec(nginx);
  assert.ok(readTimeout, 'the example gives held requests a read timeout of their own');
  says('scale-out', `waits ${readTimeout[1]} s`, `等 ${readTimeout[1]} 秒`, "nginx's read timeout");
  // The sample shows the shipped lines: every directive in it is a line of nginx.conf.example.
  const shipped = new Set(
    nginx
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean),
  );
  for (const lang of LANGS) {
    const sample = /```nginx\n([\s\S]*?)```/.exec(sourceOf('scale-out', lang));
    assert.ok(sample, `${lang}/scale-out shows nginx's configuration`);
    const lines = sample[1]
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    assert.ok(lines.length >= 10, `${lang}/scale-out: the sample has the lines that matter`);
    for (const line of lines) assert.ok(shipped.has(line), `${lang}/scale-out: "${line}" is a line of nginx.conf.example`);
    for (const line of ["''      '';", 'proxy_set_header X-Forwarded-For $remote_addr;', 'keepalive 16;']) {
      assert.ok(lines.includes(line), `${lang}/scale-out: the sample shows "${line}"`);
    }
  }
});

test('no measured time, rate or share is typed by hand: those come from the run through {{fig:...}}', () => {
  // What may be typed: settings, the backoff's steps and the heartbeat's slot (checked above against the code), a question's premise,
  // and the arithmetic of Kaazing's 2010 table, which the comparison lesson quotes as a source.
  const allowed: Record<string, Set<string>> = {
    ms: new Set(['100', '200', '250', '400', '2,000']),
    percent: new Set(['1', '5', '99']),
    rate: new Set(['6.6', '66', '665', '0.015', '0.153', '1.526', '6.97']),
  };
  const kind = (unit: string) => {
    if (/^(ms|毫秒|µs|微秒)$/.test(unit)) return 'ms';
    if (unit === '%') return 'percent';
    return /^(s|seconds?|秒)$/.test(unit) ? 'seconds' : 'rate';
  };
  const measured = /(?<![\w.,])(\d[\d,.]*)\s*(ms|µs|毫秒|微秒|%|Mbit\/s|Mbps|seconds?|s\b|秒)/g;
  let checked = 0;
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const prose = sourceOf(name, lang)
        .replace(/^```[\s\S]*?^```$/gm, '')
        .replace(/\{\{fig:[^}]*\}\}/g, '');
      for (const [text, number, unit] of prose.matchAll(measured)) {
        checked++;
        const what = kind(unit);
        if (what === 'seconds') {
          assert.doesNotMatch(number, /\./, `${lang}/${name}: "${text}" looks measured; quote a figure ({{fig:...}}) instead`);
          continue;
        }
        assert.ok(allowed[what].has(number), `${lang}/${name}: "${text}" looks like a hand-typed measurement; quote a figure instead`);
      }
    }
  }
  assert.ok(checked > 50, `times and rates found in the lessons' prose (${checked})`);
});

test('measured byte counts are never typed by hand: only protocol constants, settings, examples and quoted sources', () => {
  // Each allowed number is a property of a protocol or of the lab's code, an example frame or chunk,
  // a question's premise, or a figure quoted from a source (Kaazing's 871 B, "over 400 bytes").
  // HTTP/2 and TLS add theirs: a TLS record's 5-byte header, HTTP/2's 9-byte frame header and 24-byte
  // connection preface, HPACK's default 4,096-byte dynamic table (each checked against the code below).
  const allowed = new Set([
    '2',
    '4',
    '5',
    '6',
    '8',
    '9',
    '10',
    '13',
    '14',
    '16',
    '20',
    '24',
    '40',
    '44',
    '60',
    '88',
    '91',
    '92',
    '100',
    '106',
    '118',
    '123',
    '125',
    '126',
    '200',
    '256',
    '300',
    '400',
    '871',
    '1,024',
    '1024',
    '4,096',
    '70,000',
  ]);
  const bytes = /(?<![\w.,])(\d[\d,.]*)(?:\s*(?:to|到|-|–)\s*(\d[\d,.]*))?(?:\s|-)?(?:B\b|bytes?\b|byte\b|字节)/g;
  for (const name of LESSONS) {
    for (const lang of LANGS) {
      const text = sourceOf(name, lang)
        .replace(/^```[\s\S]*?^```$/gm, '')
        .replace(/\{\{fig:[^}]*\}\}/g, '');
      for (const match of text.matchAll(bytes)) {
        for (const number of [match[1], match[2]].filter(Boolean)) {
          assert.ok(allowed.has(number), `${lang}/${name}: "${match[0]}" looks like a hand-typed measurement; quote a figure instead`);
        }
      }
    }
  }
  for (const lang of LANGS) {
    const unit = lang === 'en' ? 'bytes' : '字节';
    for (const [what, bytes] of [
      ['iframe keep-alive', iframeKeepAlive()],
      ['SSE heartbeat', sseComment('heartbeat')],
    ]) {
      const size = `${Buffer.byteLength(bytes)} ${unit}`;
      assert.ok(sourceOf('heartbeats', lang).includes(size), `${lang}/heartbeats: the ${what} is ${size}`);
    }
  }
});
