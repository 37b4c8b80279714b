/**
 * The lab's settings, read from the environment and validated before anything listens.
 *
 * Every setting has a default that suits a classroom; a bad value stops the server
 * with a message that names the variable, rather than running with a guess.
 */
import { ConfigError, integer, origins } from './setting-parsers.ts';

export interface Config {
  host: string;
  port: number;
  /** The ticker's interval; 0 turns it off (tests and the bench publish their own events). */
  tickMs: number;
  /** How many recent events the feed keeps so that clients can resume. */
  bufferSize: number;
  /** Heartbeat interval of SSE, iframe and WebSocket pings. */
  heartbeatMs: number;
  /** Origins allowed to open WebSockets and post chat, besides the lab's own. */
  allowedOrigins: string[];
  /** Host names the lab answers to besides its own (hosts.ts): any other is refused, against DNS rebinding. */
  allowedHosts: string[];
  /** Hosts besides loopback that the /check page may check (never an open proxy: default none). */
  checkHosts: string[];
  /** Chat messages allowed per client IP per 10 s; 0 = unlimited. */
  chatRate: number;
  /** An iframe response is ended after this many body bytes, and the client reconnects. */
  iframeMaxBytes: number;
  /** Default and bounds of a long-poll's hold time. */
  longPollTimeoutMs: number;
  /** A streaming connection whose unsent backlog exceeds this is dropped (the client resumes). */
  maxQueuedBytes: number;
  /** How long a dropped slow reader has to take its goodbye before its connection is reset (limits.ts). */
  slowReaderGraceMs: number;
  /** Open connections the lab keeps at once, over all clients, counted from accept; past it, 503. 0 = no cap. */
  maxConnections: number;
  /**
   * How long a connection may have no request in progress, on every port (connections.ts):
   * one that sends nothing or half a request head, a keep-alive connection between
   * requests, an HTTP/2 connection with no open stream.
   */
  idleTimeoutMs: number;
  /** How long a TLS handshake may take before the connection is dropped. */
  tlsHandshakeTimeoutMs: number;
  /** Held streams (long polls, iframes, SSE, WebSockets) one client IP may keep at once; past it, 503. 0 = no cap. */
  maxStreamsPerClient: number;
  /** Listen on extra ports, one per held transport plus two experiments (see listeners.ts). */
  extraPorts: boolean;
  /**
   * The TLS port that speaks HTTP/2 and HTTP/1.1 (http2/listener.ts), followed by
   * an HTTP/1.1-only TLS port and an HTTP/2 experiment port; `auto` = PORT+443
   * (a free port when PORT is 0), `off` = no TLS.
   */
  tlsPort: number | 'auto' | 'off';
  /** The user's own certificate and key (PEM files); unset = a self-signed one the lab makes and keeps. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** SETTINGS_MAX_CONCURRENT_STREAMS on the HTTP/2 port: streams one connection may hold at once. */
  h2MaxStreams: number;
  /** Where the feed lives: `memory` (this process) or `redis://host:port` (shared by a cluster of lab processes). */
  feedStore: string;
  /** This process's name in a cluster (responses carry it, /stats shows it). */
  processName: string;
  /** Proxies trusted to say who the client is (X-Forwarded-For): off, or `loopback` behind a local nginx. */
  trustProxy: 'off' | 'loopback';
}

interface Setting {
  env: string;
  key: keyof Config;
  help: string;
  parse: (raw: string) => Config[keyof Config];
}

