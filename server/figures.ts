/**
 * The measured figures the lessons quote, read from the bench's reference run.
 *
 * A lesson never types a measurement: it writes a placeholder such as
 * `{{fig:short-poll.responseHeadBytes}}`, and lessons.ts fills it at render time
 * from the table built here out of `results/latest.json` (the file `npm run bench`
 * writes, committed as the reference run). Each figure names the JSON path it is
 * read from, so a teacher can trace any number on a lesson page back to the run,
 * and figures.test.ts checks every value against its path. Both languages fill the
 * same placeholders from the same table, so they cannot quote different numbers.
 *
 * What is a property of a protocol or of the lab's code rather than a measurement
 * (RFC 6455's 2-byte frame header, the 1,024 bytes of iframe padding, a default
 * setting) is not here: lessons state those as text.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.ts';

/** How a figure's value is written: bytes, milliseconds, a plain count, a share, a rate, or text. */
export type FigureUnit = 'B' | 'ms' | 'count' | 'percent' | 'Mbit/s' | 'text';

export interface FigureSpec {
  /** `<group>.<quantity>`, the name a lesson's placeholder uses. */
  name: string;
  /** Where in results/latest.json the value is read (see resolvePath for the syntax). */
  path: string;
  unit: FigureUnit;
  /** One line for a reader of this file. */
  about: string;
}

export interface Figure extends FigureSpec {
  value: number | string;
  /** The value as a lesson prints it, the same in every language: `285 B`, `0.324 ms`. */
  text: string;
}

/** A placeholder in a lesson: `{{fig:<name>}}`. The `fig:` prefix keeps it apart from any template syntax in code samples. */
export const PLACEHOLDER = /\{\{fig:([^{}]*)\}\}/g;

/** What a figure's name looks like. */
export const FIGURE_NAME = /^[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9]*$/;

/** The bench's overhead cell for one transport, with Chromium's request heads, at the smallest payload. */
const cell = (transport: string) => `scenarios.overhead.cells[profile=browser,transport=${transport},dataBytes=16]`;
/** The derived one-off cost (what a connection costs before its first event), Chromium's heads. */
const oneOff = (transport: string) => `derived.oneOff[profile=browser,transport=${transport}]`;
/** The single idle client's latency on loopback. */
const idle = (transport: string) => `scenarios.latency.results[transport=${transport}].latency`;
/** A run through the delay proxy at the largest simulated round trip. */
const rtt = (transport: string) => `scenarios.rtt.runs[rttMs=150,transport=${transport}]`;
/** The capacity ramp of one transport. */
const capacity = (transport: string) => `scenarios.capacity.runs[transport=${transport}]`;
/** The bench's overhead cell over HTTP/2 at the smallest payload, measured with Chromium itself (bench/browser-h2.ts). */
const h2Cell = (transport: string) => `scenarios.overhead.byWire.h2.cells[profile=browser,transport=${transport},dataBytes=16]`;
/** Chromium's request heads of one kind over HTTP/1.1 and HTTP/2 (first and repeated on one connection), with the lab's response heads. */
const heads = (transport: string) => `derived.protocols.heads[transport=${transport}]`;
/** What TLS cost one transport in the fan-out runs, per wire (`h1`, `h1-tls`, `h2`). */
const tlsRow = (transport: string) => `derived.protocols.tls[transport=${transport}]`;
/** One idle client's latency in one setup of the cluster scenario: `memory`, `redis` (one process each) or `cluster` (behind nginx). */
const clusterIdle = (setup: string, transport: string) => `scenarios.cluster.latency.results[setup=${setup},transport=${transport}].latency`;

