/**
 * The transport registry: one line per transport, as in engine.io's transports/index.
 *
 * Adding a transport is one file and one line here; the app, the contract tests
 * and `/stats` all loop over this list.
 */
import type { FastifyInstance } from 'fastify';
import type { ChatLimiter } from '../chat.ts';
import type { Config } from '../config.ts';
import type { Feed } from '../feed.ts';
import type { Ports } from '../listeners.ts';
import type { Wiretap } from '../wiretap.ts';
import type { TransportId, WireStats } from '../stats.ts';
import shortPoll from './short-poll.ts';
import longPoll from './long-poll.ts';
import iframe from './iframe.ts';
import sse from './sse.ts';
import ws from './ws.ts';

/** What every transport module is handed: the one feed and the lab's shared parts. */
export interface LabContext {
  config: Config;
  feed: Feed;
  stats: WireStats;
  limiter: ChatLimiter;
  /** How to end each held request and open socket on shutdown; each entry removes itself. */
  closers: Set<() => void>;
  /** Shows a page the exact bytes of its own connections (wiretap.ts). */
  wiretap: Wiretap;
  /** Where the lab listens, once it does (pages send each transport to its own port). */
  ports?: Ports;
  closeExtraPorts?: () => Promise<void>;
  /** Things the lab does on purpose that a reader of /stats should see. */
  counters: { slowReadersDropped: number; deadPeersTerminated: number; wsErrorsAnswered: number };
}

/** Every port the lab listens on: a page from any of them is the lab's own. */
export function labPorts(ctx: LabContext): number[] {
  if (!ctx.ports) return [];
  return [ctx.ports.main, ...Object.values(ctx.ports.extra)];
}

export interface Transport {
  id: TransportId;
  /** The human label used by pages, the bench report and charts. */
  label: string;
  register(app: FastifyInstance, ctx: LabContext): void;
}

export const TRANSPORTS: readonly Transport[] = [shortPoll, longPoll, iframe, sse, ws];

export const LABELS: Record<TransportId, string> = Object.fromEntries(TRANSPORTS.map((t) => [t.id, t.label])) as Record<TransportId, string>;
