import type { StoreLogger } from './store-options.js';

/*
 * The store's states and what moves it between them (docs/architecture.md draws the same table).
 * Every change of state goes through StoreState.fire(): a trigger the table does not list for the
 * current state is a bug in the store, and it throws instead of leaving the store somewhere
 * nobody planned for.
 */

/**
 * `opening` lasts only while VisitStore.open() runs: a store you hold is at least open.
 * `degraded`: a new journal could not be written (full or unwritable volume); retried by itself.
 * `failed`: a write or sync of the journal failed; only a restart (re-reading the journal) helps.
 */
export type StoreStatus = 'opening' | 'open' | 'degraded' | 'failed' | 'closing' | 'closed';

export type StoreTrigger =
  /** The journal was read and checked, the view brought up to date. */
  | 'opened'
  /** Opening threw (damaged files, unusable directory, lock held): the lock is released. */
  | 'openFailed'
  /** A batch, or the retry, wrote and synced the journal. */
  | 'written'
  /** A new journal could not be written (not fatal: the old one is intact). */
  | 'unwritable'
  /** A write or sync of the journal failed (fatal). */
  | 'writeFailed'
  /** close() was called. */
  | 'close'
  /** close() has written what it could and is releasing the files and the lock. */
  | 'drained';

/** For each state, the triggers it accepts and the state each one leads to. */
export const TRANSITIONS: {
  readonly [S in StoreStatus]: { readonly [T in StoreTrigger]?: StoreStatus };
} = {
  opening: { opened: 'open', openFailed: 'closed' },
  open: { written: 'open', unwritable: 'degraded', writeFailed: 'failed', close: 'closing' },
  degraded: { written: 'open', unwritable: 'degraded', writeFailed: 'failed', close: 'closing' },
  // The store has failed for good: closing it changes nothing about that until it is closed.
  failed: { close: 'failed', drained: 'closed' },
  // Once closing, the store never opens again: neither the last batches nor a retry that was
  // already writing when close() began can turn it back into `open` or `degraded`.
  closing: { written: 'closing', unwritable: 'closing', writeFailed: 'failed', drained: 'closed' },
  closed: {},
};

export interface StoreHealth {
  readonly status: StoreStatus;
  /** Why the store is not `open`. */
  readonly reason?: string;
}

/** A trigger the current state does not accept: a bug in the store, not a fault of the disk. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: StoreStatus,
    readonly trigger: StoreTrigger,
  ) {
    super(
      `the visit store cannot take "${trigger}" while ${from}: no such transition in its state table (a bug in the store)`,
    );
    this.name = 'IllegalTransitionError';
  }
}

/** The one place the store's state changes. */
export class StoreState {
  private current: StoreStatus = 'opening';
  private why: string | undefined;

  constructor(private readonly logger: StoreLogger) {}

  get status(): StoreStatus {
    return this.current;
  }

  health(): StoreHealth {
    return this.why === undefined
      ? { status: this.current }
      : { status: this.current, reason: this.why };
  }

  /**
   * Moves to the state the table gives for `trigger` and returns it. `reason` says why the store
   * is degraded or failed; only those states keep one.
   * @throws IllegalTransitionError when the current state does not accept `trigger`
   */
  fire(trigger: StoreTrigger, reason?: string): StoreStatus {
    const from = this.current;
    const to = TRANSITIONS[from][trigger];
    if (to === undefined) {
      const error = new IllegalTransitionError(from, trigger);
      this.logger.error({ err: error, from, trigger }, 'illegal visit store transition');
      throw error;
    }
    this.current = to;
    this.why = to === 'degraded' || to === 'failed' ? (reason ?? this.why) : undefined;
    return to;
  }
}
