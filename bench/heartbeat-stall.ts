/**
 * What the lab's heartbeats cost the event loop, and the events published while they beat.
 *
 * The bench's labs beat once an hour (lab-server-env.ts), so that no measured window holds a
 * heartbeat: its scenarios cannot show this. Here a lab in a process of its own holds N SSE
 * streams from a client process and beats them every `--heartbeat-ms`; for each N:
 *
 * 1. beats only: the lab's event-loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution), and
 *    its longest busy turn: the most CPU time the process spent between two turns of a 1 ms timer. On
 *    a machine shared with other work the delay also counts the time the lab waited for a core; the
 *    busy turn counts only what it did (a long callback, not a preemption)
 *    over `--periods` heartbeat periods with no event;
 * 2. events during beats: `--rate` events a second over as many periods, each on a slot fixed in
 *    advance (server-harness.ts's way), and every client's delivery latency from the event's slot
 *    (not its `at`: an event whose slot fell in a stall is stamped late, and the wait is latency);
 * 3. the same events with heartbeats off (one an hour), the reference the beats are compared to.
 *
 * Usage: nice -n 10 npx tsx bench/heartbeat-stall.ts [--clients=3000,5000] [--heartbeat-ms=1000]
 *        [--periods=5] [--rate=5]
 * The lab runs on CPU 0 and the clients on CPU 1 when `taskset` is there. Prints a Markdown table.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, listen } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { BENCH_ENV } from './lab-server-env.ts';

const now = () => performance.timeOrigin + performance.now();
const OFF_MS = 3_600_000;

type Message = { [key: string]: unknown; cmd?: string };

/** Sends `message` (if any) to a child and waits for its next message. */
function ask(peer: ChildProcess, message?: Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`a child exited with ${code} before answering ${JSON.stringify(message)}`));
    peer.once('exit', onExit);
    peer.once('message', (answer: Message) => {
      peer.off('exit', onExit);
      resolve(answer);
    });
    if (message) peer.send(message);
  });
}

/** The q-quantile of sorted `values` (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** The lab process: answers `idle` and `publish` with its event-loop delay over the window. */
async function serveLab(): Promise<void> {
  const lab = await build(
    loadConfig({ ...BENCH_ENV, TLS_PORT: 'off', MAX_STREAMS_PER_CLIENT: '0', HEARTBEAT_MS: process.env.HB_MS ?? '1000' }),
  );
  const ports = await listen(lab);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let busiestMs = 0;
  let cpu = process.cpuUsage();
  const sampler = setInterval(() => {
    const { user, system } = process.cpuUsage(cpu);
    busiestMs = Math.max(busiestMs, (user + system) / 1000);
    cpu = process.cpuUsage();
  }, 1);
  sampler.unref();
  process.on('message', async ({ cmd, ms, rate }: Message) => {
    delay.reset();
    delay.enable();
    busiestMs = 0;
    let maxLateMs = 0;
    if (cmd === 'publish') {
      const start = now() + 10;
      const interval = 1000 / (rate as number);
      for (let k = 0; k < ((ms as number) * (rate as number)) / 1000; k++) {
        const slot = start + k * interval;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot - now())));
        maxLateMs = Math.max(maxLateMs, now() - slot);
        lab.ctx.source.publish('bench', { slot });
      }
    } else await new Promise((resolve) => setTimeout(resolve, ms as number));
    delay.disable();
    const toMs = (ns: number) => ns / 1e6;
    process.send?.({ maxMs: toMs(delay.max), p99Ms: toMs(delay.percentile(99)), busiestMs, maxLateMs });
  });
  process.send?.({ port: ports.main });
}

