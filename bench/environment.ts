/**
 * Where a run happened, written into every results JSON: the machine, Node and
 * package versions, the git commit, the limits that shape the numbers. Figures
 * from two machines are only comparable with this beside them.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './ipc.ts';
import { fdLimit } from './server-harness.ts';

const PACKAGES = ['fastify', '@fastify/websocket', 'ws', 'autocannon', 'chart.js', 'playwright-core', 'tsx'];

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/**
 * The commit checked out, read from .git's files (HEAD, then the ref or
 * packed-refs), so that the bench needs no git binary. In a linked worktree
 * .git is a file naming the worktree's own folder (its HEAD), whose
 * `commondir` names the folder that holds the refs.
 */
export function gitCommit(root = ROOT): { commit: string | null; ref: string | null } {
  try {
    let gitDir = path.join(root, '.git');
    if (statSync(gitDir).isFile()) {
      const pointer = readFileSync(gitDir, 'utf8')
        .trim()
        .replace(/^gitdir:\s*/, '');
      gitDir = path.resolve(root, pointer);
    }
    const commonFile = path.join(gitDir, 'commondir');
    const commonDir = existsSync(commonFile) ? path.resolve(gitDir, readFileSync(commonFile, 'utf8').trim()) : gitDir;
    const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return { commit: head, ref: null };
    const ref = head.replace(/^ref:\s*/, '');
    const loose = [gitDir, commonDir].map((dir) => path.join(dir, ref)).find((file) => existsSync(file));
    if (loose) return { commit: readFileSync(loose, 'utf8').trim(), ref };
    const packed = path.join(commonDir, 'packed-refs');
    if (existsSync(packed)) {
      const line = readFileSync(packed, 'utf8')
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`));
      if (line) return { commit: line.split(' ')[0], ref };
    }
    return { commit: null, ref };
  } catch {
    return { commit: null, ref: null };
  }
}

function readNumber(file: string): number | null {
  try {
    const value = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

export function environment() {
  const cpus = os.cpus();
  return {
    machine: {
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      platform: os.platform(),
      osRelease: os.release(),
      arch: os.arch(),
      loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
    },
    node: process.version,
    v8: process.versions.v8,
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
    lab: (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    git: gitCommit(),
    limits: {
      openFilesPerProcess: fdLimit(),
      somaxconn: readNumber('/proc/sys/net/core/somaxconn'),
      ephemeralPorts: (() => {
        try {
          const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
          return { low, high };
        } catch {
          return null;
        }
      })(),
    },
  };
}

export type Environment = ReturnType<typeof environment>;