export const FIGURE_SPECS: readonly FigureSpec[] = [
  // The run itself.
  { name: 'run.browser', path: 'browserHeads.browser', unit: 'text', about: 'the browser whose request heads the bench captured' },
  { name: 'run.cores', path: 'environment.machine.cores', unit: 'count', about: 'CPU cores of the machine the reference run used' },
  { name: 'event.smallJsonBytes', path: `${cell('short-poll')}.eventJsonBytes`, unit: 'B', about: 'one small event\'s JSON (16 B of data), the payload every transport carries' },

  // Short polling: one empty poll, exactly as the server read and wrote it.
  { name: 'short-poll.requestHeadBytes', path: `${cell('short-poll')}.oneOff.up.headBytes`, unit: 'B', about: 'Chromium\'s request head for one poll' },
  { name: 'short-poll.responseHeadBytes', path: `${cell('short-poll')}.oneOff.down.headBytes`, unit: 'B', about: 'the lab\'s response head for one poll' },
  { name: 'short-poll.emptyBodyBytes', path: `${cell('short-poll')}.oneOff.down.framingBytes`, unit: 'B', about: 'the body of an empty answer, {"epoch","lastSeq","events":[]}' },
  { name: 'short-poll.emptyPollBytes', path: `${oneOff('short-poll')}.oneOffBytes`, unit: 'B', about: 'one empty poll in all: request head, response head and empty body' },
  { name: 'short-poll.envelopeBytesPerEvent', path: `${cell('short-poll')}.perEvent.downFramingBytes`, unit: 'B', about: 'the poll body\'s JSON envelope, per delivered event' },
  { name: 'short-poll.overheadBytesPerEvent', path: `${cell('short-poll')}.perEvent.overheadBytes`, unit: 'B', about: 'everything but the payload, both ways, per event, polling once per event' },
  { name: 'short-poll.nodeRequestHeadBytes', path: 'scenarios.overhead.cells[profile=minimal,transport=short-poll,dataBytes=16].oneOff.up.headBytes', unit: 'B', about: 'the Node driver\'s request head for one poll' },
  { name: 'short-poll.idleIntervalMs', path: 'parameters.latency.shortPollIntervalMs', unit: 'ms', about: 'the poll interval of that idle client' },
  { name: 'short-poll.idleP50Ms', path: `${idle('short-poll')}.p50Ms`, unit: 'ms', about: 'median latency of one idle short-polling client' },
  { name: 'short-poll.emptyShare100ms1ps', path: 'scenarios.shortPollGrid.cells[intervalMs=100,ratePerSecond=1].emptyPollShare', unit: 'percent', about: 'share of empty answers, polling every 100 ms with one event a second' },
  { name: 'short-poll.overheadBytesPerEvent100ms1ps', path: 'scenarios.shortPollGrid.cells[intervalMs=100,ratePerSecond=1].overheadBytesPerEvent', unit: 'B', about: 'overhead per delivered event in that case (Node client heads)' },
  { name: 'short-poll.kaazing1000Mbps', path: 'derived.kaazing.rows[source=measured,transport=short-poll].rows[clients=1000].mbpsSI', unit: 'Mbit/s', about: 'overhead of 1,000 browsers each getting one event a second, SI megabits' },
  { name: 'short-poll.rtt150MeanMs', path: `${rtt('short-poll')}.latency.meanMs`, unit: 'ms', about: 'mean latency through the delay proxy' },
  { name: 'short-poll.maxClientsHeld', path: `${capacity('short-poll')}.maxClientsHeld`, unit: 'count', about: 'short-polling clients (one poll a second) one lab process served' },

  // Long polling.
  { name: 'long-poll.requestHeadBytes', path: `${cell('long-poll')}.requestHeadBytes`, unit: 'B', about: 'Chromium\'s request head for one long poll, on average' },
  { name: 'long-poll.responseHeadBytes', path: `${cell('long-poll')}.responseHeadBytes`, unit: 'B', about: 'the lab\'s response head for one long poll, on average' },
  { name: 'long-poll.overheadBytesPerEvent', path: `${cell('long-poll')}.perEvent.overheadBytes`, unit: 'B', about: 'everything but the payload, both ways, per event' },
  { name: 'long-poll.idleP50Ms', path: `${idle('long-poll')}.p50Ms`, unit: 'ms', about: 'median latency of one idle long-polling client' },
  { name: 'long-poll.rtt150MeanMs', path: `${rtt('long-poll')}.latency.meanMs`, unit: 'ms', about: 'mean latency through the delay proxy, events faster than one per round trip' },
  { name: 'long-poll.rtt150MaxMs', path: `${rtt('long-poll')}.latency.maxMs`, unit: 'ms', about: 'worst latency through the delay proxy' },
  { name: 'long-poll.maxClientsHeld', path: `${capacity('long-poll')}.maxClientsHeld`, unit: 'count', about: 'long-polling clients one lab process held before latency passed its bound' },

  // Iframe streaming.
  { name: 'iframe.requestHeadBytes', path: `${cell('iframe')}.oneOff.up.headBytes`, unit: 'B', about: 'Chromium\'s request head for the iframe\'s document' },
  { name: 'iframe.responseHeadBytes', path: `${cell('iframe')}.oneOff.down.headBytes`, unit: 'B', about: 'the lab\'s response head of the stream' },
  { name: 'iframe.preambleBytes', path: `${cell('iframe')}.oneOff.down.framingBytes`, unit: 'B', about: 'the padded first chunk on the wire, chunk header included' },
  { name: 'iframe.oneOffBytes', path: `${oneOff('iframe')}.oneOffBytes`, unit: 'B', about: 'what a stream costs before its first event' },
  { name: 'iframe.framingBytesPerEvent', path: `${cell('iframe')}.perEvent.downFramingBytes`, unit: 'B', about: 'script wrapper and chunk header per event' },
  { name: 'iframe.idleP50Ms', path: `${idle('iframe')}.p50Ms`, unit: 'ms', about: 'median latency of one idle iframe client' },
  { name: 'iframe.overheadBytesPerEvent', path: `${cell('iframe')}.perEvent.overheadBytes`, unit: 'B', about: 'everything but the payload, both ways, per event' },
  { name: 'iframe.rtt150MeanMs', path: `${rtt('iframe')}.latency.meanMs`, unit: 'ms', about: 'mean latency through the delay proxy' },
  { name: 'iframe.maxClientsHeld', path: `${capacity('iframe')}.maxClientsHeld`, unit: 'count', about: 'iframe clients one lab process held' },

  // Server-Sent Events.
  { name: 'sse.requestHeadBytes', path: `${cell('sse')}.oneOff.up.headBytes`, unit: 'B', about: 'Chromium\'s request head for an EventSource' },
  { name: 'sse.responseHeadBytes', path: `${cell('sse')}.oneOff.down.headBytes`, unit: 'B', about: 'the lab\'s response head of the stream' },
  { name: 'sse.oneOffBytes', path: `${oneOff('sse')}.oneOffBytes`, unit: 'B', about: 'what a stream costs before its first event' },
  { name: 'sse.framingBytesPerEvent', path: `${cell('sse')}.perEvent.downFramingBytes`, unit: 'B', about: 'id:/event:/data: lines, blank line and chunk header per event' },
  { name: 'sse.idleP50Ms', path: `${idle('sse')}.p50Ms`, unit: 'ms', about: 'median latency of one idle SSE client' },
  { name: 'sse.overheadBytesPerEvent', path: `${cell('sse')}.perEvent.overheadBytes`, unit: 'B', about: 'everything but the payload, both ways, per event' },
  { name: 'sse.rtt150MeanMs', path: `${rtt('sse')}.latency.meanMs`, unit: 'ms', about: 'mean latency through the delay proxy' },
  { name: 'sse.maxClientsHeld', path: `${capacity('sse')}.maxClientsHeld`, unit: 'count', about: 'SSE clients one lab process held' },
  { name: 'sse.memoryBytesPerConnection', path: `${capacity('sse')}.rssBytesPerConnection`, unit: 'B', about: 'server memory per held SSE connection (RSS slope)' },

  // WebSocket.
  { name: 'ws.requestHeadBytes', path: `${cell('ws')}.oneOff.up.headBytes`, unit: 'B', about: 'Chromium\'s upgrade request' },
  { name: 'ws.responseHeadBytes', path: `${cell('ws')}.oneOff.down.headBytes`, unit: 'B', about: 'the lab\'s 101 response' },
  { name: 'ws.oneOffBytes', path: `${oneOff('ws')}.oneOffBytes`, unit: 'B', about: 'the whole handshake, both ways' },
  { name: 'ws.idleP50Ms', path: `${idle('ws')}.p50Ms`, unit: 'ms', about: 'median latency of one idle WebSocket client' },
  { name: 'ws.overheadBytesPerEvent', path: `${cell('ws')}.perEvent.overheadBytes`, unit: 'B', about: 'everything but the payload, both ways, per event' },
  { name: 'ws.rtt150MeanMs', path: `${rtt('ws')}.latency.meanMs`, unit: 'ms', about: 'mean latency through the delay proxy' },
  { name: 'ws.kaazing1000Mbps', path: 'derived.kaazing.rows[source=measured,transport=ws].rows[clients=1000].mbpsSI', unit: 'Mbit/s', about: 'overhead of 1,000 WebSocket clients each getting one event a second, SI megabits' },
  { name: 'ws.maxClientsHeld', path: `${capacity('ws')}.maxClientsHeld`, unit: 'count', about: 'WebSocket clients one lab process held' },
  { name: 'ws.memoryBytesPerConnection', path: `${capacity('ws')}.rssBytesPerConnection`, unit: 'B', about: 'server memory per held WebSocket (RSS slope)' },

  // The delay proxy's round trip, read from the same runs as the latencies above.
  { name: 'rtt.roundTripMs', path: `${rtt('long-poll')}.rttMs`, unit: 'ms', about: 'the simulated round trip of those runs' },
  { name: 'rtt.eventIntervalMs', path: 'scenarios.rtt.intervalMs', unit: 'ms', about: 'time between two events in those runs' },
  { name: 'rtt.shortPollIntervalMs', path: 'scenarios.rtt.shortPollIntervalMs', unit: 'ms', about: 'the short-poll interval in those runs' },

  // Several processes on one Redis feed behind nginx (the cluster scenario): one idle client in each setup, taking turns.
  { name: 'cluster.processes', path: 'scenarios.cluster.processes', unit: 'count', about: 'lab processes behind nginx in the cluster scenario' },
  { name: 'cluster.wsMemoryP50Ms', path: `${clusterIdle('memory', 'ws')}.p50Ms`, unit: 'ms', about: 'one idle WebSocket client, one process, the feed in its memory (the scenario\'s own baseline)' },
  { name: 'cluster.wsRedisP50Ms', path: `${clusterIdle('redis', 'ws')}.p50Ms`, unit: 'ms', about: 'the same with the feed in Redis: the Redis hop added' },
  { name: 'cluster.wsNginxP50Ms', path: `${clusterIdle('cluster', 'ws')}.p50Ms`, unit: 'ms', about: 'the same through nginx to the cluster\'s processes, the feed in Redis' },
  { name: 'cluster.pollProcessesSeen', path: 'scenarios.cluster.polls[transport=long-poll].processesSeen', unit: 'count', about: 'processes that answered the long polls through nginx, with no sticky session' },

  // HTTP/2: HPACK on Chromium's poll, after the page itself was loaded on the same connection.
  { name: 'h2.pollHeadH1Bytes', path: `${heads('short-poll')}.h1Bytes`, unit: 'B', about: 'Chromium\'s fetch() poll request head over HTTP/1.1, as text' },
  { name: 'h2.pollHeadFirstBytes', path: `${heads('short-poll')}.h2FirstBytes`, unit: 'B', about: 'the same poll\'s HPACK block over HTTP/2, the first poll on the page\'s connection' },
  { name: 'h2.pollHeadRepeatedBytes', path: `${heads('short-poll')}.h2RepeatedBytes`, unit: 'B', about: 'the same poll\'s HPACK block over HTTP/2, repeated (median)' },
  { name: 'h2.pollResponseHeadFirstBytes', path: `${heads('short-poll')}.h2ResponseFirstBytes`, unit: 'B', about: 'the lab\'s poll response head over HTTP/2, first on the connection (Node\'s HPACK encoder)' },
  { name: 'h2.pollResponseHeadRepeatedBytes', path: `${heads('short-poll')}.h2ResponseRepeatedBytes`, unit: 'B', about: 'the lab\'s poll response head over HTTP/2, repeated (median)' },
  { name: 'h2.wsConnectHeadBytes', path: `${heads('ws')}.h2FirstBytes`, unit: 'B', about: 'Chromium\'s extended CONNECT (RFC 8441) opening a WebSocket on the page\'s HTTP/2 connection' },
  { name: 'h2.wsResponseHeadBytes', path: `${heads('ws')}.h2ResponseFirstBytes`, unit: 'B', about: 'the lab\'s 200 answering that CONNECT' },

  // HTTP/2: overhead per delivered event, Chromium as the client.
  { name: 'h2.shortPollOverheadBytesPerEvent', path: `${h2Cell('short-poll')}.perEvent.overheadBytes`, unit: 'B', about: 'short polling over HTTP/2: everything but the payload, both ways, per event' },
  { name: 'h2.shortPollUpHeadBytesPerEvent', path: `${h2Cell('short-poll')}.perEvent.upHeadBytes`, unit: 'B', about: 'of which request heads (HPACK blocks), per event' },
  { name: 'h2.shortPollDownHeadBytesPerEvent', path: `${h2Cell('short-poll')}.perEvent.downHeadBytes`, unit: 'B', about: 'of which response heads (HPACK blocks), per event' },
  { name: 'h2.shortPollShareOfH1', path: 'derived.protocols.overhead[profile=browser,transport=short-poll].h2ToH1', unit: 'percent', about: 'short polling\'s overhead per event over HTTP/2 as a share of HTTP/1.1\'s' },
  { name: 'h2.longPollOverheadBytesPerEvent', path: `${h2Cell('long-poll')}.perEvent.overheadBytes`, unit: 'B', about: 'long polling over HTTP/2: everything but the payload, both ways, per event' },
  { name: 'h2.iframeOverheadBytesPerEvent', path: `${h2Cell('iframe')}.perEvent.overheadBytes`, unit: 'B', about: 'iframe streaming over HTTP/2, per event: script wrapper and DATA frame header' },
  { name: 'h2.sseOverheadBytesPerEvent', path: `${h2Cell('sse')}.perEvent.overheadBytes`, unit: 'B', about: 'SSE over HTTP/2, per event: id/event/data lines and DATA frame header' },
  { name: 'h2.sseOwnFramingBytes', path: `${h2Cell('sse')}.floorFramingBytes`, unit: 'B', about: 'SSE\'s own lines per event, without chunk or frame header' },
  { name: 'h2.wsOverheadBytesPerEvent', path: `${h2Cell('ws')}.perEvent.overheadBytes`, unit: 'B', about: 'WebSocket over HTTP/2, per event: WebSocket frame header inside a DATA frame' },
  { name: 'h2.connectionSetupBytes', path: 'derived.protocols.connection[profile=browser].oneOffBytes', unit: 'B', about: 'Chromium\'s HTTP/2 connection set-up, both ways: preface, SETTINGS and the rest of stream 0' },

  // HTTP/2: latency, beside the HTTP/1.1 figures above.
  { name: 'h2.wsIdleP50Ms', path: 'scenarios.latency.byWire.h2.results[transport=ws].latency.p50Ms', unit: 'ms', about: 'median latency of one idle WebSocket client over HTTP/2, loopback' },
  { name: 'h2.wsRtt150MeanMs', path: 'scenarios.rtt.byWire.h2.runs[rttMs=150,transport=ws].latency.meanMs', unit: 'ms', about: 'mean WebSocket latency over HTTP/2 through the delay proxy' },
  { name: 'h2.longPollRtt150MaxMs', path: 'scenarios.rtt.byWire.h2.runs[rttMs=150,transport=long-poll].latency.maxMs', unit: 'ms', about: 'long polling\'s worst latency over HTTP/2 through the delay proxy' },

  // TLS, under HTTP/1.1 (the HTTP/1.1-only TLS port) and under HTTP/2.
  { name: 'tls.chromiumHandshakeUpBytes', path: 'browserHeads.h2.tlsHandshake.bytesIn', unit: 'B', about: 'Chromium\'s TLS handshake, client to server, per connection' },
  { name: 'tls.chromiumHandshakeDownBytes', path: 'browserHeads.h2.tlsHandshake.bytesOut', unit: 'B', about: 'the lab\'s side of that handshake, per connection' },
  { name: 'tls.nodeHandshakeBytes', path: 'derived.protocols.tlsOverhead[wire=h2,profile=minimal].handshakeBytesPerConnection', unit: 'B', about: 'a Node client\'s TLS handshake, both ways, per connection' },
  { name: 'tls.clients', path: 'derived.protocols.tlsClients', unit: 'count', about: 'clients per transport in the fan-out runs the TLS figures come from' },
  { name: 'tls.recordBytesPerEventH1', path: `${tlsRow('sse')}.recordBytesPerDelivery.h1-tls`, unit: 'B', about: 'TLS record overhead per SSE event, HTTP/1.1 over TLS' },
  { name: 'tls.recordBytesPerEventH2', path: `${tlsRow('sse')}.recordBytesPerDelivery.h2`, unit: 'B', about: 'TLS record overhead per SSE event, HTTP/2' },
  { name: 'tls.wsCpuRatioH1Tls', path: `${tlsRow('ws')}.cpuRatioToH1.h1-tls`, unit: 'count', about: 'the lab\'s CPU per WebSocket delivery over HTTP/1.1 over TLS, as a multiple of plain HTTP/1.1' },
  { name: 'tls.wsCpuRatioH2', path: `${tlsRow('ws')}.cpuRatioToH1.h2`, unit: 'count', about: 'the lab\'s CPU per WebSocket delivery over HTTP/2, as a multiple of plain HTTP/1.1' },
];

