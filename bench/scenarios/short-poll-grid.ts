/**
 * Short polling against its two knobs: the poll interval and the event rate.
 *
 * Every cell is its own lab instance (its own feed and counters) inside the lab
 * server process, so all cells run at once and each cell's bytes stay apart. Each
 * cell has a few clients polling at a random phase, as real clients do. A poll
 * that brings nothing still costs a request and a response head: the cell counts
 * them (polls minus the answers that carried events), and sets the latency beside
 * the half interval that uniform phases predict.
 */
import { type ClientSet, type Server, sleep } from '../cluster.ts';
import { type Distribution, distribution } from '../stats-math.ts';
import { type RunContext, type WindowCounts, counts, delta, labStats, round } from './context.ts';

export interface GridCell {
  intervalMs: number;
  ratePerSecond: number;
  clients: number;
  eventsPublished: number;
  window: WindowCounts;
  polls: number;
  /** Answers that carried at least one event, counted by the clients. */
  pollsWithEvents: number;
  emptyPolls: number;
  emptyPollShare: number;
  /** Every byte but the payload, both ways, per delivered event. */
  overheadBytesPerEvent: number;
  pollsPerEvent: number;
  latency: Distribution;
  /** What uniform phases predict: an event waits half an interval on average. */
  expectedMeanLatencyMs: number;
}

export async function runShortPollGrid(context: RunContext): Promise<{ cells: GridCell[]; dataBytes: number; durationMs: number }> {
  const { cluster, params, lab, progress } = context;
  const { intervalsMs, ratesPerSecond, clientsPerCell, durationMs } = params.shortPollGrid;
  const dataBytes = params.payloadBytes[0];
  progress.step(
    `short-poll grid: intervals ${intervalsMs.join('/')} ms x ${ratesPerSecond.join('/')} events/s, ` +
      `${intervalsMs.length * ratesPerSecond.length} cells at once`,
  );
  const cellsIn: { intervalMs: number; ratePerSecond: number; server: Server; set?: ClientSet }[] = [];
  for (const intervalMs of intervalsMs) {
    for (const ratePerSecond of ratesPerSecond) {
      cellsIn.push({ intervalMs, ratePerSecond, server: await cluster.addInstance(lab) });
    }
  }
  for (const cell of cellsIn) {
    cell.set = await cluster.open(cell.server, 'short-poll', clientsPerCell, {
      workers: 1,
      since: 0,
      intervalMs: cell.intervalMs,
      stagger: true,
    });
    await cell.set.record(1);
  }
  // Let every client's first poll go out (they start at random phases within an interval).
  await sleep(Math.max(...intervalsMs) + 50);
  const before = await Promise.all(cellsIn.map((cell) => labStats(cell.server)));
  const runs = cellsIn.map((cell) => {
    const count = Math.max(1, Math.round((cell.ratePerSecond * durationMs) / 1000));
    return cell.server.child.call(
      'publish',
      { instance: cell.server.instance, count, intervalMs: 1000 / cell.ratePerSecond, dataBytes },
      durationMs + 30_000,
    );
  });
  const published = await Promise.all(runs);
  // The window is the same length for every cell: the last slot ends durationMs after the first.
  await sleep(Math.max(0, Math.min(...cellsIn.map((c) => 1000 / c.ratePerSecond))));
  const after = await Promise.all(cellsIn.map((cell) => labStats(cell.server)));
  // The latency of the last events needs their poll: wait up to an interval more.
  await Promise.all(cellsIn.map((cell, i) => cell.set!.waitFor(published[i].lastSeq, cell.intervalMs + 2000)));

  const cells: GridCell[] = [];
  for (const [i, cell] of cellsIn.entries()) {
    const collected = await cell.set!.collect();
    await cell.set!.close();
    await cell.server.child.call('stop', { instance: cell.server.instance });
    const window = delta(before[i].transports['short-poll'], after[i].transports['short-poll']);
    const n = window.eventsDelivered;
    // Answers that carried events, received inside the window (the clients keep polling after it).
    let pollsWithEvents = 0;
    for (const at of collected.batchTimes) if (at > before[i].atMs && at <= after[i].atMs) pollsWithEvents++;
    const emptyPolls = Math.max(0, window.requests - pollsWithEvents);
    cells.push({
      intervalMs: cell.intervalMs,
      ratePerSecond: cell.ratePerSecond,
      clients: clientsPerCell,
      eventsPublished: published[i].lastSeq - published[i].firstSeq + 1,
      window: counts(window),
      polls: window.requests,
      pollsWithEvents,
      emptyPolls,
      emptyPollShare: round(emptyPolls / Math.max(1, window.requests), 4) ?? 0,
      overheadBytesPerEvent:
        round((window.bytesOut.head + window.bytesOut.framing + window.bytesIn.head + window.bytesIn.framing) / n, 1) ?? 0,
      pollsPerEvent: round(window.requests / n, 3) ?? 0,
      latency: distribution(collected.samples),
      expectedMeanLatencyMs: cell.intervalMs / 2,
    });
  }
  progress.advance(durationMs / 1000 + 2);
  return { cells, dataBytes, durationMs };
}
