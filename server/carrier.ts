/**
 * What a response's bytes travel on, and the three things the lab asks of it:
 * which one a request has, how much it holds unsent, and how to cut it off.
 *
 * One place for the difference between HTTP/1.1 (a socket of its own) and HTTP/2
 * (a stream that shares its connection), so that the streams, the WebSocket and
 * the caps (stream.ts, feed-socket.ts, limits.ts) need not each tell them apart.
 */
import type { ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2Stream } from 'node:http2';
import { Socket } from 'node:net';
import { connectionOf as http2ConnectionOf } from './http2/connection.ts';
import type { AnyRequest } from './stats.ts';

/**
 * What a response's bytes travel on: an HTTP/1.1 socket (plain, or the TLS socket
 * over TCP), or an HTTP/2 stream of a connection shared with other streams.
 */
export type Carrier = Socket | Http2Stream;

/** The carrier of `request`'s response (for an upgraded WebSocket, its socket). */
export function carrierOf(request: AnyRequest): Carrier {
  return request.httpVersionMajor === 2 ? (request as Http2ServerRequest).stream : (request.socket as Socket);
}

/**
 * Bytes written towards the peer that it has not taken yet. An HTTP/1.1 socket:
 * its backlog, and with `response`, what that response still holds on top of it.
 * An HTTP/2 stream: its own (held back by the stream's flow-control window) plus
 * its connection's (held back by TCP), since a reader that stopped stalls both.
 *
 * Why the response: from Node 24 (lib/_http_outgoing.js, kChunkedBuffer) a chunked
 * response keeps the writes of one turn of the event loop to itself and hands them
 * to the socket as one chunk at the end of the turn, so during a replay written in
 * one turn the socket's backlog reads 0 while megabytes wait. The response's
 * `writableLength` counts both, on Node 20 as on 24 and 26.
 */
export function backlogOf(carrier: Carrier, response?: ServerResponse): number {
  if (carrier instanceof Socket) return response ? response.writableLength : carrier.writableLength;
  return carrier.writableLength + (http2ConnectionOf(carrier.session)?.backlogBytes ?? 0);
}

/**
 * Cuts the peer off. An HTTP/1.1 socket is reset. An HTTP/2 stream is reset
 * (RST_STREAM CANCEL) and the connection's other streams go on, unless the
 * connection itself is stalled, which is then reset like a socket.
 */
export function cutOff(carrier: Carrier): void {
  if (carrier instanceof Socket) {
    if (!carrier.destroyed) carrier.resetAndDestroy();
    return;
  }
  const connection = http2ConnectionOf(carrier.session);
  if (connection && connection.backlogBytes > 0) connection.reset();
  else if (!carrier.destroyed) carrier.close(http2.constants.NGHTTP2_CANCEL);
}
