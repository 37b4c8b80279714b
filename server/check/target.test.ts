/** The URL a user gives the checker (target.ts parseTargetUrl): http or https, a host, no credentials. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TargetError, parseTargetUrl } from './target.ts';

test('an http or https URL gives the endpoint to connect to and the base path', () => {
  const plain = parseTargetUrl('http://127.0.0.1:3000');
  assert.deepEqual(plain.endpoint, { host: '127.0.0.1', port: 3000, tls: false });
  assert.equal(plain.basePath, '');
  assert.deepEqual(
    parseTargetUrl('https://example.org/lab/').endpoint,
    { host: 'example.org', port: 443, tls: true },
    'https defaults to 443',
  );
  assert.equal(parseTargetUrl('https://example.org/lab//').basePath, '/lab', 'trailing slashes dropped');
  assert.deepEqual(parseTargetUrl('http://[::1]/').endpoint, { host: '::1', port: 80, tls: false }, 'an IPv6 address without brackets');
});

test('anything else is a TargetError saying why', () => {
  assert.throws(
    () => parseTargetUrl('not a url'),
    (error: unknown) => error instanceof TargetError && /is not a URL/.test(error.message),
  );
  assert.throws(() => parseTargetUrl('ftp://example.org'), /ftp: is not http: or https:/);
  assert.throws(() => parseTargetUrl('http://user:secret@example.org'), /credentials/);
});
