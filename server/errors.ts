/**
 * One table of the lab's coded errors, as fastify keeps one table of its own.
 *
 * Every HTTP error the lab answers has the body `{ "error": { "code", "message" } }`
 * (DESIGN.md); a WebSocket client gets the same object inside `{ "type": "error" }`.
 */
import type { FastifyReply } from 'fastify';

export const ERRORS = {
  bad_since: { status: 400, message: '`since` must be a whole number from 0 to 9007199254740991 (the last seq you saw).' },
  bad_callback: { status: 400, message: '`cb` must be a JavaScript name or dotted path such as onEvent or wirelab.onEvent, at most 64 characters.' },
  bad_timeout: { status: 400, message: '`timeoutMs` must be a whole number of milliseconds.' },
  bad_types: { status: 400, message: '`types` must be a comma-separated list of event types such as chat or tick,chat.' },
  bad_heartbeat: { status: 400, message: '`heartbeatMs` must be 0 (none) or a whole number of milliseconds from 100 to 3600000.' },
  bad_client: { status: 400, message: '`client` must be 1-40 letters, digits, _ or -.' },
  bad_json: { status: 400, message: 'The body is not valid JSON.' },
  bad_chat: { status: 400, message: 'A chat message is a JSON object {"name", "text"}: text a non-empty string of at most 2000 characters, name a string of at most 64.' },
  bad_content_type: { status: 415, message: 'Send the chat message as application/json.' },
  bad_message: { status: 400, message: 'A WebSocket message must be a JSON text frame such as {"type":"chat","name":"ana","text":"hi"}.' },
  foreign_origin: { status: 403, message: 'This origin is not allowed to do that; the lab accepts its own origin and those in ALLOWED_ORIGINS.' },
  not_found: { status: 404, message: 'There is nothing at this URL; the index at / lists what there is.' },
  too_large: { status: 413, message: 'The request body is over 64 KiB.' },
  upgrade_required: { status: 426, message: 'This URL speaks WebSocket: open it with new WebSocket(...) or a client that sends Upgrade: websocket.' },
  rate_limited: { status: 429, message: 'Too many chat messages from this client; wait a few seconds.' },
  too_many_connections: { status: 503, message: 'The lab holds as many connections as it allows; try again shortly.' },
  internal: { status: 500, message: 'The server failed to answer this request; it is still running.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The error body for `code`, with a more specific message when one helps. */
export function errorBody(code: ErrorCode, message: string = ERRORS[code].message): ErrorBody {
  return { error: { code, message } };
}

/** An error a route throws; the app's error handler turns it into the coded body. */
export class LabError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string = ERRORS[code].message) {
    super(message);
    this.status = ERRORS[code].status;
  }
}

/** Answers `reply` with the coded error (and no caching: errors are about this request). */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ERRORS[code].status).header('cache-control', 'no-store').send(errorBody(code, message));
}
