/**
 * The bench's wires: how `--wires` is read, which port and URL each wire reaches,
 * and which /stats protocol counts it (both HTTP/1.1 wires under h1).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrafficStats, TransportStats } from '../server/stats.ts';
import { type TlsInfo, WIRE_IDS, isTls, parseWires, protocolOf, trafficOf, wirePort, wireTarget } from './wires.ts';

const tls: TlsInfo = { ports: { main: 3443, h1: 3444, experiment: 3445 }, cert: '-----BEGIN CERTIFICATE-----', spkiSha256: 'x' };

test('parseWires: known ids in the canonical order, once each, spaces and empty items dropped', () => {
  assert.deepEqual(parseWires('h2,h1'), ['h1', 'h2'], "the canonical order, not the command line's");
  assert.deepEqual(parseWires(' h1-tls , h1-tls ,'), ['h1-tls'], 'a repeat is one wire');
  assert.deepEqual(parseWires('h2,h1-tls,h1'), [...WIRE_IDS]);
  assert.deepEqual(parseWires(''), []);
});

test('parseWires: an unknown wire is refused, naming it and the known ones', () => {
  assert.throws(() => parseWires('h1,h3'), { message: '--wires: unknown wire "h3"; they are h1, h1-tls, h2' });
  assert.throws(() => parseWires('H2'), /unknown wire "H2"/, 'ids are case-sensitive');
});

test('protocolOf and isTls: both HTTP/1.1 wires count under h1; only plain h1 has no TLS', () => {
  assert.deepEqual(
    WIRE_IDS.map((w) => [w, protocolOf(w), isTls(w)]),
    [
      ['h1', 'h1', false],
      ['h1-tls', 'h1', true],
      ['h2', 'h2', true],
    ],
  );
});

test("trafficOf reads the wire's own protocol line, not the sum", () => {
  const line = (requests: number) => ({ requests }) as unknown as TrafficStats;
  const stats = { ...line(5), protocols: { h1: line(2), h2: line(3) } } as unknown as TransportStats;
  assert.equal(trafficOf(stats, 'h1'), stats.protocols.h1);
  assert.equal(trafficOf(stats, 'h1-tls'), stats.protocols.h1);
  assert.equal(trafficOf(stats, 'h2'), stats.protocols.h2);
});

test('wirePort: the main port for h1, the HTTP/1.1-only TLS port for h1-tls, the h2 port for h2', () => {
  const server = { port: 3000, tls };
  assert.deepEqual(
    WIRE_IDS.map((w) => wirePort(server, w)),
    [3000, 3444, 3443],
  );
  assert.equal(wirePort({ port: 3000 }, 'h1'), 3000, 'plain HTTP/1.1 needs no TLS ports');
  assert.throws(() => wirePort({ port: 3000 }, 'h2'), { message: 'this server has no TLS ports: it cannot be reached over HTTP/2' });
  assert.throws(() => wirePort({ port: 3000 }, 'h1-tls'), /over HTTP\/1\.1 over TLS$/);
});

test("wireTarget: the URL, protocol and certificate a driver uses; a given port replaces the server's", () => {
  const server = { port: 3000, tls };
  assert.deepEqual(wireTarget(server, 'h1'), { baseUrl: 'http://127.0.0.1:3000', protocol: 'h1' }, 'no CA over plain HTTP');
  assert.deepEqual(wireTarget(server, 'h1-tls'), { baseUrl: 'https://127.0.0.1:3444', protocol: 'h1', ca: tls.cert });
  assert.deepEqual(wireTarget(server, 'h2'), { baseUrl: 'https://127.0.0.1:3443', protocol: 'h2', ca: tls.cert });
  assert.deepEqual(wireTarget(server, 'h2', 4000), { baseUrl: 'https://127.0.0.1:4000', protocol: 'h2', ca: tls.cert }, 'a delay proxy');
  assert.deepEqual(wireTarget({ port: 3000 }, 'h1', 4001), { baseUrl: 'http://127.0.0.1:4001', protocol: 'h1' });
});
