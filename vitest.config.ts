import { defineConfig } from 'vitest/config';

// One run, three projects: pure unit tests, then every integration and security test on real PostgreSQL
// and again on the embedded PGlite. Each integration file owns its own schema (PostgreSQL) or database (PGlite).
// test/cli/ runs the CLI in-process through main(argv, io); test/process/ runs real processes (the
// binary, the data-directory lock, prompt exits).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'postgres',
          include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/process/**/*.test.ts'],
          env: { METALEDGER_TEST_BACKEND: 'postgres' },
          globalSetup: ['test/helpers/postgres-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'pglite',
          include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/process/**/*.test.ts'],
          env: { METALEDGER_TEST_BACKEND: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
