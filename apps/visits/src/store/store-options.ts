import {
  DATA_FILES,
  JOURNAL_MAX_BYTES,
  MAX_RECENT,
  type WriteOperation,
} from '@stateful-visits/visits-contract';
import { HEADER_SIZE, recordSize } from './journal.js';
import { nodeIo, type StoreIo } from './journal-file.js';
import type { StoreWriteError } from './store.errors.js';
import { defaultStatfs, type StatFs } from './volume-space.js';

/** The plain count, for people and the seed apps' readers; the journal is the durable copy. */
export const VIEW_FILE = DATA_FILES.count;
/** Held (an OFD lock) while a store has the directory open. */
export const LOCK_FILE = DATA_FILES.lock;

/**
 * The largest journal, and the capacity of the first one on a volume of 2068 KiB or more: it holds
 * thousands of batches between compactions and reads in about a millisecond.
 */
export const DEFAULT_JOURNAL_CAPACITY = JOURNAL_MAX_BYTES;
/** The most recent timestamps kept (the contract's bound on `RECENT_VISITS` and `limit`). */
export { MAX_RECENT };

/** pino's logger fits this shape. */
export interface StoreLogger {
  info(data: object, msg: string): void;
  warn(data: object, msg: string): void;
  error(data: object, msg: string): void;
}

export interface VisitStoreOptions {
  /** The data directory; created when missing. */
  readonly dir: string;
  /** How many recent visit timestamps to keep (1 to 1000). @default 100 */
  readonly recentLimit?: number;
  /**
   * Capacity of a journal the store writes from nothing (no journal yet), in bytes; tests set
   * small ones. A journal that exists keeps the capacity its header records, through restarts and
   * compactions. @default 'auto': sized from the volume's free space (the contract's
   * journalBytesFor), at most 1 MiB
   */
  readonly journalCapacity?: number | 'auto';
  readonly clock?: () => number;
  readonly logger?: StoreLogger;
  readonly io?: StoreIo;
  /** Called after each committed batch: how many visits, and how long its write+sync took. */
  readonly onCommit?: (visits: number, syncSeconds: number) => void;
  /** Called once when a failed write or sync stops the store for good. */
  readonly onFatal?: (error: StoreWriteError) => void;
  /**
   * Called for every failed write or sync of the journal: `commit` when appending a batch,
   * `compaction` when writing a new journal (for a batch, or the retry while degraded).
   */
  readonly onWriteFailed?: (operation: WriteOperation, error: StoreWriteError) => void;
  /**
   * While degraded (a new journal could not be written, e.g. the volume is full), how often the
   * store tries again by itself. @default 1000
   */
  readonly retryIntervalMs?: number;
  /** Asks the file system for free space (the seam the unit tests hang). @default fs.promises.statfs */
  readonly statfs?: StatFs;
  /**
   * How long a free-space check may wait for statfs before the volume counts as unresponsive,
   * and how long an answer is reused. @default { timeoutMs: 1000, cacheMs: 1000 }
   */
  readonly volumeCheck?: { readonly timeoutMs: number; readonly cacheMs: number };
}

type Callbacks = 'onCommit' | 'onFatal' | 'onWriteFailed';
export type ResolvedOptions = Required<Omit<VisitStoreOptions, Callbacks>> &
  Pick<VisitStoreOptions, Callbacks>;

const noopLogger: StoreLogger = { info() {}, warn() {}, error() {} };

/** Fills in the defaults and checks the limits; a wrong value is a programming error (RangeError). */
export function resolveOptions(options: VisitStoreOptions): ResolvedOptions {
  const opts: ResolvedOptions = {
    recentLimit: 100,
    clock: Date.now,
    logger: noopLogger,
    io: nodeIo,
    retryIntervalMs: 1000,
    statfs: defaultStatfs,
    volumeCheck: { timeoutMs: 1000, cacheMs: 1000 },
    ...options,
    journalCapacity: options.journalCapacity ?? 'auto',
  };
  if (
    !Number.isInteger(opts.recentLimit) ||
    opts.recentLimit < 1 ||
    opts.recentLimit > MAX_RECENT
  ) {
    throw new RangeError(`recentLimit must be an integer from 1 to ${MAX_RECENT}`);
  }
  const minCapacity = HEADER_SIZE + 2 * recordSize(opts.recentLimit);
  const capacity = opts.journalCapacity;
  if (capacity !== 'auto' && (capacity < minCapacity || capacity > 0xffffffff)) {
    throw new RangeError(
      `journalCapacity must be at least ${minCapacity} bytes for ${opts.recentLimit} recent visits`,
    );
  }
  return opts;
}