/** The reference run the lessons quote: what `npm run bench` last wrote. */
export const RESULTS_FILE = path.join(ROOT, 'results', 'latest.json');

export interface FigureTable {
  /** The file the figures were read from, relative to the project folder. */
  file: string;
  /** The run's id (its file in results/runs/ carries the same name). */
  runId: string | undefined;
  figures: ReadonlyMap<string, Figure>;
  /** Figures this run could not give (a scenario skipped, a file missing), each with the reason. */
  unavailable: ReadonlyMap<string, string>;
}

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'select'; conditions: [string, string][] };

/**
 * Splits a figure's path into steps. The syntax is JavaScript's, plus a selector:
 * `a.b` reads a key, `a[2]` an array index, and `a[k=v,k2=v2]` the one element of
 * an array whose fields k and k2 read as v and v2 (compared as text). A selector
 * names its element by meaning, so the path still means the same cell when the
 * bench adds cells or changes their order.
 */
export function parsePath(source: string): Step[] {
  const steps: Step[] = [];
  const token = /(^|\.)([^.[\]]+)|\[([^\]]+)\]/y;
  let at = 0;
  while (at < source.length) {
    token.lastIndex = at;
    const match = token.exec(source);
    if (!match || (at === 0 && match[1] === '.')) throw new Error(`figure path ${JSON.stringify(source)}: cannot read from character ${at + 1}`);
    at = token.lastIndex;
    if (match[2] !== undefined) {
      steps.push({ kind: 'key', key: match[2] });
    } else if (/^\d+$/.test(match[3])) {
      steps.push({ kind: 'index', index: Number(match[3]) });
    } else {
      const conditions = match[3].split(',').map((part): [string, string] => {
        const equals = part.indexOf('=');
        if (equals <= 0) throw new Error(`figure path ${JSON.stringify(source)}: a selector is [field=value,...], got [${match[3]}]`);
        return [part.slice(0, equals), part.slice(equals + 1)];
      });
      steps.push({ kind: 'select', conditions });
    }
  }
  if (steps.length === 0) throw new Error('figure path is empty');
  return steps;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The value at `source` in `root`; throws, naming the step, when the path leads nowhere or to several elements. */
