/**
 * The Debian programs the cluster stands on (redis-server, nginx): found, installed
 * when missing (as root on Debian, like Chromium for the tests), and the loopback
 * ports they listen on. Used by the cluster launcher (server/cluster/) and by the
 * Redis backend's tests (server/redis/redis-server.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
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
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
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
