// Benchmark: the durable service between its two peers (the limit for one Node process, and the
// careful one-visit-at-a-time peer), beside the framework ceiling (NestJS with a no-op route), in
// one run, on loopback. Prints figures and whether each target is met; never fails on them.
//
//   npm run bench                 full run, writes docs/benchmarks.md and docs/benchmarks.svg
//   npm run bench -- --smoke      a second per case, writes nothing (CI keeps it working)
//
// Needs wrk (Debian package `wrk`) and the production build (dist/visits.cjs). What is measured is
// data (scenarios.ts); measure.ts measures, report.ts renders.
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { assertBuilt } from '../test/harness/service-process.ts';
import { canPin, coldStarts, exactness, measureCases, storeAt } from './measure.ts';
import { consoleReport, rowsOf, writeReport } from './report.ts';
import {
  exactnessChecks,
  gapRatios,
  scenarios,
  settings,
  smoke,
  targets,
  type Exactness,
  type Results,
  type ServerId,
} from './scenarios.ts';

async function main(): Promise<void> {
  assertBuilt();
  if (spawnSync('wrk', ['-v']).error)
    throw new Error('wrk is missing: install it (apt-get install wrk)');
  console.log(
    `benchmark${smoke ? ' (smoke)' : ''}: ${settings.connections} connections, ${settings.threads} wrk thread, ` +
      `${settings.warmupSeconds}s warm-up + ${settings.durationSeconds}s per case, ${canPin ? 'server on CPU 0, wrk on CPU 1' : 'no CPU pinning'}`,
  );

  const big = await storeAt(settings.bigStoreCount);
  try {
    const cold = await coldStarts(canPin);
    const coldBig = await coldStarts(canPin, big);
    console.log(
      `cold start to ready: ${cold.medianMs.toFixed(0)} ms (new store), ${coldBig.medianMs.toFixed(0)} ms (${settings.bigStoreCount.toLocaleString('en')} visits); idle RSS ${cold.idleRssMiB.toFixed(1)} MiB`,
    );
    const stores = new Map([[settings.bigStoreCount, big]]);
    const cases = await measureCases(scenarios, canPin, stores);
    const exact: Partial<Record<ServerId, Exactness>> = {};
    for (const id of exactnessChecks) exact[id] = await exactness(id, canPin);
    // The same comparison with nothing pinned: the server's libuv pool (its fdatasync) and V8's GC
    // threads may then run beside the event loop, as they do in a pod.
    const unpinnedCases = canPin
      ? await measureCases(
          scenarios.filter((s) => s.unpinned === true),
          false,
          stores,
        )
      : undefined;

    const results: Results = { pinned: canPin, cases, unpinnedCases, exact, cold, coldBig };
    const met = targets(results);
    const gaps = gapRatios(results);
    console.log(`\n${consoleReport(results, met, gaps)}`);

    // No thresholds here (the figures are for reading), but a figure that is not a number means the
    // benchmark itself is broken (wrk's output not understood, a process gone): fail, in CI too.
    const measured = [
      ...rowsOf(cases),
      ...rowsOf(unpinnedCases ?? {}).map((r) => ({ ...r, name: `${r.name} (nothing pinned)` })),
    ];
    const broken = [
      ...[...met, ...gaps].filter((t) => !Number.isFinite(t.value)).map((t) => t.name),
      ...measured
        .filter((r) => ![r.requestsPerSecond, r.p50Ms, r.p99Ms].every(Number.isFinite))
        .map((r) => r.name),
    ];
    if (broken.length > 0) throw new Error(`the benchmark could not measure: ${broken.join('; ')}`);

    if (!smoke) {
      await writeReport(results, met, gaps);
      console.log('\nwrote docs/benchmarks.md and docs/benchmarks.svg');
    }
  } finally {
    await rm(big, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