/** The client process: opens `count` SSE streams, then records each event's latency from its slot. */
function serveClients(): void {
  let samples: number[] = [];
  let recording = false;
  let heard = 0;
  const onData = (chunk: string) => {
    heard++;
    if (!recording) return;
    const at = now();
    for (let i = chunk.indexOf('"slot":'); i >= 0; i = chunk.indexOf('"slot":', i + 7))
      samples.push(at - Number.parseFloat(chunk.slice(i + 7)));
  };
  process.on('message', async ({ cmd, port, count }: Message) => {
    if (cmd === 'open') {
      for (let opened = 0; opened < (count as number); ) {
        const batch = Math.min(200, (count as number) - opened);
        await Promise.all(
          Array.from(
            { length: batch },
            () =>
              new Promise<void>((resolve, reject) => {
                http
                  .get({ host: '127.0.0.1', port: port as number, path: '/feed/sse', agent: false }, (res) => {
                    res.setEncoding('utf8');
                    res.on('data', onData);
                    resolve();
                  })
                  .on('error', reject);
              }),
          ),
        );
        opened += batch;
      }
      process.send?.({ opened: count });
    } else if (cmd === 'record') {
      samples = [];
      recording = true;
      process.send?.({ heard });
    } else if (cmd === 'report') {
      recording = false;
      samples.sort((a, b) => a - b);
      process.send?.({ count: samples.length, p50Ms: quantile(samples, 0.5), p99Ms: quantile(samples, 0.99), maxMs: samples.at(-1) });
    }
  });
  process.send?.({ ready: true });
}

/** Starts this file as a child in `mode`, pinned to `cpu` when taskset is there. */
function child(mode: string, cpu: number, env: Record<string, string>): ChildProcess {
  const node = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), mode];
  const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const [command, ...args] = pinned ? ['taskset', '-c', String(cpu), ...node] : node;
  return spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
}

const fixed = (value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value));
/** A row of the printed table, numbers to 0.1 ms. */
const row = (...cells: unknown[]) => `| ${cells.map(fixed).join(' | ')} |`;

/** One lab and one client process: `count` streams beating every `heartbeatMs`, measured as the file's comment says. */
async function measure(count: number, heartbeatMs: number, windowMs: number, rate: number): Promise<string[]> {
  const lab = child('serve', 0, { HB_MS: String(heartbeatMs) });
  const clients = child('clients', 1, {});
  try {
    const [{ port }] = await Promise.all([ask(lab), ask(clients)]);
    await ask(clients, { cmd: 'open', port, count });
    // Every stream has joined; a period lets the first beats of the ramp pass before measuring.
    await new Promise((resolve) => setTimeout(resolve, Math.min(heartbeatMs, 5000) + 500));
    const rows: string[] = [];
    const label = heartbeatMs === OFF_MS ? 'off' : `${heartbeatMs} ms`;
    if (heartbeatMs !== OFF_MS) {
      const idle = await ask(lab, { cmd: 'idle', ms: windowMs });
      rows.push(row(count, label, 'beats only', idle.maxMs, idle.p99Ms, idle.busiestMs, '', '', ''));
    }
    await ask(clients, { cmd: 'record' });
    const busy = await ask(lab, { cmd: 'publish', ms: windowMs, rate });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last event's fan-out
    const got = await ask(clients, { cmd: 'report' });
    const what = `events (${got.count} deliveries, worst slot ${fixed(busy.maxLateMs)} ms late)`;
    rows.push(row(count, label, what, busy.maxMs, busy.p99Ms, busy.busiestMs, got.p50Ms, got.p99Ms, got.maxMs));
    return rows;
  } finally {
    lab.kill();
    clients.kill();
  }
}

const mode = process.argv[2];
if (mode === 'serve') await serveLab();
else if (mode === 'clients') serveClients();
else {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '3000,5000' },
      'heartbeat-ms': { type: 'string', default: '1000' },
      periods: { type: 'string', default: '5' },
      rate: { type: 'string', default: '5' },
    },
  });
  const heartbeatMs = Number(values['heartbeat-ms']);
  const windowMs = heartbeatMs * Number(values.periods);
  const head = ['streams', 'heartbeat', `window (${windowMs} ms)`, 'loop delay max (ms)', 'p99 (ms)', 'busiest turn, CPU (ms)'];
  console.log(row(...head, 'latency p50 (ms)', 'p99', 'max'));
  console.log(row(...head.map(() => '---'), '---', '---', '---'));
  for (const count of values.clients.split(',').map(Number)) {
    for (const period of [heartbeatMs, OFF_MS])
      for (const row of await measure(count, period, windowMs, Number(values.rate))) console.log(row);
  }
}