const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 3000,
  tickMs: 1000,
  bufferSize: 1000,
  heartbeatMs: 15_000,
  allowedOrigins: [],
  allowedHosts: [],
  checkHosts: [],
  chatRate: 20,
  iframeMaxBytes: 128 * 1024,
  longPollTimeoutMs: 25_000,
  maxQueuedBytes: 1024 * 1024,
  // Long enough for a reader that is only slow to take its backlog and the goodbye
  // (close 1013, the stream's end); short enough that a stalled one does not keep
  // its backlog in memory.
  slowReaderGraceMs: 2000,
  // Half the 20,000 file descriptors a process gets here: the lab
  // answers 503 well before accept() starts failing, and the bench's 5,000 fit.
  maxConnections: 10_000,
  // Fastify's keep-alive default, now for heads and idle connections on every port too: above nginx's
  // 60 s upstream keepalive_timeout, so that nginx lets go of an idle connection before the lab does.
  idleTimeoutMs: 72_000,
  // tls.Server's own default is 120 s: ten is plenty for a handshake on any network.
  tlsHandshakeTimeoutMs: 10_000,
  // The board holds four streams and a lesson page one or two: 64 covers one
  // student with everything open, in two languages (the contract asks for at least 64).
  maxStreamsPerClient: 64,
  extraPorts: true,
  tlsPort: 'auto',
  tlsCert: undefined,
  tlsKey: undefined,
  // What Apache and many CDNs advertise (nginx 128, Go 250): enough for every tab of a class's student.
  h2MaxStreams: 100,
  feedStore: 'memory',
  processName: `lab-${process.pid}`,
  trustProxy: 'off',
};

