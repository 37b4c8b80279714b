/**
 * What the tests share: the real lab on a loopback port, and patient waiting.
 * Every test talks to a listening server over real sockets.
 */
import { build, listen, type Lab } from './app.ts';
import { type Config, configWith } from './config.ts';

export interface RunningLab extends Lab {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the lab on 127.0.0.1 and a free port (or `port`, to restart a lab where
 * its clients expect it); the ticker is off unless asked for.
 */
export async function startLab(overrides: Partial<Config> = {}, port = 0): Promise<RunningLab> {
  const lab = await build(configWith({ tickMs: 0, chatRate: 0, ...overrides }));
  const { main } = await listen(lab, '127.0.0.1', port);
  return { ...lab, port: main, baseUrl: `http://127.0.0.1:${main}`, close: () => lab.app.close() };
}

/** Resolves when `condition()` is true; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
