/**
 * The control token: a secret the launcher makes for each run, without which the
 * control server changes nothing (kill, restart).
 *
 * The Origin check (origin.ts) keeps pages of other sites out, but a request with
 * no Origin at all comes from a program, and on a machine a class shares any local
 * user's program can reach 127.0.0.1. Only whoever sees the launcher's output (or
 * the page it opened) holds the token. It travels as `Authorization: Bearer <token>`;
 * the launcher prints it in the /cluster/ page's address after `#`, the fragment,
 * which a browser never sends to a server, so no access log ever holds it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters of [A-Za-z0-9_-], safe in a URL fragment and a header. */
export function mintControlToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether an Authorization header carries `token`. Both sides are hashed first so
 * that the comparison takes the same time whatever was sent, its length included:
 * timingSafeEqual alone needs equal lengths, and an early return on a length
 * mismatch would tell a prober the token's length.
 */
export function carriesToken(authorization: string | undefined, token: string): boolean {
  const sent = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(token)) && sent.length > 0;
}
