/**
 * Overhead per delivered event, counted on the server's sockets (/stats): bytes
 * down and up, split into HTTP head, framing and payload, for each payload size
 * and client profile.
 *
 * One client per transport, all five at once (each transport has its own
 * counters, so they do not mix). Three windows per cell:
 *   oneOff  - from before connecting until every client is connected and waiting
 *             (the WebSocket handshake, a stream's response head and preamble);
 *   window  - the N events, until every client has all of them: the per-event cost;
 *   closing - from there until the server has seen every connection close.
 * Short polling polls at the event spacing (one poll per event, Kaazing's case);
 * the short-poll grid varies that.
 */
import { HELD_TRANSPORTS, type TransportId } from '../../server/transports/registry.ts';
import { type ClientSet, poll, sleep } from '../cluster.ts';
import type { Profile } from '../options.ts';
import { type RunContext, type WindowCounts, counts, delta, headersFor, labStats, round } from './context.ts';

export interface OverheadCell {
  profile: Profile;
  dataBytes: number;
  transport: TransportId;
  eventsPublished: number;
  eventsReceived: number;
  /** Average size of one event's JSON (the payload every transport carries). */
  eventJsonBytes: number;
  oneOff: WindowCounts;
  window: WindowCounts;
  closing: WindowCounts;
  perEvent: {
    downHeadBytes: number;
    downFramingBytes: number;
    downPayloadBytes: number;
    upHeadBytes: number;
    upFramingBytes: number;
    upPayloadBytes: number;
    /** Everything but the payload, both ways: what the transport costs per event. */
    overheadBytes: number;
    requests: number;
    connectionsOpened: number;
  };
  /** Over the whole cell, connecting and closing included. */
  requestsPerEvent: number;
  connectionsPerEvent: number;
  /** The least framing the wire format allows per event (null where no floor is defined). */
  floorFramingBytes: number | null;
  /** What one request head and one response head weighed, as the server read and wrote them. */
  requestHeadBytes: number | null;
  responseHeadBytes: number | null;
}

const digits = (n: number) => String(n).length;
/** HTTP/1.1 chunked encoding around `size` bytes: hex size, CRLF, the data, CRLF. */
const chunkFraming = (size: number) => size.toString(16).length + 4;

/**
 * The framing floor of one event, from the wire formats themselves (not from the
 * server's code): what a correct implementation cannot avoid sending.
 */
export function floorFraming(transport: TransportId, seq: number, type: string, jsonBytes: number): number | null {
  switch (transport) {
    case 'ws':
      // RFC 6455 5.2: a server frame has no mask; 7-bit length up to 125, then 16-bit, then 64-bit.
      return jsonBytes <= 125 ? 2 : jsonBytes <= 65_535 ? 4 : 10;
    case 'sse': {
      const lines = `id: ${seq}\nevent: ${type}\ndata: \n\n`.length;
      return lines + chunkFraming(lines + jsonBytes);
    }
    case 'iframe': {
      const wrapper = '<script>parent.onEvent();</script>\n'.length;
      return wrapper + chunkFraming(wrapper + jsonBytes);
    }
    default:
      return null;
  }
}

export async function runOverhead(context: RunContext): Promise<{ cells: OverheadCell[]; eventType: string }> {
  const { cluster, params, lab, progress } = context;
  const cells: OverheadCell[] = [];
  const { events, intervalMs } = params.overhead;
  const transports = params.transports;
  for (const profile of params.profiles) {
    for (const dataBytes of params.payloadBytes) {
      progress.step(`overhead: ${profile} client, ${dataBytes} B payload, ${transports.length} transports at once`);
      const s0 = await labStats(lab);
      const sets = new Map<TransportId, ClientSet>();
      for (const transport of transports) {
        sets.set(transport, await cluster.open(lab, transport, 1, {
          workers: 1,
          since: s0.lastSeq,
          intervalMs,
          headers: headersFor(context, profile, transport, lab.baseUrl),
        }));
      }
      // Connected: every held transport waits in the feed, and short polling has polled.
      const heldWanted = transports.filter((t) => HELD_TRANSPORTS.has(t)).length;
      await poll(() => labStats(lab), (s) => s.subscribers >= heldWanted && (!transports.includes('short-poll') || s.transports['short-poll'].requests > s0.transports['short-poll'].requests), 10_000);
      const s1 = await labStats(lab);
      const firstSeq = s1.lastSeq + 1;
      for (const set of sets.values()) await set.record(firstSeq);
      const published = await lab.child.call('publish', { count: events, intervalMs, dataBytes });
      const received = new Map<TransportId, number>();
      for (const [transport, set] of sets) {
        await set.waitFor(published.lastSeq, 10_000);
        received.set(transport, (await set.collect()).received);
      }
      const s2 = await labStats(lab);
      for (const set of sets.values()) {
        await set.record(null);
        await set.close();
      }
      await poll(() => labStats(lab), (s) => transports.every((t) => s.transports[t].connectionsOpen === 0), 10_000);
      await sleep(20);
      const s3 = await labStats(lab);

      for (const transport of transports) {
        const oneOff = delta(s0.transports[transport], s1.transports[transport]);
        const window = delta(s1.transports[transport], s2.transports[transport]);
        const closing = delta(s2.transports[transport], s3.transports[transport]);
        const whole = delta(s0.transports[transport], s3.transports[transport]);
        const n = window.eventsDelivered;
        const per = (value: number) => round(value / n, 3) ?? 0;
        const eventJsonBytes = window.bytesOut.payload / n;
        let floor: number | null = null;
        if (n > 0) {
          let sum = 0;
          let defined = true;
          for (let seq = published.firstSeq; seq <= published.lastSeq; seq++) {
            const f = floorFraming(transport, seq, 'bench', Math.round(eventJsonBytes));
            if (f === null) defined = false;
            else sum += f;
          }
          floor = defined ? round(sum / events, 3) : null;
        }
        cells.push({
          profile,
          dataBytes,
          transport,
          eventsPublished: events,
          eventsReceived: received.get(transport) ?? 0,
          eventJsonBytes: round(eventJsonBytes, 2) ?? 0,
          oneOff: counts(oneOff),
          window: counts(window),
          closing: counts(closing),
          perEvent: {
            downHeadBytes: per(window.bytesOut.head),
            downFramingBytes: per(window.bytesOut.framing),
            downPayloadBytes: per(window.bytesOut.payload),
            upHeadBytes: per(window.bytesIn.head),
            upFramingBytes: per(window.bytesIn.framing),
            upPayloadBytes: per(window.bytesIn.payload),
            overheadBytes: per(window.bytesOut.head + window.bytesOut.framing + window.bytesIn.head + window.bytesIn.framing),
            requests: per(window.requests),
            connectionsOpened: per(window.connectionsOpened),
          },
          requestsPerEvent: round(whole.requests / n, 4) ?? 0,
          connectionsPerEvent: round(whole.connectionsOpened / n, 4) ?? 0,
          floorFramingBytes: floor,
          requestHeadBytes: whole.requests ? round(whole.bytesIn.head / whole.requests, 1) : null,
          responseHeadBytes: whole.requests ? round(whole.bytesOut.head / whole.requests, 1) : null,
        });
      }
      progress.advance(events * intervalMs / 1000 + 0.8);
    }
  }
  return { cells, eventType: 'bench' };
}
