/**
 * The setting parsers' own contract: a whole number within inclusive bounds, or
 * a ConfigError that names the variable and what it wanted; origins exactly as
 * the URL standard writes them, or a ConfigError naming the one that is not.
 * (config.test.ts checks the settings table that uses them.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, integer, origins } from './setting-parsers.ts';

/** `text` as a regular expression that matches it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asserts that `run` throws a ConfigError (code bad_config) whose message matches `pattern`. */
function refuses(run: () => unknown, pattern: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `a ConfigError, got ${error}`);
    assert.equal(error.code, 'bad_config');
    assert.match(error.message, pattern);
    return true;
  });
}

test('integer: whole numbers within inclusive bounds, surrounding spaces ignored', () => {
  const port = integer('PORT', 0, 65535);
  assert.equal(port('0'), 0, 'the lower bound is allowed');
  assert.equal(port('65535'), 65535, 'the upper bound is allowed');
  assert.equal(port(' 3000 '), 3000, 'spaces around are trimmed');
  assert.equal(port('007'), 7, 'leading zeros read as decimal');
});

test('integer: out of range names the variable, both bounds and the value', () => {
  const buffer = integer('BUFFER_SIZE', 1, 100);
  refuses(() => buffer('0'), /^BUFFER_SIZE must be between 1 and 100, got 0$/);
  refuses(() => buffer('101'), /^BUFFER_SIZE must be between 1 and 100, got 101$/);
});

test('integer: anything but digits is refused with the raw text quoted', () => {
  const tick = integer('TICK_MS', 0, 60000);
  for (const raw of ['', ' ', '-1', '1.5', '1e3', '0x10', '12ms', 'Infinity', 'NaN', '+5']) {
    refuses(() => tick(raw), new RegExp(`^TICK_MS must be a whole number, got ${literally(JSON.stringify(raw))}$`));
  }
});

test('origins: a comma-separated list, spaces and empty items dropped, a trailing slash dropped', () => {
  assert.deepEqual(origins('http://a.example:8080 , https://b.example/,,'), ['http://a.example:8080', 'https://b.example']);
  assert.deepEqual(origins(''), [], 'an empty setting allows no other origin');
  assert.deepEqual(origins(' , '), []);
  assert.deepEqual(origins('http://[::1]:3000'), ['http://[::1]:3000'], 'an IPv6 origin');
});

test('origins: only an origin as the URL standard serialises it is taken', () => {
  for (const raw of [
    'a.example', // no scheme
    'http://a.example/path', // a path
    'http://a.example?q', // a query
    'http://A.example', // the standard lowercases the host; a browser's Origin header never matches this
    'http://a.example:80', // the default port is left out of an origin
    'file:///tmp', // an opaque origin ('null')
  ]) {
    refuses(
      () => origins(`https://ok.example,${raw}`),
      new RegExp(`^ALLOWED_ORIGINS has ${literally(JSON.stringify(raw))}, which is not an origin`),
    );
  }
});
