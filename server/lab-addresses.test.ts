/** The lessons' commands name the lab as the reader reached it: its host and its real ports. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labAddresses, localise } from './lab-addresses.ts';

const ports = {
  main: 41000,
  extra: { 'short-poll': 41001, sse: 41004, experiment: 41005, 'idle-proxy': 41006 },
  tls: { main: 42000, h1: 42001, experiment: 42002 },
};

test("every default host:port becomes the reader's host and the real port of that listener", () => {
  const at = labAddresses('localhost', ports);
  const source = [
    "curl -i 'http://127.0.0.1:3000/feed/short-poll?since=0'",
    'curl -k --http2 https://127.0.0.1:3443/feed/sse and --http1.1 https://localhost:3444/ and 127.0.0.1:3445',
    "new WebSocket('ws://127.0.0.1:3000/feed/ws'); the idle proxy at 127.0.0.1:3006, SSE's own port 127.0.0.1:3004",
    'Host: 127.0.0.1:3000',
  ].join('\n');
  assert.equal(
    localise(source, at),
    [
      "curl -i 'http://localhost:41000/feed/short-poll?since=0'",
      'curl -k --http2 https://localhost:42000/feed/sse and --http1.1 https://localhost:42001/ and localhost:42002',
      "new WebSocket('ws://localhost:41000/feed/ws'); the idle proxy at localhost:41006, SSE's own port localhost:41004",
      'Host: localhost:41000',
    ].join('\n'),
  );
});

test("what is not one of the lab's default addresses is left alone", () => {
  const at = labAddresses('127.0.0.1', { main: 41000, extra: {} });
  for (const text of [
    'close codes 3000–4999',
    'port 30000 and 127.0.0.1:30001',
    '10.127.0.0.1:3000',
    'example.com:3000',
    '127.0.0.1:8080',
  ]) {
    assert.equal(localise(text, at), text, text);
  }
  assert.equal(
    localise('https://127.0.0.1:3443/ and 127.0.0.1:3001', at),
    'https://127.0.0.1:3443/ and 127.0.0.1:3001',
    'a listener this lab does not have (TLS off, no extra ports) keeps the default',
  );
});

test('an IPv6 name keeps its brackets; a name that could break out of the page becomes 127.0.0.1', () => {
  assert.equal(localise('http://127.0.0.1:3000/', labAddresses('[::1]', ports)), 'http://[::1]:41000/');
  assert.equal(localise('http://127.0.0.1:3000/', labAddresses('a"><script>', ports)), 'http://127.0.0.1:41000/');
});
