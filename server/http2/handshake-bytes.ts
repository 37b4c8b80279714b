/**
 * How many bytes the client's side of a TLS handshake took: its records from the
 * ClientHello to its Finished, by record type.
 *
 * The lab's TLS sockets read TCP natively, below JavaScript: it learns that a
 * handshake finished ('secure') after OpenSSL read the chunk that carried the
 * client's Finished, and a client sends its first application records right
 * behind its Finished (an HTTP/2 preface and request, an HTTP/1.1 request): a
 * count taken then holds them too. So the client's TLS 1.3 handshake is counted
 * by its records, each of a size the protocol fixes:
 *
 * - the ClientHello, whose length its first record header gives (the first bytes
 *   the lab reads, before TLS takes the socket), in records of at most 16 KiB;
 * - a change_cipher_spec record (6 B) in middlebox compatibility mode, which a
 *   client announces with a non-empty legacy session id (RFC 8446 appendix D.4);
 * - the Finished: a 4 B handshake header and the verify data (the transcript
 *   hash's length), one byte of inner content type and the AEAD tag, behind a
 *   5 B record header.
 *
 * Outside what this covers (TLS 1.2, a HelloRetryRequest, early data, client
 * certificates, a ClientHello not whole in the first read), the count taken at
 * 'secure' stands: in TLS 1.2 a client sends nothing of its own before the
 * server's Finished, which comes after the count.
 */
import type { TLSSocket } from 'node:tls';

const RECORD_HEADER_BYTES = 5;
const MAX_RECORD_PAYLOAD = 16 * 1024;
const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const CHANGE_CIPHER_SPEC_RECORD_BYTES = 6;
/** Offset of legacy_session_id's length: record header, handshake header, version (2), random (32). */
const SESSION_ID_LENGTH_AT = RECORD_HEADER_BYTES + 4 + 2 + 32;

/** What the ClientHello says about the client's handshake bytes. */
export interface ClientHelloFacts {
  /** The ClientHello's records, headers included. */
  helloBytes: number;
  /** A non-empty legacy session id: the client sends change_cipher_spec before its Finished. */
  compatibilityMode: boolean;
}

/** Reads `first`, the first bytes of a connection; undefined unless it starts with a whole ClientHello. */
export function clientHelloFacts(first: Uint8Array): ClientHelloFacts | undefined {
  if (first.length <= SESSION_ID_LENGTH_AT || first[0] !== HANDSHAKE_RECORD || first[5] !== CLIENT_HELLO) return undefined;
  const message = 4 + ((first[6] << 16) | (first[7] << 8) | first[8]);
  const helloBytes = message + RECORD_HEADER_BYTES * Math.ceil(message / MAX_RECORD_PAYLOAD);
  if (helloBytes > first.length) return undefined;
  return { helloBytes, compatibilityMode: first[SESSION_ID_LENGTH_AT] > 0 };
}

/** The AEAD tag of a TLS 1.3 cipher suite: 8 B for the CCM_8 suites, 16 B for the others. */
const tagBytes = (suite: string) => (suite.endsWith('CCM_8_SHA256') ? 8 : 16);

/**
 * The client's handshake bytes on `secure`, once it is secure; undefined where
 * the records cannot be known from here (see above), and the caller counts as before.
 */
export function clientHandshakeBytes(facts: ClientHelloFacts | undefined, secure: TLSSocket): number | undefined {
  if (!facts || secure.getProtocol() !== 'TLSv1.3') return undefined;
  const verifyData = secure.getPeerFinished();
  const suite = secure.getCipher()?.standardName;
  if (!verifyData || !suite) return undefined;
  const finished = RECORD_HEADER_BYTES + 4 + verifyData.length + 1 + tagBytes(suite);
  return facts.helloBytes + (facts.compatibilityMode ? CHANGE_CIPHER_SPEC_RECORD_BYTES : 0) + finished;
}
