/** Base class of every error the store throws; `code` is stable for callers and tests. */
export abstract class StoreError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The data directory cannot be used at all (missing permissions, read-only, not a directory). */
export class DataDirError extends StoreError {
  readonly code = 'DATA_DIR_UNUSABLE';
}

/** Another process holds the data directory's lock. */
export class DataDirInUseError extends StoreError {
  readonly code = 'DATA_DIR_IN_USE';
}

/** A file in the data directory is damaged; the store refuses to open and leaves it untouched. */
export class StoreCorruptError extends StoreError {
  readonly code = 'STORE_CORRUPT';
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      `${file} is damaged: ${problem}. The store refuses to start rather than lose or invent visits; ` +
        `the file was left untouched. Restore it from a backup, or move it away to start counting from 0.`,
      options,
    );
  }
}

/**
 * A write or sync failed. Nothing in the failed batch was acknowledged. `fatal` errors (a failed
 * write or fsync of the journal) leave the page cache in an unknown state, so the store stops
 * taking visits for good: the process must restart and re-read the journal from disk.
 */
export class StoreWriteError extends StoreError {
  readonly code = 'STORE_WRITE_FAILED';
  constructor(
    message: string,
    readonly fatal: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The store is closed or closing. */
export class StoreClosedError extends StoreError {
  readonly code = 'STORE_CLOSED';
  constructor() {
    super('the visit store is closed (the service is shutting down); retry on another replica');
  }
}

/** The count would pass the largest integer this store keeps exactly (2^53 - 1). */
export class CountLimitError extends StoreError {
  readonly code = 'COUNT_LIMIT';
}

/**
 * The data volume cannot hold the store: not even two of the smallest journals for its
 * `recentLimit`, the view and the margin fit in the space it has. The message gives the bytes
 * needed and what to change.
 */
export class VolumeTooSmallError extends StoreError {
  readonly code = 'VOLUME_TOO_SMALL';
  constructor(
    readonly dir: string,
    readonly availableBytes: number,
    readonly neededBytes: number,
    readonly recentLimit: number,
    /** The largest RECENT_VISITS that would fit; undefined when none does. */
    readonly fittingRecentLimit: number | undefined,
  ) {
    const lower =
      fittingRecentLimit === undefined
        ? ''
        : `, or lower RECENT_VISITS to ${fittingRecentLimit} or less`;
    super(
      `the data volume (DATA_DIR=${dir}) is too small for the visit store: it has ${availableBytes} bytes ` +
        `free, and with RECENT_VISITS=${recentLimit} the store needs ${neededBytes} ` +
        '(two journals, one being written while the other is in use, the visits file and a margin). ' +
        `Give it a volume with at least ${neededBytes} bytes free (${Math.ceil(neededBytes / 1024)} KiB)${lower}.`,
    );
  }
}
