/**
 * Real loss in a namespace of the test's own: at 100 % nothing connects to the
 * lab's port and the rule counts the drops, at 0 % everything does; the namespace
 * is gone afterwards, also when the work fails. Skips, saying why, where the
 * machine cannot (not Linux, not root, no ip or nft); CI runs as root and installs nftables.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  type LossNamespace,
  lossCounters,
  lossNamespaceSupport,
  lossRules,
  namespaceExists,
  setLoss,
  withLossNamespace,
} from './loss-namespace.ts';

const support = lossNamespaceSupport();
const skip = support.ok ? false : `real packet loss cannot run here: ${support.reason}`;

/** Inside the namespace: listens on `port`, tries `tries` connections to it (300 ms each), prints how many connected. */
function connectInside(namespace: LossNamespace, port: number, tries: number): Promise<number> {
  const script = `
    const net = require('node:net');
    const server = net.createServer((s) => s.end()).listen(${port}, '127.0.0.1', async () => {
      let ok = 0;
      for (let i = 0; i < ${tries}; i++) {
        ok += await new Promise((resolve) => {
          const socket = net.connect(${port}, '127.0.0.1', () => { socket.destroy(); resolve(1); });
          socket.setTimeout(300, () => { socket.destroy(); resolve(0); });
          socket.on('error', () => resolve(0));
        });
      }
      console.log(ok);
      server.close();
    });`;
  const { command, args } = namespace.command(process.execPath, ['-e', script]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  const killer = setTimeout(() => child.kill(), 15_000);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(Number(out.trim()));
      else reject(new Error(`the script inside the namespace exited ${code}`));
    });
  });
}

test("the rule drops the share asked of the lab's ports, in both directions, counted", () => {
  const rules = lossRules(2.5, [3443, 3444]);
  assert.match(rules, /tcp dport \{ 3443, 3444 \} numgen random mod 10000 < 250 counter drop/, 'to the ports, 250 in 10,000');
  assert.match(rules, /tcp sport \{ 3443, 3444 \} numgen random mod 10000 < 250 counter drop/, 'and from them');
  assert.doesNotMatch(lossRules(0, [3443]), /drop/, 'at 0 % nothing is dropped');
  assert.throws(() => lossRules(120, [3443]), /from 0 to 100/, 'a rate over 100 % is refused');
  assert.throws(() => lossRules(1, [70_000]), /ports from 1 to 65535/, 'so is a port that cannot be');
});

test('in a namespace of its own, 100 % loss stops every connection and 0 % lets all through; the namespace goes afterwards', {
  skip,
  timeout: 60_000,
}, async () => {
  let name = '';
  await withLossNamespace(async (namespace) => {
    name = namespace.name;
    assert.ok(namespaceExists(name), `the namespace ${name} exists while the work runs`);
    setLoss(100, [4000], name);
    assert.equal(await connectInside(namespace, 4000, 2), 0, 'at 100 % loss no connection is made');
    const counted = lossCounters(name);
    assert.ok(
      counted.dropped >= 2 && counted.dropped === counted.packets,
      `every packet to the port was dropped, and counted (${JSON.stringify(counted)})`,
    );
    setLoss(0, [4000], name);
    assert.equal(await connectInside(namespace, 4000, 3), 3, 'at 0 % every connection is made');
    assert.equal(lossCounters(name).dropped, 0, 'and nothing was dropped');
  });
  assert.ok(!namespaceExists(name), 'the namespace is removed afterwards');
});

test('a failing run removes its namespace too', { skip, timeout: 30_000 }, async () => {
  let name = '';
  await assert.rejects(
    withLossNamespace(async (namespace) => {
      name = namespace.name;
      throw new Error('the work failed');
    }),
    /the work failed/,
    'the failure comes through',
  );
  assert.ok(name && !namespaceExists(name), 'and the namespace is gone');
});
