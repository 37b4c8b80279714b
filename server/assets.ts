/**
 * What the browser may fetch from public/ under /assets/: one explicit set, kept
 * here and nowhere else.
 *
 * public/ is the browser's code, and beside it what only Node reads: the page
 * tests (`*.test.ts`, beside the code they test), the pages' type declarations
 * (globals.d.ts) and their tsconfig.json. Rather than filter those out (and serve
 * the next Node-only file someone adds), the static route serves a file only when
 * both its folder and its kind are listed below; anything else is 404, as if it
 * were not there.
 */

/** The folders of public/ the pages load from ('' is public/ itself). */
export const ASSET_FOLDERS: readonly string[] = ['', 'clients', 'demos', 'results'];

/** The kinds of file a page loads: scripts (ES modules), style sheets, and the two framed documents. */
export const ASSET_EXTENSIONS: readonly string[] = ['.js', '.css', '.html'];

/** Whether `file`, a path under public/ as the static route sees it (`/clients/sse.js`), may be served. */
export function isAsset(file: string): boolean {
  const slash = file.lastIndexOf('/');
  const folder = file.slice(file.startsWith('/') ? 1 : 0, Math.max(slash, 0));
  const name = file.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 && ASSET_FOLDERS.includes(folder) && ASSET_EXTENSIONS.includes(name.slice(dot)) && !name.endsWith('.test.js');
}
