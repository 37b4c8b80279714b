/**
 * The registry is the one list of transports: everything else keyed by a
 * transport id (server modules, browser clients, bench drivers, the pages'
 * labels in both languages) must have exactly its ids.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DRIVERS } from '../clients/index.ts';
import { ROOT } from '../paths.ts';
import { TRANSPORTS } from './index.ts';
import { EXTRA_PORTS } from '../ports.ts';
import { HELD_TRANSPORTS, OWN_PORT_TRANSPORTS, TRANSPORT_IDS } from './registry.ts';

const sorted = (ids: Iterable<string>) => [...ids].sort();

test('server modules and bench drivers have exactly the registry ids', () => {
  assert.deepEqual(
    TRANSPORTS.map((t) => t.id),
    [...TRANSPORT_IDS],
    'one module per id, in registry order',
  );
  assert.deepEqual(sorted(Object.keys(DRIVERS)), sorted(TRANSPORT_IDS), 'one bench driver per id');
});

test('browser clients and page labels (both languages) have exactly the registry ids', async () => {
  const { CLIENTS } = (await import(path.join(ROOT, 'public', 'clients', 'index.js'))) as { CLIENTS: Record<string, unknown> };
  assert.deepEqual(sorted(Object.keys(CLIENTS)), sorted(TRANSPORT_IDS), 'one browser client per id');
  const i18n = JSON.parse(readFileSync(path.join(ROOT, 'public', 'i18n.json'), 'utf8')) as Record<string, Record<string, string>>;
  for (const [lang, strings] of Object.entries(i18n)) {
    const labelled = Object.keys(strings)
      .filter((key) => key.startsWith('label.'))
      .map((key) => key.slice('label.'.length));
    assert.deepEqual(sorted(labelled), sorted(TRANSPORT_IDS), `${lang}: a label for each transport and no other`);
  }
});

test('held transports and own ports come from the registry', () => {
  assert.deepEqual(sorted(HELD_TRANSPORTS), ['iframe', 'long-poll', 'sse', 'ws'], 'everything but short polling holds a request open');
  assert.deepEqual(
    EXTRA_PORTS.slice(0, OWN_PORT_TRANSPORTS.length),
    OWN_PORT_TRANSPORTS,
    'extra ports start with one per transport that has its own',
  );
  assert.ok(
    !(OWN_PORT_TRANSPORTS as readonly string[]).includes('ws'),
    'WebSocket needs no port of its own: it does not count against the six connections',
  );
});
