import { defineConfig } from 'vitest/config';

// The fault-injection suite (`npm run test:faults`): each file starts its own PostgreSQL (and, where it
// needs them, a misbehaving proxy or a PgBouncer) and kills, restarts or starves it. Files run one at a
// time: they measure recovery, and the machine is shared.
export default defineConfig({
  test: {
    name: 'faults',
    include: ['test/faults/**/*.test.ts'],
    fileParallelism: false,
    globalSetup: ['test/helpers/scripts-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
