/**
 * results/summary.md: every table of a run, each with the sentence that says how it
 * was measured, written from the results JSON alone. The console prints the machine
 * line, the headline and the targets from here too.
 */
import { clusterHeadlineNote, clusterMarkdown } from './markdown-cluster.ts';
import { h2NativeSection, librariesSection } from './markdown-libraries.ts';
import { lossSection } from './markdown-loss.ts';
import { protocolsMarkdown } from './markdown-protocols.ts';
import {
  autocannonSection,
  capacitySection,
  fanoutSection,
  kaazingSection,
  latencySection,
  methodSection,
  overheadSections,
  referenceSection,
  rttSection,
  shortPollGridSection,
} from './markdown-scenarios.ts';
import { fmt, ms, table } from './format.ts';
import type { Results } from './schema.ts';

/** The machine, Node, the packages and the commit, on one line. */
export function machineLine(r: Results): string {
  const m = r.environment.machine;
  const e = r.environment;
  return (
    `${m.cpuModel}, ${m.cores} cores, ${fmt(m.memoryBytes / 2 ** 30, 0)} GiB, ${m.platform} ${m.osRelease}; Node ${e.node}; ` +
    `fastify ${e.packages.fastify}, ws ${e.packages.ws}; commit ${e.git.commit?.slice(0, 10) ?? 'unknown'}`
  );
}

/** The headline table: one row per transport, HTTP/2 columns beside HTTP/1.1's when the run had HTTP/2. */
export function headlineTable(r: Results): string {
  const n = r.derived.headlineFanoutClients;
  const h2 = r.parameters.wires.includes('h2');
  const n2 = r.derived.headline.find((h) => h.byWire.h2.fanoutClients !== null)?.byWire.h2.fanoutClients ?? null;
  const onH2 = (...cells: string[]) => (h2 ? cells : []);
  return table(
    [
      'Transport',
      'Overhead per event, Node client (B)',
      'Overhead per event, browser heads (B)',
      ...onH2('Overhead per event, browser over HTTP/2 (B)'),
      'One-off, browser (B)',
      'Requests per event',
      'Idle p50 (ms)',
      ...onH2('Idle p50, HTTP/2 (ms)'),
      `p99, ${fmt(n)} clients (ms)`,
      ...onH2(`p99, ${fmt(n2)} clients, HTTP/2 (ms)`),
      'Clients held by one process',
      'Server memory per connection (B)',
    ],
    r.derived.headline.map((h) => [
      h.label,
      fmt(h.overheadBytesPerEventMinimal, 1),
      fmt(h.overheadBytesPerEventBrowser, 1),
      ...onH2(fmt(h.byWire.h2.overheadBytesPerEventBrowser, 1)),
      fmt(h.oneOffBytesBrowser),
      fmt(h.requestsPerEvent, 2),
      ms(h.idleP50Ms),
      ...onH2(ms(h.byWire.h2.idleP50Ms)),
      ms(h.fanoutP99Ms),
      ...onH2(ms(h.byWire.h2.fanoutP99Ms)),
      h.maxClientsHeld === null
        ? 'n/a'
        : `${fmt(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`,
      fmt(h.rssBytesPerConnection),
    ]),
  );
}

/** The targets table. */
export function targetsTable(r: Results): string {
  return table(
    ['Target', 'Transport', 'Target value', 'Measured', 'Met'],
    r.derived.targets.map((t) => {
      const digits = t.unit === 'x' ? 2 : t.unit === 'B' && t.measured !== null && t.measured % 1 ? 2 : 0;
      const note = t.note ? ` (${t.note})` : '';
      return [
        t.text,
        t.transport ? r.labels[t.transport] : '',
        t.target,
        t.measured === null ? 'n/a' : `${t.unit === 'ms' ? ms(t.measured) : fmt(t.measured, digits)} ${t.unit}`,
        t.met === null ? `not judged${note}` : t.met ? 'yes' : `**no**${note}`,
      ];
    }),
  );
}

/** The opening: what ran, where, how long each part took. */
function opening(r: Results): string[] {
  const parts = [`# Wirelab bench results${r.quick ? ' (quick run)' : ''}`];
  if (r.quick) {
    parts.push(
      '**A quick run** (`npm run bench -- --quick`): fewer clients, events and steps than the reference run, for CI and a ' +
        "first look. Its figures are not the reference run's, and no target is judged on it. The reference run is " +
        '`results/latest.json`, written by `npm run bench`.',
    );
  }
  const heads = r.browserHeads;
  const timings = Object.entries(r.timings)
    .map(([k, v]) => `${k} ${fmt(v)} s`)
    .join(', ');
  parts.push(
    `Run \`${r.id}\`, ${r.startedAt}, ${fmt(r.durationSeconds)} s, produced by \`${r.command}\`.\n\n` +
      `Machine: ${machineLine(r)}. Browser heads: ${heads.note} (${heads.browser}, captured ${heads.capturedAt}).` +
      `${heads.h2 ? ` Over HTTP/2: ${heads.h2.note} (${heads.h2.browser}).` : ''} Largest clock disagreement between processes: ` +
      `${fmt(r.environment.clockSkewMaxMs * 1000, 1)} µs (corrected). Time per part: ${timings}.`,
  );
  const failed = r.errors.map((e) => `${e.scenario}: ${e.message.split('\n')[0]}`);
  if (failed.length) parts.push(`**Scenarios that failed:** ${failed.join('; ')}`);
  return parts;
}

/** results/summary.md: every table of the run, each with the sentence that says how it was measured. */
export function summaryMarkdown(r: Results): string {
  const s = r.scenarios;
  const multiWire = r.parameters.wires.length > 1 || r.parameters.wires[0] !== 'h1';
  const parts = opening(r);
  parts.push(
    '## Headline\n\nOverhead = every byte on the socket that is not event payload (HTTP heads, framing, envelopes), both ' +
      'directions, per delivered event, smallest payload; short polling polls once per event. One-off = what a connection costs before ' +
      "its first event (handshake or response head, preamble). Memory is the slope of the server's RSS over held connections. Columns " +
      `without a protocol are plain HTTP/1.1.\n\n${headlineTable(r)}${clusterHeadlineNote(r)}`,
  );
  parts.push(`## Targets\n\n${targetsTable(r)}`);
  if (multiWire) parts.push(protocolsMarkdown(r));
  if (s.overhead) parts.push(...overheadSections(r));
  if (s.shortPollGrid) parts.push(shortPollGridSection(r));
  if (s.latency) parts.push(latencySection(r));
  if (s.fanout) parts.push(fanoutSection(r));
  if (s.rtt) parts.push(rttSection(r));
  if (s.capacity) parts.push(capacitySection(r));
  if (s.autocannon) parts.push(autocannonSection(r));
  if (s.reference) parts.push(referenceSection(r));
  if (s.libraries) parts.push(librariesSection(r));
  if (s.h2Native) parts.push(h2NativeSection(r));
  if (s.loss) parts.push(lossSection(r));
  const cluster = clusterMarkdown(r);
  if (cluster) parts.push(cluster);
  if (r.derived.kaazing.rows.length > 2) parts.push(kaazingSection(r));
  parts.push(methodSection(r));
  return `${parts.join('\n\n')}\n`;
}
