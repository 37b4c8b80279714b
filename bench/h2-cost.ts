/**
 * What the lab's HTTP/2 port costs against Node's own HTTP/2 (bench/reference/bare-h2.ts):
 * server CPU per delivery and memory per connection, SSE and WebSocket (RFC 8441), in
 * interleaved rounds so that a noisy neighbour hits both subjects alike.
 *
 *   npx tsx bench/h2-cost.ts --clients=1000 --events=20 --rate=4 --rounds=3
 *   npx tsx bench/h2-cost.ts --subjects=lab --transports=sse --rounds=1 --prof=prof/
 *   npx tsx bench/h2-cost.ts --subjects=lab,bare-h2,piped-h2   (piped-h2: the pipe without the meter, its floor)
 *
 * The server runs pinned to one core (`--server-cpu`, taskset), the client workers to
 * another (`--client-cpu`): what is measured is the server's own time. `--prof=DIR`
 * writes the server's CPU profile (node --cpu-prof) into DIR, one per server started.
 * `--attach='strace -c -f -p {pid}'` runs a command on the server for the measured window only
 * (SIGINT at its end; its output is printed), e.g. `perf record -g -p {pid}` or `strace -c`.
 * A quick loop for whoever works on the meter; `npm run bench` is where figures are kept.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TransportId } from '../server/transports/registry.ts';
import { ProcessPool, type Server, heldBy, poll } from './cluster.ts';
import { Child } from './ipc.ts';
import { measureLoad } from './scenarios/fanout.ts';

/** The lab's HTTP/2 port; Node's own; Node's own through the lab's plaintext pipe and nothing else (the meter's floor). */
const SUBJECTS = {
  lab: { file: 'bench/lab-server.ts', env: {} },
  'bare-h2': { file: 'bench/reference/bare-h2.ts', env: {} },
  'piped-h2': { file: 'bench/reference/bare-h2.ts', env: { BARE_H2_JS_PIPE: '1' } },
} as const;
type Subject = keyof typeof SUBJECTS;

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    events: { type: 'string', default: '20' },
    rate: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    'data-bytes': { type: 'string', default: '16' },
    subjects: { type: 'string', default: 'lab,bare-h2' },
    transports: { type: 'string', default: 'sse,ws' },
    'server-cpu': { type: 'string', default: '0' },
    'client-cpu': { type: 'string', default: '1' },
    prof: { type: 'string' },
    attach: { type: 'string' },
  },
});
const clients = Number(values.clients);
const ratePerSecond = Number(values.rate);
const durationMs = (Number(values.events) * 1000) / ratePerSecond;
const subjects = values.subjects.split(',') as Subject[];
const transports = values.transports.split(',') as TransportId[];
for (const s of subjects)
  if (!(s in SUBJECTS)) throw new Error(`--subjects: unknown subject ${s}; they are ${Object.keys(SUBJECTS).join(', ')}`);

/** Pins every thread of `pid` to `cpu`. */
const pin = (pid: number, cpu: string) => execFileSync('taskset', ['-a', '-pc', cpu, String(pid)], { stdio: 'ignore' });

