/**
 * What every part of the lab is handed: the one feed and the shared pieces
 * around it. A module of its own so that transports, limits, pages and the app
 * can all name it without importing one another.
 */
import type { RateLimiter } from './chat.ts';
import type { Config } from './config.ts';
import type { Connections } from './connections.ts';
import type { Feed } from './feed.ts';
import type { FeedSource } from './feed-store.ts';
import type { Ports } from './ports.ts';
import type { Wiretap } from './wiretap.ts';
import type { LabCertificate } from './http2/certificate.ts';
import type { WireStats } from './stats.ts';

/** Something the lab ends when it shuts down: a held poll, a stream, a WebSocket. */
export interface Closer {
  shutdown(): void;
}

export interface LabContext {
  config: Config;
  /** The feed the transports serve (over Redis, this process's mirror of the shared one). */
  feed: Feed;
  /** Where the feed lives: publishing and readiness go through it (feed-source.ts). */
  source: FeedSource;
  stats: WireStats;
  /** Every accepted connection: counted against MAX_CONNECTIONS, on the idle clock (connections.ts). */
  connections: Connections;
  limiter: RateLimiter;
  /** What ends each held request and open socket on shutdown; each entry removes itself. */
  closers: Set<Closer>;
  /** Shows a page the exact bytes of its own connections (wiretap.ts). */
  wiretap: Wiretap;
  /** Where the lab listens, once it does (pages send each transport to its own port). */
  ports?: Ports;
  /** Closes every port but the main one (Fastify closes that). */
  closeExtraPorts?: () => Promise<void>;
  /** The TLS ports' certificate, once they listen (main.ts tells the user how to accept it). */
  certificate?: LabCertificate;
  /** Things the lab does on purpose that a reader of /stats should see. */
  counters: {
    slowReadersDropped: number;
    deadPeersTerminated: number;
    wsErrorsAnswered: number;
    /** Requests refused for a Host that is not the lab's (hosts.ts). */
    unknownHostsRefused: number;
    /** 500s: each is also written to stderr. */
    internalErrors: number;
    /** WebSocket frames ws refused (invalid UTF-8, too big, bad opcode): each closed its socket with the fitting code. */
    wsProtocolErrors: number;
  };
}

/** Every port the lab listens on: a page from any of them is the lab's own. */
export function labPorts(ctx: LabContext): number[] {
  if (!ctx.ports) return [];
  const { main, extra, tls } = ctx.ports;
  return [main, ...Object.values(extra), ...(tls ? Object.values(tls) : [])];
}
