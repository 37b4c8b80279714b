/**
 * results/summary.md's "HTTP/1.1 and HTTP/2 side by side": every figure per wire,
 * the wires as columns, and what TLS costs.
 */
import type { TransportId } from '../../server/transports/registry.ts';
import { CLIENT_WORDS, fmt, ms, section, table, times } from './format.ts';
import type { Results } from './schema.ts';

type Protocols = Results['derived']['protocols'];

/** Overhead per delivered event, by wire. */
function overheadTable(r: Results, p: Protocols): string {
  const W = p.wires;
  const L = (id: TransportId) => r.labels[id];
  const rows = p.overhead.map((o) => [
    o.profile === 'browser' ? 'browser' : 'Node client',
    L(o.transport),
    ...W.map((w) => fmt(o.overheadBytesPerEvent[w], 1)),
    fmt(o.h2ToH1, 2),
    W.map((w) => fmt(o.requestsPerEvent[w], 2)).join(' / '),
    o.client.h2 ? CLIENT_WORDS[o.client.h2] : 'n/a',
  ]);
  const conn = p.connection
    .map(
      (c) =>
        `${c.profile === 'browser' ? 'browser' : 'Node client'}: ${fmt(c.oneOffBytes)} B to set the connection up ` +
        '(preface, SETTINGS), ' +
        `then ${fmt(c.bytesPerDelivery, 2)} B per delivery of stream-0 frames`,
    )
    .join('; ');
  return section(
    '### Overhead per delivered event, by wire (B)',
    `${fmt(p.dataBytes)} B of data, one client per transport, short polling at the event spacing. The browser profile over HTTP/2 is ` +
      "Chromium itself, measured at the lab's frame meter (bench/browser-h2.ts); over HTTP/1.1 it is Chromium's captured heads, " +
      'replayed byte for byte. A poll whose answer carries several events costs each less: the requests per event beside the bytes ' +
      "say how many polls each event took on each wire. HTTP/2's connection-level frames belong to no transport and are not in " +
      `these figures${conn ? ` (${conn})` : ''}.`,
    table(
      [
        'Client',
        'Transport',
        ...W.map((w) => r.wireLabels[w]),
        'HTTP/2 / HTTP/1.1',
        `Requests per event (${W.map((w) => r.wireLabels[w]).join(' / ')})`,
        'HTTP/2 measured with',
      ],
      rows,
    ),
  );
}

/** Chromium's request heads, HTTP/1.1 text against HTTP/2's HPACK blocks. */
function headsTable(r: Results, p: Protocols): string {
  const h2 = r.browserHeads.h2!;
  const L = (id: TransportId) => r.labels[id];
  return section(
    "### Chromium's request heads, HTTP/1.1 against HTTP/2 (B)",
    `${h2.browser}, ${h2.requestsPerKind} requests of each kind on one connection after loading \`${h2.page}\` (${h2.note}). ` +
      'HTTP/1.1: the whole head as text. HTTP/2: the HPACK block of the first request of its kind, and the median of the repeated ' +
      "ones; the lab's response head beside it (Node's HPACK encoder).",
    table(
      [
        'Request',
        'HTTP/1.1 head',
        'HTTP/2 first',
        'HTTP/2 repeated',
        'Carried over',
        'Response head, HTTP/2 first',
        'Response head, HTTP/2 repeated',
      ],
      p.heads.map((h) => [
        `${L(h.transport)}: ${h2.heads[h.transport].request}`,
        fmt(h.h1Bytes),
        fmt(h.h2FirstBytes),
        fmt(h.h2RepeatedBytes, 1),
        h.h2Protocol === 'h2' ? 'HTTP/2' : String(h.h2Protocol),
        fmt(h.h2ResponseFirstBytes),
        fmt(h.h2ResponseRepeatedBytes, 1),
      ]),
    ),
  );
}

