/**
 * The real servers a cluster stands on: Redis and nginx from Debian's packages,
 * found, installed when missing (as root on Debian, like Chromium for the tests),
 * started on loopback ports and stopped again. Used by `npm run cluster` and by
 * the cluster tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where Debian puts the two programs (nginx lives in sbin, outside a normal user's PATH). */
const PLACES = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** The path of `binary`, or undefined. */
export function findProgram(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...PLACES];
  return dirs.map((dir) => path.join(dir, binary)).find((file) => existsSync(file));
}

/**
 * The path of `binary`, installing Debian's `pkg` first when it is missing and this
 * process may (root, with apt-get); otherwise an error that says how to get it.
 */
export function ensureProgram(binary: string, pkg: string): string {
  const found = findProgram(binary);
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error(`${binary} is missing: installing Debian's ${pkg} package (apt-get install -y ${pkg})...`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const installed = findProgram(binary);
    if (installed) return installed;
  }
  throw new Error(`The cluster needs ${binary}: install it (Debian: sudo apt-get install -y ${pkg}) and run the command again.`);
}

/** A port nobody listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something accepts TCP connections on `port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 10_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface RedisServer {
  port: number;
  url: string;
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
 */
export async function startRedis({ port, log = false }: { port?: number; log?: boolean } = {}): Promise<RedisServer> {
  const binary = ensureProgram('redis-server', 'redis-server');
  let chosen = port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-redis-'));
  let child: ChildProcess | undefined;
  let keep = false;
  const start = async () => {
    const args = ['--port', String(chosen), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
    if (!keep) rmSync(path.join(dir, 'dump.rdb'), { force: true });
    const started = spawn(binary, args, { stdio: log ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    child = started;
    // redis-server logs to stdout: its last words say why it stopped.
    let said = '';
    const keepTail = (chunk: Buffer) => (said = (said + chunk.toString()).slice(-300));
    started.stdout?.on('data', keepTail);
    started.stderr?.on('data', keepTail);
    // redis-server exits at once when it cannot bind (another program took the port
    // since freePort() looked): then whatever answers on the port is not ours.
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code, signal) => reject(new Error(`redis-server exited at start (${signal ?? `code ${code}`}) on port ${chosen}${said ? `: ${said.trim()}` : ''}`))),
    );
    exited.catch(() => {});
    await Promise.race([waitForPort(chosen), exited]);
    await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), exited]);
  };
  const stop = async ({ keepData = false }: { keepData?: boolean } = {}) => {
    if (!child || child.exitCode !== null) return;
    keep = keepData;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    if (keepData) {
      // SHUTDOWN SAVE writes dump.rdb before exiting; the next start loads it.
      const socket = net.connect(chosen, '127.0.0.1');
      socket.on('error', () => {});
      socket.end('SHUTDOWN SAVE\r\n');
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
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    stop,
    start,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    killNow: () => {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
