/** `npm run bench` options: what each sets, and nonsense refused with a message that names it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from './options.ts';

test('--wires and --tls-clients are parsed, and nonsense is refused', () => {
  assert.deepEqual(parseArgs(['--wires=h2,h1']).parameters.wires, ['h1', 'h2'], 'known wires, in the canonical order');
  assert.throws(() => parseArgs(['--wires=h3']), /unknown wire "h3"/, 'an unknown wire is named');
  assert.deepEqual(parseArgs(['--tls-clients=50,500']).parameters.fanout.tlsClients, [50, 500], "the TLS wires' fan-out");
  assert.deepEqual(parseArgs([]).parameters.wires, ['h1', 'h1-tls', 'h2'], 'all three wires by default');
});

test('--processes sets N for the cluster scenario, and nonsense is refused', () => {
  assert.equal(parseArgs([]).parameters.cluster.processes, 3, 'three processes by default');
  assert.equal(parseArgs(['--processes=4']).parameters.cluster.processes, 4, 'as asked');
  assert.throws(() => parseArgs(['--processes=1']), /from 2 to 16/, 'one process is always measured beside N: N is at least 2');
  assert.deepEqual(parseArgs(['--only=cluster']).parameters.scenarios, ['cluster'], '--only=cluster runs it alone');
  assert.deepEqual(
    parseArgs(['--transports=sse']).parameters.cluster.load.transports,
    ['sse'],
    'the cluster measures only the transports asked for',
  );
});

test('flags and values as node:util parseArgs reads them: both spellings of a value, unknown options and stray words refused', () => {
  assert.deepEqual(parseArgs(['--clients', '10,20']).parameters.fanout.clients, [10, 20], '--clients 10,20 as --clients=10,20');
  assert.equal(parseArgs(['--quick', '--no-browser']).parameters.useBrowser, false, '--no-browser');
  assert.equal(parseArgs(['--quick']).parameters.quick, true, '--quick');
  assert.equal(parseArgs(['--help']).help, true, '--help');
  assert.throws(() => parseArgs(['--fast']), /--fast.*see --help/, 'an unknown option is named');
  assert.throws(() => parseArgs(['quick']), /quick.*see --help/, 'a stray word is named');
  assert.throws(() => parseArgs(['--only']), /--only.*see --help/, 'an option without its value is named');
  assert.throws(() => parseArgs(['--duration=0']), /between 0 and 60/, 'a value out of range says the range');
});
