import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { journalBytesFor, minVolumeBytes } from '@stateful-visits/visits-contract';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { dataDirError } from './fs-errors.js';
import { JournalFormatError, scanJournal, type ScanResult } from './journal.js';
import { JOURNAL_FILE, JOURNAL_TMP, JournalFile, nodeIo } from './journal-file.js';
import {
  DataDirError,
  StoreCorruptError,
  VolumeTooSmallError,
  type StoreError,
} from './store.errors.js';
import { LOCK_FILE, VIEW_FILE, type ResolvedOptions } from './store-options.js';

/*
 * Opening and recovery: everything the store does before it takes its first visit. The journal is
 * the truth; the `visits` view may lag it but must never be ahead of it.
 */

/** What an opened directory hands to the store: its files and the state recovered from them. */
export interface OpenedStore {
  readonly lock: DirLock;
  readonly journal: JournalFile;
  readonly view: FileHandle;
  readonly count: number;
  /** Oldest first, at most `recentLimit`. */
  readonly recent: number[];
}

/**
 * Takes the directory's lock, reads and checks the journal, repairs a torn last write, and brings
 * the `visits` view up to date. The lock is released again when opening fails.
 * @throws DataDirError, DataDirInUseError, StoreCorruptError, VolumeTooSmallError
 */
export async function openStoreFiles(opts: ResolvedOptions): Promise<OpenedStore> {
  const { dir } = opts;
  await prepareDir(dir);
  const lock = await acquireDirLock(dir, join(dir, LOCK_FILE));
  try {
    return await recover(lock, opts);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function recover(lock: DirLock, opts: ResolvedOptions): Promise<OpenedStore> {
  const { dir, logger } = opts;
  const journalPath = join(dir, JOURNAL_FILE);
  const viewPath = join(dir, VIEW_FILE);

  // A leftover temporary journal was never renamed into place, so it never held an acknowledged visit.
  await unlink(join(dir, JOURNAL_TMP)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw dataDirError(error, join(dir, JOURNAL_TMP));
  });

  const viewCount = await readView(viewPath);
  const scan = await readJournal(journalPath, opts.recentLimit);

  let generation = 0n;
  let needsRewrite = false;
  let count = 0;
  let timestamps: number[] = [];
  if (scan !== undefined) {
    count = scan.count;
    timestamps = scan.timestamps;
    generation = scan.header.generation;
    if (viewCount.kind === 'count' && viewCount.count > count) {
      throw new StoreCorruptError(
        journalPath,
        `it holds ${count} visits but ${viewPath} shows ${viewCount.count}, which was acknowledged after ` +
          `the journal was synced: journal records are missing${scan.tornTail ? ' (its last record is damaged)' : ''}`,
      );
    }
    if (scan.tornTail) {
      logger.warn(
        { file: journalPath, offset: scan.tornTail.offset, bytes: scan.tornTail.bytes, count },
        'the journal ends in a write cut short by a crash; recovered the last complete state (that write was never acknowledged)',
      );
      needsRewrite = true;
    }
  } else if (viewCount.kind === 'count') {
    // A `visits` file without a journal: the plain counter file of an older version or a seed app.
    count = viewCount.count;
    needsRewrite = true;
    logger.info(
      { file: viewPath, count },
      'no journal yet: adopting the count in the plain visits file',
    );
  } else if (viewCount.kind === 'invalid') {
    throw new StoreCorruptError(
      viewPath,
      `${viewCount.problem}, and there is no journal to recover from`,
    );
  } else {
    needsRewrite = true;
  }

  let journal: JournalFile;
  if (needsRewrite || scan === undefined) {
    timestamps = timestamps.slice(-opts.recentLimit);
    // A journal that exists keeps its capacity; only a store without one chooses it.
    const capacity = scan?.header.capacity ?? (await newJournalCapacity(opts, viewPath));
    journal = await JournalFile.create(dir, opts.io, capacity, generation + 1n, {
      count,
      timestamps,
    });
  } else {
    const handle = await open(journalPath, 'r+').catch((error: NodeJS.ErrnoException) => {
      throw dataDirError(error, journalPath);
    });
    journal = new JournalFile(dir, opts.io, {
      handle,
      end: scan.end,
      capacity: scan.header.capacity,
      generation,
    });
  }

  let view: FileHandle;
  try {
    view = await openView(viewPath, viewCount, count);
  } catch (error) {
    await journal.close();
    throw error;
  }
  if (viewCount.kind === 'invalid') {
    logger.warn(
      { file: viewPath, problem: viewCount.problem, count },
      'rewrote the visits view from the journal',
    );
  }
  return { lock, journal, view, count, recent: timestamps };
}

/**
 * The capacity of the store's first journal: the one given, or the contract's size for the space
 * the volume offers (its free space, plus what the `visits` file already holds: the sizing counts
 * that file in).
 * @throws VolumeTooSmallError when not even the smallest journals fit
 */
async function newJournalCapacity(opts: ResolvedOptions, viewPath: string): Promise<number> {
  if (opts.journalCapacity !== 'auto') return opts.journalCapacity;
  const { dir, recentLimit } = opts;
  const fs = await opts.statfs(dir).catch((error: NodeJS.ErrnoException) => {
    throw dataDirError(error, dir);
  });
  const view = await stat(viewPath).catch(() => undefined);
  const available = fs.bavail * fs.bsize + (view === undefined ? 0 : view.blocks * 512);
  const capacity = journalBytesFor(recentLimit, available);
  if (capacity !== undefined) return capacity;
  let fitting: number | undefined;
  for (let recent = recentLimit - 1; recent >= 1 && fitting === undefined; recent--) {
    if (minVolumeBytes(recent) <= available) fitting = recent;
  }
  throw new VolumeTooSmallError(dir, available, minVolumeBytes(recentLimit), recentLimit, fitting);
}

/** The journal's contents, or undefined when there is none yet. */
async function readJournal(path: string, keep: number): Promise<ScanResult | undefined> {
  const raw = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fileFailure(error, path);
  });
  if (raw === undefined) return undefined;
  try {
    return scanJournal(raw, keep);
  } catch (error) {
    if (error instanceof JournalFormatError) throw new StoreCorruptError(path, error.problem);
    throw error;
  }
}

