/**
 * Which request paths the lab reads at all: one check in front of every route,
 * so that the static folders, the source viewer and the pages refuse the same
 * tricks with the same coded answer (`400 bad_path`) instead of each library
 * answering in its own words.
 *
 * Every file the lab serves has one plain spelling: segments of printable
 * characters joined by single slashes. A path that needs anything else to name a
 * file is trying to name something else: a `.` or `..` segment (raw or
 * percent-encoded, the classic traversal), an encoded slash or any backslash
 * (one segment that a later decoder, or Windows, splits in two), an empty segment
 * (`//`, which some resolvers take for the filesystem root), or a control
 * character (NUL cuts a C string short: `style.css%00.ts`).
 */

/** Why `url` (a request target, query string included) is refused, or undefined when it is a plain path. */
export function pathProblem(url: string): string | undefined {
  // `OPTIONS *` and absolute-form targets name no file; the router answers them.
  if (!url.startsWith('/')) return undefined;
  const end = url.indexOf('?');
  const raw = end < 0 ? url : url.slice(0, end);
  if (/%2f|%5c|\\/i.test(raw))
    return "A path may not carry an encoded slash (%2F) or a backslash: the lab's paths use plain / between segments.";
  const segments = raw.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return 'A percent escape in the path is not valid UTF-8.';
    }
    // A (non-final) empty segment is `//`; a final one is a folder's trailing slash, which may name a page.
    if (name === '' && index < segments.length - 1) return 'A path may not have an empty segment (//).';
    if (name === '.' || name === '..') return 'A path may not have a . or .. segment: ask for a file by its own path.';
    if (/[\u0000-\u001f\u007f]/.test(name)) return 'A path may not carry NUL or other control characters.';
  }
  return undefined;
}
