/**
 * The nginx config writer: the exact directives (comments aside) for a small
 * cluster, the committed example byte for byte, and the real nginx accepting it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { EXAMPLE_OPTIONS, nginxConfig } from './nginx.ts';
import { ensureProgram } from '../programs.ts';

/** The config without its comments and blank lines: what nginx reads. */
const directives = (config: string) =>
  config
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => line.replace(/\s+# [^']*$/, ''))
    .join('\n');

test('the directives of a two-process cluster, exactly', () => {
  const config = nginxConfig({
    listenPort: 8181,
    labs: [
      { name: 'a', port: 7001 },
      { name: 'b', port: 7002 },
    ],
    controlPort: 7000,
  });
  assert.equal(
    directives(config),
    `worker_processes 1;
pid nginx.pid;
error_log error.log warn;
worker_rlimit_nofile 20000;
events {
  worker_connections 19000;
}
http {
  log_format upstreams '$remote_addr "$request" $status upstream=$upstream_addr $request_time s';
  access_log access.log upstreams;
  client_body_temp_path client_body_temp;
  proxy_temp_path proxy_temp;
  fastcgi_temp_path fastcgi_temp;
  uwsgi_temp_path uwsgi_temp;
  scgi_temp_path scgi_temp;
  server_tokens off;
  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }
  upstream wirelab_labs {
    server 127.0.0.1:7001 max_fails=1 fail_timeout=2s;
    server 127.0.0.1:7002 max_fails=1 fail_timeout=2s;
    keepalive 16;
  }
  upstream wirelab_control {
    server 127.0.0.1:7000;
  }
  server {
    listen 127.0.0.1:8181;
    client_max_body_size 1m;
    large_client_header_buffers 4 32k;
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_buffering off;
    proxy_request_buffering off;
    proxy_read_timeout 3s;
    proxy_send_timeout 3s;
    proxy_connect_timeout 2s;
    proxy_next_upstream error timeout;
    location / {
      proxy_pass http://wirelab_labs;
    }
    location ~ ^/feed/(long-poll|iframe|sse|ws)$ {
      proxy_read_timeout 120s;
      proxy_send_timeout 120s;
      proxy_pass http://wirelab_labs;
    }
    location /cluster/ {
      proxy_read_timeout 60s;
      proxy_pass http://wirelab_control;
    }
    location = /cluster/ {
      proxy_pass http://wirelab_labs;
    }
    location = /stats {
      proxy_pass http://wirelab_control;
    }
  }
}`,
    'every directive, in order',
  );
  assert.match(config, /server 127\.0\.0\.1:7001 max_fails=1 fail_timeout=2s; {2}# a\n/, 'each upstream line names its process');
  assert.doesNotMatch(directives(config), /ip_hash|\bhash\b|sticky|cookie/, 'no stickiness of any kind');
  assert.match(config, /HEARTBEAT_MS, 15 s here/, 'the timeout says it is longer than the heartbeat');
});

test("a heartbeat slower than the longest long poll raises nginx's idle timeout above it", () => {
  const config = nginxConfig({ listenPort: 7000, labs: [{ name: 'a', port: 7001 }], controlPort: 6999, heartbeatMs: 90_000 });
  assert.match(config, /proxy_read_timeout 180s;/);
  assert.match(config, /proxy_send_timeout 180s;/);
  assert.match(config, /proxy_read_timeout 3s;/, 'short requests keep their short timeout');
  assert.match(config, /HEARTBEAT_MS, 90 s here/);
});

test(
  'nginx.conf.example is what the writer writes, byte for byte (regenerate: ' +
    'npm run cluster -- --nginx-example > server/cluster/nginx.conf.example)',
  () => {
    const example = readFileSync(new URL('./nginx.conf.example', import.meta.url), 'utf8');
    assert.equal(example, nginxConfig(EXAMPLE_OPTIONS));
  },
);

test('the real nginx accepts the config (nginx -t), as the user, with every path inside its folder', () => {
  const binary = ensureProgram('nginx', 'nginx');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirelab-nginx-test-'));
  try {
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, nginxConfig(EXAMPLE_OPTIONS));
    const output = execFileSync(binary, ['-t', '-p', dir, '-c', file, '-e', path.join(dir, 'error.log')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.equal(output, '', 'nothing on stdout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cluster needs at least one process', () => {
  assert.throws(() => nginxConfig({ ...EXAMPLE_OPTIONS, labs: [] }), /at least one lab process/);
});
