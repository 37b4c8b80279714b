/**
 * A traced HTTP/2 stream's frames as ladder steps, fed by hand in the order the
 * frame meter and the stream's account feed them: one step per frame when its
 * last byte crosses, its bytes split as the meter credits them, named by what it
 * carried (a response, an event and its seqs, a ping, a WebSocket frame inside
 * DATA), and late payload amending the step it became.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Direction, StepBytes, StepNote } from '../trace.ts';
import { FrameSteps } from './frame-steps.ts';
import { DATA, FRAME_HEADER_BYTES, GOAWAY, HEADERS, RST_STREAM } from './frames.ts';

type Step = [Direction, StepBytes, StepNote, ({ amend?: boolean; stream?: number } | undefined)?];

function traced(stream = 3, webSocket = false) {
  const steps: Step[] = [];
  const frames = new FrameSteps((...step) => steps.push(step), stream, webSocket);
  /** A whole frame crossing: its header, then its content as `kind`, starting with `first`. */
  const frame = (dir: Direction, type: number, flags: number, length: number, kind: 'head' | 'data' | 'control' = 'control', first = 0) => {
    frames.frameStarted(dir, { type, flags, length, streamId: stream });
    frames.bytes(dir, 'frame', FRAME_HEADER_BYTES, new Uint8Array(0), 0);
    if (length > 0) frames.bytes(dir, kind, length, Uint8Array.from([first]), 0);
  };
  return { frames, steps, frame };
}

test("the request's HEADERS, counted before the trace began, is one step; a response HEADERS another, when whole", () => {
  const { frames, steps, frame } = traced();
  frames.request(45, 9);
  frame('out', HEADERS, 0x4, 20, 'head');
  assert.deepEqual(steps, [
    ['in', { head: 45, framing: 9, payload: 0 }, { what: 'request', frame: 'HEADERS' }, { stream: 3 }],
    ['out', { head: 20, framing: 9, payload: 0 }, { what: 'response', frame: 'HEADERS' }, { stream: 3 }],
  ]);
});

test('a frame is a step only once its last byte crossed; the rest of one begun before the trace is ignored', () => {
  const { frames, steps } = traced();
  frames.bytes('out', 'data', 100, new Uint8Array(1), 0);
  assert.equal(steps.length, 0, 'no frame open: nothing');
  frames.frameStarted('out', { type: DATA, flags: 0, length: 10, streamId: 3 });
  assert.equal(frames.idle, false);
  frames.bytes('out', 'frame', 9, new Uint8Array(0), 0);
  frames.bytes('out', 'data', 9, new Uint8Array(1), 0);
  assert.equal(steps.length, 0, 'one byte to go');
  frames.bytes('out', 'data', 1, new Uint8Array(1), 0);
  assert.equal(steps.length, 1);
  assert.equal(frames.idle, true);
});

test('DATA that carried events: its payload, its seqs, what the transport said; an empty END_STREAM DATA is the close', () => {
  const { frames, steps, frame } = traced();
  frames.wrote(30, { what: 'event', seqs: [7] }, 0);
  frames.wrote(60, { what: 'event', seqs: [8] }, 0);
  frames.frameStarted('out', { type: DATA, flags: 0, length: 60, streamId: 3 });
  frames.bytes('out', 'frame', 9, new Uint8Array(0), 0);
  // As the stream's account does: settle the payload, pass the notes, then count the bytes.
  frames.settled('out', 40);
  frames.dataSent(60);
  frames.bytes('out', 'data', 60, new Uint8Array(1), 0);
  frame('out', DATA, 0x1, 0, 'data');
  assert.deepEqual(
    steps.map(([dir, bytes, note]) => [dir, bytes, note]),
    [
      ['out', { head: 0, framing: 29, payload: 40 }, { what: 'event', seqs: [7, 8], frame: 'DATA' }],
      ['out', { head: 0, framing: 9, payload: 0 }, { what: 'close', frame: 'DATA END_STREAM' }],
    ],
  );
});

test('a note for body bytes already sent is not kept; notes wait for the DATA that reaches their end', () => {
  const { frames, steps } = traced();
  frames.wrote(10, { what: 'response', seqs: [1] }, 10);
  frames.wrote(20, { what: 'response', seqs: [2] }, 10);
  frames.frameStarted('out', { type: DATA, flags: 0, length: 5, streamId: 3 });
  frames.dataSent(15);
  frames.bytes('out', 'data', 14, new Uint8Array(1), 0);
  assert.deepEqual(steps[0][2], { what: 'data', seqs: [], frame: 'DATA' }, 'seq 2 ends at 20: not in this frame');
  frames.frameStarted('out', { type: DATA, flags: 0, length: 5, streamId: 3 });
  frames.dataSent(20);
  frames.bytes('out', 'data', 14, new Uint8Array(1), 0);
  assert.deepEqual(steps[1][2], { what: 'response', seqs: [2], frame: 'DATA' });
});

test('control frames by name: RST_STREAM a reset, GOAWAY, PING and its ACK, others a frame', () => {
  const { steps, frame } = traced(0);
  frame('in', RST_STREAM, 0, 4);
  frame('out', GOAWAY, 0, 8);
  frame('in', 0x6, 0, 8);
  frame('out', 0x6, 0x1, 8);
  frame('in', 0x8, 0, 4);
  assert.deepEqual(
    steps.map(([dir, bytes, note, options]) => [dir, note.what, note.frame, bytes.framing, options?.stream]),
    [
      ['in', 'reset', 'RST_STREAM', 13, 0],
      ['out', 'goaway', 'GOAWAY', 17, 0],
      ['in', 'ping', 'PING', 17, 0],
      ['out', 'pong', 'PING', 17, 0],
      ['in', 'frame', 'WINDOW_UPDATE', 13, 0],
    ],
  );
});

test('over RFC 8441, DATA is named by the WebSocket frame inside it', () => {
  const { frames, steps, frame } = traced(5, true);
  frame('in', DATA, 0, 6, 'data', 0x89);
  frame('out', DATA, 0, 2, 'data', 0x8a);
  frame('in', DATA, 0, 11, 'data', 0x81);
  frames.frameStarted('out', { type: DATA, flags: 0, length: 50, streamId: 5 });
  frames.settled('out', 40);
  frames.bytes('out', 'data', 59, Uint8Array.from([0x81]), 0);
  frame('out', DATA, 0, 4, 'data', 0x88);
  frame('out', DATA, 0, 2, 'data', 0x80);
  assert.deepEqual(
    steps.map(([dir, , note]) => [dir, note.what]),
    [
      ['in', 'ping'],
      ['out', 'pong'],
      ['in', 'message'],
      ['out', 'event'],
      ['out', 'close'],
      ['out', 'data'],
    ],
    'a chat up is a message, an event down is an event; a continuation frame is data',
  );
});

test("payload settled after its frame passed amends the step it became; a stream's end is a mark without bytes", () => {
  const { frames, steps } = traced();
  frames.settled('in', 12, { what: 'message', label: 'chat' });
  frames.settled('out', 30);
  frames.ended();
  assert.deepEqual(steps, [
    ['in', { head: 0, framing: -12, payload: 12 }, { what: 'message', label: 'chat' }, { amend: true, stream: 3 }],
    ['out', { head: 0, framing: -30, payload: 30 }, { what: 'event' }, { amend: true, stream: 3 }],
    ['out', { head: 0, framing: 0, payload: 0 }, { what: 'end' }, { stream: 3 }],
  ]);
});
