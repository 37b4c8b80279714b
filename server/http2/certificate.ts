/**
 * The lab's TLS certificate: the one TLS_CERT and TLS_KEY name, or one it makes for itself.
 *
 * With none configured the lab signs its own, for every name it is reached by, and keeps
 * it on disk: a browser asked once to accept it then goes on accepting it, which a new
 * certificate at every start would undo. The certificate is written here in DER by hand,
 * with node:crypto only for the key and the signature: no npm package, no `openssl` on
 * the path, and every field of an X.509 certificate (RFC 5280, 4.1) is readable below.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, tlsPair } from '../config.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
// macOS and iOS refuse a TLS server certificate valid for more than 825 days, even one
// the user trusts by hand (https://support.apple.com/en-us/HT210176). With notBefore a
// day back, 820 days ahead keeps the whole span under that.
const DEFAULT_DAYS = 820;

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

// ---- A DER writer: every element is a tag, a length, then its contents (X.690, 8.1) ----

/** Encodes one DER element; a length from 128 up says first how many length bytes follow. */
function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length: number[] = [];
  for (let n = body.length; n > 0; n = Math.floor(n / 256)) length.unshift(n & 0xff);
  const head = body.length < 0x80 ? [body.length] : [0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from([tag, ...head]), body]);
}

const sequence = (...items: Buffer[]) => der(0x30, ...items);
const set = (...items: Buffer[]) => der(0x31, ...items);
/** `[n] EXPLICIT`: a constructed context tag wrapped around a whole element. */
const explicit = (n: number, item: Buffer) => der(0xa0 | n, item);
const octetString = (bytes: Buffer) => der(0x04, bytes);
/** A BIT STRING's first content byte counts the unused bits at the end of the last byte. */
const bitString = (bytes: Buffer, unusedBits = 0) => der(0x03, Buffer.from([unusedBits]), bytes);
const utf8String = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const boolean = (value: boolean) => der(0x01, Buffer.from([value ? 0xff : 0x00]));

/** A positive big-endian number (no leading zero byte) as an INTEGER: a 0x00 goes in front when the top bit would read as a minus sign. */
const integer = (bytes: Buffer) => der(0x02, Buffer.from(bytes[0] & 0x80 ? [0] : []), bytes);

/** An OBJECT IDENTIFIER: the first two arcs share one byte, each later arc is base 128 with the top bit meaning "more". */
function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

/** A time to the second in UTC: UTCTime (two-digit year) for 1950-2049, GeneralizedTime otherwise, as RFC 5280 4.1.2.5 requires. */
function time(date: Date): Buffer {
  const digits = date.toISOString().replace(/\.\d+/, '').replace(/[-:T]/g, ''); // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? der(0x17, Buffer.from(digits.slice(2))) : der(0x18, Buffer.from(digits));
}

/** The 4 or 16 bytes of an IP address; IPv6 may shorten zeros with `::` and end in dotted IPv4. */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const v4 = /\d+\.\d+\.\d+\.\d+$/.exec(ip)?.[0]; // ::ffff:1.2.3.4: the last two groups, written as IPv4
  const hex = v4 ? ip.replace(v4, ipBytes(v4).toString('hex').replace(/^(.{4})/, '$1:')) : ip;
  const [head, tail] = hex.split('::').map((part) => (part ? part.split(':') : []));
  const groups = tail ? [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  return Buffer.from(groups.map((group) => group.padStart(4, '0')).join(''), 'hex');
}

/** One subjectAltName entry: `[2] dNSName` (ASCII) or `[7] iPAddress`, implicit tags over the bare bytes (RFC 5280 4.2.1.6). */
function generalName(name: string): Buffer {
  if (isIP(name)) return der(0x87, ipBytes(name));
  if (!/^[\x21-\x7e]+$/.test(name)) throw new RangeError(`${JSON.stringify(name)} is not an ASCII host name`);
  return der(0x82, Buffer.from(name, 'ascii'));
}

/** One extension; DER leaves out a value equal to its DEFAULT, so only a critical one carries the flag. */
function extension(id: string, value: Buffer, critical = false): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** Base64 in lines of 64 between BEGIN and END, as RFC 7468 writes it. */
function pem(label: string, bytes: Buffer): string {
  return `-----BEGIN ${label}-----\n${bytes.toString('base64').replace(/.{64}(?!$)/g, '$&\n')}\n-----END ${label}-----\n`;
}

