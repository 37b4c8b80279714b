/**
 * Real packet loss, where the machine allows it: a network namespace of the run's
 * own (Linux, as root), with its loopback up and an nftables rule that drops a
 * random share of the TCP packets to and from the lab's ports, so that TCP itself
 * retransmits (its RTO, fast retransmit, tail-loss probes, congestion window).
 * Loopback alone cannot lose, and this kernel family often has no netem qdisc
 * (`tc qdisc ... netem` fails), which is why the drop is a firewall rule.
 *
 * The namespace has a name unique to the run and is removed when the work is done,
 * when it fails, and when the process exits (Ctrl-C included): only the processes
 * started inside it (through `command`) see its network.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** The nftables table the rule lives in (inside the namespace only). */
const TABLE = 'wirelab_loss';

export type Support = { ok: true } | { ok: false; reason: string };

const run = (command: string, args: string[], input?: string) => {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
};

/** Whether real loss can run here; if not, why (the bench then uses the stall proxy). */
export function lossNamespaceSupport(): Support {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces are Linux's; this is ${process.platform}` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root (run as root for real packet loss)' };
  for (const tool of ['ip', 'nft']) {
    // iproute2's ip knows -V, not --version; nft knows both.
    const found = spawnSync(tool, ['-V'], { encoding: 'utf8', timeout: 5000 });
    if (found.error || found.status !== 0)
      return { ok: false, reason: `${tool} is not installed (Debian: apt-get install ${tool === 'ip' ? 'iproute2' : 'nftables'})` };
  }
  try {
    withNamespaceSync((name) => run('ip', ['netns', 'exec', name, 'nft', '-f', '-'], lossRules(1, [1])));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `a network namespace with an nftables rule could not be made: ${(error as Error).message.split('\n')[0]}` };
  }
}

/**
 * The nftables script that drops `percent` % of the TCP packets to or from `ports`
 * (both directions: data, acknowledgements, handshakes), with counters to read
 * back; 0 % keeps the counters and drops nothing. The draw is in hundredths of a
 * percent (`numgen random mod 10000`).
 */
export function lossRules(percent: number, ports: number[]): string {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`a loss rate is a percentage from 0 to 100, got ${percent}`);
  if (ports.length === 0 || !ports.every((p) => Number.isInteger(p) && p > 0 && p < 65_536))
    throw new RangeError(`ports from 1 to 65535, got ${ports.join(',')}`);
  const set = `{ ${ports.join(', ')} }`;
  const share = Math.round(percent * 100);
  // numgen's values run 0-9999: 100 % is a plain drop.
  const draw = share >= 10_000 ? '' : `numgen random mod 10000 < ${share} `;
  return [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
    `    tcp dport ${set} counter`,
    `    tcp sport ${set} counter`,
    ...(share > 0 ? [`    tcp dport ${set} ${draw}counter drop`, `    tcp sport ${set} ${draw}counter drop`] : []),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nft, in `namespace` if named, else in the one this process runs in (the probe's, started inside it). */
const nft = (args: string[], namespace?: string, input?: string) =>
  namespace ? run('ip', ['netns', 'exec', namespace, 'nft', ...args], input) : run('nft', args, input);

/** Sets the loss rule (and zeroes its counters). */
export function setLoss(percent: number, ports: number[], namespace?: string): void {
  nft(['-f', '-'], namespace, lossRules(percent, ports));
}

/** Packets to and from the ports, and those dropped, since the rule was last set. */
export function lossCounters(namespace?: string): { packets: number; dropped: number } {
  const listed = JSON.parse(nft(['-j', 'list', 'table', 'inet', TABLE], namespace)) as {
    nftables: { rule?: { expr: Record<string, unknown>[] } }[];
  };
  let packets = 0;
  let dropped = 0;
  for (const item of listed.nftables) {
    const expr = item.rule?.expr;
    if (!expr) continue;
    const counter = expr.find((e) => 'counter' in e)?.counter as { packets: number } | undefined;
    if (!counter) continue;
    if (expr.some((e) => 'drop' in e)) dropped += counter.packets;
    else packets += counter.packets;
  }
  return { packets, dropped };
}

/** A new namespace's name: the run's process id and random letters, never one another run uses. */
const newName = () => `wirelab-loss-${process.pid}-${randomBytes(3).toString('hex')}`;

function create(name: string): void {
  run('ip', ['netns', 'add', name]);
  try {
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    remove(name);
    throw error;
  }
}

function remove(name: string): void {
  spawnSync('ip', ['netns', 'delete', name], { timeout: 10_000 });
}

/** Whether a namespace of that name exists. */
export function namespaceExists(name: string): boolean {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .some((line) => line.split(' ')[0] === name);
}

function withNamespaceSync<T>(work: (name: string) => T): T {
  const name = newName();
  create(name);
  try {
    return work(name);
  } finally {
    remove(name);
  }
}

export interface LossNamespace {
  name: string;
  /** The command line that runs `command args` inside the namespace. */
  command(command: string, args: string[]): { command: string; args: string[] };
}

/**
 * Runs `work` with a fresh namespace and removes it afterwards, whatever happens;
 * the process's exit (a signal handler's `process.exit`, say) removes it too.
 */
export async function withLossNamespace<T>(work: (namespace: LossNamespace) => Promise<T>): Promise<T> {
  const name = newName();
  create(name);
  const onExit = () => remove(name);
  process.on('exit', onExit);
  try {
    return await work({ name, command: (command, args) => ({ command: 'ip', args: ['netns', 'exec', name, command, ...args] }) });
  } finally {
    process.off('exit', onExit);
    remove(name);
  }
}
