/**
 * A cluster's /stats: the figures of every lab process, added up.
 *
 * Each process counts only what crossed its own sockets (stats.ts), so the
 * cluster's traffic is the sum of theirs, field by field. What is not a count
 * is not added: `lastSeq` is the furthest any mirror has read, `epoch` the one
 * they share. Pure functions, so that a test can check the sums against the
 * per-process figures they came from.
 */

/** One process's /stats answer, as far as summing is concerned: nested objects of numbers. */
export type Figures = { [key: string]: unknown };

/**
 * Adds up `list` field by field: numbers are summed, objects recursively; a
 * field that is not a number in every answer that has it (a name, an epoch)
 * is kept only when all agree, else it is null.
 */
export function addUp(list: readonly Figures[]): Figures {
  const out: Figures = {};
  const keys = new Set(list.flatMap((figures) => Object.keys(figures)));
  for (const key of keys) {
    const values = list.map((figures) => figures[key]).filter((value) => value !== undefined);
    if (values.every((value) => typeof value === 'number')) out[key] = (values as number[]).reduce((sum, value) => sum + value, 0);
    else if (values.every(isFigures)) out[key] = addUp(values);
    else out[key] = values.every((value) => JSON.stringify(value) === JSON.stringify(values[0])) ? values[0] : null;
  }
  return out;
}

/** What the cluster view adds up: the traffic per transport, the process counters, the subscribers. */
export interface ClusterSum {
  epoch: string | null;
  /** The furthest any process's mirror has read. */
  lastSeq: number;
  transports: Figures;
  counters: Figures;
  subscribers: number;
}

/** The sum over the answers of the processes that answered. */
export function sumStats(answers: readonly Figures[]): ClusterSum {
  const epochs = new Set(answers.map((stats) => stats.epoch));
  return {
    // While Redis restarts empty the mirrors may disagree for a moment: no single epoch then.
    epoch: epochs.size === 1 ? ((answers[0].epoch as string | undefined) ?? null) : null,
    lastSeq: Math.max(0, ...answers.map((stats) => Number(stats.lastSeq) || 0)),
    transports: addUp(answers.map((stats) => (stats.transports ?? {}) as Figures)),
    counters: addUp(answers.map((stats) => (stats.counters ?? {}) as Figures)),
    subscribers: answers.reduce((sum, stats) => sum + (Number(stats.subscribers) || 0), 0),
  };
}

/**
 * A process's traffic once it is gone: its counts stay part of the cluster's
 * history, but nothing it held is open any more.
 */
export function retire(transports: Figures): Figures {
  const out: Figures = {};
  for (const [key, value] of Object.entries(transports)) {
    if (key === 'connectionsOpen') out[key] = 0;
    else out[key] = isFigures(value) ? retire(value) : value;
  }
  return out;
}

function isFigures(value: unknown): value is Figures {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
