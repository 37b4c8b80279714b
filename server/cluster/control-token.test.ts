/**
 * The control token's own contract: 43 URL-safe characters, different each run;
 * taken only as `Bearer <token>` exactly (the scheme in any case, spaces around
 * it), never as a prefix, a longer string, another scheme or an empty token.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { carriesToken, mintControlToken } from './control-token.ts';

test('a minted token is 43 characters of base64url, and no two runs share one', () => {
  const tokens = Array.from({ length: 50 }, mintControlToken);
  for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(new Set(tokens).size, tokens.length);
});

test('the token is carried as Bearer, the scheme in any case, with spaces after it and around the token', () => {
  const token = mintControlToken();
  for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer   ${token}`, `Bearer ${token}  `]) {
    assert.equal(carriesToken(header, token), true, JSON.stringify(header));
  }
});

test('anything else is refused: no header, another scheme, another token, its prefix, more after it, an empty token', () => {
  const token = mintControlToken();
  const refused = [
    undefined,
    '',
    token,
    `Basic ${token}`,
    `Bearer${token}`,
    `Bearer ${token.slice(0, -1)}`,
    `Bearer ${token}x`,
    `Bearer ${token} extra`,
    `Bearer ${mintControlToken()}`,
    ` Bearer ${token}`,
  ];
  for (const header of refused) assert.equal(carriesToken(header, token), false, JSON.stringify(header));
  assert.equal(carriesToken('Bearer ', ''), false, 'an empty token opens nothing');
  assert.equal(carriesToken(undefined, ''), false, 'not even with no header');
});
