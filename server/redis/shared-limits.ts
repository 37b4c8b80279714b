/**
 * Per-client limits that hold across a cluster's processes (in Redis).
 *
 * Behind a round-robin balancer a client's requests land on every process: a
 * limit counted in one process would let a client have N times its share. So:
 * - the chat rate (CHAT_RATE per client per 10 s) is one counter per client and
 *   window in Redis, incremented by whichever process takes the message;
 * - held streams per client (MAX_STREAMS_PER_CLIENT) are reserved in Redis, one
 *   atomic script per admission: it adds up what the client holds on every live
 *   process and takes one more slot only below the cap, so that a burst of streams
 *   opened at once on every process together gets the cap and no more. Closing a
 *   stream gives its slot back (without waiting for the answer).
 * - Each process's reservations live in a table of its own with a lease: twice a
 *   second the process writes the whole table again from its own exact counts (so
 *   a count that drifted while Redis was away, or a Redis that came back empty,
 *   heals itself) and renews the lease. A process that dies stops renewing, and its
 *   reservations expire with the lease, 1.5 s later at most.
 *
 * What the cap costs: one Redis round trip before a held request is admitted (a
 * long poll pays it once per poll), and one command, not waited for, when it closes.
 * Measured on a 2-core machine under heavy load (load average 17): a reserve and its
 * release took 176 us and 124 us of the lab's CPU; a long poll that answers at once
 * took 711 us with the reservation against 364 us without (cap 0), same run. Before,
 * admitting cost nothing (each process read the others' counts twice a second), and
 * a burst got through: 250 streams at once through nginx, 192 admitted on 3 processes.
 * Clients are told apart by the address nginx names (TRUST_PROXY=loopback).
 */
import type { Redis } from 'ioredis';
import { RATE_WINDOW_MS, type RateLimiter } from '../chat.ts';
import type { SharedStreamCounts } from '../limits.ts';

/** KEYS: the counter. ARGV: window ms. Returns the count in this window, this one included. */
const COUNT_IN_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/**
 * One slot for a client if it holds fewer than the cap on every live process
 * together; 1 if taken, 0 at the cap. Tables whose lease ran out leave the set.
 * KEYS: the set of process tables, this process's table. ARGV: key prefix, this
 * process's name, the client, the cap, the lease in ms.
 */
const RESERVE = `
local held = 0
for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local table = ARGV[1] .. 'streams:' .. name
  local n = redis.call('HGET', table, ARGV[3])
  if n then held = held + tonumber(n)
  elseif redis.call('EXISTS', table) == 0 then redis.call('SREM', KEYS[1], name) end
end
if held >= tonumber(ARGV[4]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[1], ARGV[2])
return 1
`;

/**
 * Gives one slot back, unless the table is gone (its lease ran out: the next
 * round writes it whole again), so that a table never lives on without a lease.
 * KEYS: this process's table. ARGV: the client.
 */
const RELEASE = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
return 0
`;

/** How often a process writes its table again and renews its lease; the lease is three times as long. */
const RENEW_EVERY_MS = 500;
export const LEASE_MS = 3 * RENEW_EVERY_MS;

interface SharedCommands {
  wirelabCountInWindow(key: string, windowMs: string): Promise<number>;
  wirelabReserve(tables: string, table: string, prefix: string, me: string, client: string, cap: string, leaseMs: string): Promise<number>;
  wirelabRelease(table: string, client: string): Promise<number>;
}

export class SharedLimits implements RateLimiter, SharedStreamCounts {
  private readonly commands: SharedCommands;
  private timer: NodeJS.Timeout | undefined;
  /**
   * What this process's table holds once Redis has run every command sent so far:
   * a reservation counts from when it is sent (taken back if refused), a release
   * from when it is sent. Commands run in the order they are sent, on one
   * connection, so a table written whole from this ledger is never behind them.
   */
  private readonly ledger = new Map<string, number>();

  /**
   * `redis`: the feed's command connection (RedisFeedSource.commands), which fails at
   * once while Redis is away, so the caller answers 503; the feed source owns and closes it.
   */
  constructor(
    private readonly redis: Redis,
    private readonly options: { processName: string; chatRate: number; maxStreamsPerClient: number; prefix?: string },
  ) {
    this.redis.defineCommand('wirelabCountInWindow', { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    this.redis.defineCommand('wirelabReserve', { numberOfKeys: 2, lua: RESERVE });
    this.redis.defineCommand('wirelabRelease', { numberOfKeys: 1, lua: RELEASE });
    this.commands = this.redis as unknown as SharedCommands;
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    void this.renew();
  }

  private get prefix(): string {
    return this.options.prefix ?? 'wirelab:';
  }

  private get table(): string {
    return `${this.prefix}streams:${this.options.processName}`;
  }

  /** The chat rate, per client, across every process (RateLimiter). */
  async allow(ip: string): Promise<boolean> {
    if (this.options.chatRate === 0) return true;
    const window = Math.floor(Date.now() / RATE_WINDOW_MS);
    const count = Number(await this.commands.wirelabCountInWindow(`${this.prefix}rate:${ip}:${window}`, String(RATE_WINDOW_MS)));
    return count <= this.options.chatRate;
  }

  /** Takes one of `client`'s stream slots across the cluster: false at the cap; rejects while Redis is away. */
  async reserve(client: string): Promise<boolean> {
    this.count(client, +1);
    let taken: boolean;
    try {
      const answer = await this.commands.wirelabReserve(
        `${this.prefix}tables`,
        this.table,
        this.prefix,
        this.options.processName,
        client,
        String(this.options.maxStreamsPerClient),
        String(LEASE_MS),
      );
      taken = Number(answer) === 1;
    } catch (error) {
      this.count(client, -1);
      throw error;
    }
    if (!taken) this.count(client, -1);
    return taken;
  }

  /** Gives one of `client`'s slots back; not waited for (if Redis is away, the next renewal heals the table). */
  release(client: string): void {
    this.count(client, -1);
    this.commands.wirelabRelease(this.table, client).catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.table).catch(() => {});
  }

  private count(client: string, change: number): void {
    const n = (this.ledger.get(client) ?? 0) + change;
    if (n > 0) this.ledger.set(client, n);
    else this.ledger.delete(client);
  }

  /** Writes this process's table whole from the ledger and renews its lease. */
  private async renew(): Promise<void> {
    const entries = [...this.ledger].flatMap(([client, n]) => [client, String(n)]);
    const write = this.redis.multi().del(this.table);
    // An empty table is still written (a placeholder field), so that "no streams" is not "process gone".
    write.hset(this.table, ...(entries.length > 0 ? entries : ['', '0']));
    write.pexpire(this.table, LEASE_MS).sadd(`${this.prefix}tables`, this.options.processName);
    await write.exec().catch(() => {}); // Redis away: the next round writes it again
  }
}
