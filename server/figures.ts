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
 * The figures themselves are data, listed in server/figures.json (name, unit, path,
 * one line about it, in groups); this file reads that list, walks the paths and
 * prints the values.
 *
 * What is a property of a protocol or of the lab's code rather than a measurement
 * (RFC 6455's 2-byte frame header, the 1,024 bytes of iframe padding, a default
 * setting) is not here: lessons state those as text.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.ts';

/** How a figure's value is written: bytes, milliseconds, a plain count, a share, a rate, or text. */
export type FigureUnit = 'B' | 'ms' | 'µs' | 'x' | 'count' | 'percent' | 'Mbit/s' | 'text';

export interface FigureSpec {
  /** `<group>.<quantity>`, the name a lesson's placeholder uses. */
  name: string;
  /** Where in results/latest.json the value is read (see resolvePath for the syntax). */
  path: string;
  unit: FigureUnit;
  /** One line for a reader of this file. */
  about: string;
  /**
   * A run other than the reference one, relative to results/ (`libraries/latest.json`): a
   * focused run (`npm run bench -- --only=<scenario> --out=results/<dir>`) that measured what
   * the reference run did not, named beside the figure wherever it is shown.
   */
  run?: string;
}

export interface Figure extends FigureSpec {
  /** The file the value was read from, relative to the project folder. */
  file: string;
  value: number | string;
  /** The value as a lesson prints it, the same in every language: `285 B`, `0.324 ms`. */
  text: string;
}

/** A placeholder in a lesson: `{{fig:<name>}}`. The `fig:` prefix keeps it apart from any template syntax in code samples. */
export const PLACEHOLDER = /\{\{fig:([^{}]*)\}\}/g;

/** What a figure's name looks like. */
export const FIGURE_NAME = /^[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9]*$/;

/** What a spec's `run` looks like: a JSON file in a folder of results/, no way out of it. */
const RUN_FILE = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9.-]*\.json$/;

/** The units a spec may name. */
export const FIGURE_UNITS: readonly FigureUnit[] = ['B', 'ms', 'µs', 'x', 'count', 'percent', 'Mbit/s', 'text'];

/** The data file that lists every figure, in groups (see its `about` for how to add one). */
export const SPECS_FILE = path.join(ROOT, 'server', 'figures.json');

/**
 * The specs in `data` (the shape of figures.json: `{ about, groups: [{ about, figures: [spec] }] }`),
 * checked entry by entry, so that a typo in the data file fails at start-up naming the entry,
 * not as a figure silently missing from a page.
 */
export function parseFigureSpecs(data: unknown): FigureSpec[] {
  if (!isRecord(data) || !Array.isArray(data.groups)) throw new Error('figure specs: expected { "groups": [...] }');
  const specs: FigureSpec[] = [];
  const names = new Set<string>();
  data.groups.forEach((group: unknown, g: number) => {
    if (!isRecord(group) || typeof group.about !== 'string' || !Array.isArray(group.figures)) {
      throw new Error(`figure specs: group ${g + 1} needs "about" (text) and "figures" (a list)`);
    }
    group.figures.forEach((entry: unknown, f: number) => {
      const where = `figure specs: group ${g + 1} ("${group.about}"), entry ${f + 1}`;
      if (!isRecord(entry)) throw new Error(`${where} is not an object`);
      const extra = Object.keys(entry).filter((key) => !['name', 'unit', 'path', 'about', 'run'].includes(key));
      if (extra.length > 0) throw new Error(`${where}: unknown field ${extra.join(', ')}`);
      const { name, unit, path: source, about, run } = entry;
      if (typeof name !== 'string' || !FIGURE_NAME.test(name)) {
        throw new Error(`${where}: name ${JSON.stringify(name)} is not <group>.<quantity>`);
      }
      if (names.has(name)) throw new Error(`${where}: ${name} is listed twice`);
      if (!FIGURE_UNITS.includes(unit as FigureUnit)) {
        throw new Error(`${where} (${name}): unit ${JSON.stringify(unit)} is not one of ${FIGURE_UNITS.join(', ')}`);
      }
      if (typeof source !== 'string') throw new Error(`${where} (${name}): no path`);
      parsePath(source);
      if (typeof about !== 'string' || about.trim().length < 6) throw new Error(`${where} (${name}): "about" says in one line what it is`);
      if (run !== undefined && (typeof run !== 'string' || !RUN_FILE.test(run))) {
        throw new Error(`${where} (${name}): run ${JSON.stringify(run)} is not a file in a folder of results/ (libraries/latest.json)`);
      }
      names.add(name);
      specs.push({ name, unit: unit as FigureUnit, path: source, about, ...(run === undefined ? {} : { run }) });
    });
  });
  return specs;
}

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
    if (!match || (at === 0 && match[1] === '.')) {
      throw new Error(`figure path ${JSON.stringify(source)}: cannot read from character ${at + 1}`);
    }
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The value at `source` in `root`; throws, naming the step, when the path leads nowhere or to several elements. */
export function resolvePath(root: unknown, source: string): unknown {
  let here = root;
  let walked = '';
  for (const step of parsePath(source)) {
    const where = walked || 'the top';
    if (step.kind === 'key') {
      if (!isRecord(here) || Array.isArray(here) || !Object.hasOwn(here, step.key)) {
        throw new Error(`${source}: no "${step.key}" in ${where}`);
      }
      here = here[step.key];
      walked += walked ? `.${step.key}` : step.key;
    } else if (step.kind === 'index') {
      if (!Array.isArray(here) || step.index >= here.length) throw new Error(`${source}: no element ${step.index} in ${where}`);
      here = here[step.index];
      walked += `[${step.index}]`;
    } else {
      if (!Array.isArray(here)) throw new Error(`${source}: ${where} is not an array`);
      const fits = (element: unknown) =>
        isRecord(element) && step.conditions.every(([field, value]) => Object.hasOwn(element, field) && String(element[field]) === value);
      const matches = here.filter(fits);
      const selector = step.conditions.map(([field, value]) => `${field}=${value}`).join(',');
      if (matches.length !== 1) throw new Error(`${source}: ${matches.length} elements of ${where} match [${selector}], not one`);
      here = matches[0];
      walked += `[${selector}]`;
    }
  }
  return here;
}

