/**
 * What the lab's responses tell a browser about themselves: one place sets them.
 *
 * - Every response: `X-Content-Type-Options: nosniff`, so a browser takes each
 *   body for the type it is labelled with (a JSON poll never runs as a script, a
 *   text file never renders as HTML). The transports send it in their own heads
 *   (stream.ts FEED_HEADERS), and the raw answers to unreadable requests too
 *   (errors.ts); a WebSocket's 101 has no body to sniff and goes without.
 * - Every page: a Content-Security-Policy that says what is true of it. Its
 *   scripts and styles are the lab's own files (no inline script or style, no
 *   eval); it talks to the lab alone, on the ports it listens on (each held
 *   transport has one: listeners.ts); it frames the lab's own documents (the
 *   iframe transport, on its port); and only the lab frames it (`frame-ancestors
 *   'self'`, with `X-Frame-Options: SAMEORIGIN`, which says the same to browsers
 *   that predate CSP).
 * - The iframe transport's two documents, which the board frames from another of
 *   the lab's ports: the relay page (public/iframe-relay.html) gets the page
 *   policy with the page's origin as an ancestor, and no X-Frame-Options, which
 *   would refuse them; the stream itself (`/feed/iframe`) gets a policy of its own
 *   (iframeStreamPolicy below).
 *
 * CSP: https://www.w3.org/TR/CSP3/; nosniff: https://fetch.spec.whatwg.org/#x-content-type-options-header.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LabContext } from './context.ts';

export const NOSNIFF = 'nosniff';

/**
 * Documents the lab frames from another of its ports: the iframe client's relay
 * (clients/iframe.js), and the loss demo's frames (demos/loss.js).
 */
const FRAMED_FROM_OTHER_PORTS = new Set(['/assets/iframe-relay.html', '/assets/loss-frame.html']);

/** The lab's own origins as this request reached it: pages (http, https) and sockets (ws, wss). */
export interface LabOrigins {
  web: string[];
  sockets: string[];
}

/**
 * Every origin the lab answers on under the name this request used: its main and
 * extra ports over http, its TLS ports over https, and the one the request came to
 * (behind the cluster's nginx, nginx's). A page reaches each transport on a port
 * of its own, so its own origin alone ('self') would not let it.
 */
export function labOrigins(request: FastifyRequest, ctx: LabContext): LabOrigins {
  const name = hostNameOf(request);
  const web = new Set<string>([ownOrigin(request)]);
  const { main, extra, tls, lossDemo } = ctx.ports ?? { main: ctx.config.port, extra: {} };
  for (const port of [main, ...Object.values(extra)]) web.add(`http://${name}:${port}`);
  // The loss demo's proxies relay the TLS ports: https too.
  for (const port of [...(tls ? Object.values(tls) : []), ...(lossDemo ? Object.values(lossDemo) : [])]) web.add(`https://${name}:${port}`);
  return { web: [...web], sockets: [...web].map((origin) => origin.replace(/^http/, 'ws')) };
}

/**
 * Where the lab's pages frame the iframe transport's documents from: their own
 * origin, or (over plain HTTP/1.1, where each held transport has a port of its
 * own) the main port's. Over TLS and behind the cluster's nginx every transport
 * shares the page's origin, which 'self' already names, except in the http2
 * lesson's loss demo, which reaches the TLS ports through proxies of their own.
 */
export function framingPages(request: FastifyRequest, ctx: LabContext): string {
  const name = hostNameOf(request);
  const main = ctx.ports?.main ?? ctx.config.port;
  // The loss demo frames its iframe streams through a proxy port from a page on a TLS port.
  const { lossDemo, tls: secure } = ctx.ports ?? {};
  const tls = lossDemo && secure ? [secure.main, secure.h1].map((port) => ` https://${name}:${port}`).join('') : '';
  return `'self' http://${name}:${main}${tls}`;
}

/** The name the request asked for, as a URL writes it (an IPv6 address in brackets). */
function hostNameOf(request: FastifyRequest): string {
  return new URL(ownOrigin(request)).hostname;
}

/** The origin the request came to. A Host the lab does not answer to was refused before any header is built (hosts.ts). */
function ownOrigin(request: FastifyRequest): string {
  const raw = request.raw;
  const encrypted = raw.httpVersionMajor === 2 || Boolean((raw.socket as { encrypted?: boolean } | null)?.encrypted);
  const authority = (request.headers.host ?? request.headers[':authority'] ?? '127.0.0.1') as string;
  try {
    return new URL(`${encrypted ? 'https' : 'http'}://${authority}`).origin;
  } catch {
    return 'http://127.0.0.1';
  }
}

/** The policy of every page the lab serves; `ancestors`: who may frame it. */
export function pagePolicy(origins: LabOrigins, ancestors: string): string {
  const web = origins.web.join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // The favicon is `data:,` (no request for /favicon.ico on every page).
    "img-src 'self' data:",
    // Fetches, EventSources and WebSockets to each transport's own port, and the wiretap.
    `connect-src 'self' ${web} ${origins.sockets.join(' ')}`,
    // The iframe transport's documents, on its own port.
    `frame-src 'self' ${web}`,
    `frame-ancestors ${ancestors}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The policy of the iframe transport's stream document. Its events are inline
 * `<script>` chunks by design, so it must allow inline script; a nonce or a hash
 * would cost bytes in every chunk, which the lab counts and the lessons quote.
 * What keeps it safe is that nothing else is allowed: no script file, no fetch, no
 * image, no form, no frame (`default-src 'none'`), so even a chunk whose escaping
 * failed (frames.ts escapeJsonForScript; its tests) could load nothing and send
 * nothing anywhere; and only the lab's pages and relay may frame it.
 * One header per stream, no byte per event.
 */
export function iframeStreamPolicy(ancestors: string): string {
  return `default-src 'none'; script-src 'unsafe-inline'; frame-ancestors ${ancestors}; form-action 'none'`;
}

/** Adds the headers to every reply the app sends itself (the transports write their own). */
export function registerSecurityHeaders(app: FastifyInstance, ctx: LabContext): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    reply.header('x-content-type-options', NOSNIFF);
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html') || reply.hasHeader('content-security-policy'))
      return payload;
    const framed = FRAMED_FROM_OTHER_PORTS.has(request.url.split('?')[0]);
    reply.header('content-security-policy', pagePolicy(labOrigins(request, ctx), framed ? framingPages(request, ctx) : "'self'"));
    if (!framed) reply.header('x-frame-options', 'SAMEORIGIN');
    return payload;
  });
}
