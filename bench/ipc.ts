/**
 * How the bench's processes talk: the parent forks the lab server, the reference
 * servers and the client workers, and calls commands on them over Node's IPC
 * channel (`serialization: 'advanced'`, so latency samples travel as typed arrays
 * instead of JSON text).
 *
 * Every call has a deadline: a child that hangs fails the run with a message
 * instead of holding it open.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../server/paths.ts';

/** The repository's root, defined once in server/paths.ts: children are forked from it, and the bench's modules read it here. */
export { ROOT };

interface CallMessage {
  rpc: number;
  cmd: string;
  args?: unknown;
}
interface ReplyMessage {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each handler types the arguments its own calls send over IPC
export type Handlers = Record<string, (args: any) => unknown>;

/**
 * Where this process's clock stands against the machine's monotonic clock.
 *
 * Latency is `receivedAt - at` across two processes, each computing
 * `performance.timeOrigin + performance.now()`. Both run on CLOCK_MONOTONIC, but each
 * process samples the wall clock once at start, so two processes can disagree by a
 * little; `hrtime` is the same clock in every process, so the difference of two
 * offsets is exactly that disagreement, and the bench subtracts it.
 */
export function clockOffsetMs(samples = 200): number {
  // The two clocks are read one after the other; a process descheduled between the reads (a
  // loaded machine) would put the whole pause into the offset, and so into every latency
  // (idle latencies of 0.3 ms came out negative). So read the monotonic clock on both sides
  // of each reading and keep the reading with the shortest bracket.
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  for (let i = 0; i < samples; i++) {
    const before = process.hrtime.bigint();
    const precise = performance.timeOrigin + performance.now();
    const after = process.hrtime.bigint();
    const bracket = Number(after - before);
    if (bracket < best) {
      best = bracket;
      offset = precise - Number(before + after) / 2e6;
    }
  }
  return offset;
}

/** Child side: answers the parent's calls with `handlers`, and dies with its parent. */
export function serve(handlers: Handlers, ready: unknown = {}): void {
  if (!process.send) throw new Error('this file is a bench child process: run it through `npm run bench`');
  const all: Handlers = { clock: () => ({ offsetMs: clockOffsetMs() }), ...handlers };
  process.on('message', async (message: CallMessage) => {
    let reply: ReplyMessage;
    try {
      const handler = all[message.cmd];
      if (!handler) throw new Error(`unknown command ${message.cmd}`);
      reply = { rpc: message.rpc, ok: true, result: await handler(message.args) };
    } catch (error) {
      reply = { rpc: message.rpc, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    process.send!(reply);
  });
  // The parent is gone (Ctrl-C, crash): nothing here is worth finishing.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready });
}

/** Parent side: one forked child and its commands. */
export class Child {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();
  private exited = false;
  stderr = '';

  private constructor(
    readonly name: string,
    readonly process: ChildProcess,
    // biome-ignore lint/suspicious/noExplicitAny: the child's ready message, whose shape each child program defines
    readonly ready: any,
  ) {
    process.on('message', (message: ReplyMessage) => {
      const call = this.pending.get(message.rpc);
      if (!call) return;
      this.pending.delete(message.rpc);
      clearTimeout(call.timer);
      if (message.ok) call.resolve(message.result);
      else call.reject(new Error(`${name}: ${message.error}`));
    });
    process.on('exit', (code, signal) => {
      this.exited = true;
      for (const [, call] of this.pending) {
        clearTimeout(call.timer);
        call.reject(new Error(`${name} exited (${signal ?? code}) during a call${this.stderr ? `: ${this.stderr.slice(-2000)}` : ''}`));
      }
      this.pending.clear();
    });
  }

  /** Forks `file` (a .ts under bench/) with tsx, and waits for its ready message. */
  static async start(
    name: string,
    file: string,
    {
      args = [],
      env = {},
      execArgv = [],
      timeoutMs = 30_000,
    }: { args?: string[]; env?: Record<string, string>; execArgv?: string[]; timeoutMs?: number } = {},
  ): Promise<Child> {
    const child = fork(path.join(ROOT, file), args, {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', ...execArgv],
      env: { ...process.env, ...env },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-20_000);
    });
    child.stdout!.resume();
    const ready = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${timeoutMs} ms: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      child.on('message', function onMessage(message: { ready?: unknown }) {
        if (message && typeof message === 'object' && 'ready' in message) {
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.ready);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready: ${stderr.slice(-2000)}`));
      });
    });
    const handle = new Child(name, child, ready);
    child.stderr!.on('data', (text: string) => {
      handle.stderr = (handle.stderr + text).slice(-20_000);
    });
    handle.stderr = stderr;
    return handle;
  }

  // biome-ignore lint/suspicious/noExplicitAny: an answer over IPC is as the caller's command defines it
  call<T = any>(cmd: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited: ${this.stderr.slice(-2000)}`));
    const rpc = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.name}: ${cmd} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rpc, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.process.send({ rpc, cmd, args } satisfies CallMessage);
    });
  }

  /** Stops the child: a polite SIGTERM, then SIGKILL if it lingers. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited || this.process.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
