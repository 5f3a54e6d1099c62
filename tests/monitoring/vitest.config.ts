import { defineConfig } from 'vitest/config';

// One suite: a real Prometheus scraping three real service processes, started once in beforeAll.
export default defineConfig({
  test: {
    include: ['test/**/*.monitoring-spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
