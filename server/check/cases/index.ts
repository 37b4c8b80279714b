/** Every case, per transport, in the order they run and report. */
import type { CaseDef, TransportId } from '../types.ts';
import { iframeCases } from './iframe.ts';
import { longPollCases } from './long-poll.ts';
import { shortPollCases } from './short-poll.ts';
import { sseCases } from './sse.ts';
import { wsContractCases } from './ws-contract.ts';
import { wsControlCases } from './ws-control.ts';
import { wsFrameCases } from './ws-frames.ts';
import { wsHandshakeCases } from './ws-handshake.ts';

export const CASES: Record<TransportId, CaseDef[]> = {
  'short-poll': shortPollCases,
  'long-poll': longPollCases,
  iframe: iframeCases,
  sse: sseCases,
  ws: [...wsHandshakeCases, ...wsFrameCases, ...wsControlCases, ...wsContractCases],
};

export const ALL_CASES: CaseDef[] = Object.values(CASES).flat();
