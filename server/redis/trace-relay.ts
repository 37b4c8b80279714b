/**
 * A page's trace across a cluster's processes (trace.ts StepRelay), through Redis
 * pub/sub: the process that holds a page's tap SUBSCRIBEs to `wirelab:trace:<client>`,
 * and a process that serves a connection carrying that client id, with no tap of its
 * own for it, PUBLISHes each step there.
 *
 * Pub/sub is the right tool here, where the feed's log is not (lessons/en/scale-out.md):
 * a trace is a view, not the feed. A step published while nobody listens is lost, and
 * that is fine; nothing numbers steps, and the page's picture only draws what came.
 * Its subscriber is a connection of its own (a connection in subscribe mode can do
 * nothing else), opened with the first tap.
 */
import { Redis } from 'ioredis';
import type { StepRelay, TraceStep } from '../trace.ts';

const CHANNEL_PREFIX = 'wirelab:trace:';

export class RedisTraceRelay implements StepRelay {
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, (step: TraceStep) => void>();

  /** `commands`: the feed's connection (redis/feed.ts), which publishes; `url`: where the subscriber connects. */
  constructor(
    private readonly url: string,
    private readonly commands: Redis,
  ) {}

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    const subscriber = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: (attempt) => Math.min(2000, 100 * attempt) });
    subscriber.on('error', () => {}); // a trace that cannot cross is a picture with fewer arrows, not a crash
    subscriber.on('message', (channel: string, message: string) => {
      const deliver = this.listeners.get(channel);
      if (!deliver) return;
      try {
        deliver(JSON.parse(message) as TraceStep);
      } catch {
        // Not a step (someone else published here): ignored on purpose.
      }
    });
    return (this.subscriber = subscriber);
  }

  async listen(client: string, deliver: (step: TraceStep) => void): Promise<() => void> {
    const channel = CHANNEL_PREFIX + client;
    this.listeners.set(channel, deliver);
    const subscriber = this.connection();
    // SUBSCRIBE's answer means Redis has the subscription: every PUBLISH after it reaches us.
    await subscriber.subscribe(channel);
    return () => {
      this.listeners.delete(channel);
      subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  forward(client: string): (step: TraceStep) => void {
    const channel = CHANNEL_PREFIX + client;
    // A publish that fails (Redis away) loses that step: the picture is a view.
    return (step) => void this.commands.publish(channel, JSON.stringify(step)).catch(() => {});
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.subscriber?.disconnect();
  }
}
