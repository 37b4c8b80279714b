/**
 * The lab's TLS certificate: the one TLS_CERT and TLS_KEY name, or one it makes for itself.
 *
 * With none configured the lab signs its own, for every name it is reached by, and keeps
 * it on disk: a browser asked once to accept it then goes on accepting it, which a new
 * certificate at every start would undo. @peculiar/x509 writes it (no `openssl` on the
 * path); describeCertificate prints what it holds.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it, loaded before the library
import { createHash, createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { tlsPair } from '../config.ts';
import { ConfigError } from '../setting-parsers.ts';

// WebCrypto for the library: Node's own (globalThis.crypto is the same object from Node 19 on).
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const DAY_MS = 24 * 60 * 60 * 1000;
// macOS and iOS refuse a TLS server certificate valid for more than 825 days, even one
// the user trusts by hand (https://support.apple.com/en-us/HT210176). With notBefore a
// day back, 820 days ahead keeps the whole span under that.
const DEFAULT_DAYS = 820;

/**
 * Makes a self-signed certificate for `names` (host names and IP addresses) and its ECDSA P-256 key,
 * with @peculiar/x509 (the fields of RFC 5280, 4.1, over WebCrypto): what it holds is printed by
 * `describeCertificate` below, and by `openssl x509 -text -noout -in .wirelab/tls/cert.pem`.
 *
 * Browsers match only the subjectAltName (Chromium ignores the CN), so every name goes there.
 */
export async function createSelfSigned(
  names: string[],
  options: { days?: number; now?: Date } = {},
): Promise<{ certPem: string; keyPem: string }> {
  const { days = DEFAULT_DAYS, now = new Date() } = options;
  if (names.length === 0) throw new RangeError('a certificate needs at least one name');
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number from 1, got ${days}`);
  const altNames = names.map((name): x509.JsonGeneralName => {
    // IPv6 in the URL parser's spelling (hex groups only): @peculiar/x509 2.2 writes `::ffff:1.2.3.4` wrong.
    if (isIP(name) === 6) return { type: 'ip', value: new URL(`http://[${name}]/`).hostname.slice(1, -1) };
    if (isIP(name)) return { type: 'ip', value: name };
    if (!/^[\x21-\x7e]+$/.test(name)) throw new RangeError(`${JSON.stringify(name)} is not an ASCII host name`);
    return { type: 'dns', value: name };
  });
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  // A positive serial of 16 random bytes: clearing the top bit keeps it positive, setting the next keeps it 16 bytes and non-zero.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: 'O=Wirelab, CN=Wirelab local certificate',
    // A day back for clock skew; to the second, as X.509 writes times.
    notBefore: new Date(Math.floor((now.getTime() - DAY_MS) / 1000) * 1000),
    notAfter: new Date(Math.floor((now.getTime() + days * DAY_MS) / 1000) * 1000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false), // no CA
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(altNames),
      // SHA-1 of the public key's bits, as RFC 5280 4.2.1.2 (1) suggests: an identifier, not a signature.
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { certPem: certificate.toString('pem'), keyPem };
}

/** What a certificate holds, a field a line, as a lesson or `npm start` shows it (Node's own X.509 parser reads it). */
export function describeCertificate(certPem: string): string {
  const c = new X509Certificate(certPem);
  const key = c.publicKey.asymmetricKeyDetails;
  const keyText = [c.publicKey.asymmetricKeyType, key?.namedCurve, key?.modulusLength && `${key.modulusLength} bits`];
  return [
    `subject:        ${c.subject.replace(/\n/g, ', ')}`,
    `issuer:         ${c.issuer.replace(/\n/g, ', ')}${c.issuer === c.subject ? ' (itself: self-signed)' : ''}`,
    `serial:         ${c.serialNumber}`,
    `valid:          ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()}`,
    `key:            ${keyText.filter(Boolean).join(' ')}`,
    `subjectAltName: ${c.subjectAltName ?? '(none)'}`,
    `extKeyUsage:    ${(c.keyUsage ?? []).join(', ') || '(any)'}${c.ca ? '; a CA' : '; not a CA'}`,
    `sha-256:        ${c.fingerprint256}`,
  ].join('\n');
}

const spkiHash = (x509: X509Certificate) =>
  createHash('sha256')
    .update(x509.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');

/** The base64 SHA-256 of the certificate's SubjectPublicKeyInfo, as Chromium's `--ignore-certificate-errors-spki-list` takes it. */
export function spkiSha256(certPem: string): string {
  return spkiHash(new X509Certificate(certPem));
}

/**
 * The names a lab listening on `host` is reached by: loopback, the machine's name
 * and every outside address, and `host` itself unless it is a wildcard. The same
 * set whether the lab listens on 127.0.0.1 or 0.0.0.0, so that switching HOST does
 * not make a new certificate that every browser must accept again.
 */
export function labCertificateNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', os.hostname()];
  for (const address of Object.values(os.networkInterfaces()).flat()) {
    // A link-local IPv6 address needs a zone (%eth0), which no browser takes in a URL.
    if (address && !address.internal && !/^fe80:/i.test(address.address)) names.push(address.address);
  }
  if (host !== '0.0.0.0' && host !== '::') names.push(host);
  return [...new Set(names.filter(Boolean).map((name) => (isIP(name) ? name : name.toLowerCase())))];
}

