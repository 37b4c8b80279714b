/**
 * The real servers the cluster starts: a redis-server that cannot have its port says
 * so, rather than leaving the cluster talking to whatever else listens there.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startRedis } from './redis-server.ts';

test('startRedis on a port another program holds fails with redis-server\'s reason, not a silent success', async () => {
  const squatter = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const { port } = squatter.address() as net.AddressInfo;
  try {
    await assert.rejects(startRedis({ port }), (error: Error) => {
      assert.match(error.message, new RegExp(`redis-server exited at start .* on port ${port}`));
      assert.match(error.message, /address already in use|Could not create server TCP listening socket/i, 'with redis-server\'s own words');
      return true;
    });
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('startRedis on a free port answers PING', async () => {
  const redis = await startRedis();
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(redis.port, '127.0.0.1', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        resolve(data.toString());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.equal(reply, '+PONG\r\n');
  } finally {
    await redis.close();
  }
});
