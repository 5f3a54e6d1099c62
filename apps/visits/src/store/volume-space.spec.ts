import { VOLUME_MARGIN_BYTES } from '@stateful-visits/visits-contract';
import { describe, expect, it } from 'vitest';
import { spyLogger } from './testing/store-fixture.js';
import { VolumeSpace, type StatFs, type VolumeSpaceOptions } from './volume-space.js';

const JOURNAL = 40 * 1024;
const REQUIRED = JOURNAL + VOLUME_MARGIN_BYTES;
const BLOCK = 4096;
const free = (bytes: number) => ({ bavail: bytes / BLOCK, bsize: BLOCK });

/** A statfs whose calls wait until the test answers them; counts calls and those in flight. */
function controlledStatfs() {
  const waiting: {
    resolve: (fs: { bavail: number; bsize: number }) => void;
    reject: (e: Error) => void;
  }[] = [];
  const stats = { calls: 0, inFlight: 0, mostInFlight: 0 };
  const statfs: StatFs = () =>
    new Promise((resolve, reject) => {
      stats.calls++;
      stats.inFlight++;
      stats.mostInFlight = Math.max(stats.mostInFlight, stats.inFlight);
      const settle =
        <T>(fn: (v: T) => void) =>
        (v: T) => {
          stats.inFlight--;
          fn(v);
        };
      waiting.push({ resolve: settle(resolve), reject: settle(reject) });
    });
  return {
    statfs,
    stats,
    answer: (bytes: number) => waiting.shift()!.resolve(free(bytes)),
    fail: (error: Error) => waiting.shift()!.reject(error),
  };
}

/** A VolumeSpace on a manual clock (`now`), timeout and cache 1000 ms. */
function volumeSpace(statfs: StatFs, overrides: Partial<VolumeSpaceOptions> = {}) {
  const clock = { now: 0 };
  const logger = spyLogger();
  const sut = new VolumeSpace({
    dir: '/data',
    statfs,
    timeoutMs: 1000,
    cacheMs: 1000,
    journalBytes: () => JOURNAL,
    journalEpoch: () => 0,
    logger,
    clock: () => clock.now,
    ...overrides,
  });
  return { sut, clock, logger };
}

