/**
 * A feed request's meter, and its wiretap if its page listens, opened in one call.
 *
 * The order is the point: the tap attaches first, because over HTTP/2 the meter's
 * claim on a stream lets go of the request's HEADERS frames, which the tap must
 * have seen to show the page its own request (wiretap.ts, stats.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { LabContext } from './context.ts';
import type { Meter } from './stats.ts';
import type { TransportId } from './transports/registry.ts';
import type { Tap } from './wiretap.ts';

/** What a request is watched by: its meter, and its tap when its page listens. */
export interface MeteredRequest {
  meter: Meter;
  tap: Tap | undefined;
}

/** Taps (for a listening `client`) then meters `request` as transport `id`. */
export function meterRequest(
  ctx: LabContext,
  id: TransportId,
  request: FastifyRequest,
  response?: ServerResponse,
  client?: string,
): MeteredRequest {
  const tap = ctx.wiretap.attach(client, id, request);
  return { tap, meter: ctx.stats.meter(id, request.raw, response, tap?.trace) };
}
