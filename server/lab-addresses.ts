/**
 * The lab's addresses as a reader reached them, for the commands the lessons print.
 *
 * Lessons are written with the default addresses (`curl http://127.0.0.1:3000/...`,
 * `https://127.0.0.1:3443`), so that their sources read as the README does. A lab
 * started with `PORT=0`, another HOST, or a port that was taken listens elsewhere,
 * and a student who pastes the default gets "connection refused". So the page
 * rewrites each default host:port to the name the reader used and the port the
 * lab really has. A lesson names a port as host:port (`127.0.0.1:3443`), never bare,
 * so that this rewrite finds every one.
 */
import type { Ports } from './ports.ts';

/** Where each of the lab's listeners is by default (PORT 3000: server/config.ts, listeners.ts, http2/listener.ts). */
export const DEFAULT_PORTS = {
  main: 3000,
  'short-poll': 3001,
  'long-poll': 3002,
  iframe: 3003,
  sse: 3004,
  experiment: 3005,
  'idle-proxy': 3006,
  tls: 3443,
  'tls-h1': 3444,
  'tls-experiment': 3445,
} as const;
export type PortName = keyof typeof DEFAULT_PORTS;

/** The host name a lesson's defaults use. */
const DEFAULT_HOST = '127.0.0.1';

export interface LabAddresses {
  /** The name the reader used, as a URL writes it (an IPv6 address in brackets). */
  host: string;
  /** Each listener's real port; a listener this lab does not have is left out. */
  ports: Partial<Record<PortName, number>>;
}

/** A host name as a URL writes it, and nothing that could end an attribute or a tag. */
const SAFE_HOST = /^(\[[0-9a-f:.]+\]|[\w.-]+)$/i;

/** The addresses of a lab with `ports`, reached by the name `host`. */
export function labAddresses(host: string, ports: Ports | null): LabAddresses {
  const known: Partial<Record<PortName, number>> = {};
  if (!SAFE_HOST.test(host)) host = DEFAULT_HOST;
  if (ports) {
    known.main = ports.main;
    for (const [name, port] of Object.entries(ports.extra)) if (port) known[name as PortName] = port;
    if (ports.tls) {
      known.tls = ports.tls.main;
      known['tls-h1'] = ports.tls.h1;
      known['tls-experiment'] = ports.tls.experiment;
    }
  }
  return { host, ports: known };
}

const BY_DEFAULT_PORT = new Map(Object.entries(DEFAULT_PORTS).map(([name, port]) => [String(port), name as PortName]));
/** A default host:port (127.0.0.1 or localhost) not inside a longer number or name. */
const DEFAULT_AUTHORITY = /(?<![\w.-])(127\.0\.0\.1|localhost):(\d{4})(?!\d)/g;
/**
 * `text` (a rendered lesson, or its source) with every default host:port of the lab
 * rewritten to `addresses`; one of a listener this lab does not have is left as it is.
 */
export function localise(text: string, addresses: LabAddresses): string {
  return text.replace(DEFAULT_AUTHORITY, (all, _host: string, port: string) => {
    const name = BY_DEFAULT_PORT.get(port);
    const real = name ? addresses.ports[name] : undefined;
    return real ? `${addresses.host}:${real}` : all;
  });
}
