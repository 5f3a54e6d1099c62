import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, encodeRecord, RecordKind, recordSize } from './journal.js';
import { DataDirError, DataDirInUseError, StoreCorruptError } from './store.errors.js';
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
