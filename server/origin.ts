/**
 * The Origin check that guards the WebSocket upgrade and chat posts.
 *
 * Browsers attach `Origin` to every WebSocket handshake and to cross-site POSTs,
 * and CORS does not protect a WebSocket: without this check any page a student
 * visits could open a socket to the lab with the student's cookies and speak for
 * them (cross-site WebSocket hijacking). A request without `Origin` comes from a
 * non-browser client (curl, Node), which no page can drive, so it is allowed.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type OriginVerdict = { allowed: true } | { allowed: false; origin: string };

/**
 * Whether a request with these headers may publish.
 *
 * The lab's own origin is the one the client reached it by: the `Host` header,
 * whatever address or port that is (the lab may listen on several). Anything
 * else must be listed in `allowedOrigins` (already normalised by config.ts).
 */
export function checkOrigin(headers: IncomingHttpHeaders, allowedOrigins: readonly string[]): OriginVerdict {
  const origin = headers.origin;
  if (origin === undefined) return { allowed: true };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { allowed: false, origin }; // includes the opaque origin "null" of sandboxed frames and file: pages
  }
  if (headers.host !== undefined && url.host === headers.host.toLowerCase() && (url.protocol === 'http:' || url.protocol === 'https:')) {
    return { allowed: true };
  }
  if (allowedOrigins.includes(url.origin)) return { allowed: true };
  return { allowed: false, origin };
}
