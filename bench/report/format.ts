/**
 * How the Markdown summary prints numbers and tables: one way for every section,
 * so that a figure reads the same wherever it appears.
 */
import type { OverheadClient } from '../scenarios/overhead.ts';

/** A number with `digits` decimals and thousands separators; `n/a` when missing. */
export const fmt = (value: number | null | undefined, digits = 0): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

/** Milliseconds as the report prints them: three decimals under 1, one under 100, whole above. */
export const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value < 1 ? fmt(value, 3) : value < 100 ? fmt(value, 1) : fmt(value, 0);

/** A ratio: `1.50x` with `digits` decimals; `n/a`, without the unit, when missing. */
export const times = (value: number | null | undefined, digits = 2) => {
  const text = fmt(value, digits);
  return text === 'n/a' ? text : `${text}x`;
};

/** A Markdown table. */
export const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** Who the client of an overhead cell was, in words. */
export const CLIENT_WORDS: Record<OverheadClient, string> = {
  node: 'Node driver',
  chromium: 'Chromium',
  'node-replay': "Node, Chromium's header list replayed",
};

/** A section: its title, then its paragraphs and tables, a blank line between each. */
export const section = (...blocks: string[]) => blocks.join('\n\n');
