/**
 * The settings every bench lab instance starts from, as `npm start` reads them
 * from the environment (server/config.ts validates them the same way):
 *
 * - no ticker: the bench publishes its own events, on its own schedule;
 * - unlimited chat, no extra ports (one port per instance is all the bench needs);
 * - a buffer deep enough that no bench client ever sees a gap;
 * - heartbeats every hour, i.e. never inside a measured window, so that a window's
 *   bytes are the events' bytes and nothing else;
 * - no cap on open connections (MAX_CONNECTIONS=0): the connection ramp measures
 *   what one process can hold, which the lab's classroom cap (10,000 by default)
 *   would hide. The per-client cap on held streams stays at its default: the
 *   bench spreads clients over many source addresses, as many students would be;
 * - the TLS ports on free ports (HTTP/1.1 over TLS and HTTP/2: bench/wires.ts), with
 *   the lab's own self-signed certificate, which the bench's clients are told to trust.
 */
export const BENCH_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  PORT: '0',
  TICK_MS: '0',
  CHAT_RATE: '0',
  BUFFER_SIZE: '20000',
  HEARTBEAT_MS: '3600000',
  EXTRA_PORTS: 'off',
  MAX_CONNECTIONS: '0',
  TLS_PORT: '0',
};
