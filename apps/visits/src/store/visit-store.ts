import { constants as fsConstants, writeSync } from 'node:fs';
import {
  access,
  mkdir,
  open,
  readFile,
  rename,
  stat,
  statfs,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import {
  HEADER_SIZE,
  JournalFormatError,
  RecordKind,
  encodeJournal,
  encodeRecord,
  recordSize,
  scanJournal,
  type ScanResult,
} from './journal.js';
import {
  CountLimitError,
  DataDirError,
  StoreClosedError,
  StoreCorruptError,
  StoreWriteError,
} from './store.errors.js';
import { describeFsError } from './fs-errors.js';

export const VIEW_FILE = 'visits';
export const JOURNAL_FILE = 'visits.journal';
export const LOCK_FILE = 'visits.lock';
const JOURNAL_TMP = 'visits.journal.tmp';

/** The 1 MiB default holds thousands of batches between compactions and reads in about a millisecond. */
export const DEFAULT_JOURNAL_CAPACITY = 1024 * 1024;
export const MAX_RECENT = 1000;

/** pino's logger fits this shape. */
export interface StoreLogger {
  info(data: object, msg: string): void;
  warn(data: object, msg: string): void;
  error(data: object, msg: string): void;
}

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

export interface VisitStoreOptions {
  /** The data directory; created when missing. */
  readonly dir: string;
  /** How many recent visit timestamps to keep (1 to 1000). @default 100 */
  readonly recentLimit?: number;
  /** Size of the preallocated journal in bytes. @default 1 MiB */
  readonly journalCapacity?: number;
  readonly clock?: () => number;
  readonly logger?: StoreLogger;
  readonly io?: StoreIo;
  /** Called after each committed batch: how many visits, and how long its write+sync took. */
  readonly onCommit?: (visits: number, syncSeconds: number) => void;
  /** Called once when a failed write or sync stops the store for good. */
  readonly onFatal?: (error: StoreWriteError) => void;
  /**
   * While degraded (a new journal could not be written, e.g. the volume is full), how often the
   * store tries again by itself. @default 1000
   */
  readonly retryIntervalMs?: number;
}

type ResolvedOptions = Required<Omit<VisitStoreOptions, 'onCommit' | 'onFatal'>> &
  Pick<VisitStoreOptions, 'onCommit' | 'onFatal'>;

export type StoreStatus = 'open' | 'degraded' | 'failed' | 'closing' | 'closed';

export interface StoreHealth {
  readonly status: StoreStatus;
  /** Why the store is not `open`. */
  readonly reason?: string;
}

interface Waiter {
  readonly at: number;
  resolve(count: number): void;
  reject(error: Error): void;
}

const noopLogger: StoreLogger = { info() {}, warn() {}, error() {} };

/**
 * A durable visit counter in one directory, safe for one process at a time.
 *
 * Contract: `record()` resolves only after the visit is in the journal and the journal is
 * fdatasync'd (for a new journal file: the file and its directory are fsync'd). Concurrent visits
 * are committed together, one write and one sync per batch (group commit), and each visit gets its
 * own count. After a crash at any instant, reopening yields a count at least every count ever
 * resolved and at most the number of visits attempted.
 */
export class VisitStore {
  private pending: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private statusValue: StoreStatus = 'open';
  private reason: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly dir: string,
    private readonly lock: DirLock,
    private journal: FileHandle,
    private readonly view: FileHandle,
    private countValue: number,
    private readonly recentTimestamps: number[],
    private end: number,
    private capacity: number,
    private generation: bigint,
    private readonly options: ResolvedOptions,
  ) {}

  /**
   * Opens (or creates) the store in `options.dir`: takes the directory's lock, reads and checks the
   * journal, repairs a torn last write, and brings the `visits` view up to date.
   * @throws DataDirError, DataDirInUseError, StoreCorruptError
   */
  static async open(options: VisitStoreOptions): Promise<VisitStore> {
    const opts: ResolvedOptions = {
      recentLimit: 100,
      journalCapacity: DEFAULT_JOURNAL_CAPACITY,
      clock: Date.now,
      logger: noopLogger,
      io: nodeIo,
      retryIntervalMs: 1000,
      ...options,
    };
    if (
      !Number.isInteger(opts.recentLimit) ||
      opts.recentLimit < 1 ||
      opts.recentLimit > MAX_RECENT
    ) {
      throw new RangeError(`recentLimit must be an integer from 1 to ${MAX_RECENT}`);
    }
    const minCapacity = HEADER_SIZE + 2 * recordSize(opts.recentLimit);
    if (opts.journalCapacity < minCapacity || opts.journalCapacity > 0xffffffff) {
      throw new RangeError(
        `journalCapacity must be at least ${minCapacity} bytes for ${opts.recentLimit} recent visits`,
      );
    }

    const dir = opts.dir;
    await prepareDir(dir);
    const lock = await acquireDirLock(dir, join(dir, LOCK_FILE));
    try {
      return await VisitStore.load(dir, lock, opts);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  private static async load(
    dir: string,
    lock: DirLock,
    opts: ResolvedOptions,
  ): Promise<VisitStore> {
    const { logger } = opts;
    const journalPath = join(dir, JOURNAL_FILE);
    const viewPath = join(dir, VIEW_FILE);

    // A leftover temporary journal was never renamed into place, so it never held an acknowledged visit.
    await unlink(join(dir, JOURNAL_TMP)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw fsFailure(error, join(dir, JOURNAL_TMP));
    });

    const viewCount = await readView(viewPath);
    let scan: ScanResult | undefined;
    const raw = await readFile(journalPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      if (error.code === 'EISDIR')
        throw new StoreCorruptError(journalPath, 'it is a directory, not a file');
      throw fsFailure(error, journalPath);
    });

    let generation = 0n;
    let needsRewrite = false;
    let count = 0;
    let timestamps: number[] = [];
    if (raw !== undefined) {
      try {
        scan = scanJournal(raw, opts.recentLimit);
      } catch (error) {
        if (error instanceof JournalFormatError)
          throw new StoreCorruptError(journalPath, error.problem);
        throw error;
      }
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

    if (count > Number.MAX_SAFE_INTEGER) {
      throw new StoreCorruptError(
        viewPath,
        `its count is above 2^53-1, the largest this build keeps exactly`,
      );
    }

    let journal: FileHandle;
    let capacity: number;
    let end: number;
    if (needsRewrite) {
      generation += 1n;
      capacity = opts.journalCapacity;
      const snapshot = timestamps.slice(-opts.recentLimit);
      journal = await writeNewJournal(dir, opts.io, capacity, generation, count, snapshot);
      end = HEADER_SIZE + recordSize(snapshot.length);
      timestamps = snapshot;
    } else {
      capacity = scan!.header.capacity;
      end = scan!.end;
      journal = await open(journalPath, 'r+').catch((error: NodeJS.ErrnoException) => {
        throw fsFailure(error, journalPath);
      });
    }

    let view: FileHandle;
    try {
      view = await open(viewPath, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o644).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EISDIR')
            throw new StoreCorruptError(viewPath, 'it is a directory, not a file');
          throw fsFailure(error, viewPath);
        },
      );
      if (viewCount.kind !== 'count' || viewCount.count !== count) {
        await view.truncate(0);
        await nodeIo.write(view, Buffer.from(`${count}\n`), 0);
      }
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
    return new VisitStore(
      dir,
      lock,
      journal,
      view,
      count,
      timestamps,
      end,
      capacity,
      generation,
      opts,
    );
  }

  /** The count on disk. */
  get count(): number {
    return this.countValue;
  }

  get status(): StoreStatus {
    return this.statusValue;
  }

  health(): StoreHealth {
    return this.reason === undefined
      ? { status: this.statusValue }
      : { status: this.statusValue, reason: this.reason };
  }

  /** The most recent visit timestamps (ms since the epoch), newest first. */
  recent(limit = this.options.recentLimit): number[] {
    const n = Math.min(limit, this.recentTimestamps.length);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++)
      out[i] = this.recentTimestamps[this.recentTimestamps.length - 1 - i]!;
    return out;
  }

  /** Free bytes on the data directory's file system. */
  async freeBytes(): Promise<number> {
    const fs = await statfs(this.dir);
    return fs.bavail * fs.bsize;
  }

  /** Records one visit; resolves with this visit's count once it is durable. */
  record(): Promise<number> {
    switch (this.statusValue) {
      case 'failed':
        return Promise.reject(
          new StoreWriteError(`the visit store has stopped: ${this.reason}`, true),
        );
      case 'closing':
      case 'closed':
        return Promise.reject(new StoreClosedError());
      default:
        break;
    }
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ at: this.options.clock(), resolve, reject });
      this.schedule();
    });
  }

  /** Waits for pending visits to reach the disk, then releases the files and the directory lock. */
  async close(): Promise<void> {
    if (this.statusValue === 'closed') return;
    if (this.statusValue !== 'failed') this.statusValue = 'closing';
    clearTimeout(this.retryTimer);
    // Visits accepted before close() still get written (unless the store has failed).
    while (this.flushing !== undefined || this.pending.length > 0) {
      if (this.flushing === undefined) this.startFlush();
      await this.flushing;
      if (this.statusValue === 'failed') break;
    }
    this.rejectPending(new StoreClosedError());
    this.statusValue = 'closed';
    await Promise.allSettled([this.journal.close(), this.view.close()]);
    await this.lock.release();
  }

  private schedule(): void {
    if (this.flushing !== undefined || this.scheduled) return;
    this.scheduled = true;
    // Wait one turn of the event loop so that requests arriving together share one write and sync.
    setImmediate(() => {
      this.scheduled = false;
      if (this.flushing === undefined) this.startFlush();
    });
  }

  private startFlush(): void {
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      // A visit may have arrived after the loop's last check and before this line.
      if (this.pending.length > 0 && this.statusValue !== 'closed') this.schedule();
    });
  }

  private async flushLoop(): Promise<void> {
    let acknowledge: (() => void) | undefined;
    while (this.pending.length > 0 && this.statusValue !== 'failed') {
      const batch = this.pending;
      this.pending = [];
      const committing = this.commit(batch);
      // The previous batch is durable: answer its visits while this one is being synced, so the
      // disk is never idle waiting for the event loop to send responses.
      acknowledge?.();
      acknowledge = await committing;
    }
    acknowledge?.();
  }

  /**
   * Writes and syncs one batch. Resolves with the function that acknowledges its visits, or
   * undefined when they were rejected.
   */
  private async commit(waiting: Waiter[]): Promise<(() => void) | undefined> {
    const before = this.countValue;
    // At the bound, the visits that still fit are recorded and only the rest are refused.
    const room = Number.MAX_SAFE_INTEGER - before;
    const batch = waiting.length > room ? waiting.slice(0, room) : waiting;
    if (batch.length < waiting.length) {
      const error = new CountLimitError(
        `the count would pass 2^53-1 (${Number.MAX_SAFE_INTEGER}), the largest this store keeps exactly; ` +
          'no more visits can be recorded on this volume',
      );
      for (const w of waiting.slice(batch.length)) w.reject(error);
      if (batch.length === 0) return undefined;
    }
    const after = before + batch.length;
    const stamps =
      batch.length > this.options.recentLimit ? batch.slice(-this.options.recentLimit) : batch;
    const timestamps = stamps.map((w) => w.at);
    const started = process.hrtime.bigint();
    try {
      if (this.end + recordSize(timestamps.length) > this.capacity) {
        await this.compact(after, timestamps);
      } else {
        const record = encodeRecord({
          kind: RecordKind.batch,
          count: after,
          added: batch.length,
          timestamps,
        });
        try {
          await this.options.io.write(this.journal, record, this.end);
          await this.options.io.datasync(this.journal);
        } catch (error) {
          // Best effort: blank the unacknowledged record so a restart does not count it. Either way
          // the restart stays within the contract (never below acknowledged, never above attempted).
          await nodeIo
            .write(this.journal, Buffer.alloc(record.length), this.end)
            .catch(() => undefined);
          throw error;
        }
        this.end += record.length;
      }
    } catch (error) {
      const failure = toWriteError(error, this.dir);
      for (const w of batch) w.reject(failure);
      if (failure.fatal) this.fail(failure);
      else {
        this.statusValue = 'degraded';
        this.reason = failure.message;
        this.options.logger.warn(
          { err: failure },
          'visits could not be written; nothing was acknowledged',
        );
        this.scheduleRetry();
      }
      return undefined;
    }
    const syncSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    this.countValue = after;
    for (const t of timestamps) this.recentTimestamps.push(t);
    if (this.recentTimestamps.length > 2 * this.options.recentLimit) {
      this.recentTimestamps.splice(0, this.recentTimestamps.length - this.options.recentLimit);
    }
    if (this.statusValue === 'degraded') this.reopen();
    return () => {
      // The view is written before the acknowledgement, so it never shows less than an acknowledged
      // count after a process crash; it is not synced: the journal is the durable copy.
      try {
        writeSync(this.view.fd, `${after}\n`, 0);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not update the visits view file');
      }
      this.options.onCommit?.(batch.length, syncSeconds);
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(before + i + 1);
    };
  }

  /**
   * A degraded store does not wait for the next visit to try again: readiness reports it down, so
   * a load balancer sends it none. It writes the new journal itself once the cause has gone.
   */
  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.statusValue !== 'degraded') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.statusValue !== 'degraded') return;
      // A flush in progress will retry on its own; otherwise take the flush slot.
      if (this.flushing !== undefined || this.pending.length > 0) return this.scheduleRetry();
      this.flushing = this.recover().finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0 && this.statusValue !== 'closed') this.schedule();
      });
    }, this.options.retryIntervalMs);
    this.retryTimer.unref();
  }

  private async recover(): Promise<void> {
    try {
      await this.compact(this.countValue, []);
    } catch (error) {
      const failure = toWriteError(error, this.dir);
      if (failure.fatal) this.fail(failure);
      else {
        this.reason = failure.message;
        this.scheduleRetry();
      }
      return;
    }
    this.reopen();
  }

  /** Out of degraded: the journal takes writes again. */
  private reopen(): void {
    this.statusValue = 'open';
    this.reason = undefined;
    this.options.logger.info({ count: this.countValue }, 'visits are being written again');
  }

  /** Replaces the full journal with a new one whose snapshot already includes the batch. */
  private async compact(count: number, batchTimestamps: number[]): Promise<void> {
    const recent = [...this.recentTimestamps, ...batchTimestamps].slice(-this.options.recentLimit);
    const next = await writeNewJournal(
      this.dir,
      this.options.io,
      this.options.journalCapacity,
      this.generation + 1n,
      count,
      recent,
    );
    const old = this.journal;
    this.journal = next;
    this.generation += 1n;
    this.capacity = this.options.journalCapacity;
    this.end = HEADER_SIZE + recordSize(recent.length);
    await old.close().catch(() => undefined);
  }

  private fail(error: StoreWriteError): void {
    if (this.statusValue === 'failed') return;
    this.statusValue = 'failed';
    this.reason = error.message;
    this.rejectPending(error);
    this.options.logger.error(
      { err: error },
      'the visit store stopped after a failed write; restart to re-read the journal',
    );
    this.options.onFatal?.(error);
  }

  private rejectPending(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const w of pending) w.reject(error);
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
    if (e.code === 'EISDIR') throw new StoreCorruptError(path, 'it is a directory, not a file');
    throw fsFailure(e, path);
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

async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const info = await stat(dir);
    if (!info.isDirectory())
      throw new DataDirError(
        `the data directory ${dir} is not a directory: point DATA_DIR at a directory`,
      );
    await access(dir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch (error) {
    if (error instanceof DataDirError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DataDirError(
        `the data directory ${dir} is not a directory: point DATA_DIR at a directory`,
      );
    }
    throw fsFailure(error as NodeJS.ErrnoException, dir);
  }
}

/** Writes a complete journal to a temporary file, syncs it, renames it into place and syncs the directory. */
async function writeNewJournal(
  dir: string,
  io: StoreIo,
  capacity: number,
  generation: bigint,
  count: number,
  timestamps: readonly number[],
): Promise<FileHandle> {
  const tmpPath = join(dir, JOURNAL_TMP);
  const buf = encodeJournal(capacity, generation, { count, timestamps });
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

function fsFailure(error: NodeJS.ErrnoException, path: string): DataDirError {
  return new DataDirError(describeFsError(error, path), { cause: error });
}

function toWriteError(error: unknown, dir: string): StoreWriteError {
  if (error instanceof StoreWriteError) return error;
  return new StoreWriteError(`writing the journal failed: ${describeFsError(error, dir)}`, true, {
    cause: error,
  });
}
