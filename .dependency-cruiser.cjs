/**
 * The lab's layering, checked by `npm run lint` (dependency-cruiser).
 *
 * One program per folder, layers that only point down (STYLE.md, 12): the lab
 * process (server/) never imports a program of its own (the bench, the cluster
 * launcher) nor the Node clients its tests and the bench drive it with
 * (server/clients/); a transport never imports the registry's index, which
 * imports every transport; and nothing anywhere imports in a circle.
 */

/** The modules only tests import: what several test files share, or a test's peer and table in a file of their own. */
const TEST_HELPERS = [
  '(^|/)test-helpers\\.ts$',
  '^server/hostile-(clients|rows)\\.ts$',
  '^server/http2/(hostile-clients|hostile-harness|raw-h2)\\.ts$',
  '^server/stalled-reader\\.ts$',
  '^bench/(cost|loss|overhead|cluster|results-page)-checks\\.ts$',
];

/** Tests, and the modules only tests import. */
const TEST_SUPPORT = ['\\.test\\.ts$', ...TEST_HELPERS];

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
      from: { path: '^server/' },
      to: { path: '^bench/' },
    },
    {
      name: 'lab-not-to-clients',
      severity: 'error',
      comment:
        'server/clients/ holds the Node clients of the five transports, for tests and the bench: the lab process ' +
        'serves clients, it never is one, so only tests, their helpers and the clients themselves import them.',
      from: { path: '^server/', pathNot: ['^server/clients/', ...TEST_SUPPORT] },
      to: { path: '^server/clients/' },
    },
    {
      name: 'only-tests-to-test-helpers',
      severity: 'error',
      comment: 'A module written for tests (TEST_HELPERS) is imported by tests and by other test helpers, never by a program.',
      from: { pathNot: TEST_SUPPORT },
      to: { path: TEST_HELPERS },
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
