import { defineConfig } from 'vitest/config';

// Unit tests of the suite's own logic (capabilities, the compatibility step); no cluster needed.
export default defineConfig({
  test: {
    name: 'cluster-unit',
    include: ['src/**/*.spec.ts'],
  },
});