async function startServer(subject: Subject): Promise<Server> {
  const prof = values.prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.prof)}`] : [];
  const { file, env } = SUBJECTS[subject];
  const child = await Child.start(subject, file, { env, execArgv: ['--expose-gc', ...prof] });
  pin(child.process.pid!, values['server-cpu']);
  const { offsetMs } = await child.call<{ offsetMs: number }>('clock');
  return {
    kind: subject === 'lab' ? 'lab' : ('bare-h2' as never),
    child,
    port: child.ready.port,
    baseUrl: '',
    offsetMs,
    instance: 0,
    tls: child.ready.tls,
  };
}

/** Runs --attach on `pid` from the window's start to its end, then prints what it wrote. */
function attachTo(pid: number): (edge: 'start' | 'end') => Promise<void> | void {
  let tool: ChildProcess | undefined;
  let output = '';
  return async (edge) => {
    if (edge === 'start') {
      // A process group of its own: the shell and the tool it starts both hear the SIGINT.
      tool = spawn('sh', ['-c', values.attach!.replaceAll('{pid}', String(pid))], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      tool.stdout!.on('data', (chunk) => (output += chunk));
      tool.stderr!.on('data', (chunk) => (output += chunk));
      await new Promise((resolve) => setTimeout(resolve, 300));
      return;
    }
    const exited = new Promise((resolve) => tool!.once('exit', resolve));
    process.kill(-tool!.pid!, 'SIGINT');
    await exited;
    console.log(output);
  };
}

interface Row {
  round: number;
  subject: Subject;
  transport: TransportId;
  cpuMicrosPerDelivery: number | null;
  /** Of it, the part spent in the kernel (system time). */
  systemMicrosPerDelivery: number | null;
  rssBytesPerConnection: number;
  /** Of it, what the JS heap and the memory it holds outside (Buffers) grew by. */
  heapBytesPerConnection: number;
  externalBytesPerConnection: number;
  deliveries: number;
  expected: number;
  p99Ms: number;
}

const cluster = new ProcessPool();
const rows: Row[] = [];
try {
  await cluster.ensureWorkers(ProcessPool.workersFor(clients));
  for (const worker of cluster.workers) pin(worker.child.process.pid!, values['client-cpu']);
  for (let round = 1; round <= Number(values.rounds); round++) {
    // Interleaved: the order flips every round, so a slow spell does not always land on one subject.
    const order = round % 2 === 1 ? subjects : [...subjects].reverse();
    for (const transport of transports) {
      for (const subject of order) {
        // A fresh server for each run: its memory per connection is measured from an empty process.
        const server = await startServer(subject);
        try {
          const base = await server.child.call('usage', { gc: true });
          const since = (await server.child.call('stats', { instance: 0 })).lastSeq;
          const set = await cluster.open(server, transport, clients, { since, wire: 'h2' });
          await poll(
            () => heldBy(server, transport),
            (n) => n >= clients,
            60_000,
            100,
          );
          const loaded = await server.child.call('usage', { gc: true });
          const attached = values.attach ? attachTo(server.child.process.pid!) : undefined;
          const system: number[] = [];
          const onWindow = async (edge: 'start' | 'end') => {
            if (edge === 'end') await attached?.(edge);
            system.push((await server.child.call('usage')).cpuSystemMicros);
            if (edge === 'start') await attached?.(edge);
          };
          const run = await measureLoad({
            subject,
            server,
            set,
            wire: 'h2',
            transport,
            ratePerSecond,
            warmupMs: 1000,
            durationMs,
            dataBytes: Number(values['data-bytes']),
            shortPollIntervalMs: 1000,
            connectSeconds: 0,
            onWindow,
          });
          await set.close();
          const row: Row = {
            round,
            subject,
            transport,
            cpuMicrosPerDelivery: run.serverCpuMicrosPerDelivery,
            systemMicrosPerDelivery: run.deliveries > 0 ? Math.round((100 * (system[1] - system[0])) / run.deliveries) / 100 : null,
            rssBytesPerConnection: Math.round((loaded.rssBytes - base.rssBytes) / clients),
            heapBytesPerConnection: Math.round((loaded.heapUsedBytes - base.heapUsedBytes) / clients),
            externalBytesPerConnection: Math.round((loaded.externalBytes - base.externalBytes) / clients),
            deliveries: run.deliveries,
            expected: run.deliveriesExpected,
            p99Ms: Math.round(run.latency.p99Ms * 10) / 10,
          };
          rows.push(row);
          console.log(JSON.stringify(row));
        } finally {
          await cluster.stopServer(server);
        }
      }
    }
  }
} finally {
  await cluster.stopAll();
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const transport of transports) {
  const of = (subject: Subject, key: 'cpuMicrosPerDelivery' | 'rssBytesPerConnection') =>
    rows.filter((r) => r.subject === subject && r.transport === transport).map((r) => r[key] ?? NaN);
  const line = subjects
    .map((s) => `${s} ${median(of(s, 'cpuMicrosPerDelivery'))} µs, ${median(of(s, 'rssBytesPerConnection'))} B/conn`)
    .join('; ');
  // Each subject against Node's own, round by round (a round's runs sit side by side in time).
  const native = of('bare-h2', 'cpuMicrosPerDelivery');
  const perRound = (s: Subject) =>
    of(s, 'cpuMicrosPerDelivery')
      .map((v, i) => (v / native[i]).toFixed(2))
      .join(' ');
  const ratios = native.length === 0 ? [] : subjects.filter((s) => s !== 'bare-h2').map((s) => `${s}/bare ${perRound(s)}`);
  console.log(`${transport}: median ${line}${ratios.length ? `; per round ${ratios.join('; ')}` : ''}`);
}
