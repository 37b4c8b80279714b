/**
 * The lab's layering, checked by `npm run lint` (dependency-cruiser).
 *
 * One program per folder, layers that only point down (STYLE.md, 12): the lab
 * process (server/) never imports a program of its own (the bench, the cluster
 * launcher); a transport never imports the registry's index, which imports every
 * transport; and nothing anywhere imports in a circle.
 */

/**
 * Tests in server/ that still drive the lab with the bench's Node clients
 * (bench/drivers/), until those clients live in a folder of their own that the
 * bench, the pages' tests and the server's tests all import. This list only
 * shrinks: a new server -> bench import fails the check.
 */
const SERVER_TO_BENCH_EXCEPTIONS = [
  // The contract suite and the registry's check that every transport has a driver.
  '^server/transports/contract\\.test\\.ts$',
  '^server/transports/registry\\.test\\.ts$',
  // Failure and load tests: restarts, chaos, dead peers, slow readers.
  '^server/chaos\\.test\\.ts$',
  '^server/dead-peers\\.test\\.ts$',
  '^server/restart\\.test\\.ts$',
  '^server/slow-readers\\.test\\.ts$',
  // HTTP/2: the frame meter's byte-exact test, hostile peers, the PRIORITY flood.
  '^server/http2/frame-meter\\.test\\.ts$',
  '^server/http2/hostile\\.test\\.ts$',
  '^server/http2/priority-flood\\.test\\.ts$',
  // The Redis feed (and its foreign entries) and the cluster launcher's test.
  '^server/redis/feed\\.test\\.ts$',
  '^server/redis/foreign-entries\\.test\\.ts$',
  '^server/cluster/cluster\\.test\\.ts$',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: layers must point down. Shared types live below both sides (STYLE.md, 12).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'server-not-to-bench',
      severity: 'error',
      comment: 'The lab process never imports the bench, a program of its own.',
      from: { path: '^server/', pathNot: SERVER_TO_BENCH_EXCEPTIONS },
      to: { path: '^bench/' },
    },
    {
      name: 'server-not-to-launcher',
      severity: 'error',
      comment: 'The lab process never imports the cluster launcher (server/cluster/), a program of its own.',
      from: { path: '^server/', pathNot: '^server/cluster/' },
      to: { path: '^server/cluster/' },
    },
    {
      name: 'transports-not-to-index',
      severity: 'error',
      comment: 'A transport imports the registry (registry.ts), never the index that imports every transport.',
      // The index's own tests (the contract suite loops over it) may.
      from: { path: '^server/transports/', pathNot: ['^server/transports/index\\.ts$', '\\.test\\.ts$'] },
      to: { path: '^server/transports/index\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|results)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
