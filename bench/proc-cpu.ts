/**
 * CPU time of any process on this machine, from /proc/<pid>/stat (Linux): what the
 * bench reads for processes that take no orders from it (a cluster's lab processes,
 * nginx, redis-server) and for its own client workers. User + system time of every
 * thread, in clock ticks (USER_HZ, 100 per second on Linux: a tick is 10 ms).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times. */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
/** One tick of /proc's CPU times, in µs: the resolution of every figure read here. */
export const CPU_TICK_MICROS = 1e6 / TICKS_PER_SECOND;

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces); null when the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** `pid`'s CPU time so far (user, system) in µs; null when it is gone or unreadable. */
export function cpuOf(pid: number): { user: number; system: number } | null {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of stat(5): 11 and 12 after the name.
  return fields ? { user: Number(fields[11]) * CPU_TICK_MICROS, system: Number(fields[12]) * CPU_TICK_MICROS } : null;
}

/** User + system µs of `pids` together; null when any cannot be read. */
export function cpuOfAll(pids: number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    const cpu = cpuOf(pid);
    if (!cpu) return null;
    sum += cpu.user + cpu.system;
  }
  return sum;
}

/** The parent pid of `pid`; null when it is gone. */
export function parentOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}
