import { defineConfig } from 'vitest/config';

// One run, four projects: pure unit tests, every integration and security test on real PostgreSQL and
// again on the embedded PGlite (each file owns its own schema or database), and the web console in a
// real headless Chromium against a server on the embedded database. test/cli/ runs the CLI in-process
// through main(argv, io); test/process/ runs real processes (the binary, the data-directory lock,
// prompt exits).
// A worker runs its files one after another in one process, modules loaded once (seconds a file). The
// files share nothing else: each owns its schema, and on PGlite borrows one of the worker's idle embedded
// databases (test/helpers/shared-pglite.ts).
const oneProcessPerWorker = { isolate: false };

export default defineConfig({
  test: {
    // a worker per core (vitest's default leaves one idle: on 2 cores, one file at a time); the files
    // wait on their database much of the time, and each owns its schema or embedded database
    maxWorkers: '100%',
    // transformed modules kept on disk (node_modules/.experimental-vitest-cache) and shared by the projects
    // and workers of a run: each TypeScript file is transformed once, not once per project (a run from an
    // empty cache, as in CI, about 10 s faster). `npx vitest --clearCache` empties it.
    experimental: { fsModuleCache: true },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // unit: no database; test/package/ lists what `npm pack` ships. Property tests run thousands of
      // cases: seconds each on a loaded 2-core machine.
      {
        test: {
          ...oneProcessPerWorker,
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/package/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          ...oneProcessPerWorker,
          name: 'postgres',
          include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/process/**/*.test.ts'],
          env: { METALEDGER_TEST_BACKEND: 'postgres' },
          globalSetup: ['test/helpers/postgres-global-setup.ts', 'test/helpers/scripts-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          ...oneProcessPerWorker,
          name: 'pglite',
          // examples/ run on their own embedded database whatever the backend: once, here. Of test/cli/, the
          // files about which database a command opens and how: the commands themselves call the store API,
          // which every integration test runs here too, and on PGlite each CLI call opens its data directory
          // (a few tenths of a second, 50 worker-seconds over the other CLI files); test/process/ runs the
          // embedded default in real processes.
          include: [
            'test/integration/**/*.test.ts',
            'test/security/**/*.test.ts',
            'test/cli/config-file.test.ts',
            'test/cli/cli-operations.test.ts',
            'test/process/**/*.test.ts',
            'test/examples/**/*.test.ts',
          ],
          env: { METALEDGER_TEST_BACKEND: 'pglite' },
          globalSetup: ['test/helpers/scripts-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env: { METALEDGER_TEST_BACKEND: 'pglite' },
          globalSetup: ['test/e2e/build-console.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
