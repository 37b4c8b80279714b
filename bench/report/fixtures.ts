/** What the report's tests share: the smallest results a writer accepts. */
import { LABELS, TRANSPORT_IDS } from '../../server/transports/registry.ts';
import { parseArgs } from '../options.ts';
import { WIRE_LABELS } from '../wires.ts';
import { derive } from './derive.ts';
import { type Results, SCHEMA } from './schema.ts';

/** The smallest Results a writer accepts: no scenario ran. */
export function emptyResults(quick: boolean): Results {
  const parameters = parseArgs(quick ? ['--quick'] : []).parameters;
  return {
    schema: SCHEMA,
    id: `2026-01-01T00-00-00Z-test${quick ? '-quick' : ''}`,
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    quick,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    durationSeconds: 1,
    timings: {},
    environment: {
      machine: { cpuModel: 'test', cores: 2, memoryBytes: 2 ** 30, platform: 'linux', osRelease: 'test', arch: 'x64', loadAverage1m: 0 },
      node: process.version,
      v8: process.versions.v8,
      packages: {},
      lab: '0.0.0',
      git: { commit: null, ref: null },
      limits: { openFilesPerProcess: null, somaxconn: null, ephemeralPorts: null },
      clockSkewMaxMs: 0,
    },
    parameters,
    labels: LABELS,
    wireLabels: WIRE_LABELS,
    transports: [...TRANSPORT_IDS],
    serverSettings: {},
    browserHeads: {
      source: 'committed',
      note: 'test',
      browser: 'none',
      userAgent: '',
      capturedAt: '',
      bytes: {} as Results['browserHeads']['bytes'],
      heads: {} as Results['browserHeads']['heads'],
      h2: null,
    },
    scenarios: {},
    derived: derive({}, [...TRANSPORT_IDS], LABELS, { quick, h2Heads: null, h1HeadBytes: null }),
    errors: [],
  };
}