/** What TLS costs: handshakes, records and CPU per delivery, by wire. */
function tlsTable(r: Results, p: Protocols): string {
  const W = p.wires;
  const tw = W.filter((w) => w !== 'h1');
  const L = (id: TransportId) => r.labels[id];
  const chromium = p.chromiumHandshake;
  const tlsOne = p.tlsOverhead
    .filter((t) => t.profile === 'minimal')
    .map((t) => `${r.wireLabels[t.wire]}: ${fmt(t.recordBytesPerDelivery, 1)} B of records per delivery`)
    .join(', ');
  const chromiumWords = chromium
    ? `; Chromium's handshake is ${fmt(chromium.bytesIn)} B up and ${fmt(chromium.bytesOut)} B down, ` +
      `${fmt(chromium.bytesIn + chromium.bytesOut)} B per connection, most of it its post-quantum key share`
    : '';
  return section(
    '### What TLS costs',
    `${fmt(p.tlsClients)} clients per transport (the fan-out above). Handshake: bytes on the TCP socket from ClientHello to Finished, ` +
      `both ways, per connection (Node's TLS client${chromiumWords}). Records: TCP bytes minus plaintext over the measured window ` +
      `(record headers and authentication tags), per delivery${tlsOne ? `; with one client per transport: ${tlsOne}` : ''}. ` +
      "CPU: the lab process's user + system time per delivery, and its ratio to plain HTTP/1.1.",
    table(
      [
        'Transport',
        ...tw.map((w) => `Handshake per connection, ${r.wireLabels[w]} (B)`),
        ...tw.map((w) => `Records per delivery, ${r.wireLabels[w]} (B)`),
        ...W.map((w) => `CPU per delivery, ${r.wireLabels[w]} (µs)`),
        ...tw.map((w) => `CPU ${r.wireLabels[w]} / HTTP/1.1`),
      ],
      p.tls.map((t) => [
        L(t.transport),
        ...tw.map((w) => fmt(t.handshakeBytesPerConnection[w])),
        ...tw.map((w) => fmt(t.recordBytesPerDelivery[w], 1)),
        ...W.map((w) => fmt(t.cpuMicrosPerDelivery[w], 1)),
        ...tw.map((w) => times(t.cpuRatioToH1[w])),
      ]),
    ),
  );
}

/** The side-by-side section: every figure per wire, the wires as columns. */
export function protocolsMarkdown(r: Results): string {
  const p = r.derived.protocols;
  const L = (id: TransportId) => r.labels[id];
  const W = p.wires;
  const head = W.map((w) => r.wireLabels[w]);
  const parts: string[] = [];
  parts.push(
    section(
      '## HTTP/1.1 and HTTP/2 side by side',
      `The same scenarios over ${head.join(', ')}, one after the other on one lab process: ratios within this run compare. ` +
        "HTTP/1.1 over TLS uses the lab's HTTP/1.1-only TLS port, so TLS is compared with TLS. Over HTTP/2 a head is an HPACK block: " +
        'the first request on a connection spells its headers out, a repeated one mostly names table entries. Bytes are the plaintext ' +
        "inside TLS, as the server's frame meter and socket counters saw them; what TLS itself adds is in the last table.",
    ),
  );
  // The overhead and idle-latency rows list every transport; a scenario that did not run leaves them all empty.
  if (p.dataBytes !== null) parts.push(overheadTable(r, p));
  if (p.heads.length) parts.push(headsTable(r, p));
  if (p.latency.some((l) => W.some((w) => l.p50Ms[w] !== null))) {
    parts.push(
      section(
        '### One idle client, p50 / p99 latency by wire (ms)',
        table(
          ['Transport', ...head],
          p.latency.map((l) => [L(l.transport), ...W.map((w) => `${ms(l.p50Ms[w])} / ${ms(l.p99Ms[w])}`)]),
        ),
      ),
    );
  }
  if (p.fanout.length) {
    parts.push(
      section(
        '### Fan-out by wire: p99 latency (ms) and server CPU per delivery (µs)',
        table(
          ['Clients', 'Transport', ...W.map((w) => `p99, ${r.wireLabels[w]}`), ...W.map((w) => `CPU, ${r.wireLabels[w]}`)],
          p.fanout.map((f) => [
            fmt(f.clients),
            L(f.transport),
            ...W.map((w) => ms(f.p99Ms[w])),
            ...W.map((w) => fmt(f.cpuMicrosPerDelivery[w], 1)),
          ]),
        ),
      ),
    );
  }
  if (p.rtt.length) {
    parts.push(
      section(
        '### Through the delay proxy: mean latency by wire (ms)',
        table(
          ['RTT (ms)', 'Transport', ...head],
          p.rtt.map((x) => [fmt(x.rttMs), L(x.transport), ...W.map((w) => ms(x.meanMs[w]))]),
        ),
      ),
    );
  }
  if (p.tls.length && W.some((w) => w !== 'h1')) parts.push(tlsTable(r, p));
  return parts.join('\n\n');
}
