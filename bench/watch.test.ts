/** `npm run watch`'s command line: what it takes, and what it refuses with a sentence. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchOptions } from './watch.ts';

test('a transport, a cursor, a base URL and a protocol, each with its default', () => {
  assert.deepEqual(watchOptions([], {}), { help: false, id: 'ws', since: undefined, baseUrl: 'http://127.0.0.1:3000', protocol: 'h1' });
  assert.deepEqual(watchOptions(['sse', '12', 'https://127.0.0.1:3443', 'h2'], {}), {
    help: false,
    id: 'sse',
    since: 12,
    baseUrl: 'https://127.0.0.1:3443',
    protocol: 'h2',
  });
  const fromEnv = watchOptions(['iframe'], { WIRELAB_URL: 'http://127.0.0.1:4000' }) as { baseUrl: string };
  assert.equal(fromEnv.baseUrl, 'http://127.0.0.1:4000', 'WIRELAB_URL is the default base URL');
  assert.deepEqual(watchOptions(['--help'], {}), { help: true });
  assert.deepEqual(watchOptions(['-h'], {}), { help: true });
});

test('bad input is refused with a sentence that says what is wrong', () => {
  const refusals: [string[], RegExp][] = [
    [['smoke-signals'], /^unknown transport "smoke-signals"$/],
    [['sse', 'soon'], /^since must be a whole number, got "soon"$/],
    [['sse', '1', 'localhost:3000'], /^the base URL is a scheme, host and port/],
    [['sse', '1', 'http://127.0.0.1:3000', 'h3'], /^the protocol is h1 or h2, got "h3"$/],
    [['sse', '1', 'http://127.0.0.1:3000', 'h2'], /^HTTP\/2 needs an https:\/\/ base URL/],
    [['sse', '1', 'http://127.0.0.1:3000', 'h1', 'more'], /^one transport, since, base URL and protocol at most/],
    [['--since=3'], /^Unknown option '--since'$/],
  ];
  for (const [argv, said] of refusals) {
    const answer = watchOptions(argv, {});
    assert.ok('problem' in answer, `${argv.join(' ')}: refused`);
    assert.match(answer.problem, said, `${argv.join(' ')}: says why`);
  }
});
