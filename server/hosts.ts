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
    return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  } catch {
    return undefined;
  }
}
