import { writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_FILES } from '@stateful-visits/visits-contract';
import { HEADER_SIZE, RecordKind, encodeJournal, encodeRecord, recordSize } from './journal.js';
import { describeFsError } from './fs-errors.js';
import { StoreWriteError } from './store.errors.js';

/*
 * The journal on disk: appending a batch record where the last one ended, and replacing a full
 * journal with a new one (write a temporary file, sync it, rename it into place, sync the
 * directory). The record and file format is journal.ts's.
 */

export const JOURNAL_FILE = DATA_FILES.journal;
/** A new journal before its rename: never held an acknowledged visit. */
export const JOURNAL_TMP = DATA_FILES.journalTemp;

/**
 * The store's writes and syncs of journal data go through here, so tests can inject I/O errors
 * (disk full, EIO on fsync) exactly where the kernel would report them.
 */
export interface StoreIo {
  write(file: FileHandle, data: Buffer, position: number): Promise<void>;
  datasync(file: FileHandle): Promise<void>;
}

export const nodeIo: StoreIo = {
  // A write into the page cache takes microseconds; doing it synchronously saves a round trip
  // through libuv's thread pool on every batch. Only the fdatasync, which waits for the disk, is async.
  async write(file, data, position) {
    let done = 0;
    while (done < data.length) {
      done += writeSync(file.fd, data, done, data.length - done, position + done);
    }
  },
  async datasync(file) {
    await file.datasync();
  },
};

export interface Snapshot {
  readonly count: number;
  /** Oldest first. */
  readonly timestamps: readonly number[];
}

/** An open journal file and where its next record goes. */
export interface OpenJournal {
  readonly handle: FileHandle;
  /** Where the next record goes. */
  end: number;
  readonly capacity: number;
  readonly generation: bigint;
}

/** The journal the store writes to; replace() swaps in a new file. */
export class JournalFile {
  constructor(
    private readonly dir: string,
    private readonly io: StoreIo,
    private file: OpenJournal,
  ) {}

  /**
   * Puts a complete journal holding only `snapshot` in place of any journal in `dir`.
   * @throws StoreWriteError: not fatal while the old journal is still in place, fatal after the rename
   */
  static async create(
    dir: string,
    io: StoreIo,
    capacity: number,
    generation: bigint,
    snapshot: Snapshot,
  ): Promise<JournalFile> {
    const handle = await writeNewJournal(dir, io, capacity, generation, snapshot);
    const end = HEADER_SIZE + recordSize(snapshot.timestamps.length);
    return new JournalFile(dir, io, { handle, end, capacity, generation });
  }

  /** The journal's size, fixed when it was written; a compaction writes one as big. */
  get capacity(): number {
    return this.file.capacity;
  }

  /** Whether a batch record with this many timestamps fits after the last record. */
  hasRoomFor(timestamps: number): boolean {
    return this.file.end + recordSize(timestamps) <= this.file.capacity;
  }

  /** Writes one batch record after the last one and syncs it. Fails with the file system's error. */
  async append(count: number, added: number, timestamps: readonly number[]): Promise<void> {
    const record = encodeRecord({ kind: RecordKind.batch, count, added, timestamps });
    const { handle, end } = this.file;
    try {
      await this.io.write(handle, record, end);
      await this.io.datasync(handle);
    } catch (error) {
      // Best effort: blank the unacknowledged record so a restart does not count it. Either way
      // the restart stays within the contract (never below acknowledged, never above attempted).
      await nodeIo.write(handle, Buffer.alloc(record.length), end).catch(() => undefined);
      throw error;
    }
    this.file.end = end + record.length;
  }

  /**
   * Replaces the journal with a new one of the same capacity holding only `snapshot` (compaction).
   * @throws StoreWriteError, as create()
   */
  async replace(snapshot: Snapshot): Promise<void> {
    const { capacity, generation } = this.file;
    const next = await JournalFile.create(this.dir, this.io, capacity, generation + 1n, snapshot);
    const old = this.file.handle;
    this.file = next.file;
    await old.close().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.file.handle.close();
  }
}

/** Writes a complete journal to a temporary file, syncs it, renames it into place and syncs the directory. */
async function writeNewJournal(
  dir: string,
  io: StoreIo,
  capacity: number,
  generation: bigint,
  snapshot: Snapshot,
): Promise<FileHandle> {
  const tmpPath = join(dir, JOURNAL_TMP);
  const buf = encodeJournal(capacity, generation, snapshot);
  let file: FileHandle;
  try {
    file = await open(tmpPath, 'w+');
  } catch (error) {
    throw new StoreWriteError(
      `could not create a new journal: ${describeFsError(error, dir)}`,
      false,
      { cause: error },
    );
  }
  let renamed = false;
  try {
    await io.write(file, buf, 0);
    await io.datasync(file);
    await rename(tmpPath, join(dir, JOURNAL_FILE));
    renamed = true;
    await syncDir(dir, io);
    return file;
  } catch (error) {
    await file.close().catch(() => undefined);
    if (!renamed) {
      await unlink(tmpPath).catch(() => undefined);
      throw new StoreWriteError(
        `could not write a new journal: ${describeFsError(error, dir)}`,
        false,
        { cause: error },
      );
    }
    throw new StoreWriteError(
      `could not sync the data directory: ${describeFsError(error, dir)}`,
      true,
      { cause: error },
    );
  }
}

async function syncDir(dir: string, io: StoreIo): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await io.datasync(handle);
  } finally {
    await handle.close();
  }
}
