/**
 * Per-client limits that hold across a cluster's processes (in Redis).
 *
 * Behind a round-robin balancer a client's requests land on every process: a
 * limit counted in one process would let a client have N times its share. So:
 * - the chat rate (CHAT_RATE per client per 10 s) is one counter per client and
 *   window in Redis, incremented by whichever process takes the message;
 * - held streams per client (MAX_STREAMS_PER_CLIENT) are counted where they are
 *   held: twice a second each process writes its own per-client counts to Redis
 *   (the whole table, so a count that drifted while Redis was away heals itself)
 *   and reads back the sums of every other process's table, so that admitting a
 *   stream costs no trip to Redis: a new stream is refused when this process's
 *   exact count plus the others' (at most a second old) reaches the cap. A
 *   process that dies stops renewing its table, which expires.
 * Clients are told apart by the address nginx names (TRUST_PROXY=loopback).
 */
import type { Redis } from 'ioredis';
import { RATE_WINDOW_MS, type RateLimiter } from '../chat.ts';

/** KEYS: the counter. ARGV: window ms. Returns the count in this window, this one included. */
const COUNT_IN_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/**
 * The streams each client holds on the other live processes, as a flat list
 * [ip, count, ip, count, ...]; tables that expired leave the set.
 * KEYS: the set of process tables. ARGV: key prefix, this process's name.
 */
const STREAMS_ELSEWHERE = `
local totals = {}
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if name ~= ARGV[2] then
    local fields = redis.call('HGETALL', ARGV[1] .. 'streams:' .. name)
    if #fields == 0 then redis.call('SREM', KEYS[1], name) end
    for i = 1, #fields, 2 do
      if fields[i] ~= '' then totals[fields[i]] = (totals[fields[i]] or 0) + tonumber(fields[i + 1]) end
    end
  end
end
local out = {}
for ip, n in pairs(totals) do
  if n > 0 then out[#out + 1] = ip; out[#out + 1] = n end
end
return out
`;

/** How often a process writes its stream counts and reads the others'; a table lives three times as long. */
const PUBLISH_EVERY_MS = 500;

interface SharedCommands {
  wirelabCountInWindow(key: string, windowMs: string): Promise<number>;
  wirelabStreamsElsewhere(key: string, prefix: string, me: string): Promise<(string | number)[]>;
}

export class SharedLimits implements RateLimiter {
  private readonly commands: SharedCommands;
  private timer: NodeJS.Timeout | undefined;
  /** What the last round read: each client's streams on the other processes. */
  private elsewhere = new Map<string, number>();

  /**
   * `redis`: the feed's command connection (RedisFeedSource.commands), which fails at
   * once while Redis is away, so the caller answers 503; the feed source owns and closes it.
   */
  constructor(private readonly redis: Redis, private readonly options: { processName: string; chatRate: number; prefix?: string }) {
    this.redis.defineCommand('wirelabCountInWindow', { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    this.redis.defineCommand('wirelabStreamsElsewhere', { numberOfKeys: 1, lua: STREAMS_ELSEWHERE });
    this.commands = this.redis as unknown as SharedCommands;
  }

  private get prefix(): string {
    return this.options.prefix ?? 'wirelab:';
  }

  /** The chat rate, per client, across every process (RateLimiter). */
  async allow(ip: string): Promise<boolean> {
    if (this.options.chatRate === 0) return true;
    const window = Math.floor(Date.now() / RATE_WINDOW_MS);
    const count = Number(await this.commands.wirelabCountInWindow(`${this.prefix}rate:${ip}:${window}`, String(RATE_WINDOW_MS)));
    return count <= this.options.chatRate;
  }

  /** Streams `ip` holds on the other processes, as the last round read them (at most a second old). */
  streamsElsewhere(ip: string): number {
    return this.elsewhere.get(ip) ?? 0;
  }

  /** Twice a second: writes this process's per-client stream counts, from `counts()`, and reads the others'. */
  publishStreams(counts: () => ReadonlyMap<string, number>): void {
    const table = `${this.prefix}streams:${this.options.processName}`;
    const publish = async () => {
      const entries = [...counts()].flatMap(([ip, n]) => [ip, String(n)]);
      const write = this.redis.multi().del(table);
      // An empty table is still written (a placeholder field), so that "no streams" is not "process gone".
      write.hset(table, ...(entries.length > 0 ? entries : ['', '0']));
      write.pexpire(table, 3 * PUBLISH_EVERY_MS).sadd(`${this.prefix}tables`, this.options.processName);
      try {
        await write.exec();
        const flat = await this.commands.wirelabStreamsElsewhere(`${this.prefix}tables`, this.prefix, this.options.processName);
        const elsewhere = new Map<string, number>();
        for (let i = 0; i < flat.length; i += 2) elsewhere.set(String(flat[i]), Number(flat[i + 1]));
        this.elsewhere = elsewhere;
      } catch {
        // Redis away: none counted elsewhere (the feed refuses new streams then anyway);
        // the next round writes the whole table again.
        this.elsewhere = new Map();
      }
    };
    this.timer = setInterval(() => void publish(), PUBLISH_EVERY_MS);
    void publish();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(`${this.prefix}streams:${this.options.processName}`).catch(() => {});
  }
}
