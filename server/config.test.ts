/** The settings (config.ts): defaults, what each variable accepts, and a message naming the variable for anything else. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SETTINGS, configWith, helpText, loadConfig } from './config.ts';
import { ConfigError } from './setting-parsers.ts';

/** Asserts that `env` stops the lab with a ConfigError whose message starts with the variable's name. */
function refuses(env: Record<string, string>, name: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${name} `),
    `${JSON.stringify(env)} is refused naming ${name}`,
  );
}

test('no variable set gives the defaults, the same as configWith()', () => {
  assert.deepEqual(loadConfig({}), configWith());
  assert.deepEqual(loadConfig({ PORT: '' }), configWith(), 'an empty variable is an unset one');
  assert.equal(configWith({ port: 0 }).port, 0, 'configWith overrides');
});

test('whole numbers are read within their bounds, and nothing else is', () => {
  assert.equal(loadConfig({ PORT: '0' }).port, 0);
  assert.equal(loadConfig({ PORT: ' 8080 ' }).port, 8080, 'spaces around a number are forgiven');
  assert.equal(loadConfig({ TICK_MS: '0' }).tickMs, 0, 'TICK_MS=0 turns the ticker off');
  for (const [name, raw] of [
    ['PORT', 'eighty'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['TICK_MS', '1.5'],
    ['BUFFER_SIZE', '0'],
    ['HEARTBEAT_MS', '99'],
    ['MAX_QUEUED_BYTES', '1023'],
  ]) {
    refuses({ [name]: raw }, name);
  }
});

test("MAX_STREAMS_PER_CLIENT is 0 (no cap) or enough for one student's board and lessons", () => {
  assert.equal(loadConfig({ MAX_STREAMS_PER_CLIENT: '0' }).maxStreamsPerClient, 0);
  assert.equal(loadConfig({ MAX_STREAMS_PER_CLIENT: '64' }).maxStreamsPerClient, 64);
  refuses({ MAX_STREAMS_PER_CLIENT: '63' }, 'MAX_STREAMS_PER_CLIENT');
});

test('ALLOWED_ORIGINS takes origins (a trailing slash dropped); a URL with a path is not an origin', () => {
  assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'http://a.example:8080, https://b.example/' }).allowedOrigins, [
    'http://a.example:8080',
    'https://b.example',
  ]);
  for (const raw of ['not an origin', 'http://a.example/path', 'file:///tmp']) refuses({ ALLOWED_ORIGINS: raw }, 'ALLOWED_ORIGINS');
});

test('switches and names take only what they say', () => {
  assert.equal(loadConfig({ EXTRA_PORTS: 'off' }).extraPorts, false);
  refuses({ EXTRA_PORTS: 'no' }, 'EXTRA_PORTS');
  assert.equal(loadConfig({ TLS_PORT: 'off' }).tlsPort, 'off');
  assert.equal(loadConfig({ TLS_PORT: '8443' }).tlsPort, 8443);
  refuses({ TLS_PORT: '65534' }, 'TLS_PORT');
  assert.equal(loadConfig({ FEED_STORE: 'redis://127.0.0.1:6379' }).feedStore, 'redis://127.0.0.1:6379');
  refuses({ FEED_STORE: 'http://127.0.0.1:6379' }, 'FEED_STORE');
  refuses({ FEED_STORE: 'somewhere' }, 'FEED_STORE');
  refuses({ PROCESS_NAME: 'a b' }, 'PROCESS_NAME');
  refuses({ HOST: '  ' }, 'HOST');
});

test('TLS_CERT and TLS_KEY come together or not at all', () => {
  assert.deepEqual(
    [loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tlsCert, loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tlsKey],
    ['c.pem', 'k.pem'],
  );
  refuses({ TLS_CERT: 'c.pem' }, 'TLS_CERT');
  refuses({ TLS_KEY: 'k.pem' }, 'TLS_KEY');
});

test('--help lists every variable once, with its meaning', () => {
  const help = helpText();
  for (const { env } of SETTINGS) {
    const lines = help.split('\n').filter((line) => line.trimStart().startsWith(`${env} `));
    assert.equal(lines.length, 1, `${env} has one line`);
    assert.ok(lines[0].trim().length > env.length + 10, `${env} says what it is`);
  }
});
