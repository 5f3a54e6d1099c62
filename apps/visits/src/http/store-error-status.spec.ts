import { describe, expect, it } from 'vitest';
import {
  CountLimitError,
  DataDirInUseError,
  StoreClosedError,
  StoreWriteError,
} from '../store/store.errors.js';
import { storeErrorToHttp } from './store-error-status.js';

const answer = (error: unknown) => {
  const exception = storeErrorToHttp(error);
  return { status: exception.getStatus(), message: exception.message };
};

describe('storeErrorToHttp', () => {
  it('answers a closing store 503, pointing the client at another replica', () => {
    expect(answer(new StoreClosedError())).toEqual({
      status: 503,
      message: expect.stringMatching(/^the visit was not recorded: this replica is shutting down/),
    });
  });

  it('answers a failed write 503 without the store message, which names files', () => {
    const error = new StoreWriteError('fdatasync /data/journal failed: EIO', false);
    expect(answer(error).status).toBe(503);
    expect(answer(error).message).toMatch(/cannot write to its volume right now/);
    expect(answer(error).message).not.toContain('/data');
    const fatal = new StoreWriteError('fdatasync /data/journal failed: EIO', true);
    expect(answer(fatal).message).toMatch(/the replica is restarting/);
    expect(answer(fatal).message).not.toContain('/data');
  });

  it('answers a count at its limit 507 with the store message, which says what happened', () => {
    const error = new CountLimitError('the count would pass 2^53-1');
    expect(answer(error)).toEqual({ status: 507, message: 'the count would pass 2^53-1' });
  });

  it('answers anything else 500 without its message', () => {
    expect(answer(new DataDirInUseError('/data is locked by pid 7'))).toEqual({
      status: 500,
      message: 'the visit was not recorded',
    });
    expect(answer(new TypeError('x is undefined'))).toEqual({
      status: 500,
      message: 'the visit was not recorded',
    });
  });
});
