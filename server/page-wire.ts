/**
 * How a reader reached a page (plain HTTP/1.1, HTTP/1.1 over TLS, or HTTP/2), the
 * ports the page's scripts must use from there, and where the same page is over
 * the other HTTP version: what the page frame (pages.ts) puts in its header's
 * protocol switch and in the config its scripts read.
 */
import type { FastifyRequest } from 'fastify';
import type { LabContext } from './context.ts';
import { EXPERIMENT_MAX_STREAMS } from './http2/listener.ts';
import type { Ports } from './ports.ts';

/** How the reader reached a page, and where the same page is over the other HTTP version. */
export interface PageWire {
  protocol: 'h1' | 'h1-tls' | 'h2';
  /** The ports the page's scripts use (lab.js originFor): each held transport's own over plain HTTP/1.1, one origin over TLS. */
  ports: Ports | null;
  /** This page over HTTP/1.1 (plain) and over HTTP/2 (TLS); null when the lab has no TLS port. */
  h1Url: string;
  h2Url: string | null;
  /** How many streams the experiment port holds at once before the next waits: six connections, or HTTP/2's SETTINGS limit. */
  experimentStreams: number;
}

/** HTTP/1.1's six connections per host and port in Chromium. */
const BROWSER_CONNECTIONS_PER_HOST = 6;

/**
 * Over plain HTTP/1.1 a page sends each held transport to a port of its own
 * (listeners.ts). Over TLS it must not: an https page may not open http://
 * streams (mixed content), and over HTTP/2 one connection carries everything, so
 * every transport shares the page's own origin; only the six-connection
 * experiment keeps a port of its own (the TLS experiment port, with HTTP/2's own
 * stream limit).
 */
export function pageWire(request: FastifyRequest, ctx: LabContext, pagePath: string): PageWire {
  const raw = request.raw;
  const h2 = raw.httpVersionMajor === 2;
  const encrypted = h2 || Boolean((raw.socket as { encrypted?: boolean } | null)?.encrypted);
  const authority = (request.headers.host ?? request.headers[':authority'] ?? '') as string;
  // The name as a URL writes it (an IPv6 address in brackets), and the port the reader used.
  const { name, port: portAsked } = parseAuthority(authority);
  const tls = ctx.ports?.tls;
  const h1Url = `http://${name}:${ctx.ports?.main ?? ctx.config.port}${pagePath}`;
  const h2Url = tls ? `https://${name}:${tls.main}${pagePath}` : null;
  // Behind the cluster's nginx the page's origin is nginx's, not this process's port:
  // every transport, and the demos' WebSockets, go back through nginx.
  if (ctx.config.trustProxy !== 'off' && request.headers['x-forwarded-for'] !== undefined) {
    const port = portAsked ?? 80;
    return {
      protocol: 'h1',
      ports: { main: port, extra: {} },
      h1Url: `http://${name}:${port}${pagePath}`,
      h2Url: null,
      experimentStreams: BROWSER_CONNECTIONS_PER_HOST,
    };
  }
  if (!encrypted || !ctx.ports)
    return { protocol: 'h1', ports: ctx.ports ?? null, h1Url, h2Url, experimentStreams: BROWSER_CONNECTIONS_PER_HOST };
  const port = portAsked ?? 443;
  const extra = h2 && tls ? { experiment: tls.experiment } : {};
  return {
    protocol: h2 ? 'h2' : 'h1-tls',
    ports: { main: port, extra, tls },
    h1Url,
    h2Url,
    experimentStreams: h2 ? EXPERIMENT_MAX_STREAMS : BROWSER_CONNECTIONS_PER_HOST,
  };
}

/** A Host header's name, as a URL writes it, and its port if it names one; 127.0.0.1 when it is not a host. */
export function parseAuthority(authority: string): { name: string; port: number | undefined } {
  try {
    const url = new URL(`http://${authority}`);
    // No port (or http's default, 80, which URL drops): the caller knows the scheme's default.
    return { name: url.hostname, port: url.port ? Number(url.port) : undefined };
  } catch {
    return { name: '127.0.0.1', port: undefined };
  }
}
