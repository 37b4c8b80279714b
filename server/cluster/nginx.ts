/**
 * The nginx config in front of a cluster of lab processes, as one pure function:
 * the same inputs give the same bytes (`nginx.test.ts` compares them whole), so
 * `npm run cluster`, the tests and `nginx.conf.example` (what the lesson shows)
 * cannot drift apart.
 *
 * Every directive carries the sentence that justifies it. The config is run by
 * the user as a foreground process (`nginx -p <folder> -c <file> -g 'daemon off;'`):
 * its relative paths (pid, logs, temp files) are inside that folder, so nginx
 * needs no root and touches no system file.
 */

/** One lab process behind nginx. */
export interface Upstream {
  name: string;
  port: number;
}

export interface NginxOptions {
  /** Where nginx listens, on 127.0.0.1: the one URL a student opens. */
  listenPort: number;
  /** The lab processes, in the order nginx takes them in turn. */
  labs: readonly Upstream[];
  /** The launcher's control server (control.ts): /cluster/ and the cluster's /stats. */
  controlPort: number;
  /** The labs' HEARTBEAT_MS, when not the default: nginx's idle timeout must stay above it. */
  heartbeatMs?: number;
}

/** The lab's default heartbeat (config.ts HEARTBEAT_MS) and the longest long-poll hold (cursor.ts parseTimeoutMs). */
const DEFAULT_HEARTBEAT_MS = 15_000;
const LONG_POLL_MAX_S = 60;
/** How long nginx waits on a short request (a page, a short poll, chat) before it calls the process frozen. */
const SHORT_TIMEOUT_S = 3;

/** What a placeholder config (nginx.conf.example) is written with: the ports are examples, `npm run cluster` picks free ones. */
export const EXAMPLE_OPTIONS: NginxOptions = {
  listenPort: 8080,
  labs: [
    { name: 'lab-1', port: 9001 },
    { name: 'lab-2', port: 9002 },
    { name: 'lab-3', port: 9003 },
  ],
  controlPort: 9000,
};

