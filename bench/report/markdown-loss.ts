/**
 * results/summary.md's section for the loss scenario ("Head-of-line blocking under
 * loss"), from the results JSON alone: which mechanism lost the packets, then
 * p50/p99/max per transport, HTTP/1.1 beside HTTP/2, at each loss rate.
 */
import type { LossResult } from '../scenarios/loss.ts';
import { fmt, ms, section, table } from './format.ts';
import type { Results } from './schema.ts';

/** What was dropped at each rate, in words. */
function dropped(x: LossResult): string {
  const unit = x.mechanism === 'netns' ? 'packets' : 'segments';
  return x.rates
    .map(
      (rate) =>
        `${fmt(rate.lossPercent, rate.lossPercent % 1 ? 1 : 0)} %: ${fmt(rate.dropped)} of ${fmt(rate.packets)} ${unit}` +
        ` (connections held: ${rate.connections['h1-tls']} over HTTP/1.1, ${rate.connections.h2} over HTTP/2)`,
    )
    .join('; ');
}

export function lossSection(r: Results): string {
  const x = r.scenarios.loss!;
  const rows = x.ratesPercent.flatMap((lossPercent) =>
    r.transports.map((transport) => {
      const of = (wire: 'h1-tls' | 'h2') =>
        x.runs.find((run) => run.lossPercent === lossPercent && run.wire === wire && run.transport === transport);
      const h1 = of('h1-tls');
      const h2 = of('h2');
      return [
        `${fmt(lossPercent, lossPercent % 1 ? 1 : 0)} %`,
        r.labels[transport],
        ms(h1?.latency.p50Ms),
        ms(h1?.latency.p99Ms),
        ms(h1?.latency.maxMs),
        ms(h2?.latency.p50Ms),
        ms(h2?.latency.p99Ms),
        ms(h2?.latency.maxMs),
        `${fmt(h1?.received)} / ${fmt(h2?.received)}`,
      ];
    }),
  );
  return section(
    '## Head-of-line blocking under loss',
    `The five transports at once over HTTP/1.1 over TLS, each on a connection of its own (as a browser's page opens them), and the same ` +
      `five over HTTP/2, all on one connection, both on the same feed: ${fmt(x.events)} events ${fmt(x.intervalMs)} ms apart ` +
      `(${fmt(x.dataBytes)} B of data), delivery latency at each client (short polls every ${fmt(x.shortPollIntervalMs)} ms). ` +
      `TCP delivers in order, so a lost segment holds up every byte behind it on its connection: over HTTP/2 every transport at once.`,
    `**How packets were lost: ${x.mechanism === 'netns' ? 'real loss' : 'the stand-in'}**: ${x.mechanismNote}. Dropped: ${dropped(x)}.`,
    table(['Loss', 'Transport', 'HTTP/1.1 p50 (ms)', 'p99', 'max', 'HTTP/2 p50 (ms)', 'p99', 'max', 'Received (HTTP/1.1 / HTTP/2)'], rows),
  );
}
