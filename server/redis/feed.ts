/**
 * The feed kept in Redis, shared by every lab process of a cluster.
 *
 * One global log, not pub/sub: pub/sub forgets whatever is published while a
 * subscriber reconnects, and a student's event must never be lost that way. So:
 * - publishing runs one Lua script, atomically: take the next `seq` (INCR), and
 *   XADD the event's JSON to a stream whose entry id is that seq, trimmed to about
 *   BUFFER_SIZE entries (the ring); the script also creates the epoch when Redis
 *   has none (a fresh or restarted Redis starts a new run of the feed);
 * - every process follows the stream with a blocking XREAD from the last id it
 *   holds, and mirrors it into its own Feed (feed.ts `mirror`), which the
 *   transports serve from memory. Every process sees the same events in the same
 *   order, so a client can resume on any of them with its `since`;
 * - a client that resumes on a process whose mirror is a few milliseconds behind
 *   its cursor waits until the mirror has caught up (`catchUp`);
 * - if Redis goes away, publishing fails (503) and this process stops taking new
 *   requests rather than serve stale events; the streams it holds stay open, and
 *   the reader resumes from the id it had when Redis comes back: they catch up with
 *   nothing lost. If Redis came back empty, the next event has another epoch and
 *   every client starts over, as after a lab restart.
 *
 * Keys (all under `prefix`): `seq` (the counter), `epoch`, `log` (the stream),
 * `ticker` (which process ticks).
 *
 * Foreign entries. The log holds the lab's events only, each with the id
 * `<seq>-1`. Anyone with Redis's password can XADD to it too (a student trying
 * redis-cli, say `XADD wirelab:log * hello world`, whose id is the clock, far ahead
 * of the seq). A stream only takes ids above its last one, so from then on every
 * publish would fail, the whole cluster silent. The rule: an entry whose id is
 * above the lab's own last id is not the lab's; whoever meets it first (a publish
 * whose XADD is refused, or a reader that finds it at the end of the log) removes
 * every such entry and sets the stream's last id back to the lab's (EVICT_FOREIGN).
 * The seq goes on from where it was, so honest clients see no jump, no gap and no
 * epoch change: they lose nothing. A foreign entry that sits below the lab's last
 * id (slipped between two of its events, such as `<seq>-5`) stops nothing and is
 * left where it is. Either kind is never mirrored (a reader mirrors only entries
 * `<n>-1` whose event says seq n), and each is reported: a line on the process's
 * output and `foreign` in /stats `feed`. What no reader can tell apart is an entry
 * forged in the lab's own shape; the publisher still removes and reports it
 * when its XADD meets it, but readers may already have delivered it.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Feed, type FeedEvent, preciseNow } from '../feed.ts';
import { type FeedSource, priceWalk } from '../feed-store.ts';

/** How many of the foreign ids removed at once are named in the report. */
const FOREIGN_IDS_SHOWN = 5;

/**
 * Lua shared by the two scripts below: removes every entry of the log above `top`
 * (the lab's own last id) and sets the stream's last id back to `top`, so that the
 * lab's next `<seq>-1` is taken again. Returns how many it removed and the first few ids.
 */
const EVICT_ABOVE = `
local function evictAbove(log, top)
  local removed, shown = 0, {}
  while true do
    local batch = redis.call('XRANGE', log, '(' .. top, '+', 'COUNT', 1000)
    if #batch == 0 then break end
    local ids = {}
    for i, entry in ipairs(batch) do
      ids[i] = entry[1]
      if #shown < ${FOREIGN_IDS_SHOWN} then shown[#shown + 1] = entry[1] end
    end
    redis.call('XDEL', log, unpack(ids))
    removed = removed + #ids
  end
  if removed > 0 then redis.call('XSETID', log, top) end
  return {removed, shown}
end
`;

/**
 * INCR and XADD in one step, so that seq order and log order are the same order.
 * The event's JSON is built here, field for field as JSON.stringify builds it in
 * feed.ts, so that every process frames the very same bytes. An XADD refused
 * because a foreign entry sits above the lab's last id removes it and is tried again
 * (the top of this file): the event keeps the seq it took.
 * KEYS: seq, epoch, log. ARGV: type, data JSON, at, approximate max length, a new epoch.
 * Returns seq, epoch, and how many foreign entries were removed with the first few ids.
 */
