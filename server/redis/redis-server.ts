/**
 * A redis-server of the lab's own, from Debian's package, on a loopback port:
 * what `npm run cluster` starts under its lab processes (server/cluster/), and
 * what the Redis backend's tests start (feed.test.ts, shared-limits.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureProgram, freePort } from '../programs.ts';

export interface RedisServer {
  port: number;
  /** The URL the labs connect with (FEED_STORE): it holds the password, so never print it; print `shownUrl`. */
  url: string;
  /** The same URL with the password hidden. */
  shownUrl: string;
  /** The running redis-server's pid, if it runs. */
  readonly pid: number | undefined;
  /** Called when redis-server exits without being asked to (a kill, a crash). */
  onExit: ((exit: { code: number | null; signal: string | null }) => void) | undefined;
  /** Stops it; with `keepData`, what it holds is saved first and read again by the next start. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts it again on the same port, with the data it saved (if any). */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
  /** For a launcher's last moment (process 'exit'): kills it at once, synchronously. */
  killNow(): void;
}

/**
 * A redis-server of the lab's own on 127.0.0.1:`port` (a free one by default),
 * keeping its files in a temporary folder: nothing is written to disk unless a
 * stop asks to keep the data (SAVE), so a plain restart is an empty Redis.
 *
 * It asks for a password made for this run (`requirepass`): without one, any local
 * user (a class shares a machine) could halt the feed with one command. The
 * password is in a config file only this user can read, not on redis-server's
 * command line, which every user of the machine can see (ps).
 */
export async function startRedis({ port, log = false }: { port?: number; log?: boolean } = {}): Promise<RedisServer> {
  const binary = ensureProgram('redis-server', 'redis-server');
  let chosen = port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-redis-'));
  let child: ChildProcess | undefined;
  let keep = false;
  let stopping = false;
  const password = randomBytes(24).toString('base64url');
  const configFile = path.join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  const start = async () => {
    const args = [
      configFile,
      '--port',
      String(chosen),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ];
    if (!keep) rmSync(path.join(dir, 'dump.rdb'), { force: true });
    const started = spawn(binary, args, { stdio: log ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    child = started;
    stopping = false;
    // redis-server logs to stdout: its last words say why it stopped.
    let said = '';
    const keepTail = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-300));
    started.stdout?.on('data', keepTail);
    started.stderr?.on('data', keepTail);
    // redis-server exits at once when it cannot bind (another program took the port
    // since freePort() looked): then whatever answers on the port is not ours.
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code, signal) =>
        reject(new Error(`redis-server exited at start (${signal ?? `code ${code}`}) on port ${chosen}${said ? `: ${said.trim()}` : ''}`)),
      ),
    );
    exited.catch(() => {});
    // Ours answers AUTH with its password; a program that already held the port does not, and
    // answers at once, so waiting for the port alone (then 100 ms) took it for ours on a slow start.
    await Promise.race([waitForOwnRedis(chosen, password), exited]);
    // From here on an exit nobody asked for is news for whoever watches (the launcher restarts it).
    started.once('exit', (code, signal) => {
      if (!stopping && child === started) server.onExit?.({ code, signal });
    });
  };
  const stop = async ({ keepData = false }: { keepData?: boolean } = {}) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    keep = keepData;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    if (keepData) {
      // SHUTDOWN SAVE writes dump.rdb before exiting; the next start loads it.
      const socket = net.connect(chosen, '127.0.0.1');
      socket.on('error', () => {});
      socket.end(`AUTH ${password}\r\nSHUTDOWN SAVE\r\n`);
    } else {
      child.kill('SIGKILL');
    }
    await exited;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (error) {
      // A port that was free a moment ago and taken now: another free one, unless the caller chose it.
      if (port !== undefined || attempt === 3) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      chosen = await freePort();
    }
  }
  const server: RedisServer = {
    port: chosen,
    url: `redis://:${password}@127.0.0.1:${chosen}`,
    shownUrl: `redis://:****@127.0.0.1:${chosen}`,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    onExit: undefined,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    killNow: () => {
      stopping = true;
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Resolves once the redis-server on `port` accepts `password` and answers PING; rejects after `timeoutMs`. */
async function waitForOwnRedis(port: number, password: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await new Promise<string>((resolve) => {
      let heard = '';
      const socket = net.connect(port, '127.0.0.1', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
      const done = () => {
        socket.destroy();
        resolve(heard);
      };
      socket.setTimeout(1000, done);
      socket.on('data', (data) => {
        heard += data.toString('latin1');
        if (heard.includes('PONG') || heard.split('\r\n').length > 2) done();
      });
      socket.on('error', done);
      socket.on('close', done);
    });
    if (answer.startsWith('+OK\r\n+PONG')) return;
    if (Date.now() > deadline) {
      const heard = JSON.stringify(answer.slice(0, 80));
      throw new Error(`no redis-server of ours answers on 127.0.0.1:${port} after ${timeoutMs} ms (heard ${heard})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
