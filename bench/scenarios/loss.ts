/**
 * Head-of-line blocking, measured: the five transports over HTTP/1.1 (one TCP
 * connection each, as a browser's page opens them) against the same five over
 * HTTP/2 (all on one connection), at several packet-loss rates, p50/p99/max
 * delivery latency per transport.
 *
 * TCP delivers in order: a lost segment holds up every byte behind it on its
 * connection until the retransmission arrives. Over HTTP/2 that is every
 * transport at once; over HTTP/1.1, only the one whose connection lost it.
 *
 * Where the machine allows it (Linux, root, ip and nft), the loss is real: the lab
 * and its clients run in a network namespace of the run's own whose firewall drops
 * that share of the lab ports' packets (bench/loss-namespace.ts), and TCP recovers
 * as it does. Elsewhere, or with --loss-mechanism=stand-in, the stall proxy
 * (server/stall-proxy.ts) stands in: seeded, about one RTO per lost segment, per
 * connection. The results say which ran, and why.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { DEFAULT_SEGMENT_BYTES } from '../../server/stall-proxy.ts';
import { ROOT } from '../ipc.ts';
import { lossNamespaceSupport, withLossNamespace } from '../loss-namespace.ts';
import { type LossMechanism, type LossProbeArgs, type LossProbeResult, RESULT_PREFIX } from '../loss-probe.ts';
import type { RunContext } from './context.ts';

/** What the probe measured, with the arguments it ran with and why this mechanism. */
export interface LossResult extends LossProbeResult, LossProbeArgs {
  /** Why this mechanism: real loss ran, or why it could not. */
  mechanismNote: string;
}

/** Estimated seconds of the scenario, for the progress bar. */
export const lossSeconds = (p: { loss: { ratesPercent: number[]; events: number; intervalMs: number } }) =>
  4 + p.loss.ratesPercent.length * (3 + (p.loss.events * p.loss.intervalMs) / 1000);

/** Runs the probe (inside the namespace when `wrap` is given); resolves with its result. */
function runProbe(
  args: LossProbeArgs,
  limitMs: number,
  onLine: (line: string) => void,
  wrap?: (command: string, argv: string[]) => { command: string; args: string[] },
): Promise<LossProbeResult> {
  const argv = ['--import', 'tsx', path.join(ROOT, 'bench', 'loss-probe.ts'), JSON.stringify(args)];
  const { command, args: fullArgs } = wrap ? wrap(process.execPath, argv) : { command: process.execPath, args: argv };
  // stdin stays open: the probe stops when it closes (this process gone).
  const child = spawn(command, fullArgs, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    err = (err + text).slice(-4000);
    for (const line of text.split('\n')) if (line.startsWith('loss ')) onLine(line);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as LossProbeResult);
      else
        reject(
          new Error(
            `the loss probe ${signal ? `was stopped (${signal}) after ${limitMs / 1000} s` : `exited ${code}`}: ` +
              err.trim().split('\n').slice(-3).join(' '),
          ),
        );
    });
  });
}

export async function runLoss(context: RunContext): Promise<LossResult> {
  const { params, progress } = context;
  const { ratesPercent, events, intervalMs, shortPollIntervalMs, stallMs, seed, mechanism: asked } = params.loss;
  const support = asked === 'stand-in' ? { ok: false as const, reason: '--loss-mechanism=stand-in' } : lossNamespaceSupport();
  if (asked === 'netns' && !support.ok) throw new Error(`--loss-mechanism=netns: ${support.reason}`);
  const mechanism: LossMechanism = support.ok ? 'netns' : 'stand-in';
  const mechanismNote = support.ok
    ? 'real packet loss: the lab and its clients in a network namespace of their own, ' +
      "nftables dropping that share of the lab ports' TCP packets both ways"
    : `the stall proxy standing in for loss (${stallMs} ms per lost ${DEFAULT_SEGMENT_BYTES}-byte segment, seeded): ${support.reason}`;
  progress.note(`loss: ${mechanismNote}`);
  const args: LossProbeArgs = {
    mechanism,
    ratesPercent,
    events,
    intervalMs,
    shortPollIntervalMs,
    dataBytes: params.payloadBytes[0],
    stallMs,
    seed,
  };
  const limitMs = 4 * lossSeconds(params) * 1000 + 60_000;
  const step = (line: string) => {
    progress.step(line);
    progress.advance(3 + (events * intervalMs) / 1000);
  };
  const result =
    mechanism === 'netns'
      ? await withLossNamespace((namespace) => runProbe(args, limitMs, step, namespace.command))
      : await runProbe(args, limitMs, step);
  progress.advance(4);
  return {
    mechanism,
    mechanismNote,
    ratesPercent,
    events,
    intervalMs,
    shortPollIntervalMs,
    dataBytes: args.dataBytes,
    stallMs,
    seed,
    ...result,
  };
}
