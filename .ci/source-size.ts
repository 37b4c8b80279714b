/**
 * The size check of `npm run lint`: no source file over 400 lines and no line over
 * 140 characters (STYLE.md, 13), so that a file can be held in one's head and read
 * without scrolling sideways. Data files (JSON, Markdown, the bench's results) are
 * not source and are not checked.
 *
 * What was already over when the check came is listed in source-size-exceptions.json,
 * file by file, with the count it had. The list only shrinks: a file over its count
 * fails, and so does a file now under it (lower its count, or drop it: `--lower` does
 * it), so that a line wrapped or a file split stays so.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAX_LINES = 400;
export const MAX_LINE_CHARS = 140;

/** The folders that hold the repository's own source (node_modules and results/ are not walked). */
const SOURCE_FOLDERS = ['server', 'public', 'bench', 'lessons', '.ci'];
/** What counts as source: code and style. */
const SOURCE_EXTENSIONS = new Set(['.ts', '.js', '.cjs', '.mjs', '.css', '.html']);

/** Per file: how many lines it may have over MAX_LINE_CHARS, and how many lines in all if over MAX_LINES. */
export interface Exceptions {
  longLines: Record<string, number>;
  lines: Record<string, number>;
}

/** What one file measures: its lines, and how many of them are longer than MAX_LINE_CHARS. */
export interface Measure {
  lines: number;
  longLines: number;
}

/** Measures `text`; a line's length is counted in UTF-16 code units, as editors' rulers do for these files. */
export function measure(text: string): Measure {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return { lines: lines.length, longLines: lines.filter((line) => line.length > MAX_LINE_CHARS).length };
}

/** The problems of one file against its exceptions, as sentences naming the file; none when it is fine. */
export function problems(file: string, m: Measure, exceptions: Exceptions): string[] {
  const out: string[] = [];
  const allowedLong = exceptions.longLines[file] ?? 0;
  if (m.longLines > allowedLong) {
    out.push(`${file}: ${m.longLines} lines over ${MAX_LINE_CHARS} characters (${allowedLong} allowed): wrap them`);
  } else if (m.longLines < allowedLong) {
    out.push(
      `${file}: ${m.longLines} lines over ${MAX_LINE_CHARS} characters, and the exceptions allow ${allowedLong}: ` +
        `lower its count to ${m.longLines} in source-size-exceptions.json`,
    );
  }
  const allowedLines = exceptions.lines[file];
  if (m.lines > MAX_LINES && m.lines > (allowedLines ?? 0)) {
    out.push(`${file}: ${m.lines} lines (${allowedLines ?? MAX_LINES} allowed): split it where its sections are`);
  } else if (allowedLines !== undefined && m.lines < allowedLines) {
    const fix = m.lines > MAX_LINES ? `lower its count to ${m.lines}` : 'drop it from the list';
    out.push(`${file}: ${m.lines} lines, and the exceptions allow ${allowedLines}: ${fix} in source-size-exceptions.json`);
  }
  return out;
}

/** Every source file under `root`'s source folders, as a path relative to `root` with forward slashes. */
export function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(rel);
      return SOURCE_EXTENSIONS.has(path.extname(entry.name)) ? [rel] : [];
    });
  return SOURCE_FOLDERS.flatMap((folder) => walk(folder)).sort();
}

/** Checks every source file under `root`; the problems, and exceptions naming files that are gone. */
export function check(root: string, exceptions: Exceptions): string[] {
  const files = sourceFiles(root);
  const out = files.flatMap((file) => problems(file, measure(readFileSync(path.join(root, file), 'utf8')), exceptions));
  const known = new Set(files);
  for (const file of new Set([...Object.keys(exceptions.longLines), ...Object.keys(exceptions.lines)])) {
    if (!known.has(file)) out.push(`${file}: no such source file: drop it from source-size-exceptions.json`);
  }
  return out;
}

/** The exceptions file beside this one. */
export function readExceptions(file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'source-size-exceptions.json')): Exceptions {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Exceptions>;
  return { longLines: parsed.longLines ?? {}, lines: parsed.lines ?? {} };
}

/**
 * The exceptions with every count lowered to what its file has now (never raised), and the
 * files now within the limits dropped: what `--lower` writes after lines were wrapped or a file split.
 */
export function lowered(root: string, exceptions: Exceptions): Exceptions {
  const known = new Set(sourceFiles(root));
  const out: Exceptions = { longLines: {}, lines: {} };
  for (const [file, allowed] of Object.entries(exceptions.longLines)) {
    if (!known.has(file)) continue;
    const now = Math.min(allowed, measure(readFileSync(path.join(root, file), 'utf8')).longLines);
    if (now > 0) out.longLines[file] = now;
  }
  for (const [file, allowed] of Object.entries(exceptions.lines)) {
    if (!known.has(file)) continue;
    const now = Math.min(allowed, measure(readFileSync(path.join(root, file), 'utf8')).lines);
    if (now > MAX_LINES) out.lines[file] = now;
  }
  return out;
}

// Run as `tsx .ci/source-size.ts [--lower]` (npm run lint), not when its test imports it.
if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const file = path.join(root, '.ci', 'source-size-exceptions.json');
  if (process.argv.includes('--lower')) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...parsed, ...lowered(root, readExceptions(file)) }, null, 2)}\n`);
  }
  const exceptions = readExceptions(file);
  const found = check(root, exceptions);
  const long = Object.values(exceptions.longLines).reduce((a, b) => a + b, 0);
  const files = Object.keys(exceptions.longLines).length;
  const listed = `${long} long lines in ${files} files, ${Object.keys(exceptions.lines).length} long files`;
  if (found.length) {
    for (const line of found) console.error(line);
    console.error(
      `source-size: ${found.length} problem${found.length > 1 ? 's' : ''} ` +
        '(after wrapping or splitting, tsx .ci/source-size.ts --lower lowers the counts)',
    );
    process.exit(1);
  }
  console.log(
    `source-size: no file over ${MAX_LINES} lines, no line over ${MAX_LINE_CHARS} characters, ` +
      `besides the exceptions still listed (${listed})`,
  );
}