export const PUBLISH = `${EVICT_ABOVE}
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
end
local seq = redis.call('INCR', KEYS[1])
local json = '{"seq":' .. seq .. ',"epoch":' .. cjson.encode(epoch) .. ',"type":' .. cjson.encode(ARGV[1]) .. ',"at":' .. ARGV[3] .. ',"data":' .. ARGV[2] .. '}'
local added = redis.pcall('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], seq .. '-1', 'e', json)
local evicted = {0, {}}
if type(added) == 'table' and added.err then
  local top = '0-0'
  if seq > 1 then top = (seq - 1) .. '-1' end
  evicted = evictAbove(KEYS[3], top)
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], seq .. '-1', 'e', json)
end
return {seq, epoch, evicted[1], evicted[2]}
`;

/**
 * What a reader runs when the log ends in entries that are not the lab's: the
 * same removal, above the lab's last id as the counter says now (a publish takes
 * its seq and writes its entry in one step, so `<seq>-1` is the lab's last entry).
 * KEYS: seq, log. Returns how many were removed, the first few ids, and the lab's last id.
 */
const EVICT_FOREIGN = `${EVICT_ABOVE}
local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
local top = '0-0'
if seq > 0 then top = seq .. '-1' end
local evicted = evictAbove(KEYS[2], top)
return {evicted[1], evicted[2], top}
`;

/**
 * The ticker runs in one process of the cluster at a time: the one holding this
 * lease renews it each tick; if it dies, the lease lapses and another takes it.
 * KEYS: ticker. ARGV: this process's name, lease ms. Returns 1 if this process holds it.
 */
const TICKER_LEASE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** How long a blocking read waits before it checks the epoch and reads again. */
const BLOCK_MS = 1000;
/** How long a request waits for this process's mirror to reach its cursor. */
const CATCH_UP_MS = 2000;

export interface RedisFeedOptions {
  url: string;
  bufferSize: number;
  /** This process's name (the ticker lease, /stats). */
  processName: string;
  /** Key prefix; a test may use its own. */
  prefix?: string;
}

type LogEntry = [id: string, fields: string[]];

export class RedisFeedSource implements FeedSource {
  readonly feed: Feed;
  /** Commands that fail at once while Redis is away; the cluster's shared limits use it too (shared-limits.ts). */
  readonly commands: Redis;
  private readonly reader: Redis;
  private readonly keys: { seq: string; epoch: string; log: string; ticker: string };
  /** The stream id of the last entry mirrored here. */
  private lastId = '0-0';
  private reading = true;
  private readLoop: Promise<void> | undefined;
  private readonly waiting = new Set<() => void>();
  private readerReady = false;
  private recheckEpoch = false;
  /** Counted for /stats: what this process did with the shared log. */
  readonly counters = { mirrored: 0, epochsSeen: 0, publishFailures: 0, readErrors: 0 };
  /** Entries in the log that were not the lab's (the top of this file): how many this process met or removed, and the last. */
  readonly foreign = { seen: 0, removed: 0, last: null as null | { ids: string[]; at: number; removed: number } };

