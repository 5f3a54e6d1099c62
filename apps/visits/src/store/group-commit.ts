/*
 * Group commit: visits that arrive together share one journal write and one sync. One batch is
 * being written at a time; the visits that arrive meanwhile form the next batch. A batch's visits
 * are answered while the next batch is being synced, so the disk never waits for the event loop.
 */

/** One visit waiting for its batch to reach the disk. */
export interface Waiter {
  /** When the visit arrived (ms since the epoch): its timestamp in the journal. */
  readonly at: number;
  resolve(count: number): void;
  reject(error: Error): void;
}

/** Answers a committed batch's visits. */
export type Acknowledge = () => void;

export interface GroupCommitOptions {
  /**
   * Writes and syncs one batch. Resolves with what answers its visits, or undefined when they
   * were rejected (the commit rejects them itself).
   */
  readonly commit: (batch: Waiter[]) => Promise<Acknowledge | undefined>;
  /** False once the store has failed for good: no further batch is written. */
  readonly writable: () => boolean;
}

export class GroupCommit {
  private pending: Waiter[] = [];
  /** The flush slot: a running flush loop, or a task that must not overlap one. */
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions) {}

  /** Queues one visit; resolves with its count once its batch is durable. */
  add(at: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ at, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Runs `task` in the flush slot when nothing is queued or being written, so no batch is written
   * while it runs; returns false (and does not run it) otherwise.
   */
  runWhenIdle(task: () => Promise<void>): boolean {
    if (this.flushing !== undefined || this.pending.length > 0) return false;
    this.occupy(task());
    return true;
  }

  /** Writes every queued visit; stops early once the store is no longer writable. */
  async drain(): Promise<void> {
    while (this.flushing !== undefined || this.pending.length > 0) {
      if (this.flushing === undefined) this.startFlush();
      await this.flushing;
      if (!this.options.writable()) break;
    }
  }

  /** Rejects every queued visit that is not yet being written. */
  rejectPending(error: Error): void {
    const pending = this.pending;
    this.pending = [];
    for (const w of pending) w.reject(error);
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
    this.occupy(this.flushLoop());
  }

  private occupy(work: Promise<void>): void {
    this.flushing = work.finally(() => {
      this.flushing = undefined;
      // A visit may have arrived after the last check and before this line.
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async flushLoop(): Promise<void> {
    let acknowledge: Acknowledge | undefined;
    while (this.pending.length > 0 && this.options.writable()) {
      const batch = this.pending;
      this.pending = [];
      const committing = this.options.commit(batch);
      // The previous batch is durable: answer its visits while this one is being synced.
      acknowledge?.();
      acknowledge = await committing;
    }
    acknowledge?.();
  }
}