const grouped = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

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
      if (value < 1) return `${grouped(value, 3)} ms`;
      return `${value < 100 && !Number.isInteger(value) ? grouped(value, 1) : grouped(Math.round(value))} ms`;
    case 'µs':
      return `${value < 100 ? grouped(value, 1) : grouped(Math.round(value))} µs`;
    case 'x':
      // A ratio of two measurements: two decimals, as the report prints it.
      return `${grouped(value, 2)}x`;
    case 'count':
      return Number.isInteger(value) ? grouped(value) : grouped(value, 1);
    case 'percent':
      return `${Math.round(value * 100)}%`;
    case 'Mbit/s':
      return `${value < 1 ? grouped(value, 3) : value < 100 ? grouped(value, 1) : grouped(Math.round(value))} Mbit/s`;
  }
}

/** A focused run's content, or why it could not be read; keyed by the spec's `run`. */
export type PinnedRuns = ReadonlyMap<string, { file: string; results: unknown } | { file: string; error: string }>;

/**
 * The figures `results` gives (and, for a spec that names a `run`, that run in `pinned`);
 * a spec whose path leads nowhere is listed as unavailable, with the reason.
 */
export function buildFigures(results: unknown, file = 'results/latest.json', pinned: PinnedRuns = new Map()): FigureTable {
  const figures = new Map<string, Figure>();
  const unavailable = new Map<string, string>();
  for (const spec of FIGURE_SPECS) {
    try {
      const source = spec.run === undefined ? { file, results } : pinned.get(spec.run);
      if (source === undefined) throw new Error(`results/${spec.run} was not read`);
      if ('error' in source) throw new Error(source.error);
      const value = resolvePath(source.results, spec.path);
      figures.set(spec.name, { ...spec, file: source.file, value: value as number | string, text: formatFigure(value, spec.unit) });
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
  const runs = [...new Set(FIGURE_SPECS.flatMap((spec) => (spec.run === undefined ? [] : [spec.run])))];
  // Focused runs sit beside the reference file: results/<dir>/latest.json.
  const pinnedFiles = runs.map((run) => path.join(path.dirname(file), run));
  let key: string;
  try {
    const stat = statSync(file);
    key = [`${file}:${stat.mtimeMs}:${stat.size}`, ...pinnedFiles.map(fileStamp)].join('|');
  } catch (error) {
    return unreadable(shown, `${shown} cannot be read: ${(error as Error).message}`);
  }
  if (cached?.key === key) return cached.table;
  const pinned = new Map(runs.map((run, i) => [run, readRun(pinnedFiles[i])] as const));
  let table: FigureTable;
  try {
    table = buildFigures(JSON.parse(readFileSync(file, 'utf8')), shown, pinned);
  } catch (error) {
    table = unreadable(shown, `${shown} is not JSON: ${(error as Error).message}`);
  }
  cached = { key, table };
  return table;
}

/** A focused run's stamp, so that a new run shows on the next page load; an absent one is a stamp too. */
function fileStamp(file: string): string {
  try {
    const stat = statSync(file);
    return `${file}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return `${file}:absent`;
  }
}

function readRun(file: string): { file: string; results: unknown } | { file: string; error: string } {
  const shown = path.relative(ROOT, file) || file;
  try {
    return { file: shown, results: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (error) {
    return { file: shown, error: `${shown} cannot be read: ${(error as Error).message}` };
  }
}

function unreadable(file: string, reason: string): FigureTable {
  return { file, runId: undefined, figures: new Map(), unavailable: new Map(FIGURE_SPECS.map((spec) => [spec.name, reason])) };
}

/** Every figure the lessons may quote, in the order of server/figures.json. */
export const FIGURE_SPECS: readonly FigureSpec[] = parseFigureSpecs(JSON.parse(readFileSync(SPECS_FILE, 'utf8')));
