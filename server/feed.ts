/**
 * The Feed: the one ordered stream of events every transport serves.
 *
 * The feed owns truth (order, buffering, resume, gaps); a transport only frames
 * events into bytes. Each event is serialised to JSON once, here, so that fanning
 * one event out to thousands of clients does not stringify it thousands of times.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

export interface FeedEvent<D = unknown> {
  seq: number;
  epoch: string;
  type: string;
  /** Publish time in ms since 1970, sub-millisecond, so latency can be measured on one machine. */
  at: number;
  data: D;
}

/** An event and its JSON, the form transports frame. */
export interface Entry {
  event: FeedEvent;
  json: string;
  /** UTF-8 length of `json`: the payload bytes every transport accounts. */
  bytes: number;
  /** This event as each wire writes it (text, or a whole frame), made by the first client that needs it (encodeOnce). */
  encodings?: Map<string, string | Buffer>;
}

/**
 * An event's bytes on one wire, encoded once however many clients receive it.
 *
 * A broadcast to thousands of streams would otherwise split, escape and concatenate
 * the same JSON thousands of times: the bare reference servers of the bench encode
 * once per event, and so must the lab if it is to be compared with them. The cache
 * lives on the entry, so it goes when the feed's ring lets the event go.
 */
export function encodeOnce<Encoded extends string | Buffer>(entry: Entry, wire: string, encode: (entry: Entry) => Encoded): Encoded {
  const encodings = (entry.encodings ??= new Map());
  let encoded = encodings.get(wire) as Encoded | undefined;
  if (encoded === undefined) {
    encoded = encode(entry);
    encodings.set(wire, encoded);
  }
  return encoded;
}

function entryOf(event: FeedEvent): Entry {
  const json = JSON.stringify(event);
  return { event, json, bytes: Buffer.byteLength(json) };
}

/**
 * Whatever follows the feed: each new event is handed to `deliver`. An object
 * rather than a callback, so that a stream follows as itself and no closure is
 * made per connection (thousands stay open).
 */
export interface Follower {
  deliver(entry: Entry): void;
}

/** The largest `since` the lab accepts: the largest integer a double holds exactly. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Milliseconds since 1970 with the sub-millisecond part of the monotonic clock. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export class Feed {
  /** Names this run of the feed: a client remembering another epoch starts over. */
  epoch: string;
  private readonly ring: (Entry | undefined)[];
  private head = 0; // index where the next entry goes
  private count = 0;
  private seq = 0;
  private readonly subscribers = new Set<Follower>();

  constructor(
    readonly bufferSize = 1000,
    epoch = randomBytes(4).toString('hex'),
  ) {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new RangeError('bufferSize must be a positive integer');
    this.epoch = epoch;
    this.ring = new Array(bufferSize);
  }

  /** The seq of the newest event, 0 before the first. */
  get lastSeq(): number {
    return this.seq;
  }

  /** The oldest seq still kept, or lastSeq + 1 when nothing is kept. */
  get firstKeptSeq(): number {
    return this.seq - this.count + 1;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Appends an event and hands it to every subscriber, in order. */
  publish<D>(type: string, data: D): FeedEvent<D> {
    const event: FeedEvent<D> = { seq: this.seq + 1, epoch: this.epoch, type, at: preciseNow(), data };
    this.add(entryOf(event));
    return event;
  }

  /**
   * Takes an event another process published (a feed kept in Redis, redis/feed.ts),
   * as `json` exactly as it was written there. This feed is then that feed's mirror:
   * - an event of another epoch starts a new run: nothing kept, seq from the event on;
   * - an event already held is ignored;
   * - an event past the next seq means some were never seen here (the shared log let
   *   them go before this process read them): nothing before it is kept, so a client
   *   that asks for them gets a `gap`, and the streams already following get that
   *   `gap` first, as the contract promises: loss is never silent.
   */
  mirror(json: string): void {
    const event = JSON.parse(json) as FeedEvent;
    if (event.epoch !== this.epoch) this.restart(event.epoch, event.seq - 1);
    else if (event.seq <= this.seq) return;
    else if (event.seq > this.seq + 1) {
      const missed = this.gap(this.seq + 1, event.seq - 1);
      this.restart(this.epoch, event.seq - 1);
      for (const follower of this.subscribers) follower.deliver(missed);
    }
    this.add({ event, json, bytes: Buffer.byteLength(json) });
  }

  /** Forgets every event kept and carries on as `epoch`, after seq `lastSeq` (followers stay). */
  restart(epoch: string, lastSeq = 0): void {
    this.epoch = epoch;
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.seq = lastSeq;
  }

  private add(entry: Entry): void {
    this.seq = entry.event.seq;
    this.ring[this.head] = entry;
    this.head = (this.head + 1) % this.bufferSize;
    if (this.count < this.bufferSize) this.count++;
    for (const follower of this.subscribers) follower.deliver(entry);
  }

  /**
   * What a client holding cursor `since` has missed, oldest first.
   *
   * `undefined` means "only new events" and yields nothing. A cursor above lastSeq
   * comes from another run of the server and is served as "from now", so the
   * client sees the new epoch in the next event. A cursor older than the buffer
   * yields one `gap` event first: loss is never silent.
   */
  read(since: number | undefined): Entry[] {
    // Transports parse the cursor (cursor.ts); a bad one here is the lab's own bug.
    if (since !== undefined && !(Number.isSafeInteger(since) && since >= 0))
      throw new RangeError(`since must be a whole number >= 0, got ${since}`);
    if (since === undefined || since >= this.seq) return [];
    const out: Entry[] = [];
    const first = this.firstKeptSeq;
    if (since + 1 < first) {
      out.push(this.gap(since + 1, first - 1));
      since = first - 1;
    }
    for (let seq = since + 1; seq <= this.seq; seq++) out.push(this.entryAt(seq));
    return out;
  }

  /**
   * Replays what `since` missed, then delivers every new event to `follower`.
   * Both happen in one synchronous step, so nothing published in between is lost.
   * Every follow has its `unfollow`.
   */
  follow(since: number | undefined, follower: Follower): void {
    for (const entry of this.read(since)) follower.deliver(entry);
    this.subscribers.add(follower);
  }

  /** Stops delivering to `follower`; safe to call twice, and during a replay or a publish. */
  unfollow(follower: Follower): void {
    this.subscribers.delete(follower);
  }

  private entryAt(seq: number): Entry {
    const index = (this.head - (this.seq - seq) - 1 + this.bufferSize) % this.bufferSize;
    return this.ring[index]!;
  }

  /** The gap signal: seq is the last missing seq, so resuming from it skips nothing twice. */
  private gap(from: number, to: number): Entry {
    return entryOf({ seq: to, epoch: this.epoch, type: 'gap', at: preciseNow(), data: { from, to } });
  }
}
