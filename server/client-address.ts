/**
 * Who a request comes from, as the per-client caps and the chat rate count clients.
 *
 * Over HTTP/1.1 it is Fastify's `request.ip`: the socket's peer, or the client a
 * trusted local proxy names (TRUST_PROXY). Over the lab's HTTP/2 the session reads a
 * JavaScript stream (the frame meter's pipe, http2/plaintext.ts), which has no peer
 * address, so `request.ip` is undefined there: the address is the TCP socket's, kept
 * by the connection (http2/connection.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { Http2ServerRequest } from 'node:http2';
import { connectionOf } from './http2/connection.ts';

export function clientAddress(request: FastifyRequest): string {
  if (request.raw.httpVersionMajor === 2) {
    const address = connectionOf((request.raw as unknown as Http2ServerRequest).stream.session)?.remoteAddress;
    if (address !== undefined) return address;
  }
  return request.ip;
}
