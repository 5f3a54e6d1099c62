import { HttpException, InternalServerErrorException } from '@nestjs/common';
import { StoreError, StoreWriteError } from '../store/store.errors.js';

interface StoreErrorAnswer {
  readonly status: number;
  /** What the client reads: never the store's own message when that names files or directories. */
  readonly message: (error: StoreError) => string;
}

/**
 * How a request that meets a store error is answered, by the error's stable `code`. Nothing was
 * acknowledged in any of these cases. The store's own messages name files and the data directory:
 * they go to the log (the store logs each failure once) and to the readiness report, not to every
 * client. The other codes (DATA_DIR_UNUSABLE, DATA_DIR_IN_USE, STORE_CORRUPT) are raised only while
 * the store opens, before the server listens: main.ts reports them.
 */
export const STORE_ERROR_STATUS: Readonly<Record<string, StoreErrorAnswer>> = {
  STORE_CLOSED: {
    status: 503,
    message: () =>
      'the visit was not recorded: this replica is shutting down; retry, another replica will take it',
  },
  STORE_WRITE_FAILED: {
    status: 503,
    message: (error) =>
      error instanceof StoreWriteError && error.fatal
        ? "the visit was not recorded: a write to this replica's volume failed and the replica is restarting; retry shortly or on another replica"
        : 'the visit was not recorded: this replica cannot write to its volume right now (its log and /health/ready say why); retry shortly or on another replica',
  },
  // The count has reached 2^53 - 1; the message says so and what to do.
  COUNT_LIMIT: { status: 507, message: (error) => error.message },
};

/** The HTTP answer to a failed visit: a store error by the table above, anything else a 500. */
export function storeErrorToHttp(error: unknown): HttpException {
  if (error instanceof StoreError) {
    const answer = STORE_ERROR_STATUS[error.code];
    if (answer !== undefined) return new HttpException(answer.message(error), answer.status);
  }
  return new InternalServerErrorException('the visit was not recorded');
}