/** The certificate the lab listens with, where it came from, and what a user needs to trust it. */
export interface LabCertificate {
  cert: string;
  key: string;
  /** TLS_CERT and TLS_KEY, made at this start, or kept from an earlier one. */
  source: 'configured' | 'created' | 'kept';
  certPath: string;
  keyPath: string;
  /** The DNS names and IP addresses in the certificate's subjectAltName. */
  names: string[];
  notAfter: Date;
  /** SHA-256 of the whole certificate, colon-separated hex, as a browser shows it. */
  fingerprint256: string;
  spkiSha256: string;
}

/** The DNS names and IP addresses a certificate's subjectAltName lists. */
function altNames(x509: X509Certificate): string[] {
  return (x509.subjectAltName ?? '').split(', ').flatMap((entry) => {
    if (entry.startsWith('DNS:')) return [entry.slice('DNS:'.length)];
    if (!entry.startsWith('IP Address:')) return [];
    const ip = entry.slice('IP Address:'.length);
    // Node prints IPv6 in full (0:0:0:0:0:0:0:1); the URL parser gives the short form back (::1).
    return [isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip];
  });
}

/** Everything `LabCertificate` says, read from the certificate itself. */
function toLabCertificate(
  cert: string,
  key: string,
  x509: X509Certificate,
  source: LabCertificate['source'],
  certPath: string,
  keyPath: string,
): LabCertificate {
  return {
    cert,
    key,
    source,
    certPath,
    keyPath,
    names: altNames(x509),
    notAfter: new Date(x509.validTo),
    fingerprint256: x509.fingerprint256,
    spkiSha256: spkiHash(x509),
  };
}

/** Runs `step`; a failure stops the lab with the ConfigError that `explain` words for it. */
function orStop<T>(step: () => T, explain: (error: NodeJS.ErrnoException) => string): T {
  try {
    return step();
  } catch (error) {
    throw new ConfigError(explain(error as NodeJS.ErrnoException));
  }
}

/** The certificate and key the user configured, checked so that a mistake stops the lab before it listens. */
function configured({ certPath, keyPath }: { certPath: string; keyPath: string }): LabCertificate {
  const read = (env: string, file: string, what: string) =>
    orStop(
      () => fs.readFileSync(file, 'utf8'),
      ({ code }) =>
        `${env} names ${file}, which cannot be read (${code === 'ENOENT' ? 'no such file' : code}): set ${env} to the path of ${what}`,
    );
  const cert = read('TLS_CERT', certPath, 'a PEM certificate file');
  const key = read('TLS_KEY', keyPath, 'a PEM private key file');
  const x509 = orStop(
    () => new X509Certificate(cert),
    () => `TLS_CERT names ${certPath}, which holds no PEM certificate: set TLS_CERT to a file that starts with -----BEGIN CERTIFICATE-----`,
  );
  const privateKey = orStop(
    () => createPrivateKey(key),
    () => `TLS_KEY names ${keyPath}, which holds no PEM private key the lab can read: set TLS_KEY to an unencrypted PEM private key file`,
  );
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ConfigError(
      `TLS_KEY names ${keyPath}, which is not the private key of the certificate in TLS_CERT (${certPath}): ` +
        'set TLS_KEY to the key that certificate was made for',
    );
  }
  return toLabCertificate(cert, key, x509, 'configured', certPath, keyPath);
}

/** The pair the lab wrote at an earlier start, if it still parses and matches; anything else means "make a new one". */
function readOwn(certPath: string, keyPath: string): { cert: string; key: string; x509: X509Certificate } | undefined {
  try {
    const cert = fs.readFileSync(certPath, 'utf8');
    const key = fs.readFileSync(keyPath, 'utf8');
    const x509 = new X509Certificate(cert);
    return x509.checkPrivateKey(createPrivateKey(key)) ? { cert, key, x509 } : undefined;
  } catch {
    return undefined; // missing, torn or foreign: ignored on purpose, a new pair replaces it
  }
}

/** Writes `text` through a temporary file and a rename, so a reader never sees half a file; `mode` holds even over an old file. */
function writeWhole(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.renameSync(temporary, file);
}

/**
 * The certificate to listen with: the configured pair when `certPath` or `keyPath` is given,
 * else `dir/cert.pem` and `dir/key.pem` when they cover `names` for at least one more day,
 * else a new self-signed pair, written there.
 */
export async function loadOrCreateCertificate(options: {
  certPath?: string;
  keyPath?: string;
  dir: string;
  names: string[];
  now?: Date;
}): Promise<LabCertificate> {
  const { certPath, keyPath, dir, names, now = new Date() } = options;
  const pair = tlsPair(certPath, keyPath);
  if (pair) return configured(pair);
  const ownCert = path.join(dir, 'cert.pem');
  const ownKey = path.join(dir, 'key.pem');
  const kept = readOwn(ownCert, ownKey);
  if (kept) {
    const { x509 } = kept;
    // subject 'never': match the subjectAltName only, as Chromium does.
    const covers = names.every((name) => (isIP(name) ? x509.checkIP(name) : x509.checkHost(name, { subject: 'never' })) !== undefined);
    const valid = Date.parse(x509.validFrom) <= now.getTime() && Date.parse(x509.validTo) - now.getTime() >= DAY_MS;
    if (covers && valid) return toLabCertificate(kept.cert, kept.key, x509, 'kept', ownCert, ownKey);
  }
  const { certPem, keyPem } = await createSelfSigned(names, { now });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeWhole(ownKey, keyPem, 0o600);
  writeWhole(ownCert, certPem, 0o644);
  return toLabCertificate(certPem, keyPem, new X509Certificate(certPem), 'created', ownCert, ownKey);
}
