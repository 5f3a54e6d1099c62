import { defineConfig } from 'vitest/config';

// Tiers, by file name: unit specs beside the code, in-process HTTP (e2e) against the Nest app,
// and process-level tests that start the built service. Integration (Docker) has its own config.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.e2e-spec.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: ['test/process/**/*.process-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