export function resolvePath(root: unknown, source: string): unknown {
  let here = root;
  let walked = '';
  for (const step of parsePath(source)) {
    const where = walked || 'the top';
    if (step.kind === 'key') {
      if (!isRecord(here) || Array.isArray(here) || !Object.hasOwn(here, step.key)) throw new Error(`${source}: no "${step.key}" in ${where}`);
      here = here[step.key];
      walked += walked ? `.${step.key}` : step.key;
    } else if (step.kind === 'index') {
      if (!Array.isArray(here) || step.index >= here.length) throw new Error(`${source}: no element ${step.index} in ${where}`);
      here = here[step.index];
      walked += `[${step.index}]`;
    } else {
      if (!Array.isArray(here)) throw new Error(`${source}: ${where} is not an array`);
      const matches = here.filter((element) => isRecord(element) && step.conditions.every(([field, value]) => Object.hasOwn(element, field) && String(element[field]) === value));
      const selector = step.conditions.map(([field, value]) => `${field}=${value}`).join(',');
      if (matches.length !== 1) throw new Error(`${source}: ${matches.length} elements of ${where} match [${selector}], not one`);
      here = matches[0];
      walked += `[${selector}]`;
    }
  }
  return here;
}

const grouped = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * A value as the lessons print it, the same in both languages: bytes whole, or to
 * one decimal under 100 (an average per event); milliseconds (and megabits per
 * second) to three decimals under 1, one under 100, whole above, as the bench's
 * report does; counts whole; a share as a whole percentage. Thousands are grouped
 * with commas, as both languages' lessons write them.
 */
