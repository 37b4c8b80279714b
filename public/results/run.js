// The run the page shows (one results JSON, as bench/report/write.ts writes it) and how to
// read it by wire. Schema 2 has HTTP/1.1, HTTP/1.1 over TLS and HTTP/2; schema 1 (an
// older run) HTTP/1.1 only, and the protocol charts then say so.
import { t } from './words.js';

export const SCHEMAS = ['wirelab-bench/1', 'wirelab-bench/2'];
export const WIRES = ['h1', 'h1-tls', 'h2'];

/** The run shown: set once by main.js before any section draws. @type {any} */
export let R;
/** @param {any} run */
export function setRun(run) {
  R = run;
}

export const schema2 = () => R.schema === 'wirelab-bench/2';

/** The wires this run measured (an older run: HTTP/1.1 only). */
export const runWires = () => (schema2() ? WIRES.filter((w) => (R.parameters.wires || ['h1']).includes(w)) : ['h1']);

/** A scenario's rows over one wire: HTTP/1.1 where they always were, the other wires in byWire (same shape). */
export function rowsOf(scenario, key, wire) {
  if (!scenario) return [];
  if (wire === 'h1') return scenario[key] || [];
  return scenario.byWire?.[wire]?.[key] || [];
}
export const overheadCells = (wire) => rowsOf(R.scenarios.overhead, 'cells', wire);
export const latencyResults = (wire) => rowsOf(R.scenarios.latency, 'results', wire);
export const fanoutRuns = (wire) => rowsOf(R.scenarios.fanout, 'runs', wire);
export const rttRuns = (wire) => rowsOf(R.scenarios.rtt, 'runs', wire);

/** Why a protocol chart is empty: an older run, or this run left the wires out. */
export const noWiresWhy = () => (schema2() ? t('why.wiresSkipped') : t('why.schema1'));

/** A wire's largest fan-out in the headline: the TLS wires stop lower than plain HTTP/1.1's (the bench's tlsClients). */
export function wireFanoutClients(wire) {
  const row = R.derived.headline.find((x) => x.byWire && x.byWire[wire] && x.byWire[wire].fanoutClients != null);
  return row ? row.byWire[wire].fanoutClients : null;
}
