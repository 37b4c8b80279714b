/**
 * An example server of lessons/servers (WebSocket on ws, websocket, nodejs-websocket,
 * faye-websocket, Socket.IO; SSE on node:http and better-sse; long polling and iframe
 * streaming on node:http), run as students run it, in a process of its own, with the
 * bench's control channel beside it: publish a schedule of events into its feed, read
 * how many clients it holds and how many events it handed them, read its CPU and memory.
 *
 * The server file is not changed: its feed is followed from outside. Every listener
 * the server subscribes is one client held (a stream, a socket, a held poll), and every
 * call of one is one event handed to that client.
 */
import { serve } from '../ipc.ts';
import { exitOnSigterm, runSchedule, usage } from '../server-harness.ts';
import type { Feed, FeedEvent, Running, ServerOptions } from '../../lessons/servers/feed.ts';

/** The example servers the bench measures, by file name under lessons/servers/. */
export const LIBRARY_SERVERS = [
  'ws-ws',
  'ws-websocket',
  'ws-nodejs-websocket',
  'ws-faye',
  'ws-socketio',
  'sse-node',
  'sse-better-sse',
  'long-poll-node',
  'iframe-node',
] as const;
export type LibraryServer = (typeof LIBRARY_SERVERS)[number];

type Started = Running & { feed: Feed };

const settings = JSON.parse(process.env.WIRELAB_BENCH_ENV ?? '{}') as { LIBRARY?: string; HEARTBEAT_MS?: string; BUFFER_SIZE?: string };
const name = settings.LIBRARY as LibraryServer;
if (!(LIBRARY_SERVERS as readonly string[]).includes(name))
  throw new Error(`unknown example server ${JSON.stringify(name)}; they are ${LIBRARY_SERVERS.join(', ')}`);
const { start } = (await import(`../../lessons/servers/${name}.ts`)) as { start: (options: ServerOptions) => Promise<Started> };
// The lab's bench settings (lab-server-env.ts): no ticker, a deep buffer, heartbeats never inside a window;
// the checker's instance is given a heartbeat its cases wait for and a buffer its gap cases overrun.
const running = await start({
  host: '127.0.0.1',
  port: 0,
  tickMs: 0,
  bufferSize: Number(settings.BUFFER_SIZE ?? 20_000),
  heartbeatMs: Number(settings.HEARTBEAT_MS ?? 3_600_000),
});

const held = new Set<unknown>();
let delivered = 0;
const subscribe = running.feed.subscribe.bind(running.feed);
running.feed.subscribe = (listener) => {
  const counted = (event: FeedEvent) => {
    delivered++;
    listener(event);
  };
  held.add(counted);
  const unsubscribe = subscribe(counted);
  return () => {
    held.delete(counted);
    return unsubscribe();
  };
};

serve(
  {
    publish: (schedule) => runSchedule((type, data) => running.feed.publish(type, data as Record<string, unknown>), schedule),
    stats: () => ({ subscribers: held.size, eventsDelivered: delivered, lastSeq: running.feed.lastSeq }),
    usage: (options: { gc?: boolean } = {}) => usage(options),
  },
  { port: Number(new URL(running.url).port), pid: process.pid },
);
exitOnSigterm(() => running.close());
