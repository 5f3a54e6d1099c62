import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HEADER_SIZE, recordSize } from './journal.js';
import { CountLimitError, StoreClosedError, StoreWriteError } from './store.errors.js';
import {
  SMALL,
  faultyIo,
  recordUntilRefused,
  spyLogger,
  useStoreDir,
} from './testing/store-fixture.js';
import { VIEW_FILE } from './visit-store.js';

describe('VisitStore', () => {
  const { dir, journalPath, view, openStore, closeStore } = useStoreDir();

  describe('a new store', () => {
    it('starts at 0 and creates the journal and a readable view', async () => {
      const sut = await openStore({ dir: join(dir(), 'nested', 'data') });
      expect(sut.count).toBe(0);
      expect(await readFile(join(dir(), 'nested', 'data', VIEW_FILE), 'utf8')).toBe('0\n');
      expect(sut.status).toBe('open');
    });

    it('creates a missing data directory', async () => {
      await openStore({ dir: join(dir(), 'a', 'b') });
      expect((await stat(join(dir(), 'a', 'b'))).isDirectory()).toBe(true);
    });
  });

  describe('recording', () => {
    it('returns consecutive counts, keeps them across reopen, and shows them in the view', async () => {
      const sut = await openStore();
      const counts = [];
      for (let i = 0; i < 5; i++) counts.push(await sut.record());
      expect(counts).toEqual([1, 2, 3, 4, 5]);
      expect(await view()).toBe('5\n');
      await closeStore(sut);

      const reopened = await openStore();
      expect(reopened.count).toBe(5);
      expect(await reopened.record()).toBe(6);
    });

    it('gives thousands of concurrent visits distinct counts and loses none, in few syncs', async () => {
      let syncs = 0;
      const sut = await openStore({ onCommit: () => void syncs++ });
      const results = await Promise.all(Array.from({ length: 5000 }, () => sut.record()));
      expect(new Set(results).size).toBe(5000);
      expect(Math.min(...results)).toBe(1);
      expect(Math.max(...results)).toBe(5000);
      expect(sut.count).toBe(5000);
      expect(syncs).toBeLessThan(50);
      await closeStore(sut);
      expect((await openStore()).count).toBe(5000);
    });

    it('keeps a bounded history, newest first, and a journal of constant size', async () => {
      let now = 1_000;
      const sut = await openStore({ recentLimit: 10, journalCapacity: SMALL, clock: () => now++ });
      for (let i = 0; i < 300; i++) await sut.record();
      expect(sut.recent()).toEqual(Array.from({ length: 10 }, (_, i) => 1_299 - i));
      expect(sut.recent(3)).toEqual([1_299, 1_298, 1_297]);
      expect((await stat(journalPath())).size).toBe(SMALL);
      await closeStore(sut);

      const reopened = await openStore({ recentLimit: 10, journalCapacity: SMALL });
      expect(reopened.count).toBe(300);
      expect(reopened.recent()).toEqual(Array.from({ length: 10 }, (_, i) => 1_299 - i));
    });

    it('keeps timestamps in the order visits were recorded when the clock jumps back', async () => {
      const times = [5_000, 9_000, 1_000];
      const sut = await openStore({ clock: () => times.shift() ?? 0 });
      for (let i = 0; i < 3; i++) await sut.record();
      expect(sut.recent()).toEqual([1_000, 9_000, 5_000]);
      expect(sut.count).toBe(3);
    });

    it('flushes pending visits on close and refuses visits afterwards', async () => {
      const sut = await openStore();
      const pending = Array.from({ length: 100 }, () => sut.record());
      await closeStore(sut);
      expect((await Promise.all(pending)).at(-1)).toBe(100);
      await expect(sut.record()).rejects.toBeInstanceOf(StoreClosedError);
      expect((await openStore()).count).toBe(100);
    });
  });

  describe('failures', () => {
    it('stops for good after a failed fsync: nothing acknowledged, restart gives the last acknowledged count', async () => {
      const io = faultyIo('datasync', 'EIO');
      const onFatal = vi.fn();
      const onWriteFailed = vi.fn();
      const sut = await openStore({ io, onFatal, onWriteFailed });
      for (let i = 0; i < 3; i++) await sut.record();

      io.failing = true;
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => sut.record()));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      const reason = (results[0] as PromiseRejectedResult).reason as StoreWriteError;
      expect(reason).toBeInstanceOf(StoreWriteError);
      expect(reason.fatal).toBe(true);
      expect(reason.message).toMatch(/I\/O error/);
      expect(sut.status).toBe('failed');
      expect(sut.health().reason).toMatch(/I\/O error/);
      expect(onFatal).toHaveBeenCalledTimes(1);
      expect(onWriteFailed.mock.calls).toEqual([['commit', reason]]);
      await expect(sut.record()).rejects.toBeInstanceOf(StoreWriteError);
      expect(sut.count).toBe(3);
      await closeStore(sut);
      expect((await openStore()).count).toBe(3);
    });

    it('answers a full disk during compaction with errors, then resumes when space returns', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const onWriteFailed = vi.fn();
      const sut = await openStore({ io, journalCapacity: SMALL, onWriteFailed });
      io.failing = true;
      const { acknowledged, refusal: failure } = await recordUntilRefused(sut, 200);
      expect(onWriteFailed.mock.calls).toEqual([['compaction', failure]]);
      expect(failure).toBeInstanceOf(StoreWriteError);
      expect((failure as StoreWriteError).fatal).toBe(false);
      expect((failure as Error).message).toMatch(/no space left/);
      expect(sut.health()).toEqual({
        status: 'degraded',
        reason: expect.stringMatching(/no space/),
      });
      expect(sut.count).toBe(acknowledged);
      await expect(readFile(join(dir(), 'visits.journal.tmp'))).rejects.toThrow();

      io.failing = false;
      expect(await sut.record()).toBe(acknowledged + 1);
      expect(sut.status).toBe('open');
      await closeStore(sut);
      expect((await openStore({ journalCapacity: SMALL })).count).toBe(acknowledged + 1);
    });

    // Found by test/faults/disk-full.faults-spec.ts: a degraded store only retried on the next
    // visit, but readiness was down, so behind a load balancer it stayed unready for good.
    it('writes the new journal by itself once space returns, without waiting for a visit', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const logger = spyLogger();
      const sut = await openStore({ io, journalCapacity: SMALL, retryIntervalMs: 10, logger });
      io.failing = true;
      const { acknowledged } = await recordUntilRefused(sut);
      expect(sut.status).toBe('degraded');

      io.failing = false;
      await vi.waitFor(() => expect(sut.status).toBe('open'), { timeout: 2_000, interval: 5 });
      expect(sut.health()).toEqual({ status: 'open' });
      expect(logger.info).toHaveBeenCalledWith(
        { count: acknowledged },
        'visits are being written again',
      );
      expect(await sut.record()).toBe(acknowledged + 1);
      await closeStore(sut);
      expect((await openStore({ journalCapacity: SMALL })).count).toBe(acknowledged + 1);
    });

    it('keeps retrying while the volume stays full, and stops retrying when closed', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const onWriteFailed = vi.fn();
      const sut = await openStore({
        io,
        journalCapacity: SMALL,
        retryIntervalMs: 5,
        onWriteFailed,
      });
      io.failing = true;
      await recordUntilRefused(sut);
      const writes = vi.spyOn(io, 'write');
      await vi.waitFor(() => expect(writes.mock.calls.length).toBeGreaterThan(3), {
        timeout: 2_000,
        interval: 5,
      });
      // Each retry that fails is one more failed compaction.
      expect(onWriteFailed.mock.calls.length).toBeGreaterThan(3);
      expect(new Set(onWriteFailed.mock.calls.map((call) => call[0] as unknown))).toEqual(
        new Set(['compaction']),
      );
      expect(sut.health()).toEqual({
        status: 'degraded',
        reason: expect.stringMatching(/no space/),
      });
      await closeStore(sut);
      const after = writes.mock.calls.length;
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(writes.mock.calls.length).toBe(after);
    });

    it('refuses to pass 2^53-1 with a clear error', async () => {
      await writeFile(join(dir(), VIEW_FILE), `${Number.MAX_SAFE_INTEGER - 1}\n`);
      const sut = await openStore();
      expect(await sut.record()).toBe(Number.MAX_SAFE_INTEGER);
      await expect(sut.record()).rejects.toBeInstanceOf(CountLimitError);
      await closeStore(sut);
      expect((await openStore()).count).toBe(Number.MAX_SAFE_INTEGER);
    });

    // Found by test/faults/large-counts.faults-spec.ts: a batch that would cross the bound was
    // refused whole, so visits got 507 while the count was still below 2^53-1.
    it('records the concurrent visits that still fit below 2^53-1 and refuses only the rest', async () => {
      await writeFile(join(dir(), VIEW_FILE), `${Number.MAX_SAFE_INTEGER - 3}\n`);
      const sut = await openStore();
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => sut.record()));
      const counts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      expect(counts).toEqual([
        Number.MAX_SAFE_INTEGER - 2,
        Number.MAX_SAFE_INTEGER - 1,
        Number.MAX_SAFE_INTEGER,
      ]);
      const refused = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      expect(refused).toHaveLength(7);
      for (const reason of refused) expect(reason).toBeInstanceOf(CountLimitError);
      expect(sut.count).toBe(Number.MAX_SAFE_INTEGER);
      await closeStore(sut);
      expect((await openStore()).count).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('closing', () => {
    // Issue 11's first race: a non-fatal failure while close() flushed the last visits turned
    // `closing` back into `degraded`, re-armed the retry close() had just cleared, and let the
    // store take new visits while it was shutting down.
    it('stays closing when the last batch close() flushes cannot get a new journal', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const logger = spyLogger();
      const sut = await openStore({ io, journalCapacity: SMALL, retryIntervalMs: 1, logger });
      // Fill the journal: the next visit needs a new one (a compaction).
      const roomFor = (SMALL - HEADER_SIZE - recordSize(0)) / recordSize(1);
      for (let i = 0; i < Math.floor(roomFor); i++) await sut.record();
      io.failing = true;

      const last = sut.record();
      const closing = sut.close();
      // The failed visit is answered while close() is still under way: look at the store then.
      const seen = await last.then(
        () => expect.fail('the visit that needed a new journal was acknowledged'),
        (error: unknown) => ({
          error,
          status: sut.status,
          late: sut.record().catch((e: unknown) => e),
        }),
      );
      await closing;

      expect(seen.error).toBeInstanceOf(StoreWriteError);
      expect(seen.status).toBe('closing');
      expect(await seen.late).toBeInstanceOf(StoreClosedError);
      expect(sut.health()).toEqual({ status: 'closed' });
      expect(logger.info).not.toHaveBeenCalledWith(
        expect.anything(),
        'visits are being written again',
      );
      expect((await openStore({ journalCapacity: SMALL })).count).toBe(Math.floor(roomFor));
    });

    // Issue 11's second race: a retry that was writing the new journal when close() began set
    // the store back to `open` in the middle of its shutdown.
    it('stays closing when a retry in flight at close() writes the new journal', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const statuses: string[] = [];
      const logger = spyLogger();
      logger.info.mockImplementation(() => void statuses.push(sut.status));
      const sut = await openStore({ io, journalCapacity: SMALL, retryIntervalMs: 1, logger });
      io.failing = true;
      const { acknowledged } = await recordUntilRefused(sut);
      expect(sut.status).toBe('degraded');

      // Hold the retry's new journal in its write until close() has begun.
      let entered!: () => void;
      const retrying = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const write = io.write;
      io.write = async (...args) => {
        if (args[1].length === SMALL) {
          entered();
          await released;
        }
        return write(...args);
      };
      io.failing = false;
      await retrying;

      const closing = sut.close();
      expect(sut.status).toBe('closing');
      const late = sut.record().catch((e: unknown) => e);
      release();
      await closing;

      expect(await late).toBeInstanceOf(StoreClosedError);
      expect(statuses).not.toContain('open');
      expect(logger.info).not.toHaveBeenCalledWith(
        expect.anything(),
        'visits are being written again',
      );
      expect(sut.status).toBe('closed');
      expect((await openStore({ journalCapacity: SMALL })).count).toBe(acknowledged);
    });
  });
});
