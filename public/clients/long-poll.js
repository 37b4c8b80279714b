// Long polling in the browser: short polling that lets the server hold each request.
import { pollLoop } from './short-poll.js';

export function connect(options) {
  return pollLoop('/feed/long-poll', { ...options, params: { timeoutMs: options.timeoutMs ?? 25000, ...options.params }, pauseMs: 0 });
}
