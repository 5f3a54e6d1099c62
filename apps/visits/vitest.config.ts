import { defineConfig } from 'vitest/config';

// Ryuk (Testcontainers' reaper) is an image that cannot be pulled here; the suites that use
// Testcontainers remove what they create themselves.
const testcontainersEnv = {
  TESTCONTAINERS_RYUK_DISABLED: process.env['TESTCONTAINERS_RYUK_DISABLED'] ?? 'true',
};

// Every tier of apps/visits, one project each, told apart by file name: `*.spec.ts` unit tests
// (beside the code, and beside the test harness's own helpers), `test/<tier>/**/*.<tier>-spec.ts`
// for the rest. Each tier drives the service through test/harness (docs/architecture.md).
// The package scripts pick projects: `test` unit + e2e + process, `test:faults` faults + security,
// `test:integration` integration, `test:browser` browser. A bare `vitest run` would run them all, Docker included.
export default defineConfig({
  test: {
    // A root-only option: the longest any project's teardown needs (the integration tier's).
    teardownTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'] },
      },
      {
        // The app in process over a real socket (supertest).
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.e2e-spec.ts'], testTimeout: 20_000 },
      },
      {
        // The built service (dist/visits.cjs) as a child process: what it does at start.
        extends: true,
        test: {
          name: 'process',
          include: ['test/process/**/*.process-spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The page in a real browser (Debian's chromium through playwright-core): what it shows
        // against GET /fleet, at 1200 and 390 px. Skipped with the reason where Chromium is
        // missing, an error in CI.
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser-spec.ts'],
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
      {
        // docs/reliability.md: the built service under crashes, power cuts, I/O errors, full and
        // read-only volumes, damaged files and clock jumps, and journal fuzzing. FAULTS_LONG=1
        // runs the long mode. Files run one at a time: the load cases need both cores, and some
        // mount file systems.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.faults-spec.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // After the faults when both run: the image build would steal the crash loop's CPU.
          sequence: { groupOrder: 1 },
        },
      },
      {
        // What the service ships: the rendered manifests, the image, its dependencies.
        extends: true,
        test: {
          name: 'security',
          include: ['test/security/**/*.security-spec.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 2 },
          env: testcontainersEnv,
        },
      },
      {
        // The Docker tier: the global setup builds the image from docker/Dockerfile (twice: the
        // second build is the rolling update's target) and the files drive real containers,
        // networks and volumes. Files run one at a time: they share one engine, and the load
        // cases need the CPU.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.integration-spec.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 3 },
          env: testcontainersEnv,
        },
      },
    ],
  },
});
