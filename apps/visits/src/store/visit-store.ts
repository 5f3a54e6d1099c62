import { writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { DirLock } from './dir-lock.js';
import { describeFsError } from './fs-errors.js';
import { GroupCommit, type Acknowledge, type Waiter } from './group-commit.js';
import type { JournalFile } from './journal-file.js';
import { openStoreFiles, type OpenedStore } from './open-store.js';
import { CountLimitError, StoreClosedError, StoreWriteError } from './store.errors.js';
import { resolveOptions, type ResolvedOptions, type VisitStoreOptions } from './store-options.js';
import { VolumeSpace } from './volume-space.js';
import {
  StoreState,
  type StoreHealth,
  type StoreStatus,
  type StoreTrigger,
} from './store-state.js';

// The store's public surface: other folders import from this file only.
export { JOURNAL_FILE, nodeIo, type StoreIo } from './journal-file.js';
export {
  DEFAULT_JOURNAL_CAPACITY,
  LOCK_FILE,
  MAX_RECENT,
  VIEW_FILE,
  type StoreLogger,
  type VisitStoreOptions,
} from './store-options.js';
export type { StoreHealth, StoreStatus } from './store-state.js';
export {
  lowSpaceReason,
  type StatFs,
  type VolumeFacts,
  type VolumeReading,
  type VolumeSpace,
} from './volume-space.js';

/** What the constructor takes: the opened files and recovered state, the options, the state. */
type VisitStoreParts = OpenedStore & {
  readonly options: ResolvedOptions;
  readonly state: StoreState;
};

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
  private readonly options: ResolvedOptions;
  private readonly state: StoreState;
  private readonly lock: DirLock;
  private readonly journal: JournalFile;
  private readonly view: FileHandle;
  private countValue: number;
  /** Oldest first; trimmed to `recentLimit` whenever it doubles. */
  private readonly recentTimestamps: number[];
  private readonly commits = new GroupCommit({
    commit: (batch) => this.commit(batch),
    writable: () => this.state.status !== 'failed',
  });
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** Counts compactions' starts and ends: odd while a new journal is being written. */
  private journalEpoch = 0;
  /** The room the data volume has for the next journal (readiness and the metrics ask it). */
  readonly volume: VolumeSpace;

  private constructor(parts: VisitStoreParts) {
    this.options = parts.options;
    this.state = parts.state;
    this.lock = parts.lock;
    this.journal = parts.journal;
    this.view = parts.view;
    this.countValue = parts.count;
    this.recentTimestamps = parts.recent;
    const { dir, statfs, volumeCheck, logger } = this.options;
    this.volume = new VolumeSpace({
      dir,
      statfs,
      ...volumeCheck,
      journalBytes: () => this.journal.capacity,
      journalEpoch: () => this.journalEpoch,
      logger,
    });
  }

  /**
   * Opens (or creates) the store in `options.dir`: takes the directory's lock, reads and checks the
   * journal, repairs a torn last write, and brings the `visits` view up to date.
   * @throws DataDirError, DataDirInUseError, StoreCorruptError, VolumeTooSmallError
   */
  static async open(options: VisitStoreOptions): Promise<VisitStore> {
    const resolved = resolveOptions(options);
    const state = new StoreState(resolved.logger);
    let files: OpenedStore;
    try {
      files = await openStoreFiles(resolved);
    } catch (error) {
      state.fire('openFailed');
      throw error;
    }
    state.fire('opened');
    return new VisitStore({ options: resolved, state, ...files });
  }

  /** The count on disk. */
  get count(): number {
    return this.countValue;
  }

  get status(): StoreStatus {
    return this.state.status;
  }

  health(): StoreHealth {
    return this.state.health();
  }

  /** The most recent visit timestamps (ms since the epoch), newest first. */
  recent(limit = this.options.recentLimit): number[] {
    const n = Math.min(limit, this.recentTimestamps.length);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++)
      out[i] = this.recentTimestamps[this.recentTimestamps.length - 1 - i]!;
    return out;
  }

  /** The journal's capacity in bytes: what the next compaction writes beside it. */
  get journalCapacity(): number {
    return this.journal.capacity;
  }

  /** Records one visit; resolves with this visit's count once it is durable. */
  record(): Promise<number> {
    switch (this.state.status) {
      case 'failed':
        return Promise.reject(
          new StoreWriteError(`the visit store has stopped: ${this.health().reason}`, true),
        );
      case 'closing':
      case 'closed':
        return Promise.reject(new StoreClosedError());
      default:
        return this.commits.add(this.options.clock());
    }
  }

  /** Waits for pending visits to reach the disk, then releases the files and the directory lock. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.transition('close');
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    // Visits accepted before close() still get written (unless the store has failed).
    await this.commits.drain();
    this.commits.rejectPending(new StoreClosedError());
    this.transition('drained');
    await Promise.allSettled([this.journal.close(), this.view.close()]);
    await this.lock.release();
  }

  /**
   * Every change of state goes through here: the state table decides where a trigger leads (and
   * refuses one it does not list), then the new state's entry actions run.
   */
  private transition(trigger: StoreTrigger, cause?: StoreWriteError): void {
    const from = this.state.status;
    const to = this.state.fire(trigger, cause?.message);
    if (to === 'degraded') {
      this.scheduleRetry();
    } else if (to === 'open' && from === 'degraded') {
      this.options.logger.info({ count: this.countValue }, 'visits are being written again');
    } else if (to === 'failed' && from !== 'failed' && cause !== undefined) {
      this.commits.rejectPending(cause);
      this.options.logger.error(
        { err: cause },
        'the visit store stopped after a failed write; restart to re-read the journal',
      );
      this.options.onFatal?.(cause);
    }
  }

  /** Writes and syncs one batch (GroupCommit's commit). */
  private async commit(waiting: Waiter[]): Promise<Acknowledge | undefined> {
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
    const { recentLimit } = this.options;
    const stamps = batch.length > recentLimit ? batch.slice(-recentLimit) : batch;
    const timestamps = stamps.map((w) => w.at);
    const started = process.hrtime.bigint();
    const appending = this.journal.hasRoomFor(timestamps.length);
    try {
      if (appending) {
        await this.journal.append(after, batch.length, timestamps);
      } else {
        await this.compact(after, timestamps);
      }
    } catch (error) {
      const failure = toWriteError(error, this.options.dir);
      this.options.onWriteFailed?.(appending ? 'commit' : 'compaction', failure);
      for (const w of batch) w.reject(failure);
      if (!failure.fatal) {
        this.options.logger.warn(
          { err: failure },
          'visits could not be written; nothing was acknowledged',
        );
      }
      this.transition(failure.fatal ? 'writeFailed' : 'unwritable', failure);
      return undefined;
    }
    const syncSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    this.countValue = after;
    for (const t of timestamps) this.recentTimestamps.push(t);
    if (this.recentTimestamps.length > 2 * recentLimit) {
      this.recentTimestamps.splice(0, this.recentTimestamps.length - recentLimit);
    }
    this.transition('written');
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
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state.status !== 'degraded') return;
      // A flush in progress will retry on its own; otherwise take the flush slot.
      if (!this.commits.runWhenIdle(() => this.retry())) this.scheduleRetry();
    }, this.options.retryIntervalMs);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    try {
      await this.compact(this.countValue, []);
    } catch (error) {
      const failure = toWriteError(error, this.options.dir);
      this.options.onWriteFailed?.('compaction', failure);
      this.transition(failure.fatal ? 'writeFailed' : 'unwritable', failure);
      return;
    }
    this.transition('written');
  }

  /**
   * Replaces the full journal with a new one whose snapshot already includes the batch. It keeps
   * the journal's capacity: readiness has made sure there is room for exactly that much, and the
   * write path never has to ask the file system (or a hung volume) how much room is left.
   */
  private async compact(count: number, batchTimestamps: number[]): Promise<void> {
    const recent = [...this.recentTimestamps, ...batchTimestamps].slice(-this.options.recentLimit);
    this.journalEpoch++;
    try {
      await this.journal.replace({ count, timestamps: recent });
    } finally {
      this.journalEpoch++;
    }
  }
}

function toWriteError(error: unknown, dir: string): StoreWriteError {
  if (error instanceof StoreWriteError) return error;
  return new StoreWriteError(`writing the journal failed: ${describeFsError(error, dir)}`, true, {
    cause: error,
  });
}
