/**
 * How a page's wire is read from its request: the protocol the reader came by,
 * the ports its scripts use from there (each transport's own over plain HTTP/1.1,
 * the page's own origin over TLS, nginx's behind the cluster's proxy), the same
 * page over the other HTTP version, and a Host header read as a URL writes it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import type { LabContext } from './context.ts';
import { EXPERIMENT_MAX_STREAMS } from './http2/listener.ts';
import { pageWire, parseAuthority } from './page-wire.ts';
import type { Ports } from './ports.ts';

test('parseAuthority: a name as a URL writes it and the port named, if any', () => {
  assert.deepEqual(parseAuthority('127.0.0.1:3000'), { name: '127.0.0.1', port: 3000 });
  assert.deepEqual(parseAuthority('LocalHost:3443'), { name: 'localhost', port: 3443 }, 'lowercased');
  assert.deepEqual(parseAuthority('[::1]:3443'), { name: '[::1]', port: 3443 }, 'IPv6 in brackets, as a URL needs it');
  assert.deepEqual(parseAuthority('lab.example'), { name: 'lab.example', port: undefined });
  assert.deepEqual(parseAuthority('lab.example:80'), { name: 'lab.example', port: undefined }, "http's default port is no port");
  assert.deepEqual(parseAuthority('lab.example:443'), { name: 'lab.example', port: 443 });
});

test('parseAuthority: a Host that is no host is 127.0.0.1, never an error', () => {
  for (const bad of ['', 'a b', 'x:99999', 'x:port', '[::1'])
    assert.deepEqual(parseAuthority(bad), { name: '127.0.0.1', port: undefined }, bad);
});

const tls = { main: 3443, h1: 3444, experiment: 3445 };
const ports: Ports = { main: 3000, extra: { sse: 3004, experiment: 3005 }, tls };
const context = (options: { ports?: Ports | null; trustProxy?: string } = {}) =>
  ({
    ports: options.ports === undefined ? ports : (options.ports ?? undefined),
    config: { port: 3000, trustProxy: options.trustProxy ?? 'off' },
  }) as unknown as LabContext;
const request = (how: { version?: 1 | 2; encrypted?: boolean; host?: string; authority?: string; forwardedFor?: string }) =>
  ({
    raw: { httpVersionMajor: how.version ?? 1, socket: how.version === 2 ? null : { encrypted: how.encrypted } },
    headers: {
      ...(how.host === undefined ? {} : { host: how.host }),
      ...(how.authority === undefined ? {} : { ':authority': how.authority }),
      ...(how.forwardedFor === undefined ? {} : { 'x-forwarded-for': how.forwardedFor }),
    },
  }) as unknown as FastifyRequest;

test('plain HTTP/1.1: every port of the lab, both URLs of the page, six connections at the experiment', () => {
  assert.deepEqual(pageWire(request({ host: 'localhost:3000' }), context(), '/board'), {
    protocol: 'h1',
    ports,
    h1Url: 'http://localhost:3000/board',
    h2Url: 'https://localhost:3443/board',
    experimentStreams: 6,
  });
});

test("HTTP/2: the page's own origin for every transport, the TLS experiment port, HTTP/2's stream limit", () => {
  assert.deepEqual(pageWire(request({ version: 2, authority: '[::1]:3443' }), context(), '/lessons/sse'), {
    protocol: 'h2',
    ports: { main: 3443, extra: { experiment: 3445 }, tls },
    h1Url: 'http://[::1]:3000/lessons/sse',
    h2Url: 'https://[::1]:3443/lessons/sse',
    experimentStreams: EXPERIMENT_MAX_STREAMS,
  });
});

test("HTTP/1.1 over TLS: the page's own origin, no port of its own for the experiment, six connections", () => {
  const wire = pageWire(request({ encrypted: true, host: 'localhost:3444' }), context(), '/');
  assert.deepEqual([wire.protocol, wire.ports, wire.experimentStreams], ['h1-tls', { main: 3444, extra: {}, tls }, 6]);
  assert.equal(pageWire(request({ encrypted: true, host: 'localhost' }), context(), '/').ports?.main, 443, "no port named: https's 443");
});

test('no TLS ports: no HTTP/2 URL; no ports known: the configured port, and none for the scripts', () => {
  const noTls = pageWire(request({ host: 'localhost:3000' }), context({ ports: { main: 3000, extra: {} } }), '/');
  assert.equal(noTls.h2Url, null);
  const none = pageWire(request({ encrypted: true, host: 'localhost:3000' }), context({ ports: null }), '/x');
  assert.deepEqual(none, { protocol: 'h1', ports: null, h1Url: 'http://localhost:3000/x', h2Url: null, experimentStreams: 6 });
});

test("behind a trusted proxy (the cluster's nginx): its port for all, HTTP/1.1 only; an untrusted X-Forwarded-For changes nothing", () => {
  const proxied = request({ host: 'localhost:8080', forwardedFor: '127.0.0.1' });
  assert.deepEqual(pageWire(proxied, context({ trustProxy: 'loopback' }), '/board'), {
    protocol: 'h1',
    ports: { main: 8080, extra: {} },
    h1Url: 'http://localhost:8080/board',
    h2Url: null,
    experimentStreams: 6,
  });
  const viaPort80 = pageWire(request({ host: 'localhost', forwardedFor: '127.0.0.1' }), context({ trustProxy: 'loopback' }), '/');
  assert.equal(viaPort80.h1Url, 'http://localhost:80/');
  assert.deepEqual(pageWire(proxied, context(), '/board').ports, ports, 'TRUST_PROXY off: the header is ignored');
});
