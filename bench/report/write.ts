/**
 * Where a run is written: runs/<id>.json, latest.json and summary.md, under the
 * output folder for a full run (the reference run that /results shows and the
 * lessons quote), under its quick/ folder for a quick one, never over the reference.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { summaryMarkdown } from './markdown.ts';
import type { Results } from './schema.ts';

export interface WrittenFiles {
  runFile: string;
  latestFile: string;
  summaryFile: string;
}

/** Where a run is written: the reference files under `outDir`, a quick run's under `outDir`/quick. */
export function resultsPaths(results: Pick<Results, 'id' | 'quick'>, outDir: string): { dir: string } & WrittenFiles {
  const dir = results.quick ? path.join(outDir, 'quick') : outDir;
  return {
    dir,
    runFile: path.join(dir, 'runs', `${results.id}.json`),
    latestFile: path.join(dir, 'latest.json'),
    summaryFile: path.join(dir, 'summary.md'),
  };
}

/** Writes the run's three files; the quick folder ignores itself in git (its own .gitignore). */
export function writeResults(results: Results, outDir: string): WrittenFiles {
  const paths = resultsPaths(results, outDir);
  mkdirSync(path.join(paths.dir, 'runs'), { recursive: true });
  if (results.quick) {
    const why = '# Quick runs (npm run bench -- --quick): not the reference run, never committed.\n';
    writeFileSync(path.join(paths.dir, '.gitignore'), `${why}*\n`);
  }
  const json = `${JSON.stringify(results)}\n`;
  writeFileSync(paths.runFile, json);
  writeFileSync(paths.latestFile, json);
  writeFileSync(paths.summaryFile, summaryMarkdown(results));
  return { runFile: paths.runFile, latestFile: paths.latestFile, summaryFile: paths.summaryFile };
}