/** The whole nginx.conf for `options`. */
export function nginxConfig({ listenPort, labs, controlPort, heartbeatMs = DEFAULT_HEARTBEAT_MS }: NginxOptions): string {
  if (labs.length === 0) throw new Error('nginx needs at least one lab process to send requests to');
  const heartbeatS = Math.ceil(heartbeatMs / 1000);
  // Twice the longest quiet a healthy connection may have: past it nginx cuts the connection.
  const idleTimeoutS = 2 * Math.max(heartbeatS, LONG_POLL_MAX_S);
  const upstream = (lab: (typeof labs)[number]) => `    server 127.0.0.1:${lab.port} max_fails=1 fail_timeout=2s;`;
  const width = Math.max(...labs.map((lab) => upstream(lab).length));
  const servers = labs.map((lab) => `${upstream(lab).padEnd(width)}  # ${lab.name}`);
  return `# nginx in front of Wirelab's lab processes: written by server/cluster/nginx.ts for
# \`npm run cluster\`, which runs it as the user, in the foreground:
#   nginx -p <this folder> -c <this file> -g 'daemon off;'
# Relative paths below are inside that folder: no root, no system file touched.

# One worker: a classroom on loopback is far from needing more, and with one worker
# the round robin is a plain rotation a student can watch (x-wirelab-process).
worker_processes 1;
# The pid file and the error log live in the folder, not in /run and /var/log.
pid nginx.pid;
error_log error.log warn;

# Every client connection costs nginx two files (the client's socket and its own to a
# lab process): room for ~9,000 clients, if the system lets this user open that many.
worker_rlimit_nofile 20000;

events {
  # Counted the same way: two per client, plus the idle ones kept open to the labs.
  worker_connections 19000;
}

http {
  # Which lab process answered each request: \`tail -f access.log\` shows the round robin.
  log_format upstreams '$remote_addr "$request" $status upstream=$upstream_addr $request_time s';
  access_log access.log upstreams;
  # Temporary files (there should be none: buffering is off below) stay in the folder too.
  client_body_temp_path client_body_temp;
  proxy_temp_path proxy_temp;
  fastcgi_temp_path fastcgi_temp;
  uwsgi_temp_path uwsgi_temp;
  scgi_temp_path scgi_temp;
  # No version in the Server header: x-wirelab-process says who answered.
  server_tokens off;

  # Upgrade and Connection are hop-by-hop headers: nginx drops them unless told to
  # pass them on. A request that asks to upgrade (a WebSocket) sends "Connection:
  # upgrade" to the lab; any other sends no Connection header at all, so that the
  # connection to the lab stays open for the next request (HTTP/1.1 keep-alive).
  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }

  # The lab processes, taken in turn: nginx's default round robin. No ip_hash, no
  # sticky cookie: any process can serve any request, because the feed (seq,
  # buffer, epoch) lives in Redis and every process mirrors all of it.
  upstream wirelab_labs {
    # max_fails=1: one refused connection marks a killed process down at once;
    # fail_timeout=2s: and it is tried again 2 s later, so a restarted one rejoins soon.
${servers.join('\n')}
    # Idle connections kept open to the labs, so a poll does not pay a TCP handshake
    # each time. nginx closes them after 60 s idle, before the lab would (Fastify: 72 s),
    # so nginx never sends a request on a connection the lab is closing.
    keepalive 16;
  }

  # The launcher's control server (server/cluster/control.ts).
  upstream wirelab_control {
    server 127.0.0.1:${controlPort};
  }

  server {
    # Loopback only: the cluster is for this machine, and its control endpoints kill processes.
    listen 127.0.0.1:${listenPort};

    # Room above the lab's own caps (64 KiB bodies, 16 KiB heads), so that the lab
    # answers an oversized request with its coded 413 or 431, not nginx with a page.
    client_max_body_size 1m;
    large_client_header_buffers 4 32k;

    # HTTP/1.1 to the labs: keep-alive, chunked streams and the WebSocket upgrade need it
    # (nginx speaks HTTP/1.0 to upstreams by default).
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    # The Host the client sent, not the upstream's name: the lab refuses names that
    # are not its own (DNS rebinding) and compares a page's Origin with this Host.
    proxy_set_header Host $http_host;
    # Who connected, for per-client limits (the labs run with TRUST_PROXY=loopback).
    # The address nginx saw, set rather than appended: nginx is the only proxy here,
    # and an X-Forwarded-For the client wrote itself would let it choose its identity.
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    # Streams must not wait in a buffer: each event goes on to the client as soon as
    # the lab writes it (the lab also sends X-Accel-Buffering: no on SSE and iframe).
    proxy_buffering off;
    # A chat post goes on to the lab as it arrives, not after nginx has read it whole.
    proxy_request_buffering off;
    # Short requests (pages, short polls, chat) are answered in milliseconds: a process
    # that has not answered one in ${SHORT_TIMEOUT_S} s is frozen (SIGSTOP, a stuck event loop), and
    # nginx passes the request on to the next process (below) and leaves this one out for
    # fail_timeout. A chat post is not passed on (it may have been taken): it gets a 504.
    proxy_read_timeout ${SHORT_TIMEOUT_S}s;
    proxy_send_timeout ${SHORT_TIMEOUT_S}s;
    # A dead process refuses at once on loopback; a frozen one still accepts connections
    # (the kernel does), which is why the read timeout above is what passes it over.
    proxy_connect_timeout 2s;
    # A request that could not reach a process (refused, reset before any answer, timed
    # out) goes to the next one: a killed process costs its held long polls and new
    # requests nothing. Never once an answer has started, nor a POST already sent.
    proxy_next_upstream error timeout;

    location / {
      proxy_pass http://wirelab_labs;
    }
    # The held requests: longer than any quiet a healthy one has, the heartbeat
    # (HEARTBEAT_MS, ${heartbeatS} s here) on SSE, iframe and WebSocket, and a long poll's hold
    # (at most ${LONG_POLL_MAX_S} s). nginx cuts one idle for longer; the client would reconnect.
    location ~ ^/feed/(long-poll|iframe|sse|ws)$ {
      proxy_read_timeout ${idleTimeoutS}s;
      proxy_send_timeout ${idleTimeoutS}s;
      proxy_pass http://wirelab_labs;
    }
    # Processes, kill and restart, and per-process stats: the launcher answers. A restart
    # answers once the process is back (a few seconds; the launcher gives it 30 s at most).
    location /cluster/ {
      proxy_read_timeout 60s;
      proxy_pass http://wirelab_control;
    }
    # The cluster's page itself is a page of the lab, like the others: any process serves it.
    location = /cluster/ {
      proxy_pass http://wirelab_labs;
    }
    # The pages poll /stats and subtract one answer from the next: through the round
    # robin they would subtract one process's counts from another's. The launcher
    # answers with the sum over every process instead.
    location = /stats {
      proxy_pass http://wirelab_control;
    }
  }
}
`;
}
