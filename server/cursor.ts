/**
 * Query parameters shared by every transport: the resume cursor and the hold time.
 *
 * They are checked at the edge, before any header is sent, so bad input gets a
 * coded `400` and never a half-open stream.
 */
import { LabError } from './errors.ts';
import { MAX_SEQ } from './feed.ts';
import { isClientId } from './wiretap.ts';

/** A decimal integer written plainly: no sign, no exponent, no spaces. */
const DECIMAL = /^\d{1,16}$/;

/**
 * The cursor `since` (the contract in README.md): absent = only new events; otherwise an integer
 * from 0 to 2^53 - 1. A repeated parameter arrives as an array and is refused too.
 */
export function parseSince(raw: unknown, name = 'since'): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && DECIMAL.test(raw)) {
    const value = Number(raw);
    if (value <= MAX_SEQ) return value;
  }
  throw new LabError(
    'bad_since',
    `\`${name}\` must be a whole number from 0 to ${MAX_SEQ} (the last seq you saw), got ${JSON.stringify(raw)}.`,
  );
}

/**
 * A long poll's hold time: absent = the default; a whole number of ms, clamped
 * into [minMs, maxMs] so that no client can hold a request for an hour (or spin at 0).
 */
export function parseTimeoutMs(raw: unknown, defaultMs: number, minMs = 100, maxMs = 60_000): number {
  if (raw === undefined) return defaultMs;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw)) return Math.min(maxMs, Math.max(minMs, Number(raw)));
  throw new LabError(
    'bad_timeout',
    `\`timeoutMs\` must be a whole number of milliseconds (clamped to ${minMs}-${maxMs}), got ${JSON.stringify(raw)}.`,
  );
}

/**
 * `types=chat,gap`: only these event types (a chat-only view, or the quiet stream
 * the heartbeats lesson needs). `gap` always passes: loss is never silent.
 */
export function parseTypes(raw: unknown): ((type: string) => boolean) | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && /^[a-z][a-z-]{0,31}(,[a-z][a-z-]{0,31}){0,7}$/.test(raw)) {
    const types = new Set(raw.split(','));
    return (type) => type === 'gap' || types.has(type);
  }
  throw new LabError(
    'bad_types',
    `\`types\` must be a comma-separated list of event types such as chat or tick,chat, got ${JSON.stringify(raw)}.`,
  );
}

/**
 * `heartbeatMs`: this connection's heartbeat interval, 0 for none (the heartbeats
 * lesson shows what an idle-killing proxy does to a stream without one).
 */
export function parseHeartbeatMs(raw: unknown, defaultMs: number): number {
  if (raw === undefined) return defaultMs;
  if (typeof raw === 'string' && /^\d{1,9}$/.test(raw)) {
    const value = Number(raw);
    if (value === 0 || (value >= 100 && value <= 3_600_000)) return value;
  }
  throw new LabError(
    'bad_heartbeat',
    `\`heartbeatMs\` must be 0 (none) or a whole number of milliseconds from 100 to 3600000, got ${JSON.stringify(raw)}.`,
  );
}

/** What a client asks of the feed: where to resume, which types, how often to hear a heartbeat. */
export interface FollowOptions {
  since: number | undefined;
  accept?: (type: string) => boolean;
  heartbeatMs: number;
  /** The page's id for its wiretap (wiretap.ts); absent for most clients. */
  client?: string;
}

/** Reads `since`, `types` and `heartbeatMs` from a transport's query string. */
export function parseFollow(query: Record<string, unknown>, defaultHeartbeatMs: number): FollowOptions {
  return {
    since: parseSince(query.since),
    accept: parseTypes(query.types),
    heartbeatMs: parseHeartbeatMs(query.heartbeatMs, defaultHeartbeatMs),
    client: parseClient(query.client),
  };
}

/** `client`: the id a page taps its own connections by. */
export function parseClient(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (isClientId(raw)) return raw;
  throw new LabError('bad_client', `\`client\` must be 1-40 letters, digits, _ or -, got ${JSON.stringify(raw)}.`);
}
