/**
 * The real servers the cluster starts: a redis-server that cannot have its port says
 * so, rather than leaving the cluster talking to whatever else listens there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { startRedis } from './redis-server.ts';

test("startRedis on a port another program holds fails with redis-server's reason, not a silent success", async () => {
  const squatter = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const { port } = squatter.address() as net.AddressInfo;
  try {
    await assert.rejects(startRedis({ port }), (error: Error) => {
      assert.match(error.message, new RegExp(`redis-server exited at start .* on port ${port}`));
      assert.match(error.message, /address already in use|Could not create server TCP listening socket/i, "with redis-server's own words");
      return true;
    });
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('startRedis on a free port answers PING, only with its password, and keeps the password off its command line', async () => {
  const redis = await startRedis();
  const say = (lines: string) =>
    new Promise<string>((resolve, reject) => {
      let heard = '';
      const socket = net.connect(redis.port, '127.0.0.1', () => socket.write(lines));
      socket.on('data', (data) => {
        heard += data.toString();
        if (heard.endsWith('\r\n') && heard.split('\r\n').length > lines.split('\r\n').length - 1) {
          resolve(heard);
          socket.destroy();
        }
      });
      socket.once('error', reject);
    });
  try {
    assert.match(await say('PING\r\n'), /^-NOAUTH/, 'a client without the password is refused');
    const password = decodeURIComponent(new URL(redis.url).password);
    assert.ok(password.length >= 24, "a password of this run's own");
    assert.equal(await say(`AUTH ${password}\r\nPING\r\n`), '+OK\r\n+PONG\r\n');
    assert.equal(redis.shownUrl, `redis://:****@127.0.0.1:${redis.port}`, 'what may be printed hides it');
    const commandLine = readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8');
    assert.ok(!commandLine.includes(password), 'every user of the machine can read a command line (ps): the password is not on it');
  } finally {
    await redis.close();
  }
});
