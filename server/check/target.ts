/**
 * Finds out how to reach a server: its address, and for an https URL whether
 * ALPN chooses HTTP/2 and whether the server takes WebSockets over it (RFC 8441's
 * SETTINGS_ENABLE_CONNECT_PROTOCOL).
 */
import type { TLSSocket } from 'node:tls';
import type { CheckOptions, Target } from './context.ts';
import { openSession } from './h2-client.ts';
import { type Endpoint, connect } from './http.ts';

export class TargetError extends Error {}

/** The URL a user typed, checked: http or https, a host, no credentials. */
export function parseTargetUrl(raw: string): { url: URL; endpoint: Endpoint; basePath: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetError(`${JSON.stringify(raw)} is not a URL; give one such as http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TargetError(`${url.protocol} is not http: or https:`);
  if (url.username || url.password) throw new TargetError('a URL with credentials is not checked');
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const endpoint = { host, port: url.port ? Number(url.port) : tls ? 443 : 80, tls };
  return { url, endpoint, basePath: url.pathname.replace(/\/+$/, '') };
}

/** Resolves the target: over TLS, which protocol ALPN picks, and whether WebSocket rides HTTP/2. */
export async function resolveTarget(raw: string, options: CheckOptions): Promise<Target> {
  const { url, endpoint, basePath } = parseTargetUrl(raw);
  if (!endpoint.tls) return { url: url.href, endpoint, basePath, protocol: 'http/1.1', wsOverH2: false, options };
  const socket = (await connect(endpoint, ['h2', 'http/1.1'])) as TLSSocket;
  const alpn = socket.alpnProtocol;
  socket.destroy();
  if (alpn !== 'h2') return { url: url.href, endpoint, basePath, protocol: 'http/1.1+tls', wsOverH2: false, options };
  const session = await openSession(endpoint);
  const wsOverH2 = session.remoteSettings.enableConnectProtocol === true;
  session.destroy();
  return { url: url.href, endpoint, basePath, protocol: 'h2', wsOverH2, options };
}
