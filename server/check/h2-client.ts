/**
 * The checker's HTTP/2: Node's client does the framing; the limits of http.ts
 * apply to what it hands over.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { CaseFailure } from './case-failure.ts';
import { type Endpoint, HEAD_TIMEOUT_MS, HttpResponse, MAX_HEAD_BYTES, type RequestSpec, hostHeader } from './http.ts';
import type { Tape } from './record.ts';

/** An HTTP/2 session to `endpoint`, bounded in time; rejects when ALPN did not choose h2. */
export function openSession(endpoint: Endpoint, timeoutMs = HEAD_TIMEOUT_MS): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://${hostHeader(endpoint)}`, {
      rejectUnauthorized: false,
      maxHeaderListSize: MAX_HEAD_BYTES,
      servername: net.isIP(endpoint.host) ? undefined : endpoint.host,
    } as http2.SecureClientSessionOptions);
    const timer = setTimeout(() => fail(new Error(`no HTTP/2 SETTINGS within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      session.destroy();
      reject(new CaseFailure(`HTTP/2 session failed: ${error.message}`));
    };
    session.once('error', fail);
    session.once('remoteSettings', () => {
      clearTimeout(timer);
      session.off('error', fail);
      session.on('error', () => {}); // reported per stream
      resolve(session);
    });
  });
}

/** One HTTP/2 request on `session`. Resolves once the head is in. */
export function requestH2(
  session: http2.ClientHttp2Session,
  endpoint: Endpoint,
  spec: RequestSpec,
  sent: Tape,
  received: Tape,
): Promise<HttpResponse> {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': spec.method ?? 'GET',
    ':path': spec.path,
    ':scheme': 'https',
    ':authority': hostHeader(endpoint),
  };
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    const lower = name.toLowerCase();
    // Connection-specific fields are forbidden in HTTP/2 (RFC 9113 §8.2.2).
    if (!['host', 'connection', 'upgrade', 'keep-alive', 'transfer-encoding'].includes(lower)) headers[lower] = value;
  }
  sent.add(
    `${Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n')}\n\n${spec.body ?? ''}`,
  );
  const timeoutMs = spec.headTimeoutMs ?? HEAD_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: spec.body === undefined });
    } catch (error) {
      reject(new CaseFailure(`the HTTP/2 request could not be sent: ${(error as Error).message}`));
      return;
    }
    if (spec.body !== undefined) stream.end(spec.body);
    const response = new HttpResponse();
    response.setCloser(() => stream.close(http2.constants.NGHTTP2_CANCEL));
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new CaseFailure(`no response HEADERS within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.once('response', (head) => {
      clearTimeout(timer);
      response.status = Number(head[':status']);
      for (const [name, value] of Object.entries(head))
        if (!name.startsWith(':')) response.headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      received.add(
        `:status: ${response.status}\n${Object.entries(response.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\n')}\n\n`,
      );
      resolve(response);
    });
    stream.on('data', (data: Buffer) => {
      received.add(data);
      response.addPiece(data);
    });
    stream.on('end', () => response.finish());
    stream.on('close', () => {
      clearTimeout(timer);
      if (!response.ended) response.finish(stream.rstCode ? `the stream was reset (code ${stream.rstCode})` : undefined);
      reject(new CaseFailure(`the stream closed before a response head${stream.rstCode ? ` (RST_STREAM code ${stream.rstCode})` : ''}`));
    });
    stream.on('error', () => {});
  });
}
