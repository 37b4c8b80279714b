/**
 * The TLS figures' accounting, on counters set by hand: a live connection read at
 * each snapshot, a closed one kept once, per protocol; record bytes as TCP minus
 * plaintext; the client's handshake bytes as given, or as what TCP had read when
 * the handshake finished.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { TlsStats } from './tls-stats.ts';

/** A TCP socket's counters that a test moves, and its close. */
class FakeTcp extends EventEmitter {
  constructor(
    public bytesRead: number,
    public bytesWritten: number,
  ) {
    super();
  }
}

test('an open connection is read live at each snapshot; record bytes are TCP minus plaintext', () => {
  const stats = new TlsStats();
  const tcp = new FakeTcp(600, 2900);
  const plaintext = { bytesRead: 0, bytesWritten: 0 };
  stats.opened('h2', tcp, plaintext, 517);
  tcp.bytesRead = 1000;
  tcp.bytesWritten = 3500;
  plaintext.bytesRead = 300;
  plaintext.bytesWritten = 500;
  const { h2, h1 } = stats.snapshot();
  assert.deepEqual(h2, {
    connectionsOpened: 1,
    connectionsOpen: 1,
    handshakeBytesIn: 517,
    handshakeBytesOut: 2900,
    tcpBytesIn: 1000,
    tcpBytesOut: 3500,
    plaintextBytesIn: 300,
    plaintextBytesOut: 500,
    recordBytesIn: 700,
    recordBytesOut: 3000,
  });
  assert.equal(h1.connectionsOpened, 0, 'HTTP/1.1 over TLS is counted apart');
  tcp.bytesRead = 1100;
  assert.equal(stats.snapshot().h2.tcpBytesIn, 1100, 'read again, not kept from the last snapshot');
});

test('a closed connection is kept once, with its last counters, and no longer open', () => {
  const stats = new TlsStats();
  const tcp = new FakeTcp(500, 2000);
  stats.opened('h1', tcp, { bytesRead: 100, bytesWritten: 200 });
  tcp.emit('close');
  tcp.bytesRead = 99_999; // a counter read after the close is not counted
  const first = stats.snapshot().h1;
  assert.deepEqual([first.connectionsOpened, first.connectionsOpen, first.tcpBytesIn, first.recordBytesIn], [1, 0, 500, 400]);
  assert.deepEqual(stats.snapshot().h1, first, 'the same on every later snapshot: kept once, not added again');
  tcp.emit('close');
  assert.deepEqual(stats.snapshot().h1, first, 'a second close event adds nothing');
});

test("the client's handshake bytes: as given when TCP has read that many, else what TCP had read at the handshake's end", () => {
  const stats = new TlsStats();
  stats.opened('h2', new FakeTcp(600, 0), { bytesRead: 0, bytesWritten: 0 }, 517);
  stats.opened('h2', new FakeTcp(600, 0), { bytesRead: 0, bytesWritten: 0 }, 601);
  stats.opened('h2', new FakeTcp(600, 0), { bytesRead: 0, bytesWritten: 0 });
  assert.equal(stats.snapshot().h2.handshakeBytesIn, 517 + 600 + 600, "more than TCP read is not believed; none given is TCP's count");
});

test('a snapshot is a copy: changing it changes nothing kept; the refusal counters ride along', () => {
  const stats = new TlsStats();
  const tcp = new FakeTcp(10, 20);
  stats.opened('h1', tcp, { bytesRead: 5, bytesWritten: 5 });
  tcp.emit('close');
  stats.handshakesFailed = 2;
  stats.plainHttpRefused = 3;
  const snap = stats.snapshot();
  assert.deepEqual([snap.handshakesFailed, snap.plainHttpRefused], [2, 3]);
  snap.h1.tcpBytesIn = 0;
  assert.equal(stats.snapshot().h1.tcpBytesIn, 10);
  const empty = new TlsStats().snapshot();
  assert.equal(empty.h2.connectionsOpened + empty.h2.tcpBytesIn + empty.h1.recordBytesOut, 0, 'nothing counted yet');
});
