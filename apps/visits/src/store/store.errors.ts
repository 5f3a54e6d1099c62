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