/**
 * Makes a self-signed certificate for `names` (host names and IP addresses) and its ECDSA P-256 key.
 *
 * Browsers match only the subjectAltName (Chromium ignores the CN), so every name goes there.
 */
export function createSelfSigned(names: string[], options: { days?: number; now?: Date } = {}): { certPem: string; keyPem: string } {
  const { days = DEFAULT_DAYS, now = new Date() } = options;
  if (names.length === 0) throw new RangeError('a certificate needs at least one name');
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a whole number from 1, got ${days}`);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // A positive serial of 16 random bytes: clearing the top bit keeps it positive, setting the next keeps it 16 bytes and non-zero.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  const name = sequence(
    set(sequence(oid(OID.organization), utf8String('Wirelab'))),
    set(sequence(oid(OID.commonName), utf8String('Wirelab local certificate'))),
  );
  // ECDSA's AlgorithmIdentifier has no parameters at all, not even NULL (RFC 5758 3.2).
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // version: 2 means v3, the one with extensions
    integer(serial),
    algorithm,
    name, // issuer: self-signed, so the subject itself
    sequence(time(new Date(now.getTime() - DAY_MS)), time(new Date(now.getTime() + days * DAY_MS))), // a day back for clock skew
    name,
    spki,
    explicit(3, sequence(
      extension(OID.basicConstraints, sequence()), // cA is FALSE by default, so DER leaves it out
      extension(OID.keyUsage, bitString(Buffer.from([0x80]), 7), true), // digitalSignature is bit 0
      extension(OID.extKeyUsage, sequence(oid(OID.serverAuth))),
      extension(OID.subjectAltName, sequence(...names.map(generalName))),
      // SHA-1 of the public key's bits, as RFC 5280 4.2.1.2 (1) suggests: an identifier, not
      // a signature. The key's bits are the uncompressed P-256 point, the SPKI's last 65 bytes.
      extension(OID.subjectKeyIdentifier, octetString(createHash('sha1').update(spki.subarray(-65)).digest())),
    )),
  );
  // crypto.sign with an EC key gives the DER ECDSA-Sig-Value that X.509 expects.
  const certificate = sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
  return { certPem: pem('CERTIFICATE', certificate), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

const spkiHash = (x509: X509Certificate) => createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

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
function toLabCertificate(cert: string, key: string, x509: X509Certificate, source: LabCertificate['source'], certPath: string, keyPath: string): LabCertificate {
  return { cert, key, source, certPath, keyPath, names: altNames(x509), notAfter: new Date(x509.validTo), fingerprint256: x509.fingerprint256, spkiSha256: spkiHash(x509) };
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
  const read = (env: string, file: string, what: string) => orStop(() => fs.readFileSync(file, 'utf8'), ({ code }) =>
    `${env} names ${file}, which cannot be read (${code === 'ENOENT' ? 'no such file' : code}): set ${env} to the path of ${what}`);
  const cert = read('TLS_CERT', certPath, 'a PEM certificate file');
  const key = read('TLS_KEY', keyPath, 'a PEM private key file');
  const x509 = orStop(() => new X509Certificate(cert), () =>
    `TLS_CERT names ${certPath}, which holds no PEM certificate: set TLS_CERT to a file that starts with -----BEGIN CERTIFICATE-----`);
  const privateKey = orStop(() => createPrivateKey(key), () =>
    `TLS_KEY names ${keyPath}, which holds no PEM private key the lab can read: set TLS_KEY to an unencrypted PEM private key file`);
  if (!x509.checkPrivateKey(privateKey)) {
    throw new ConfigError(`TLS_KEY names ${keyPath}, which is not the private key of the certificate in TLS_CERT (${certPath}): set TLS_KEY to the key that certificate was made for`);
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
export function loadOrCreateCertificate(options: { certPath?: string; keyPath?: string; dir: string; names: string[]; now?: Date }): LabCertificate {
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
  const { certPem, keyPem } = createSelfSigned(names, { now });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeWhole(ownKey, keyPem, 0o600);
  writeWhole(ownCert, certPem, 0o644);
  return toLabCertificate(certPem, keyPem, new X509Certificate(certPem), 'created', ownCert, ownKey);
}