export function formatFigure(value: unknown, unit: FigureUnit): string {
  if (unit === 'text') {
    if (typeof value !== 'string' || value === '') throw new TypeError(`expected text, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`expected a number, got ${JSON.stringify(value)}`);
  switch (unit) {
    case 'B':
      return `${Number.isInteger(value) ? grouped(value) : value < 100 ? grouped(value, 1) : grouped(Math.round(value))} B`;
    case 'ms':
      return `${value < 1 ? grouped(value, 3) : value < 100 && !Number.isInteger(value) ? grouped(value, 1) : grouped(Math.round(value))} ms`;
    case 'count':
      return Number.isInteger(value) ? grouped(value) : grouped(value, 1);
    case 'percent':
      return `${Math.round(value * 100)}%`;
    case 'Mbit/s':
      return `${value < 1 ? grouped(value, 3) : value < 100 ? grouped(value, 1) : grouped(Math.round(value))} Mbit/s`;
  }
}

/** The figures `results` gives; a spec whose path leads nowhere is listed as unavailable, with the reason. */
export function buildFigures(results: unknown, file = 'results/latest.json'): FigureTable {
  const figures = new Map<string, Figure>();
  const unavailable = new Map<string, string>();
  for (const spec of FIGURE_SPECS) {
    try {
      const value = resolvePath(results, spec.path);
      figures.set(spec.name, { ...spec, value: value as number | string, text: formatFigure(value, spec.unit) });
    } catch (error) {
      unavailable.set(spec.name, (error as Error).message);
    }
  }
  const runId = isRecord(results) && typeof results.id === 'string' ? results.id : undefined;
  return { file, runId, figures, unavailable };
}

let cached: { key: string; table: FigureTable } | undefined;

/**
 * The figures of `file` (results/latest.json by default), read again only when the
 * file changes, so a new bench run shows up on the next page load. A missing or
 * unreadable file gives a table where every figure is unavailable, with the reason.
 */
export function loadFigures(file = RESULTS_FILE): FigureTable {
  const shown = path.relative(ROOT, file) || file;
  let key: string;
  try {
    const stat = statSync(file);
    key = `${file}:${stat.mtimeMs}:${stat.size}`;
  } catch (error) {
    return unreadable(shown, `${shown} cannot be read: ${(error as Error).message}`);
  }
  if (cached?.key === key) return cached.table;
  let table: FigureTable;
  try {
    table = buildFigures(JSON.parse(readFileSync(file, 'utf8')), shown);
  } catch (error) {
    table = unreadable(shown, `${shown} is not JSON: ${(error as Error).message}`);
  }
  cached = { key, table };
  return table;
}

function unreadable(file: string, reason: string): FigureTable {
  return { file, runId: undefined, figures: new Map(), unavailable: new Map(FIGURE_SPECS.map((spec) => [spec.name, reason])) };
}
