import { defineConfig } from 'vitest/config';

// The reliability and security suite (docs/reliability.md): the built service as a child process
// under crashes, power cuts, I/O errors, full and read-only volumes, damaged files and clock jumps,
// plus journal fuzzing and the security checks. FAULTS_LONG=1 runs the long mode.
// Files run one at a time: the load cases need both cores, and some mount file systems.
export default defineConfig({
  test: {
    name: 'faults',
    include: ['test/faults/**/*.faults-spec.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    teardownTimeout: 60_000,
  },
});
