/**
 * One lab process of a cluster: `npm start`'s server/main.ts as a child process,
 * started, watched, killed and started again.
 *
 * The child is `node --import tsx server/main.ts` itself, not `npm start` or the
 * `tsx` command: those run the lab as a grandchild, and a SIGKILL sent to them
 * would leave the lab running. Here the pid is the lab's, so a kill is a real
 * crash of a real process, the thing the scale-out demo shows.
 *
 * When the process exits without being asked to (a kill, a crash), it is started
 * again after `restartDelayMs` on the same port, so nginx's upstream list stays
 * right and the demo can be repeated.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { ROOT } from '../paths.ts';

export type LabState = 'starting' | 'up' | 'down' | 'stopping' | 'stopped';

export interface LabProcessOptions {
  name: string;
  port: number;
  /** The child's whole environment (FEED_STORE, PROCESS_NAME, PORT, ...). */
  env: NodeJS.ProcessEnv;
  /** Gets each line the process prints, prefixed with its name; by default lines are only kept for errors. */
  log?: (line: string) => void;
  /** How long after an exit nobody asked for the process is started again. */
  restartDelayMs: number;
  /** How long a start may take before it is called failed (tsx compiles the server on the way). */
  startTimeoutMs?: number;
}

/** How a process last ended: an exit code, or the signal that ended it. */
export interface LabExit {
  code: number | null;
  signal: string | null;
  at: number;
}

/** What the control server says about a process. */
export interface LabDescription {
  name: string;
  port: number;
  pid: number | null;
  state: LabState;
  restarts: number;
  lastExit: LabExit | null;
  /** When an automatic restart is due (ms since 1970), while the process is down. */
  restartAt: number | null;
}

/** A lab that asked to stop gets this long (it promises 2 s) before it is killed. */
const STOP_GRACE_MS = 4000;
/** Lines of output kept, to explain a start that failed. */
const TAIL_LINES = 40;

export class LabProcess {
  readonly name: string;
  readonly port: number;
  state: LabState = 'stopped';
  restarts = 0;
  lastExit: LabExit | null = null;
  restartAt: number | null = null;
  /** Called with the pid of a process that has just exited, whatever the reason (control.ts keeps its last figures). */
  onExit: ((pid: number) => void) | undefined;
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set while a stop or restart that was asked for is under way: that exit is not a crash. */
  private expectingExit = false;
  private closed = false;
  private readonly tail: string[] = [];

  constructor(private readonly options: LabProcessOptions) {
    this.name = options.name;
    this.port = options.port;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  describe(): LabDescription {
    const { name, port, state, restarts, lastExit, restartAt } = this;
    return { name, port, pid: this.pid ?? null, state, restarts, lastExit, restartAt };
  }

  /** Starts the process; resolves once it listens (its first line), rejects with its last lines if it does not. */
  start(): Promise<void> {
    if (this.child) return Promise.reject(new Error(`${this.name} is already running`));
    clearTimeout(this.timer);
    this.restartAt = null;
    this.state = 'starting';
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const pid = child.pid;
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.startTimeoutMs ?? 30_000;
      const timer = setTimeout(() => fail(new Error(`${this.name} did not start listening within ${timeoutMs} ms`)), timeoutMs);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${error.message}; its last lines:\n${this.tail.join('\n')}`));
      };
      const line = (text: string) => {
        this.tail.push(text);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        this.options.log?.(`[${this.name}] ${text}`);
        // main.ts's first line says where it listens: the port must be the one nginx sends requests to.
        const listening = /^Wirelab listening on http:\/\/[^:]+:(\d+)$/.exec(text);
        if (!settled && listening) {
          if (Number(listening[1]) !== this.port) return fail(new Error(`${this.name} listens on ${listening[1]}, not ${this.port}`));
          settled = true;
          clearTimeout(timer);
          this.state = 'up';
          resolve();
        }
      };
      readline.createInterface({ input: child.stdout! }).on('line', line);
      readline.createInterface({ input: child.stderr! }).on('line', line);
      child.on('error', (error) => fail(error));
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        this.lastExit = { code, signal, at: Date.now() };
        if (pid !== undefined) this.onExit?.(pid);
        fail(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before it listened`));
        this.exited(code, signal);
      });
    });
  }

  /** Kills the process with SIGKILL: no goodbye to its clients. Returns its pid, or undefined if none ran. */
  kill(): number | undefined {
    const pid = this.pid;
    if (pid === undefined) return undefined;
    this.child!.kill('SIGKILL');
    return pid;
  }

  /** Stops the process as `npm start` stops (SIGTERM: WebSockets hear 1001) and starts it again at once. */
  async restart(): Promise<void> {
    this.expectingExit = true;
    try {
      await this.terminate();
    } finally {
      this.expectingExit = false;
    }
    if (this.closed) return;
    this.restarts++;
    await this.start();
  }

  /** Stops the process for good: no restart after this. */
  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.restartAt = null;
    await this.terminate();
    this.state = 'stopped';
  }

  /** For the launcher's last moment (process 'exit'): kills at once, synchronously. */
  killNow(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.child?.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL if the process is still there after the grace period; resolves when it has exited. */
  private async terminate(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.state = 'stopping';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(grace);
  }

  /** After any exit: a crash or a kill is followed by a restart, a stop that was asked for is not. */
  private exited(code: number | null, signal: string | null): void {
    if (this.closed) {
      this.state = 'stopped';
      return;
    }
    if (this.expectingExit) return; // restart() starts it again itself
    this.state = 'down';
    const delayMs = this.options.restartDelayMs;
    this.options.log?.(`[${this.name}] exited (${signal ?? `code ${code}`}); starting it again in ${(delayMs / 1000).toFixed(1)} s`);
    this.restartAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.restarts++;
      // A start that fails ends in another exit, which schedules the next try.
      this.start().catch((error: Error) => this.options.log?.(`[${this.name}] ${error.message.split('\n')[0]}`));
    }, delayMs);
  }
}
