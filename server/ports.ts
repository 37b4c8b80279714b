/**
 * The ports the lab listens on, named: the types the context, the listeners
 * (listeners.ts, http2/listener.ts) and the pages share.
 *
 * Below all of them, so that none imports another for a type: the context names
 * the ports, and the listeners that open them name the context.
 */
import { OWN_PORT_TRANSPORTS } from './transports/registry.ts';

/** The ports beside the main one, in the order they are taken after it (PORT+1, PORT+2, ...): see listeners.ts for why. */
export const EXTRA_PORTS = [...OWN_PORT_TRANSPORTS, 'experiment', 'idle-proxy'] as const;
export type ExtraPort = (typeof EXTRA_PORTS)[number];

/** Where the TLS ports listen (http2/listener.ts). */
export interface TlsPorts {
  main: number;
  h1: number;
  experiment: number;
}

export interface Ports {
  main: number;
  extra: Partial<Record<ExtraPort, number>>;
  /** The HTTPS ports (http2/listener.ts), unless TLS_PORT=off. */
  tls?: TlsPorts;
  /** With them, the loss demo's stall proxies on 127.0.0.1 before the HTTP/1.1-only and HTTP/2 ports (loss-experiment.ts). */
  lossDemo?: { h1: number; h2: number };
}
