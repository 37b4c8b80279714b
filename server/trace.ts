/**
 * The trace: a page's own connections told as a sequence of steps, from which the
 * pages draw their ladder diagrams (public/ladder.js).
 *
 * A step is one thing one side sent the other: a request head, a response, an
 * event, a heartbeat, a ping, a WebSocket or HTTP/2 frame, a close. Its bytes are
 * split into head, framing and payload exactly as /stats counts them, because the
 * meters that count them for /stats (stats.ts for HTTP/1.1, http2/frame-meter.ts
 * for HTTP/2) are what report each step, at the moment they account its bytes:
 * nothing is counted twice, and a step's figures cannot drift from the server's.
 * A meter reports steps only when its request carries the id of a page whose
 * wiretap listens (wiretap.ts); any other connection pays one property check per
 * accounting, and nothing else.
 *
 * Over HTTP/2 a step is one frame (HEADERS, DATA, RST_STREAM, WINDOW_UPDATE, and
 * on stream 0 SETTINGS, PING, GOAWAY). Which DATA bytes were event JSON is known
 * once the transport says so, which may be after the frame crossed (a WebSocket
 * message is parsed after its bytes arrived): such a correction is an `amend`
 * step, bytes moved from framing to payload within the last step of that
 * direction, so the sum of the steps stays what /stats says.
 */
import type { TransportId } from './transports/registry.ts';

export type Direction = 'in' | 'out';

/** What a step is, for the picture's label and its text alternative (public/i18n.json `ladder.what.*`). */
export type StepKind =
  | 'request' // a request head (HTTP/1.1), or a stream's request HEADERS (HTTP/2): GET, or CONNECT for a WebSocket
  | 'response' // a response head with what came with it (a poll's whole answer, a stream's preamble)
  | 'upgrade' // the 101 Switching Protocols response
  | 'event' // one or more feed events
  | 'heartbeat' // an SSE comment or an iframe keep-alive chunk
  | 'hello' // a cluster process naming itself (not an event)
  | 'message' // a WebSocket message that is not an event: chat up, an error answer down
  | 'ping'
  | 'pong'
  | 'close' // a WebSocket close frame, a stream's last chunk
  | 'end' // the connection or stream is gone (no bytes)
  | 'data' // an HTTP/2 DATA frame not otherwise known
  | 'frame' // another HTTP/2 frame: WINDOW_UPDATE, SETTINGS, PING on stream 0
  | 'reset' // RST_STREAM
  | 'goaway'; // GOAWAY

/** What the code that writes or reads some bytes knows about them: the meter adds the split. */
export interface StepNote {
  what: StepKind;
  /** The request line, a status, an HTTP/2 frame type. */
  label?: string;
  /** The seqs of the events carried. */
  seqs?: number[];
  /** Over HTTP/2, the frame: its type and flags (`DATA END_STREAM`). */
  frame?: string;
}

export interface StepBytes {
  head: number;
  framing: number;
  payload: number;
}

/**
 * Where a traced meter reports each accounting. `stream`: over HTTP/2, the stream
 * the step belongs to (0 for the connection's own frames).
 */
export type StepSink = (dir: Direction, bytes: StepBytes, note: StepNote, options?: { amend?: boolean; stream?: number }) => void;

/** One step as a page receives it on its wiretap socket, beside the byte records. */
export interface TraceStep extends StepBytes {
  type: 'step';
  transport: TransportId;
  protocol: 'h1' | 'h2';
  /** The wiretap's number for the connection (the same as its byte records'), within its process. */
  connection: number;
  /** In a cluster, the process that served the connection (its PROCESS_NAME). */
  process?: string;
  stream?: number;
  dir: Direction;
  /** ms since 1970, with a fraction: comparable with an event's `at`. */
  at: number;
  what: StepKind;
  label?: string;
  seqs?: number[];
  frame?: string;
  /** Bytes reclassified within the previous step of this connection, stream and direction. */
  amend?: true;
}

/** ms since 1970 with sub-millisecond precision (the clock events' `at` uses). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * A sink that turns what a meter reports into TraceSteps for one request's page.
 * Steps without bytes are dropped unless they mark something (the end of a connection).
 */
export function stepSink(
  base: { transport: TransportId; protocol: 'h1' | 'h2'; connection: number; stream?: number; process?: string },
  request: string,
  send: (step: TraceStep) => void,
): StepSink {
  return (dir, bytes, note, options) => {
    if (bytes.head === 0 && bytes.framing === 0 && bytes.payload === 0 && note.what !== 'end') return;
    const step: TraceStep = {
      type: 'step',
      ...base,
      ...(options?.stream !== undefined ? { stream: options.stream } : {}),
      dir,
      at: preciseNow(),
      what: note.what,
      head: bytes.head,
      framing: bytes.framing,
      payload: bytes.payload,
    };
    // The meter knows a request head by its bytes; the tap knows which request it was.
    const label = note.label ?? (note.what === 'request' ? request : undefined);
    if (label !== undefined) step.label = label;
    if (note.seqs !== undefined && note.seqs.length > 0) step.seqs = note.seqs;
    if (note.frame !== undefined) step.frame = note.frame;
    if (options?.amend) step.amend = true;
    send(step);
  };
}

/** A request's line as a step's label: the method and path, without the wiretap's own `client` parameter. */
export function requestLabel(method: string, url: string): string {
  const [path, query] = url.split('?', 2);
  if (query === undefined) return `${method} ${path}`;
  const kept = query.split('&').filter((pair) => !pair.startsWith('client='));
  return `${method} ${path}${kept.length ? `?${kept.join('&')}` : ''}`;
}

/**
 * How steps reach a page whose tap is in another process: in a cluster, a page's tap
 * and its connections land on different processes (round robin), so the process that
 * serves a traced connection hands its steps on (redis/trace-relay.ts). The client id
 * stays the secret that names the page: only the tap's process listens for it.
 */
export interface StepRelay {
  /** Delivers the steps other processes forward for `client`; resolves once none sent after it can be missed. Returns the stop. */
  listen(client: string, deliver: (step: TraceStep) => void): Promise<() => void>;
  /** Sends the steps of a connection that carries `client`, which no tap in this process listens for. */
  forward(client: string): (step: TraceStep) => void;
  close(): Promise<void>;
}
