/**
 * What every WebSocket example shares, whatever library frames the bytes: the
 * cursor from the upgrade's URL, the replay, and the one message a client sends
 * (`{"type":"chat",...}`), answered with a coded error frame when it is not that.
 */
import type { Feed, FeedEvent } from './feed.ts';
import { parseChat, parseSince } from './feed.ts';

/** The cursor of an upgrade request's URL, or undefined (only new events), or an Error. */
export function cursorOf(url: string | undefined): number | undefined | Error {
  return parseSince(new URL(url ?? '/', 'http://localhost').searchParams.get('since'));
}

/** Takes one text message from a client; returns the error frame to send back, if any. */
export function receive(feed: Feed, text: string): string | undefined {
  let message: { type?: unknown };
  try {
    message = JSON.parse(text);
  } catch {
    return errorFrame('bad_message', 'That frame is not JSON.');
  }
  if (message?.type !== 'chat')
    return errorFrame('bad_message', 'The only message a client sends is {"type":"chat","name":"...","text":"..."}.');
  const chat = parseChat(message);
  if (typeof chat === 'string') return errorFrame('bad_chat', chat);
  feed.publish('chat', chat);
  return undefined;
}

/** A frame that is not an event: no seq. */
export const errorFrame = (code: string, message: string) => JSON.stringify({ type: 'error', error: { code, message } });

/** Replays what `since` missed, then follows the feed; returns the unsubscribe. */
export function follow(feed: Feed, since: number | undefined, send: (json: string) => void): () => void {
  for (const event of feed.since(since)) send(JSON.stringify(event));
  return feed.subscribe((event: FeedEvent) => send(JSON.stringify(event)));
}

/** The largest message the contract reads (64 KiB); bigger ones close with 1009. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