export const SETTINGS: Setting[] = [
  {
    env: 'HOST',
    key: 'host',
    help: `address to listen on (default ${DEFAULTS.host})`,
    parse: (raw) => {
      if (!raw.trim()) throw new ConfigError('HOST must not be empty');
      return raw.trim();
    },
  },
  { env: 'PORT', key: 'port', help: `port to listen on; 0 picks a free one (default ${DEFAULTS.port})`, parse: integer('PORT', 0, 65535) },
  {
    env: 'TICK_MS',
    key: 'tickMs',
    help: `ticker interval in ms; 0 turns the ticker off (default ${DEFAULTS.tickMs})`,
    parse: integer('TICK_MS', 0, 3_600_000),
  },
  {
    env: 'BUFFER_SIZE',
    key: 'bufferSize',
    help: `recent events kept for resume (default ${DEFAULTS.bufferSize})`,
    parse: integer('BUFFER_SIZE', 1, 1_000_000),
  },
  {
    env: 'HEARTBEAT_MS',
    key: 'heartbeatMs',
    help: `heartbeat interval of SSE, iframe and WebSocket pings (default ${DEFAULTS.heartbeatMs})`,
    parse: integer('HEARTBEAT_MS', 100, 3_600_000),
  },
  {
    env: 'ALLOWED_ORIGINS',
    key: 'allowedOrigins',
    help: 'comma-separated origins allowed to open WebSockets ' + "and post chat, besides the lab's own (default none)",
    parse: origins,
  },
  {
    env: 'CHECK_HOSTS',
    key: 'checkHosts',
    help:
      'comma-separated host names or addresses besides loopback that the /check page ' +
      'may run the checker against (default none: the page is never an open proxy)',
    parse: (raw) =>
      raw
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean)
        .map((name) => {
          if (!/^[a-z0-9:.[\]-]{1,253}$/.test(name))
            throw new ConfigError(`CHECK_HOSTS has ${JSON.stringify(name)}, which is not a host name or address`);
          return name;
        }),
  },
  {
    env: 'ALLOWED_HOSTS',
    key: 'allowedHosts',
    help:
      'comma-separated host names the lab answers to besides localhost, its IP ' +
      "addresses, this machine's name and HOST (a DNS-rebinding guard; default none)",
    parse: (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((name) => {
          if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(name))
            throw new ConfigError(`ALLOWED_HOSTS has ${JSON.stringify(name)}, which is not a host name like lab.school.example`);
          return name.toLowerCase();
        }),
  },
  {
    env: 'CHAT_RATE',
    key: 'chatRate',
    help: `chat messages per client per 10 s; 0 = unlimited (default ${DEFAULTS.chatRate})`,
    parse: integer('CHAT_RATE', 0, 1_000_000),
  },
  {
    env: 'IFRAME_MAX_BYTES',
    key: 'iframeMaxBytes',
    help: `an iframe response ends after this many bytes; the client reconnects (default ${DEFAULTS.iframeMaxBytes})`,
    parse: integer('IFRAME_MAX_BYTES', 1024, 1 << 30),
  },
  {
    env: 'LONG_POLL_TIMEOUT_MS',
    key: 'longPollTimeoutMs',
    help: `default hold time of a long poll (default ${DEFAULTS.longPollTimeoutMs})`,
    parse: integer('LONG_POLL_TIMEOUT_MS', 100, 120_000),
  },
  {
    env: 'SLOW_READER_GRACE_MS',
    key: 'slowReaderGraceMs',
    help:
      `how long a dropped slow reader may take to read its goodbye before ` +
      `its connection is reset (default ${DEFAULTS.slowReaderGraceMs})`,
    parse: integer('SLOW_READER_GRACE_MS', 100, 600_000),
  },
  {
    env: 'MAX_QUEUED_BYTES',
    key: 'maxQueuedBytes',
    help: `unsent bytes a stream may queue before it is dropped (default ${DEFAULTS.maxQueuedBytes})`,
    parse: integer('MAX_QUEUED_BYTES', 1024, 1 << 30),
  },
  {
    env: 'MAX_CONNECTIONS',
    key: 'maxConnections',
    help:
      `open connections the lab keeps at once, counted from accept (TLS handshakes included); past it, ` +
      `503 with Retry-After (WebSocket: close 1013); 0 = no cap (default ${DEFAULTS.maxConnections})`,
    parse: integer('MAX_CONNECTIONS', 0, 1_000_000),
  },
  {
    env: 'IDLE_TIMEOUT_MS',
    key: 'idleTimeoutMs',
    help:
      'a connection with no request in progress (none yet, half a ' +
      'request head, idle keep-alive, an HTTP/2 connection with ' +
      `no open stream) is closed after this long, on every port (HTTP/1.1: 408 ` +
      `if a head was begun; HTTP/2: GOAWAY) (default ${DEFAULTS.idleTimeoutMs})`,
    parse: integer('IDLE_TIMEOUT_MS', 100, 3_600_000),
  },
  {
    env: 'TLS_HANDSHAKE_TIMEOUT_MS',
    key: 'tlsHandshakeTimeoutMs',
    help: `a TLS handshake not finished after this long is dropped (default ${DEFAULTS.tlsHandshakeTimeoutMs})`,
    parse: integer('TLS_HANDSHAKE_TIMEOUT_MS', 100, 120_000),
  },
  {
    env: 'MAX_STREAMS_PER_CLIENT',
    key: 'maxStreamsPerClient',
    help:
      `held long polls, iframes, SSE streams and WebSockets per client IP; past it, 503 with ` +
      `Retry-After (WebSocket: close 1013); 0 = no cap (default ${DEFAULTS.maxStreamsPerClient})`,
    parse: (raw) => {
      const value = integer('MAX_STREAMS_PER_CLIENT', 0, 1_000_000)(raw);
      if (value !== 0 && value < 64)
        throw new ConfigError(
          `MAX_STREAMS_PER_CLIENT must be 0 (no cap) or at least 64, so that one student can open the board and every lesson, got ${value}`,
        );
      return value;
    },
  },
  {
    env: 'EXTRA_PORTS',
    key: 'extraPorts',
    help:
      'on: also listen on PORT+1..PORT+6 (a port per held transport, so browsers do not ' +
      'run out of connections, plus two experiment ports); off: PORT only (default on)',
    parse: (raw) => {
      if (raw === 'on') return true;
      if (raw === 'off') return false;
      throw new ConfigError(`EXTRA_PORTS must be on or off, got ${JSON.stringify(raw)}`);
    },
  },
  {
    env: 'TLS_PORT',
    key: 'tlsPort',
    help:
      'the HTTPS port (HTTP/2 and HTTP/1.1), then an HTTP/1.1-only and an HTTP/2 ' +
      'experiment port after it; auto = PORT+443, off = no TLS (default auto)',
    parse: (raw) => {
      if (raw === 'auto' || raw === 'off') return raw;
      return integer('TLS_PORT', 0, 65533)(raw);
    },
  },
  {
    env: 'TLS_CERT',
    key: 'tlsCert',
    help: 'your certificate (PEM file) for the HTTPS ports, with ' + 'TLS_KEY; unset = a self-signed one kept in .wirelab/tls/',
    parse: (raw) => raw,
  },
  { env: 'TLS_KEY', key: 'tlsKey', help: 'the private key (PEM file) of TLS_CERT', parse: (raw) => raw },
  {
    env: 'FEED_STORE',
    key: 'feedStore',
    help:
      'where the feed lives: memory (this process) or redis://host:port, ' +
      'shared by several lab processes (npm run cluster) (default memory)',
    parse: (raw) => {
      if (raw === 'memory') return raw;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(`FEED_STORE must be memory or a URL like redis://127.0.0.1:6379, got ${JSON.stringify(raw)}`);
      }
      if (url.protocol !== 'redis:') throw new ConfigError(`FEED_STORE must be memory or a redis:// URL, got ${JSON.stringify(raw)}`);
      return raw;
    },
  },
  {
    env: 'PROCESS_NAME',
    key: 'processName',
    help: "this process's name in a cluster, on every response " + '(x-wirelab-process) and in /stats (default lab-<pid>)',
    parse: (raw) => {
      if (!/^[A-Za-z0-9._-]{1,40}$/.test(raw))
        throw new ConfigError(`PROCESS_NAME must be 1-40 letters, digits, dots, dashes or underscores, got ${JSON.stringify(raw)}`);
      return raw;
    },
  },
  {
    env: 'TRUST_PROXY',
    key: 'trustProxy',
    help:
      'off, or loopback: believe X-Forwarded-For from a proxy on this machine (nginx in front ' +
      'of a cluster), so that per-client limits count clients, not the proxy (default off)',
    parse: (raw) => {
      if (raw === 'off' || raw === 'loopback') return raw;
      throw new ConfigError(`TRUST_PROXY must be off or loopback, got ${JSON.stringify(raw)}`);
    },
  },
  {
    env: 'H2_MAX_STREAMS',
    key: 'h2MaxStreams',
    help: `concurrent streams one HTTP/2 connection may hold (SETTINGS_MAX_CONCURRENT_STREAMS, default ${DEFAULTS.h2MaxStreams})`,
    parse: integer('H2_MAX_STREAMS', 1, 10_000),
  },
];

