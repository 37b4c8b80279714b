/**
 * One table of the lab's coded errors, as fastify keeps one table of its own.
 *
 * Every HTTP error the lab answers has the body `{ "error": { "code", "message" } }`
 * (the contract in README.md); a WebSocket client gets the same object inside `{ "type": "error" }`.
 */
import type { FastifyReply } from 'fastify';
import type { Socket } from 'node:net';

/** One row of the table: the status, a sentence for a person, and for a temporary refusal how long to wait. */
interface ErrorSpec {
  status: number;
  message: string;
  /** Sent as `Retry-After` (seconds) with the answer. */
  retryAfterS?: number;
}

export const ERRORS = {
  bad_since: { status: 400, message: '`since` must be a whole number from 0 to 9007199254740991 (the last seq you saw).' },
  bad_callback: {
    status: 400,
    message: '`cb` must be a JavaScript name or dotted path such as ' + 'onEvent or wirelab.onEvent, at most 64 characters.',
  },
  bad_timeout: { status: 400, message: '`timeoutMs` must be a whole number of milliseconds.' },
  bad_types: { status: 400, message: '`types` must be a comma-separated list of event types such as chat or tick,chat.' },
  bad_heartbeat: { status: 400, message: '`heartbeatMs` must be 0 (none) or a whole number of milliseconds from 100 to 3600000.' },
  bad_client: { status: 400, message: '`client` must be 1-40 letters, digits, _ or -.' },
  bad_json: { status: 400, message: 'The body is not valid JSON.' },
  bad_chat: {
    status: 400,
    message:
      'A chat message is a JSON object {"name", "text"}: text a non-empty string of at most 2000 characters, ' +
      'name a string of at most 64, neither with control characters (text may have tabs and line breaks).',
  },
  bad_content_type: { status: 415, message: 'Send the chat message as application/json.' },
  bad_message: { status: 400, message: 'A WebSocket message must be a JSON text frame such as {"type":"chat","name":"ana","text":"hi"}.' },
  foreign_origin: {
    status: 403,
    message: 'This origin is not allowed to do that; the lab accepts its own origin and those in ALLOWED_ORIGINS.',
  },
  unknown_host: {
    status: 403,
    message:
      'This lab answers only to its own names (localhost, its IP addresses, this ' +
      "machine's name, HOST and ALLOWED_HOSTS): a guard against DNS rebinding.",
  },
  bad_path: {
    status: 400,
    message:
      'That path is not one the lab reads: no . or .. segments, empty ' + 'segments, encoded slashes, backslashes or control characters.',
  },
  not_found: { status: 404, message: 'There is nothing at this URL; the index at / lists what there is.' },
  too_large: { status: 413, message: 'The request body is over 64 KiB.' },
  upgrade_required: {
    status: 426,
    message: 'This URL speaks WebSocket: open it with new ' + 'WebSocket(...) or a client that sends Upgrade: websocket.',
  },
  rate_limited: { status: 429, message: 'Too many chat messages from this client; wait a few seconds.', retryAfterS: 10 },
  headers_too_large: { status: 431, message: 'The request line and headers are over 16 KiB.' },
  bad_request: { status: 400, message: 'That is not a well-formed HTTP/1.1 request.' },
  request_timeout: {
    status: 408,
    message: 'The request head did not arrive in time (IDLE_TIMEOUT_MS); ' + 'send it as soon as the connection is open.',
  },
  tls_required: { status: 400, message: 'This port speaks TLS: open it with https://.' },
  too_many_connections: {
    status: 503,
    message: 'The lab holds as many connections as it allows (MAX_CONNECTIONS); try again shortly.',
    retryAfterS: 5,
  },
  feed_unavailable: {
    status: 503,
    message:
      'This lab process has lost its shared feed (Redis) and serves nothing ' +
      'rather than stale events; try again shortly, or another process.',
    retryAfterS: 2,
  },
  too_many_streams: {
    status: 503,
    message:
      'This client holds as many streams as the lab allows one client ' + '(MAX_STREAMS_PER_CLIENT); close one or try again shortly.',
    retryAfterS: 5,
  },
  // The cluster launcher's control server (cluster/control.ts) answers with the same table.
  method_not_allowed: { status: 405, message: 'This URL does not take that method; the Allow header names the one it takes.' },
  unknown_process: { status: 404, message: 'There is no lab process by that name; GET /cluster/processes lists them.' },
  control_token: {
    status: 401,
    message:
      'Killing and restarting need the control token npm run ' +
      'cluster printed: send Authorization: Bearer <token>. ' +
      'The /cluster/ address it printed carries the token after #token=; open it once in this browser.',
  },
  not_running: { status: 409, message: 'That lab process is not up now; try again once it is.' },
  check_refused: { status: 403, message: 'The /check page checks servers on this machine only (loopback), and hosts in CHECK_HOSTS.' },
  bad_loss: { status: 400, message: '`percent` must be a loss rate from 0 to 20, with at most one decimal.' },
  loss_unavailable: { status: 409, message: "The loss demo needs the lab's TLS ports (TLS_PORT is off)." },
  check_busy: { status: 503, message: 'The lab is running a check already; try again when it ends.', retryAfterS: 5 },
  internal: { status: 500, message: 'The server failed to answer this request; it is still running.' },
} as const satisfies Record<string, ErrorSpec>;

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
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
  ) {
    super(message);
    this.status = ERRORS[code].status;
  }
}

/** Answers `reply` with the coded error (and no caching: errors are about this request). */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  const { status, retryAfterS } = ERRORS[code] as ErrorSpec;
  if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
  return reply.code(status).header('cache-control', 'no-store').send(errorBody(code, message));
}

/**
 * Fastify's `clientErrorHandler`: bytes Node's parser could not read as a request
 * (headers over its 16 KiB limit, a broken request line) get the lab's coded body
 * too, then the socket is closed, as Node itself does: nothing after a parse error
 * can be trusted to start a new request.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection is already gone; nobody is left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : 'bad_request';
  const body = JSON.stringify(errorBody(code));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${ERRORS[code].status} ${code === 'bad_request' ? 'Bad Request' : 'Request Header Fields Too Large'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n` +
        `x-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
