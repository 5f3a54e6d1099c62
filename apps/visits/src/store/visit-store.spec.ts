import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEADER_SIZE, encodeRecord, RecordKind, recordSize } from './journal.js';
import {
  CountLimitError,
  DataDirError,
  DataDirInUseError,
  StoreClosedError,
  StoreCorruptError,
  StoreWriteError,
} from './store.errors.js';
import {
  JOURNAL_FILE,
  VIEW_FILE,
  VisitStore,
  nodeIo,
  type StoreIo,
  type StoreLogger,
  type VisitStoreOptions,
} from './visit-store.js';

const SMALL = 4096;

describe('VisitStore', () => {
  let dir: string;
  const open: VisitStore[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visit-store-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(options: Partial<VisitStoreOptions> = {}): Promise<VisitStore> {
    const store = await VisitStore.open({ dir, ...options });
    open.push(store);
    return store;
  }
  async function closeStore(store: VisitStore): Promise<void> {
    await store.close();
    open.splice(open.indexOf(store), 1);
  }
  const journalPath = () => join(dir, JOURNAL_FILE);
  const view = () => readFile(join(dir, VIEW_FILE), 'utf8');

  function spyLogger() {
    return { info: vi.fn(), warn: vi.fn(), error: vi.fn() } satisfies StoreLogger;
  }

  describe('a new store', () => {
    it('starts at 0 and creates the journal and a readable view', async () => {
      const sut = await openStore({ dir: join(dir, 'nested', 'data') });
      expect(sut.count).toBe(0);
      expect(await readFile(join(dir, 'nested', 'data', VIEW_FILE), 'utf8')).toBe('0\n');
      expect(sut.status).toBe('open');
    });

    it('creates a missing data directory', async () => {
      await openStore({ dir: join(dir, 'a', 'b') });
      expect((await stat(join(dir, 'a', 'b'))).isDirectory()).toBe(true);
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

  describe('adopting a plain counter file', () => {
    it('starts from the count in an existing visits file without a journal', async () => {
      await writeFile(join(dir, VIEW_FILE), '42\n');
      const sut = await openStore();
      expect(sut.count).toBe(42);
      expect(await sut.record()).toBe(43);
    });

    it.each([
      ['empty', ''],
      ['not a number', 'hello\n'],
      ['negative', '-3\n'],
    ])(
      'refuses a visits file that is %s when there is no journal, and leaves it untouched',
      async (_, content) => {
        await writeFile(join(dir, VIEW_FILE), content);
        await expect(openStore()).rejects.toBeInstanceOf(StoreCorruptError);
        expect(await view()).toBe(content);
      },
    );
  });

  describe('recovery', () => {
    async function storeWith(visits: number): Promise<Buffer> {
      const sut = await openStore({ journalCapacity: SMALL });
      for (let i = 0; i < visits; i++) await sut.record();
      await closeStore(sut);
      return readFile(journalPath());
    }

    it('recovers the last complete state after a torn last write and warns', async () => {
      const before = await storeWith(3);
      // The write a crash cut short: the first half of the record for visit 4.
      const offset = HEADER_SIZE + recordSize(0) + 3 * recordSize(1);
      const next = encodeRecord({ kind: RecordKind.batch, count: 4, added: 1, timestamps: [1] });
      const torn = Buffer.from(before);
      next.subarray(0, 15).copy(torn, offset);
      await writeFile(journalPath(), torn);

      const logger = spyLogger();
      const sut = await openStore({ journalCapacity: SMALL, logger });
      expect(sut.count).toBe(3);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ offset, bytes: expect.any(Number) }),
        expect.stringContaining('cut short'),
      );
      expect(await sut.record()).toBe(4);
      await closeStore(sut);
      expect((await openStore({ journalCapacity: SMALL })).count).toBe(4);
    });

    it('refuses a dropped last record when the view shows it was acknowledged', async () => {
      const before = await storeWith(3);
      const damaged = Buffer.from(before);
      const lastRecord = HEADER_SIZE + recordSize(0) + 2 * recordSize(1);
      damaged[lastRecord + 20] = damaged[lastRecord + 20]! ^ 0xff;
      await writeFile(journalPath(), damaged);
      await expect(openStore({ journalCapacity: SMALL })).rejects.toThrow(/shows 3/);
      expect((await readFile(journalPath())).equals(damaged)).toBe(true);
    });

    const damages: [string, (b: Buffer) => Buffer][] = [
      ['a bit flip in the header', (b) => flip(b, 13)],
      ['a bit flip in the snapshot', (b) => flip(b, HEADER_SIZE + 14)],
      ['a bit flip in a middle record', (b) => flip(b, HEADER_SIZE + recordSize(0) + 14)],
      ['truncation', (b) => b.subarray(0, b.length - 100)],
      ['truncation to the header', (b) => b.subarray(0, 20)],
      ['extension', (b) => Buffer.concat([b, Buffer.from('extra')])],
      ['an unknown format version', (b) => withHeaderField(b, 8, 2)],
      ['garbage', () => Buffer.from('this is not a journal at all, just some text that got here')],
      ['an empty file', () => Buffer.alloc(0)],
      ['data after the end of the records', (b) => flip(b, SMALL - 10)],
    ];

    it.each(damages)(
      'refuses %s, naming the file, and leaves the journal byte for byte',
      async (_, damage) => {
        const damaged = damage(await storeWith(3));
        await writeFile(journalPath(), damaged);
        const error = await openStore({ journalCapacity: SMALL }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreCorruptError);
        expect((error as Error).message).toContain(journalPath());
        expect((await readFile(journalPath())).equals(damaged)).toBe(true);
        expect(await view()).toBe('3\n');
      },
    );

    it('refuses a directory where the journal should be', async () => {
      await mkdir(journalPath());
      await expect(openStore()).rejects.toThrow(/is a directory/);
    });
  });

  describe('the directory lock', () => {
    it('refuses a second store on the same directory until the first closes', async () => {
      const first = await openStore();
      await expect(openStore()).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(openStore()).rejects.toThrow(/in use by another process/);
      await closeStore(first);
      await expect(openStore()).resolves.toBeInstanceOf(VisitStore);
    });

    it('is held across processes and released at once when the holder is killed', async () => {
      await openStore().then(closeStore);
      const lockModule = createRequire(import.meta.url).resolve('fs-native-extensions');
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const fs=require('fs');const fd=fs.openSync(process.argv[1],'a+');` +
            `if(!require(${JSON.stringify(lockModule)}).tryLock(fd))process.exit(3);console.log('locked');setInterval(()=>{},1e3)`,
          join(dir, 'visits.lock'),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout.once('data', () => resolve());
          holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
        });
        await expect(openStore()).rejects.toBeInstanceOf(DataDirInUseError);
        const exited = new Promise((resolve) => holder.once('exit', resolve));
        holder.kill('SIGKILL');
        await exited;
        await expect(openStore()).resolves.toBeInstanceOf(VisitStore);
      } finally {
        holder.kill('SIGKILL');
      }
    });
  });

  describe('failures', () => {
    /** Real I/O that fails with `code` on the chosen call once `failing` is set. */
    function faultyIo(
      on: 'write' | 'datasync',
      code: string,
      match: (data?: Buffer) => boolean = () => true,
    ) {
      const io = {
        failing: false,
        async write(...args: Parameters<StoreIo['write']>) {
          if (io.failing && on === 'write' && match(args[1]))
            throw Object.assign(new Error(code), { code });
          return nodeIo.write(...args);
        },
        async datasync(...args: Parameters<StoreIo['datasync']>) {
          if (io.failing && on === 'datasync') throw Object.assign(new Error(code), { code });
          return nodeIo.datasync(...args);
        },
      };
      return io;
    }

    it('stops for good after a failed fsync: nothing acknowledged, restart gives the last acknowledged count', async () => {
      const io = faultyIo('datasync', 'EIO');
      const onFatal = vi.fn();
      const sut = await openStore({ io, onFatal });
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
      await expect(sut.record()).rejects.toBeInstanceOf(StoreWriteError);
      expect(sut.count).toBe(3);
      await closeStore(sut);
      expect((await openStore()).count).toBe(3);
    });

    it('answers a full disk during compaction with errors, then resumes when space returns', async () => {
      const io = faultyIo('write', 'ENOSPC', (data) => data?.length === SMALL);
      const sut = await openStore({ io, journalCapacity: SMALL });
      let acknowledged = 0;
      io.failing = true;
      let failure: unknown;
      for (let i = 0; i < 200 && failure === undefined; i++) {
        await sut.record().then(
          () => void acknowledged++,
          (e: unknown) => void (failure = e),
        );
      }
      expect(failure).toBeInstanceOf(StoreWriteError);
      expect((failure as StoreWriteError).fatal).toBe(false);
      expect((failure as Error).message).toMatch(/no space left/);
      expect(sut.health()).toEqual({
        status: 'degraded',
        reason: expect.stringMatching(/no space/),
      });
      expect(sut.count).toBe(acknowledged);
      await expect(readFile(join(dir, 'visits.journal.tmp'))).rejects.toThrow();

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
      let acknowledged = 0;
      let failed = false;
      while (!failed)
        await sut.record().then(
          () => void acknowledged++,
          () => void (failed = true),
        );
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
      const sut = await openStore({ io, journalCapacity: SMALL, retryIntervalMs: 5 });
      io.failing = true;
      let failed = false;
      while (!failed)
        await sut.record().then(
          () => undefined,
          () => void (failed = true),
        );
      const writes = vi.spyOn(io, 'write');
      await vi.waitFor(() => expect(writes.mock.calls.length).toBeGreaterThan(3), {
        timeout: 2_000,
        interval: 5,
      });
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
      await writeFile(join(dir, VIEW_FILE), `${Number.MAX_SAFE_INTEGER - 1}\n`);
      const sut = await openStore();
      expect(await sut.record()).toBe(Number.MAX_SAFE_INTEGER);
      await expect(sut.record()).rejects.toBeInstanceOf(CountLimitError);
      await closeStore(sut);
      expect((await openStore()).count).toBe(Number.MAX_SAFE_INTEGER);
    });

    // Found by test/faults/large-counts.faults-spec.ts: a batch that would cross the bound was
    // refused whole, so visits got 507 while the count was still below 2^53-1.
    it('records the concurrent visits that still fit below 2^53-1 and refuses only the rest', async () => {
      await writeFile(join(dir, VIEW_FILE), `${Number.MAX_SAFE_INTEGER - 3}\n`);
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

    it.skipIf(process.getuid?.() === 0)('explains an unwritable data directory', async () => {
      await chmod(dir, 0o500);
      try {
        await expect(openStore()).rejects.toThrow(/permission denied.*chown/);
      } finally {
        await chmod(dir, 0o700);
      }
    });

    it('explains a data directory that is a file', async () => {
      const file = join(dir, 'file');
      await writeFile(file, 'x');
      const error = await openStore({ dir: file }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirError);
      expect((error as Error).message).toMatch(/not a directory/);
    });
  });
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0x10;
  return copy;
}

function withHeaderField(buf: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(buf);
  copy.writeUInt32LE(value, at);
  return copy;
}
