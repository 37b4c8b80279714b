/**
 * The lab's own certificate: what it says (parsed back by Node's X.509 parser), that
 * Node's TLS accepts it for exactly its names in a real handshake, and when the lab
 * keeps, remakes or refuses a certificate on disk.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { ConfigError } from '../setting-parsers.ts';
import { createSelfSigned, describeCertificate, labCertificateNames, loadOrCreateCertificate, spkiSha256 } from './certificate.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const NAMES = ['localhost', 'wirelab.test', '127.0.0.1', '::1', '192.0.2.7', '2001:db8::ffff:1.2.3.4'];
const NOW = new Date('2031-03-04T05:06:07.890Z');
const made = await createSelfSigned(NAMES, { now: NOW, days: 30 });
const x509 = new X509Certificate(made.certPem);

test('the certificate parses, is signed by its own key and is no CA', async () => {
  assert.equal(x509.checkPrivateKey(createPrivateKey(made.keyPem)), true, "the key is the certificate's");
  assert.equal(x509.verify(x509.publicKey), true, 'self-signed: its own public key verifies it');
  assert.equal(x509.ca, false, 'basicConstraints says CA:FALSE');
  assert.equal(x509.issuer, x509.subject, 'issuer is subject');
  assert.match(x509.subject, /CN=Wirelab local certificate/, 'a readable common name');
  assert.equal(x509.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1', 'an ECDSA P-256 key');
  assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extKeyUsage is serverAuth only (Node calls it keyUsage)');
  assert.match(x509.serialNumber, /^[4-7][0-9A-F]{31}$/, 'a positive 16-byte serial');
  assert.notEqual((await createSelfSigned(['localhost'])).certPem, made.certPem, 'each certificate is new');
});

test('the DER holds the exact bytes of the extensions Node does not show', () => {
  const has = (hex: string) => x509.raw.includes(Buffer.from(hex.replace(/ /g, ''), 'hex'));
  assert.ok(has('30 0e 06 03 55 1d 0f 01 01 ff 04 04 03 02 07 80'), 'keyUsage: critical, digitalSignature only');
  assert.ok(has('30 09 06 03 55 1d 13 04 02 30 00'), 'basicConstraints: an empty SEQUENCE, cA left at its DEFAULT FALSE');
  assert.ok(has('30 0a 06 08 2a 86 48 ce 3d 04 03 02'), 'signed with ecdsa-with-SHA256, no parameters');
  const keyBits = createPublicKey(made.keyPem).export({ type: 'spki', format: 'der' }).subarray(-65);
  const keyId = createHash('sha1').update(keyBits).digest('hex');
  assert.ok(has(`30 1d 06 03 55 1d 0e 04 16 04 14 ${keyId}`), 'subjectKeyIdentifier: SHA-1 of the public key bits');
});

test('subjectAltName lists every DNS name and IP address given', async () => {
  assert.equal(
    x509.subjectAltName,
    'DNS:localhost, DNS:wirelab.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, ' +
      'IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:FFFF:102:304',
    'in order, IPv4 as 4 bytes and IPv6 as 16 (Node prints IPv6 in full)',
  );
  for (const ip of ['::1', '0:0::1', '2001:db8:0:0:0:ffff:102:304'])
    assert.equal(x509.checkIP(ip), ip, `checkIP(${ip}): the same address in another spelling`);
  assert.equal(x509.checkIP('::2'), undefined, 'an address not given is not covered');
  const shapes = ['::', '1::', '1:2:3:4:5:6:7:8', 'fe80::a:b', '::ffff:10.0.0.1', '64:ff9b::192.0.2.33'];
  const shaped = new X509Certificate((await createSelfSigned(shapes)).certPem);
  for (const ip of shapes) assert.equal(shaped.checkIP(ip), ip, `IPv6 written as ${ip}`);
  assert.equal(tls.checkServerIdentity('::1', x509.toLegacyObject()), undefined, "Node's TLS identity check accepts ::1");
  await assert.rejects(createSelfSigned(['bücher.example']), RangeError, 'a non-ASCII name must be given in its xn-- form');
});

test('validity runs from a day before `now` to `days` after, to the second', async () => {
  assert.equal(new Date(x509.validFrom).toISOString(), '2031-03-03T05:06:07.000Z', 'notBefore: a day back, for clock skew');
  assert.equal(new Date(x509.validTo).toISOString(), '2031-04-03T05:06:07.000Z', 'notAfter: 30 days ahead');
  const late = new X509Certificate((await createSelfSigned(['localhost'], { now: new Date('2049-12-15T00:00:00Z'), days: 60 })).certPem);
  assert.equal(new Date(late.validTo).toISOString(), '2050-02-13T00:00:00.000Z', 'from 2050 the time is a GeneralizedTime');
  const span = new X509Certificate((await createSelfSigned(['localhost'])).certPem);
  const spanDays = (Date.parse(span.validTo) - Date.parse(span.validFrom)) / DAY_MS;
  assert.ok(spanDays <= 825, `the default span (${spanDays} days) stays within the 825 days Apple accepts`);
});

test('describeCertificate shows what the certificate holds, a field a line', () => {
  const lines = describeCertificate(made.certPem).split('\n');
  assert.deepEqual(
    lines.map((line) => line.split(':')[0]),
    ['subject', 'issuer', 'serial', 'valid', 'key', 'subjectAltName', 'extKeyUsage', 'sha-256'],
  );
  assert.match(lines[0], /O=Wirelab, CN=Wirelab local certificate$/, 'the subject');
  assert.match(lines[1], /\(itself: self-signed\)$/, 'issued by itself');
  assert.match(lines[3], /2031-03-03T05:06:07\.000Z to 2031-04-03T05:06:07\.000Z$/, 'the validity');
  assert.match(lines[4], /ec prime256v1$/, 'the key');
  assert.match(lines[5], /DNS:localhost, DNS:wirelab\.test, IP Address:127\.0\.0\.1/, 'the names');
  assert.match(lines[6], /1\.3\.6\.1\.5\.5\.7\.3\.1; not a CA$/, 'serverAuth, no CA');
  assert.equal(lines[7].split(/: +/)[1], x509.fingerprint256, 'the fingerprint a browser shows');
});

test("spkiSha256 is the base64 SHA-256 of the public key's SPKI", () => {
  const spki = createPublicKey(made.keyPem).export({ type: 'spki', format: 'der' });
  assert.equal(
    spkiSha256(made.certPem),
    createHash('sha256').update(spki).digest('base64'),
    "same hash from the private key's public half",
  );
});

describe('a real TLS handshake on loopback', () => {
  let server: tls.Server;
  let port: number;
  before(async () => {
    server = tls.createServer({ cert: made.certPem, key: made.keyPem }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Connects to the server with Node's default identity checks; resolves 'ok' or the error's code. */
  const connect = (options: tls.ConnectionOptions) =>
    new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
        socket.end();
        resolve('ok');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });

  test('succeeds for the names in the certificate and fails for others', async () => {
    const current = await createSelfSigned(NAMES);
    server.setSecureContext({ cert: current.certPem, key: current.keyPem });
    const trusting = (options: tls.ConnectionOptions) => connect({ ca: current.certPem, ...options });
    assert.equal(await trusting({ servername: 'localhost' }), 'ok', 'servername localhost');
    assert.equal(await trusting({}), 'ok', 'host 127.0.0.1, checked against the IP addresses');
    assert.equal(await trusting({ servername: 'other.example' }), 'ERR_TLS_CERT_ALTNAME_INVALID', 'a name not in the certificate');
    assert.equal(
      await trusting({ ca: undefined, servername: 'localhost' }),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'not trusted: why a browser asks once',
    );
  });

  test('fails for a certificate not valid yet', async () => {
    const early = await createSelfSigned(NAMES, { now: new Date(Date.now() + 10 * DAY_MS) });
    server.setSecureContext({ cert: early.certPem, key: early.keyPem });
    assert.equal(await connect({ ca: early.certPem, servername: 'localhost' }), 'CERT_NOT_YET_VALID', 'notBefore nine days ahead');
  });
});