  private constructor(private readonly options: RedisFeedOptions) {
    const prefix = options.prefix ?? 'wirelab:';
    this.keys = { seq: `${prefix}seq`, epoch: `${prefix}epoch`, log: `${prefix}log`, ticker: `${prefix}ticker` };
    this.feed = new Feed(options.bufferSize, 'unknown');
    // Commands fail at once while Redis is away (no offline queue): a chat post answers 503
    // instead of hanging, and nothing is published late, out of the order clients saw.
    this.commands = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: retryDelay,
    });
    // The reader blocks; it reconnects by itself and resumes from the last id it held.
    this.reader = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: retryDelay });
    for (const connection of [this.commands, this.reader]) connection.on('error', () => {}); // reported as unavailability, not crashes
    this.reader.on('ready', () => {
      this.readerReady = true;
      // A Redis that came back may be an empty one: look at the epoch before the next read.
      this.recheckEpoch = true;
    });
    this.reader.on('close', () => (this.readerReady = false));
    this.commands.defineCommand('wirelabPublish', { numberOfKeys: 3, lua: PUBLISH });
    this.commands.defineCommand('wirelabTickerLease', { numberOfKeys: 1, lua: TICKER_LEASE });
    this.commands.defineCommand('wirelabEvictForeign', { numberOfKeys: 2, lua: EVICT_FOREIGN });
  }

  /** Connects, mirrors what the log keeps, and starts following it. */
  static async open(options: RedisFeedOptions): Promise<RedisFeedSource> {
    const source = new RedisFeedSource(options);
    await Promise.all([source.commands.connect(), source.reader.connect()]);
    await source.loadTail();
    source.readLoop = source.follow();
    return source;
  }

  get available(): boolean {
    return this.readerReady && this.commands.status === 'ready';
  }

  async publish<D>(type: string, data: D): Promise<FeedEvent<D>> {
    const at = preciseNow();
    const dataJson = JSON.stringify(data);
    let answer: [number, string, number, string[]];
    try {
      answer = (await (this.commands as unknown as PublishCommands).wirelabPublish(
        this.keys.seq,
        this.keys.epoch,
        this.keys.log,
        type,
        dataJson,
        String(at),
        String(this.options.bufferSize),
        newEpoch(),
      )) as [number, string, number, string[]];
    } catch (error) {
      this.counters.publishFailures++;
      throw error;
    }
    if (Number(answer[2]) > 0) this.reportRemoved(Number(answer[2]), answer[3], `${Number(answer[0]) - 1}-1`, 'a publish');
    // The event reaches this process's clients through the reader, in log order, like everyone's.
    return { seq: Number(answer[0]), epoch: answer[1], type, at, data };
  }

  async catchUp(since: number | undefined): Promise<void> {
    if (since === undefined || since <= this.feed.lastSeq) return;
    // Ahead of this mirror: an event this process has not read yet, or a cursor from another run.
    const logSeq = Number(await this.commands.get(this.keys.seq).catch(() => null));
    if (!(since <= logSeq)) return; // another run: served "from now", as the contract says
    const deadline = Date.now() + CATCH_UP_MS;
    while (this.feed.lastSeq < since && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.add(done);
      });
    }
  }

  startTicker(intervalMs: number): () => void {
    if (intervalMs <= 0) return () => {};
    const next = priceWalk();
    const timer = setInterval(async () => {
      try {
        const held = await (this.commands as unknown as PublishCommands).wirelabTickerLease(
          this.keys.ticker,
          this.options.processName,
          String(Math.max(3 * intervalMs, 1000)),
        );
        if (Number(held) === 1) await this.publish('tick', { price: next() });
      } catch {
        // Redis away: no tick from anyone, which every client sees as a quiet feed.
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }

  describe(): Record<string, unknown> {
    const { available, lastId, counters, foreign } = this;
    return { store: 'redis', process: this.options.processName, available, lastId, ...counters, foreign };
  }

  async close(): Promise<void> {
    this.reading = false;
    this.reader.disconnect();
    await this.readLoop?.catch(() => {});
    this.commands.disconnect();
  }

  /** The epoch and the last BUFFER_SIZE entries, so that a client can resume here from the start. */
  private async loadTail(): Promise<void> {
    const epoch = await this.reader.get(this.keys.epoch);
    if (epoch === null) return; // nothing published yet: the first event names the run
    const entries = (await this.reader.xrevrange(this.keys.log, '+', '-', 'COUNT', this.options.bufferSize)) as LogEntry[];
    this.feed.restart(epoch, 0);
    await this.mirrorEntries(entries.reverse());
  }

  /** The reader: blocking reads from the last id held, for as long as the source is open. */
  private async follow(): Promise<void> {
    while (this.reading) {
      try {
        if (this.recheckEpoch) {
          this.recheckEpoch = false;
          await this.checkEpoch();
        }
        const answer = (await this.reader.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.log, this.lastId)) as
          | [string, LogEntry[]][]
          | null;
        if (answer) await this.mirrorEntries(answer[0][1]);
        else await this.checkEpoch();
      } catch {
        if (!this.reading) return;
        this.counters.readErrors++;
        await new Promise((resolve) => setTimeout(resolve, 200)); // the connection retries by itself
      }
    }
  }

  /**
   * A Redis that restarted empty starts the log again from id 1-1, below the last id
   * this process holds, where XREAD would never look. The epoch says so: none yet (a
   * Redis that came back empty, before anyone published) or another one (someone
   * already did): either way read the new run from its start. Checked as the reader
   * reconnects, and whenever a read comes back empty.
   */
  private async checkEpoch(): Promise<void> {
    if (this.lastId === '0-0') return;
    const epoch = await this.reader.get(this.keys.epoch);
    if (epoch === null || epoch !== this.feed.epoch) {
      this.lastId = '0-0';
      if (epoch !== null) this.counters.epochsSeen++;
    }
  }

  /**
   * Mirrors the lab's entries and passes over foreign ones (the top of this file).
   * The read cursor moves to each lab entry mirrored, never onto a foreign entry
   * above the lab's last id: that one is removed, and the stream's last id set back
   * below it, where the lab's next entries will be. When the entries read end in
   * foreign ones, they are removed, and the cursor passes only those at or below
   * the lab's last id (which stay, and must not be read again and again).
   */
  private async mirrorEntries(entries: LogEntry[]): Promise<void> {
    const foreign: string[] = [];
    for (const [id, fields] of entries) {
      const json = labEvent(id, fields);
      if (json === undefined) {
        foreign.push(id);
        this.foreign.seen++;
        continue;
      }
      this.lastId = id;
      foreign.length = 0; // below a lab entry now mirrored: the cursor is past them
      const epochBefore = this.feed.epoch;
      this.feed.mirror(json);
      if (this.feed.epoch !== epochBefore) this.counters.epochsSeen++;
      this.counters.mirrored++;
    }
    if (foreign.length > 0) {
      const evict = (this.commands as unknown as PublishCommands).wirelabEvictForeign(this.keys.seq, this.keys.log);
      const [removed, shown, top] = (await evict) as [number, string[], string];
      if (Number(removed) > 0) this.reportRemoved(Number(removed), shown, top, 'a reader');
      const below = foreign.filter((id) => compareIds(id, top) <= 0);
      if (below.length > 0 && compareIds(below[below.length - 1], this.lastId) > 0) this.lastId = below[below.length - 1];
    }
    for (const wake of [...this.waiting]) {
      this.waiting.delete(wake);
      wake();
    }
  }

  /** Says on this process's output, and in /stats, that foreign entries were removed from the log. */
  private reportRemoved(removed: number, ids: string[], top: string, by: string): void {
    this.foreign.removed += removed;
    this.foreign.last = { ids, at: Date.now(), removed };
    const more = removed > ids.length ? ` and ${removed - ids.length} more` : '';
    const entries = `${removed} foreign entr${removed === 1 ? 'y' : 'ies'}`;
    console.warn(
      `Wirelab ${this.options.processName}: ${entries} in the Redis log ${this.keys.log} ` +
        `(${ids.join(', ')}${more}), not the lab's events, removed by ${by}; the feed goes on after ${top}, nothing lost`,
    );
  }
}

interface PublishCommands {
  wirelabPublish(...args: string[]): Promise<unknown>;
  wirelabTickerLease(...args: string[]): Promise<unknown>;
  wirelabEvictForeign(...args: string[]): Promise<unknown>;
}

/**
 * The event's JSON if the entry is one the lab wrote: id `<n>-1`, one field `e`
 * whose event says seq n. Anything else is foreign, and undefined.
 */
function labEvent(id: string, fields: string[]): string | undefined {
  const seq = /^(\d+)-1$/.exec(id)?.[1];
  if (seq === undefined || fields.length !== 2 || fields[0] !== 'e') return undefined;
  return fields[1].startsWith(`{"seq":${seq},"epoch":`) ? fields[1] : undefined;
}

/** Orders two stream ids (`<ms>-<n>`, each part up to 64 bits). */
function compareIds(a: string, b: string): number {
  const [am, an] = a.split('-').map(BigInt);
  const [bm, bn] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : an === bn ? 0 : an < bn ? -1 : 1;
}

/** Reconnect after 100 ms, 200 ms, ... up to 2 s, for as long as it takes. */
function retryDelay(attempt: number): number {
  return Math.min(2000, 100 * attempt);
}

const newEpoch = () => randomBytes(4).toString('hex');
