/** The parts of two untyped libraries that the examples use (neither ships types, and DefinitelyTyped has none). */
declare module 'nodejs-websocket' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';
  export interface Connection extends EventEmitter {
    path: string;
    headers: Record<string, string>;
    sendText(text: string): void;
    close(code?: number, reason?: string): void;
  }
  export interface Server extends EventEmitter {
    socket: NetServer;
    connections: Connection[];
    close(callback?: () => void): void;
  }
  export function createServer(callback?: (connection: Connection) => void): Server;
  export function setMaxBufferLength(bytes: number): void;
  const ws: { createServer: typeof createServer; setMaxBufferLength: typeof setMaxBufferLength };
  export default ws;
}

declare module 'faye-websocket' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage } from 'node:http';
  import type { Duplex } from 'node:stream';
  class WebSocket extends EventEmitter {
    constructor(
      request: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      protocols?: string[] | null,
      options?: { maxLength?: number; ping?: number },
    );
    static isWebSocket(request: IncomingMessage): boolean;
    send(data: string | Buffer): boolean;
    close(code?: number, reason?: string): void;
  }
  const faye: { WebSocket: typeof WebSocket };
  export default faye;
}