test('labCertificateNames: loopback, the machine and its outside addresses, whatever HOST is, plus a named host', () => {
  const outside = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  const base = [...new Set(['localhost', '127.0.0.1', '::1', os.hostname().toLowerCase(), ...outside])];
  assert.deepEqual(labCertificateNames('127.0.0.1'), base, 'a loopback host adds nothing');
  for (const wildcard of ['0.0.0.0', '::']) {
    const names = labCertificateNames(wildcard);
    assert.deepEqual(names, base, `${wildcard}: the same names as a loopback host, so switching HOST keeps the certificate`);
    assert.ok(!names.includes(wildcard), `${wildcard} itself is no name`);
  }
  assert.deepEqual(labCertificateNames('lab.example'), [...base, 'lab.example'], 'a named host is added last');
  assert.deepEqual(labCertificateNames('LOCALHOST'), base, 'no duplicates, case aside');
});

describe('loadOrCreateCertificate', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wirelab-certificate-'));
  const dir = path.join(root, 'own', 'tls');
  const names = ['localhost', '127.0.0.1', '::1'];
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('makes a certificate once, then keeps it while it covers the names and has a day left', async () => {
    const first = await loadOrCreateCertificate({ dir, names });
    assert.equal(first.source, 'created', 'nothing on disk: created');
    assert.equal(fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'), first.cert, 'written to dir/cert.pem');
    assert.equal(first.keyPath, path.join(dir, 'key.pem'), 'key path');
    if (process.platform !== 'win32') assert.equal(fs.statSync(first.keyPath).mode & 0o777, 0o600, 'the key is private to its owner');
    assert.deepEqual(first.names, names, 'names read back from the certificate, IPv6 short');
    assert.equal(first.spkiSha256, spkiSha256(first.cert), 'spkiSha256');
    assert.equal(first.fingerprint256, new X509Certificate(first.cert).fingerprint256, 'fingerprint256');

    const second = await loadOrCreateCertificate({ dir, names: ['::1', 'localhost'] });
    assert.equal(second.source, 'kept', 'same names (any order): kept');
    assert.equal(second.fingerprint256, first.fingerprint256, 'the very same certificate');

    const wider = await loadOrCreateCertificate({ dir, names: [...names, 'lab.example'] });
    assert.equal(wider.source, 'created', 'a name it lacks: created again');
    assert.ok(wider.names.includes('lab.example'), 'with the new name');

    const almostOver = new Date(wider.notAfter.getTime() - DAY_MS / 2);
    const renewed = await loadOrCreateCertificate({ dir, names, now: almostOver });
    assert.equal(renewed.source, 'created', 'less than a day left: created again');
    const expired = new Date(renewed.notAfter.getTime() + DAY_MS);
    assert.equal((await loadOrCreateCertificate({ dir, names, now: expired })).source, 'created', 'expired: created again');
    if (process.platform !== 'win32') assert.equal(fs.statSync(first.keyPath).mode & 0o777, 0o600, 'a rewritten key stays private');
  });

  test('replaces a pair on disk that is torn or does not match', async () => {
    fs.writeFileSync(path.join(dir, 'cert.pem'), 'not a certificate');
    assert.equal((await loadOrCreateCertificate({ dir, names })).source, 'created', 'unparsable certificate: created');
    fs.writeFileSync(path.join(dir, 'key.pem'), (await createSelfSigned(['localhost'])).keyPem);
    assert.equal((await loadOrCreateCertificate({ dir, names })).source, 'created', "someone else's key: created");
    assert.equal((await loadOrCreateCertificate({ dir, names })).source, 'kept', 'and then kept');
  });

  describe('TLS_CERT and TLS_KEY', () => {
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(root, name), text);
      return path.join(root, name);
    };
    const certPath = file('user-cert.pem', made.certPem);
    const keyPath = file('user-key.pem', made.keyPem);
    const fails = (options: { certPath?: string; keyPath?: string }, pattern: RegExp, message: string) =>
      assert.rejects(
        loadOrCreateCertificate({ dir, names, ...options }),
        (error) => error instanceof ConfigError && pattern.test(error.message),
        message,
      );

    test('a configured pair is used as given, whatever its names', async () => {
      const configured = await loadOrCreateCertificate({ certPath, keyPath, dir, names: ['not-in-it.example'] });
      assert.equal(configured.source, 'configured', 'source');
      assert.deepEqual(
        [configured.cert, configured.key, configured.certPath, configured.keyPath],
        [made.certPem, made.keyPem, certPath, keyPath],
        'files and paths as given',
      );
      assert.deepEqual(configured.names, NAMES.slice(0, 4).concat('192.0.2.7', '2001:db8::ffff:102:304'), 'names from its subjectAltName');
    });

    test('each mistake stops the lab with the variable and the file', async () => {
      const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await fails({ certPath }, new RegExp(`^TLS_CERT is set \\(${esc(certPath)}\\) but TLS_KEY is not`), 'only TLS_CERT');
      await fails({ keyPath }, new RegExp(`^TLS_KEY is set \\(${esc(keyPath)}\\) but TLS_CERT is not`), 'only TLS_KEY');
      const missing = path.join(root, 'missing.pem');
      await fails(
        { certPath: missing, keyPath },
        new RegExp(`^TLS_CERT names ${esc(missing)}, which cannot be read \\(no such file\\)`),
        'missing certificate',
      );
      await fails({ certPath, keyPath: missing }, new RegExp(`^TLS_KEY names ${esc(missing)}, which cannot be read`), 'missing key');
      await fails(
        { certPath: root, keyPath },
        new RegExp(`^TLS_CERT names ${esc(root)}, which cannot be read \\(EISDIR\\)`),
        'a folder, not a file',
      );
      await fails(
        { certPath: keyPath, keyPath },
        new RegExp(`^TLS_CERT names ${esc(keyPath)}, which holds no PEM certificate`),
        'a key where the certificate goes',
      );
      await fails(
        { certPath, keyPath: certPath },
        new RegExp(`^TLS_KEY names ${esc(certPath)}, which holds no PEM private key`),
        'a certificate where the key goes',
      );
      const otherKey = file('other-key.pem', (await createSelfSigned(['localhost'])).keyPem);
      await fails(
        { certPath, keyPath: otherKey },
        new RegExp(`^TLS_KEY names ${esc(otherKey)}, which is not the private key of the certificate in TLS_CERT \\(${esc(certPath)}\\)`),
        'a key that does not match',
      );
    });
  });
});
