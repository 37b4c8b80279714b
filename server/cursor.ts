/**
 * Query parameters shared by every transport: the resume cursor and the hold time.
 *
 * They are checked at the edge, before any header is sent, so bad input gets a
 * coded `400` and never a half-open stream.
 */
import { LabError } from './errors.ts';
import { MAX_SEQ } from './feed.ts';

/** A decimal integer written plainly: no sign, no exponent, no spaces. */
const DECIMAL = /^\d{1,16}$/;

/**
 * The cursor `since` (DESIGN.md): absent = only new events; otherwise an integer
 * from 0 to 2^53 - 1. A repeated parameter arrives as an array and is refused too.
 */
export function parseSince(raw: unknown, name = 'since'): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && DECIMAL.test(raw)) {
    const value = Number(raw);
    if (value <= MAX_SEQ) return value;
  }
  throw new LabError('bad_since', `\`${name}\` must be a whole number from 0 to ${MAX_SEQ} (the last seq you saw), got ${JSON.stringify(raw)}.`);
}

/**
 * A long poll's hold time: absent = the default; a whole number of ms, clamped
 * into [minMs, maxMs] so that no client can hold a request for an hour (or spin at 0).
 */
export function parseTimeoutMs(raw: unknown, defaultMs: number, minMs = 100, maxMs = 60_000): number {
  if (raw === undefined) return defaultMs;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw)) return Math.min(maxMs, Math.max(minMs, Number(raw)));
  throw new LabError('bad_timeout', `\`timeoutMs\` must be a whole number of milliseconds (clamped to ${minMs}-${maxMs}), got ${JSON.stringify(raw)}.`);
}
