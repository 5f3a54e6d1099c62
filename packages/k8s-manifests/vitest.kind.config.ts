import { defineConfig } from 'vitest/config';

// The kind suite: one file, run in order against one cluster; see test/kind/.
export default defineConfig({
  test: {
    include: ['test/kind/**/*.kind.spec.ts'],
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 45 * 60_000,
  },
});