/** Reads the settings from `env`; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = { ...DEFAULTS };
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    if (raw === undefined || raw === '') continue;
    (config as unknown as Record<string, unknown>)[setting.key] = setting.parse(raw);
  }
  tlsPair(config.tlsCert, config.tlsKey);
  return config;
}

/**
 * TLS_CERT and TLS_KEY come together or not at all: the pair when both are given, undefined for
 * neither, and a ConfigError for one alone. The settings are checked with it, and so is the pair
 * handed to the certificate (http2/certificate.ts), which tests and embedders may set in code.
 */
export function tlsPair(certPath: string | undefined, keyPath: string | undefined): { certPath: string; keyPath: string } | undefined {
  if (certPath && keyPath) return { certPath, keyPath };
  if (!certPath && !keyPath) return undefined;
  const [given, missing] = certPath ? ['TLS_CERT', 'TLS_KEY'] : ['TLS_KEY', 'TLS_CERT'];
  throw new ConfigError(
    `${given} is set (${certPath || keyPath}) but ${missing} is not: ` +
      'set both, to a PEM certificate and its private key, or neither to let the lab make its own',
  );
}

/** Settings for tests and embedders: the defaults, overridden. */
export function configWith(overrides: Partial<Config> = {}): Config {
  return { ...DEFAULTS, ...overrides };
}

/** The `--help` text: every variable with its meaning and default. */
export function helpText(): string {
  const width = Math.max(...SETTINGS.map((s) => s.env.length));
  return [
    'Wirelab: one live feed over five transports.',
    '',
    'Usage: npm start            (settings come from the environment)',
    '       PORT=0 TICK_MS=250 npm start',
    '',
    'Environment:',
    ...SETTINGS.map((s) => `  ${s.env.padEnd(width)}  ${s.help}`),
  ].join('\n');
}