type ViewRead =
  { kind: 'missing' } | { kind: 'count'; count: number } | { kind: 'invalid'; problem: string };

async function readView(path: string): Promise<ViewRead> {
  let text: string;
  try {
    text = await readFile(path, 'latin1');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'missing' };
    throw fileFailure(e, path);
  }
  const match = /^(\d{1,20})\n?$/.exec(text);
  if (match === null) {
    return {
      kind: 'invalid',
      problem: text.length === 0 ? 'it is empty' : 'it does not hold a plain count',
    };
  }
  const count = Number(match[1]);
  if (!Number.isSafeInteger(count)) {
    return {
      kind: 'invalid',
      problem: 'its count is above 2^53-1, the largest this build keeps exactly',
    };
  }
  return { kind: 'count', count };
}

/** Opens (or creates) the view and makes it show `count`. */
async function openView(path: string, current: ViewRead, count: number): Promise<FileHandle> {
  const view = await open(path, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644).catch(
    (error: NodeJS.ErrnoException) => {
      throw fileFailure(error, path);
    },
  );
  if (current.kind !== 'count' || current.count !== count) {
    await view.truncate(0);
    await nodeIo.write(view, Buffer.from(`${count}\n`), 0);
  }
  return view;
}

async function prepareDir(dir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    await mkdir(dir, { recursive: true });
    isDirectory = (await stat(dir)).isDirectory();
    if (isDirectory) await access(dir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch (error) {
    // mkdir's EEXIST: something that is not a directory has the name.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw dataDirError(error, dir);
    isDirectory = false;
  }
  if (!isDirectory) {
    throw new DataDirError(
      `the data directory ${dir} is not a directory: point DATA_DIR at a directory`,
    );
  }
}

/** A failure to read or open one of the store's files: a directory in its place is damage. */
function fileFailure(error: NodeJS.ErrnoException, path: string): StoreError {
  return error.code === 'EISDIR'
    ? new StoreCorruptError(path, 'it is a directory, not a file')
    : dataDirError(error, path);
}
