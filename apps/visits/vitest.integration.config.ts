import { defineConfig } from 'vitest/config';

// The Docker tier: the global setup builds the image from docker/Dockerfile (twice: the second
// build is the rolling update's target) and the files drive real containers, networks and volumes.
// Files run one at a time: they share one engine, and the load cases need the CPU.
export default defineConfig({
  test: {
    name: 'integration',
    include: ['test/integration/**/*.integration-spec.ts', 'test/integration/**/*.spec.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 120_000,
    env: {
      // Ryuk's image cannot be pulled here; the suite removes what it creates itself.
      TESTCONTAINERS_RYUK_DISABLED: process.env['TESTCONTAINERS_RYUK_DISABLED'] ?? 'true',
    },
  },
});
