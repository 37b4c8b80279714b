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
 * whatever address or port that is. The lab listens on several ports (one per
 * held transport, see listeners.ts), so a page from one of them may talk to
 * another: the Host's name with any of `ownPorts` is the lab too. Anything else
 * must be listed in `allowedOrigins` (already normalised by config.ts).
 */
export function checkOrigin(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
  ownPorts: readonly number[] = [],
): OriginVerdict {
  const origin = headers.origin;
  // HTTP/2 carries the host in the `:authority` pseudo-header; Host is optional there (RFC 9113 section 8.3.1).
  const host = headers.host ?? (headers[':authority'] as string | undefined);
  if (origin === undefined) return { allowed: true };
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { allowed: false, origin }; // includes the opaque origin "null" of sandboxed frames and file: pages
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (host !== undefined && web && url.host === host.toLowerCase()) return { allowed: true };
  if (host !== undefined && web && url.port !== '' && ownPorts.includes(Number(url.port))) {
    if (url.hostname === hostNameOf(host)) return { allowed: true };
  }
  if (allowedOrigins.includes(url.origin)) return { allowed: true };
  return { allowed: false, origin };
}

/** The name part of a Host header, or undefined when it is not one: the header is the client's to write. */
function hostNameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}
