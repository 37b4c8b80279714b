/**
 * The names the lab answers to: a guard against DNS rebinding.
 *
 * A page on a site the attacker controls (evil.example) can make its own name
 * resolve to 127.0.0.1 after the page has loaded; the browser then sends that
 * page's requests to the lab as same-origin requests, with `Host: evil.example`,
 * and the page may read every answer. Checking Origin does not help (the origin
 * is the attacker's own, and same-origin). Checking Host does: the lab answers
 * only when the client asked for it by one of its own names, as webpack's and
 * Vite's dev servers do (`allowedHosts`).
 *
 * Its own names: any IP address (an attacker cannot rebind a literal address),
 * `localhost` and `*.localhost` (RFC 6761: always loopback), this machine's name,
 * the HOST it listens on, and ALLOWED_HOSTS.
 */
import { isIP } from 'node:net';
import os from 'node:os';

/** What the lab reads of a request to find the name it was asked by. */
interface HostedRequest {
  httpVersionMajor: number;
  httpVersion: string;
  rawHeaders: readonly string[];
}

/**
 * The name a request asked for: its one Host header (HTTP/1.1), or its
 * `:authority` (HTTP/2, where Host is optional and must agree). A request that
 * names two is refused rather than served by the first: a proxy in front may
 * have read the other one (RFC 9112 section 3.2: "a server MUST respond with a
 * 400 ... to any HTTP/1.1 request message that lacks a Host header field and to
 * any request message that contains more than one Host header field"; RFC 9113
 * section 8.3.1 for :authority and Host).
 */
export function hostOf(request: HostedRequest): { host: string | undefined } | { problem: string } {
  const hosts: string[] = [];
  const authorities: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i].toLowerCase();
    if (name === 'host') hosts.push(request.rawHeaders[i + 1]);
    else if (name === ':authority') authorities.push(request.rawHeaders[i + 1]);
  }
  if (hosts.length > 1) return { problem: `A request must carry one Host header, not ${hosts.length} (RFC 9112 section 3.2).` };
  if (request.httpVersionMajor === 2) {
    if (authorities.length > 1) return { problem: 'An HTTP/2 request must carry one :authority (RFC 9113 section 8.3.1).' };
    if (authorities.length === 1 && hosts.length === 1 && authorities[0].toLowerCase() !== hosts[0].toLowerCase()) {
      return { problem: 'An HTTP/2 request whose Host differs from its :authority is malformed (RFC 9113 section 8.3.1).' };
    }
    return { host: authorities[0] ?? hosts[0] };
  }
  if (request.httpVersion === '1.1' && hosts.length === 0) return { problem: 'An HTTP/1.1 request must carry a Host header.' };
  return { host: hosts[0] };
}

export class LabHosts {
  private readonly names: Set<string>;

  constructor(host: string, allowedHosts: readonly string[] = []) {
    const hostname = os.hostname().toLowerCase();
    this.names = new Set(['localhost', hostname, `${hostname}.local`, host.toLowerCase(), ...allowedHosts.map((h) => h.toLowerCase())]);
  }

  /**
   * Whether a request with this Host (or :authority) may be answered. No Host at
   * all (HTTP/1.0, raw clients) is allowed: a browser always sends one.
   */
  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return true;
    const name = hostnameOf(hostHeader);
    if (name === undefined) return false;
    return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || this.names.has(name);
  }
}

/** The name part of a Host header, lower case, IPv6 without brackets; undefined when it is not a host. */
function hostnameOf(host: string): string | undefined {
  try {
    const url = new URL(`http://${host}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined;
    return url.hostname
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase();
  } catch {
    return undefined;
  }
}
