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
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Feed, type FeedEvent, preciseNow } from '../feed.ts';
import { type FeedSource, priceWalk } from '../feed-store.ts';

/**
 * INCR and XADD in one step, so that seq order and log order are the same order.
 * The event's JSON is built here, field for field as JSON.stringify builds it in
 * feed.ts, so that every process frames the very same bytes.
 * KEYS: seq, epoch, log. ARGV: type, data JSON, at, approximate max length, a new epoch.
 */
const PUBLISH = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[2], epoch)
  redis.call('DEL', KEYS[1], KEYS[3])
end
local seq = redis.call('INCR', KEYS[1])
local json = '{"seq":' .. seq .. ',"epoch":' .. cjson.encode(epoch) .. ',"type":' .. cjson.encode(ARGV[1]) .. ',"at":' .. ARGV[3] .. ',"data":' .. ARGV[2] .. '}'
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], seq .. '-1', 'e', json)
return {seq, epoch}
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

  private constructor(private readonly options: RedisFeedOptions) {
    const prefix = options.prefix ?? 'wirelab:';
    this.keys = { seq: `${prefix}seq`, epoch: `${prefix}epoch`, log: `${prefix}log`, ticker: `${prefix}ticker` };
    this.feed = new Feed(options.bufferSize, 'unknown');
    // Commands fail at once while Redis is away (no offline queue): a chat post answers 503
    // instead of hanging, and nothing is published late, out of the order clients saw.
    this.commands = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: retryDelay });
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
    let answer: [number, string];
    try {
      answer = (await (this.commands as unknown as PublishCommands).wirelabPublish(this.keys.seq, this.keys.epoch, this.keys.log, type, dataJson, String(at), String(this.options.bufferSize), newEpoch())) as [number, string];
    } catch (error) {
      this.counters.publishFailures++;
      throw error;
    }
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
        const held = await (this.commands as unknown as PublishCommands).wirelabTickerLease(this.keys.ticker, this.options.processName, String(Math.max(3 * intervalMs, 1000)));
        if (Number(held) === 1) await this.publish('tick', { price: next() });
      } catch {
        // Redis away: no tick from anyone, which every client sees as a quiet feed.
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }

  describe(): Record<string, unknown> {
    return { store: 'redis', process: this.options.processName, available: this.available, lastId: this.lastId, ...this.counters };
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
    this.mirrorEntries(entries.reverse());
  }

  /** The reader: blocking reads from the last id held, for as long as the source is open. */
  private async follow(): Promise<void> {
    while (this.reading) {
      try {
        if (this.recheckEpoch) {
          this.recheckEpoch = false;
          await this.checkEpoch();
        }
        const answer = (await this.reader.xread('COUNT', 1000, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.log, this.lastId)) as [string, LogEntry[]][] | null;
        if (answer) this.mirrorEntries(answer[0][1]);
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

  private mirrorEntries(entries: LogEntry[]): void {
    for (const [id, fields] of entries) {
      this.lastId = id;
      const json = fields[fields.indexOf('e') + 1];
      if (json === undefined) continue;
      const epochBefore = this.feed.epoch;
      this.feed.mirror(json);
      if (this.feed.epoch !== epochBefore) this.counters.epochsSeen++;
      this.counters.mirrored++;
    }
    for (const wake of [...this.waiting]) {
      this.waiting.delete(wake);
      wake();
    }
  }
}

interface PublishCommands {
  wirelabPublish(...args: string[]): Promise<unknown>;
  wirelabTickerLease(...args: string[]): Promise<unknown>;
}

/** Reconnect after 100 ms, 200 ms, ... up to 2 s, for as long as it takes. */
function retryDelay(attempt: number): number {
  return Math.min(2000, 100 * attempt);
}

const newEpoch = () => randomBytes(4).toString('hex');
