import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { minJournalBytes, minVolumeBytes } from '@stateful-visits/visits-contract';
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, encodeRecord, RecordKind, recordSize, scanJournal } from './journal.js';
import {
  DataDirError,
  DataDirInUseError,
  StoreCorruptError,
  VolumeTooSmallError,
} from './store.errors.js';
import { SMALL, spyLogger, useStoreDir } from './testing/store-fixture.js';
import { VIEW_FILE, VisitStore } from './visit-store.js';

// Opening and recovery (open-store.ts), driven through VisitStore.open on real files.
describe('VisitStore.open', () => {
  const { dir, journalPath, view, openStore, closeStore } = useStoreDir();

  describe('adopting a plain counter file', () => {
    it('starts from the count in an existing visits file without a journal', async () => {
      await writeFile(join(dir(), VIEW_FILE), '42\n');
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
        await writeFile(join(dir(), VIEW_FILE), content);
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

  describe('sizing the first journal from the volume', () => {
    /** A statfs that reports `bytes` free, in 4 KiB blocks. */
    const volumeWith = (bytes: number) => async () => ({ bavail: bytes / 4096, bsize: 4096 });

    it('takes half of what the volume offers after the view and the margin, at most 1 MiB', async () => {
      for (const [free, journal] of [
        [100 * 1024, 40 * 1024],
        [1024 * 1024, 500 * 1024],
        [64 * 1024 * 1024, 1024 * 1024],
      ] as const) {
        const sut = await openStore({ statfs: volumeWith(free) });
        expect(sut.journalCapacity, `${free} bytes free`).toBe(journal);
        expect((await stat(journalPath())).size).toBe(journal);
        await closeStore(sut);
        await rm(journalPath());
        await rm(join(dir(), VIEW_FILE));
      }
    });

    it('counts the visits file it adopts as room the store already has', async () => {
      await writeFile(join(dir(), VIEW_FILE), '42\n');
      const viewBytes = (await stat(join(dir(), VIEW_FILE))).blocks * 512;
      const sut = await openStore({ statfs: volumeWith(100 * 1024 - viewBytes) });
      expect(sut.journalCapacity).toBe(40 * 1024);
      expect(sut.count).toBe(42);
    });

    it("keeps an existing journal's capacity through restarts, torn-tail repairs and compactions", async () => {
      const first = await openStore({ statfs: volumeWith(minVolumeBytes(100)) });
      const capacity = minJournalBytes(100);
      expect(first.journalCapacity).toBe(capacity);
      await closeStore(first);

      // The volume grew (or the store moved to a bigger one): the journal stays as it is.
      const big = volumeWith(1024 ** 3);
      const reopened = await openStore({ statfs: big });
      expect(reopened.journalCapacity).toBe(capacity);
      // Enough visits for several compactions (a one-visit record is 40 bytes).
      for (let i = 0; i < 3 * (capacity / 40); i++) await reopened.record();
      expect((await stat(journalPath())).size).toBe(capacity);
      await closeStore(reopened);

      const scan = scanJournal(await readFile(journalPath()), 100);
      expect(scan.header.generation).toBeGreaterThan(3n);
      const torn = Buffer.from(await readFile(journalPath()));
      encodeRecord({ kind: RecordKind.batch, count: scan.count + 1, added: 1, timestamps: [1] })
        .subarray(0, 15)
        .copy(torn, scan.end);
      await writeFile(journalPath(), torn);
      const repaired = await openStore({ statfs: big });
      expect(repaired.count).toBe(scan.count);
      expect(repaired.journalCapacity).toBe(capacity);
      expect((await stat(journalPath())).size).toBe(capacity);
    });

    it('refuses a volume too small for two of the smallest journals, saying what it needs and what to change', async () => {
      await writeFile(join(dir(), VIEW_FILE), '7\n');
      const viewBytes = (await stat(join(dir(), VIEW_FILE))).blocks * 512;
      const available = minVolumeBytes(1000) - 4096;
      const error = await openStore({
        recentLimit: 1000,
        statfs: volumeWith(available - viewBytes),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VolumeTooSmallError);
      expect(error).toMatchObject({
        code: 'VOLUME_TOO_SMALL',
        availableBytes: available,
        neededBytes: minVolumeBytes(1000),
      });
      expect((error as Error).message).toBe(
        `the data volume (DATA_DIR=${dir()}) is too small for the visit store: it has ${available} bytes free, ` +
          `and with RECENT_VISITS=1000 the store needs ${minVolumeBytes(1000)} (two journals, one being written ` +
          'while the other is in use, the visits file and a margin). Give it a volume with at least ' +
          `${minVolumeBytes(1000)} bytes free (100 KiB), or lower RECENT_VISITS to 916 or less.`,
      );
      expect(minVolumeBytes(916)).toBeLessThanOrEqual(available);
      expect(minVolumeBytes(917)).toBeGreaterThan(available);
      // Nothing written: the count to adopt is as it was, and the lock is free again.
      expect(await readdir(dir())).toEqual(expect.arrayContaining([VIEW_FILE]));
      expect(await readdir(dir())).not.toContain('visits.journal');
      expect(await view()).toBe('7\n');
      await expect(openStore()).resolves.toBeInstanceOf(VisitStore);
    });

    it('does not suggest a RECENT_VISITS when none would fit', async () => {
      const error = await openStore({ statfs: volumeWith(8192) }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/at least 36864 bytes free \(36 KiB\)\.$/);
    });

    it('uses a capacity it is given without asking the volume', async () => {
      const sut = await openStore({
        journalCapacity: SMALL,
        statfs: () => Promise.reject(new Error('not asked')),
      });
      expect(sut.journalCapacity).toBe(SMALL);
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
          join(dir(), 'visits.lock'),
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

  describe('an unusable data directory', () => {
    it.skipIf(process.getuid?.() === 0)('explains an unwritable data directory', async () => {
      await chmod(dir(), 0o500);
      try {
        await expect(openStore()).rejects.toThrow(/permission denied.*chown/);
      } finally {
        await chmod(dir(), 0o700);
      }
    });

    it('explains a data directory that is a file', async () => {
      const file = join(dir(), 'file');
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
