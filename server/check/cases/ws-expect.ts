/**
 * What the WebSocket cases expect of a server after a frame: that it failed the
 * connection (RFC 6455 §7.1.7: a close frame with the fitting code, then the
 * TCP close), or that it took the frame and carried on (it still answers a ping).
 */
import type { CaseContext } from '../context.ts';
import { type CaseDef, type Outcome, fail, nonStrict, pass } from '../types.ts';
import type { FrameSpec } from '../ws-wire.ts';
import type { WsConn } from '../ws-conn.ts';

/** How long a server has to react to a bad frame. */
export const REACT_MS = 2000;
/** How long after its close frame a server has to close the connection (RFC 6455 §7.1.1: the server closes first). */
export const CLOSE_MS = 500;

const codeList = (codes: number[]) => codes.join(' or ');

/** The server must fail the connection with one of `codes`. */
export async function expectFailure(conn: WsConn, codes: number[], what: string): Promise<Outcome> {
  await conn.until(() => conn.closeFrame !== undefined, REACT_MS);
  if (conn.error) return fail(conn.error);
  if (conn.closeFrame) {
    const { code } = conn.closeFrame;
    await conn.until(() => conn.ended, CLOSE_MS);
    if (codes.includes(code))
      return pass(`${what}: closed with ${code}${conn.ended ? '' : ' (the TCP connection stayed open afterwards)'}`);
    return nonStrict(`${what}: closed, but with ${code}; the RFC's code is ${codeList(codes)}`);
  }
  if (conn.ended)
    return nonStrict(`${what}: the connection was dropped without a close frame; the RFC asks for close ${codeList(codes)} first`);
  const probe = `probe-${Date.now()}`;
  if (await conn.pingPong(probe, 1000))
    return fail(`${what}: the server carried on (it answered a ping afterwards) instead of failing the connection`);
  return fail(`${what}: neither a close frame nor a close within ${REACT_MS} ms; the server is stuck waiting`);
}

/** The server must take the frame(s) and stay open: it answers a ping afterwards. */
export async function expectOpen(conn: WsConn, what: string): Promise<Outcome> {
  const probe = `alive-${Date.now()}`;
  if (await conn.pingPong(probe, REACT_MS)) return pass(`${what}: taken, and the connection answers pings`);
  if (conn.error) return fail(conn.error);
  if (conn.closeFrame)
    return fail(`${what}: the server closed with ${conn.closeFrame.code} ${JSON.stringify(conn.closeFrame.reason.toString())}`);
  if (conn.ended) return fail(`${what}: the server dropped the connection`);
  return fail(`${what}: no pong within ${REACT_MS} ms afterwards`);
}

/** A case that sends `frames` on a fresh socket and expects the connection failed with `codes`. */
export function failureCase(id: string, title: string, section: string, codes: number[], frames: (FrameSpec | Buffer)[]): CaseDef {
  return {
    id: `ws.${id}`,
    transport: 'ws',
    title,
    section,
    async run(c: CaseContext) {
      const conn = await c.ws();
      for (const frame of frames) {
        if (Buffer.isBuffer(frame)) conn.sendRaw(frame, `raw ${frame.length} B`);
        else conn.send(frame);
      }
      return expectFailure(conn, codes, title);
    },
  };
}

/** A case that sends `frames` on a fresh socket and expects the server to carry on. */
export function acceptCase(id: string, title: string, section: string, frames: FrameSpec[]): CaseDef {
  return {
    id: `ws.${id}`,
    transport: 'ws',
    title,
    section,
    async run(c: CaseContext) {
      const conn = await c.ws();
      for (const frame of frames) conn.send(frame);
      return expectOpen(conn, title);
    },
  };
}
