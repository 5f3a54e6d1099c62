import { defineConfig } from 'vitest/config';

// The cluster suite: the global setup picks the target cluster (kind, an existing one named
// explicitly, or none: then it skips and says why), builds and delivers the image, reads what the
// server supports and deploys; the file runs in order against that one deployment.
export default defineConfig({
  test: {
    name: 'cluster',
    include: ['src/**/*.cluster-spec.ts'],
    globalSetup: ['src/global-setup.ts'],
    fileParallelism: false,
    // Every check by name, the skipped ones with their reason.
    reporters: ['verbose'],
    testTimeout: 10 * 60_000,
    hookTimeout: 10 * 60_000,
    teardownTimeout: 15 * 60_000,
  },
});