describe('VolumeSpace', () => {
  it('never has more than one statfs in flight, and reports a hung volume unresponsive after the timeout', async () => {
    const fs = controlledStatfs();
    const { sut, clock, logger } = volumeSpace(fs.statfs, { timeoutMs: 30 });

    // Probes and scrapes keep coming while statfs hangs: they all share the one call.
    const first = sut.check();
    clock.now = 30;
    expect(await first).toEqual({ state: 'unresponsive', pendingMs: 30, timeoutMs: 30 });
    for (let i = 0; i < 50; i++) {
      clock.now += 50;
      expect(await sut.check()).toMatchObject({ state: 'unresponsive' });
    }
    expect(fs.stats).toEqual({ calls: 1, inFlight: 1, mostInFlight: 1 });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      { timeoutMs: 30 },
      expect.stringMatching(/has not answered a free-space check \(statfs\) within 30 ms/),
    );

    // The volume comes back: the answer the hung call finally gets is used, and logged once.
    fs.answer(1024 * 1024);
    await expect(sut.check()).resolves.toMatchObject({ state: 'measured', freeBytes: 1024 * 1024 });
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith(
      { tookMs: 2530 },
      expect.stringMatching(/answers again/),
    );
    expect(fs.stats.calls).toBe(1);
  });

  it('waits for a statfs already in flight only until it has been out for the timeout', async () => {
    const fs = controlledStatfs();
    const { sut, clock } = volumeSpace(fs.statfs, { timeoutMs: 20 });
    const early = sut.check();
    clock.now = 15;
    // Started 15 ms ago with a 20 ms limit: this caller waits 5 ms at most, then gives up.
    const late = sut.check();
    clock.now = 20;
    expect(await late).toMatchObject({ state: 'unresponsive', pendingMs: 20 });
    expect(await early).toMatchObject({ state: 'unresponsive' });
    expect(fs.stats.calls).toBe(1);
  });

  it('shares an answer among concurrent checks and reuses it for cacheMs', async () => {
    const fs = controlledStatfs();
    const { sut, clock } = volumeSpace(fs.statfs);
    const checks = Array.from({ length: 20 }, () => sut.check());
    fs.answer(10 * REQUIRED);
    for (const reading of await Promise.all(checks)) {
      expect(reading).toEqual({
        state: 'measured',
        freeBytes: 10 * REQUIRED,
        requiredBytes: REQUIRED,
        low: false,
      });
    }
    clock.now = 999;
    await sut.check();
    expect(fs.stats.calls).toBe(1);
    clock.now = 1000;
    const refreshed = sut.check();
    fs.answer(5 * REQUIRED);
    expect(await refreshed).toMatchObject({ freeBytes: 5 * REQUIRED });
    expect(fs.stats.calls).toBe(2);
  });

  it('logs entering and leaving "not ready for lack of space" once each, with the figures', async () => {
    const fs = controlledStatfs();
    const { sut, clock, logger } = volumeSpace(fs.statfs);
    const facts = [];
    for (const bytes of [
      REQUIRED,
      REQUIRED - BLOCK,
      REQUIRED - 2 * BLOCK,
      0,
      REQUIRED,
      2 * REQUIRED,
    ]) {
      clock.now += 1000;
      const reading = sut.check();
      fs.answer(bytes);
      await reading;
      facts.push(sut.facts());
    }
    expect(facts.map((f) => f.low)).toEqual([false, true, true, true, false, false]);
    expect(facts[3]).toEqual({ freeBytes: 0, requiredBytes: REQUIRED, low: true });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.objectContaining({ freeBytes: REQUIRED - BLOCK, requiredBytes: REQUIRED }),
      `not ready: the data volume is nearly full (${REQUIRED - BLOCK} bytes free, ${REQUIRED} needed: ` +
        `the next journal of ${JOURNAL} bytes and a ${VOLUME_MARGIN_BYTES}-byte margin); free space on it or grow it`,
    );
    expect(logger.info).toHaveBeenCalledTimes(1);
    expect(logger.info).toHaveBeenCalledWith(
      expect.objectContaining({ freeBytes: REQUIRED }),
      'ready again: the data volume has room for the next journal',
    );
  });

  it('requires the next journal in whole blocks of the volume', async () => {
    const { sut } = volumeSpace(async () => ({ bavail: 3, bsize: 64 * 1024 }), {
      journalBytes: () => 40 * 1024 + 1,
    });
    expect(await sut.check()).toMatchObject({ requiredBytes: 64 * 1024 + VOLUME_MARGIN_BYTES });
  });

  it('keeps the previous answer when statfs overlapped a compaction (two journals on disk for a moment)', async () => {
    const fs = controlledStatfs();
    let epoch = 0;
    const { sut, clock } = volumeSpace(fs.statfs, { journalEpoch: () => epoch });
    const before = sut.check();
    fs.answer(2 * REQUIRED);
    await before;

    clock.now = 1000;
    epoch = 1; // a compaction is writing its new journal
    const during = sut.check();
    fs.answer(2 * REQUIRED - JOURNAL);
    expect(await during).toMatchObject({ freeBytes: 2 * REQUIRED, low: false });

    const across = sut.check(); // not cached: the next check asks again
    epoch = 2; // it ended while statfs was out
    fs.answer(2 * REQUIRED - JOURNAL);
    expect(await across).toMatchObject({ freeBytes: 2 * REQUIRED });

    const after = sut.check();
    fs.answer(REQUIRED - 1);
    expect(await after).toMatchObject({ freeBytes: REQUIRED - 1, low: true });
    expect(fs.stats.calls).toBe(4);
  });

  it('reports a statfs that fails, logging each new problem once', async () => {
    const fs = controlledStatfs();
    const { sut, clock, logger } = volumeSpace(fs.statfs);
    for (let i = 0; i < 3; i++) {
      clock.now += 1000;
      const reading = sut.check();
      fs.fail(Object.assign(new Error('EIO: i/o error, statfs'), { code: 'EIO' }));
      expect(await reading).toEqual({ state: 'unreadable', problem: 'EIO: i/o error, statfs' });
    }
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(sut.facts()).toEqual({ freeBytes: undefined, requiredBytes: REQUIRED, low: false });
  });

  it('survives a statfs that throws instead of rejecting', async () => {
    const { sut } = volumeSpace(() => {
      throw new Error('boom');
    });
    expect(await sut.check()).toEqual({ state: 'unreadable', problem: 'boom' });
  });
});
