import { statfs as nodeStatfs } from 'node:fs/promises';
import { VOLUME_MARGIN_BYTES, requiredFreeBytes } from '@stateful-visits/visits-contract';
import type { StoreLogger } from './store-options.js';

/*
 * How much room the data volume has for the store's next journal, asked of the file system with
 * statfs. A hung volume (an NFS server gone, a stuck CSI driver) can block statfs for minutes, and
 * each call in flight holds one of libuv's four threads — the ones the journal's fdatasync needs.
 * So at most one statfs is ever outstanding (callers share it, also after they stopped waiting for
 * it), callers wait for it at most `timeoutMs`, and an answer is reused for `cacheMs`.
 */

/** What the store needs of statfs(2); node's `fs.promises.statfs` fits. */
export type StatFs = (dir: string) => Promise<{ readonly bavail: number; readonly bsize: number }>;

/** Node's statfs (the fault suite's preload replaces it before the service loads). */
export const defaultStatfs: StatFs = (dir) => nodeStatfs(dir);

export interface VolumeFacts {
  /** Free bytes at the last answer (undefined before the first). */
  readonly freeBytes: number | undefined;
  /** What readiness requires free: the next journal, in whole blocks, and the margin. */
  readonly requiredBytes: number;
  /** Whether the last answer showed less than `requiredBytes` free. */
  readonly low: boolean;
}

export type VolumeReading =
  /** statfs answered: `low` when free space is below what the next compaction needs. */
  | ({ readonly state: 'measured'; readonly freeBytes: number } & VolumeFacts)
  /** A statfs has been outstanding longer than `timeoutMs`. */
  | { readonly state: 'unresponsive'; readonly pendingMs: number; readonly timeoutMs: number }
  /** statfs failed. */
  | { readonly state: 'unreadable'; readonly problem: string };

export interface VolumeSpaceOptions {
  readonly dir: string;
  readonly statfs: StatFs;
  readonly timeoutMs: number;
  readonly cacheMs: number;
  /** The capacity of the journal in use: the next compaction writes one as big. */
  readonly journalBytes: () => number;
  /**
   * Changes when a compaction starts and when it ends (odd while one runs). While a compaction
   * has its new journal beside the old one, free space is briefly one journal lower than it will
   * be; an answer taken then is not used, so readiness does not flap with every compaction.
   */
  readonly journalEpoch: () => number;
  readonly logger: StoreLogger;
  readonly clock?: () => number;
}

export class VolumeSpace {
  private pending: { readonly settled: Promise<void>; readonly since: number } | undefined;
  private measured: Extract<VolumeReading, { state: 'measured' }> | undefined;
  private latest: VolumeReading | undefined;
  private latestAt = Number.NEGATIVE_INFINITY;
  private responsive = true;
  private readonly clock: () => number;

  constructor(private readonly options: VolumeSpaceOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /** How long a check waits for statfs before it reports the volume unresponsive. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** The facts of the last answer, without asking the file system. */
  facts(): VolumeFacts {
    return {
      freeBytes: this.measured?.freeBytes,
      requiredBytes: this.measured?.requiredBytes ?? requiredFreeBytes(this.options.journalBytes()),
      low: this.measured?.low ?? false,
    };
  }

  /**
   * A fresh enough answer, or the one statfs in flight (started now if none is), waited for until
   * it has been outstanding `timeoutMs`; after that: `unresponsive`. Never rejects.
   */
  async check(): Promise<VolumeReading> {
    if (this.pending === undefined) {
      if (this.latest !== undefined && this.clock() - this.latestAt < this.options.cacheMs) {
        return this.latest;
      }
      this.start();
    }
    const pending = this.pending!;
    // Past the timeout, still a turn of the event loop: an answer that has just come in counts.
    const waitMs = Math.max(0, pending.since + this.options.timeoutMs - this.clock());
    if (await settlesWithin(pending.settled, waitMs)) return this.latest!;
    return this.stillPending(pending.since);
  }

  private start(): void {
    const { dir, statfs, journalEpoch } = this.options;
    const epoch = journalEpoch();
    const since = this.clock();
    let answer: ReturnType<StatFs>;
    try {
      answer = statfs(dir);
    } catch (error) {
      // A statfs that throws instead of rejecting still ends up in failed().
      answer = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const settled = answer
      .then(
        (fs) =>
          this.answered(
            fs.bavail * fs.bsize,
            fs.bsize,
            epoch !== journalEpoch() || epoch % 2 === 1,
          ),
        (error: unknown) => this.failed(error),
      )
      .finally(() => {
        this.pending = undefined;
        if (!this.responsive) {
          this.responsive = true;
          this.options.logger.info(
            { tookMs: Math.round(this.clock() - since) },
            'the data volume answers again: its free-space check (statfs) returned',
          );
        }
      });
    this.pending = { settled, since };
  }

  private answered(freeBytes: number, blockBytes: number, duringCompaction: boolean): void {
    // The previous answer stands; without one, this one is better than none.
    if (duringCompaction && this.measured !== undefined) {
      this.latest = this.measured;
      return;
    }
    const journalBytes = this.options.journalBytes();
    const requiredBytes = requiredFreeBytes(journalBytes, blockBytes);
    const low = freeBytes < requiredBytes;
    const wasLow = this.measured?.low ?? false;
    this.measured = { state: 'measured', freeBytes, requiredBytes, low };
    this.latest = this.measured;
    this.latestAt = this.clock();
    const figures = { freeBytes, requiredBytes, journalBytes, marginBytes: VOLUME_MARGIN_BYTES };
    if (low && !wasLow) {
      this.options.logger.warn(
        figures,
        `not ready: ${lowSpaceReason(this.measured, journalBytes)}`,
      );
    } else if (!low && wasLow) {
      this.options.logger.info(
        figures,
        'ready again: the data volume has room for the next journal',
      );
    }
  }

  private failed(error: unknown): void {
    const problem = error instanceof Error ? error.message : String(error);
    // Logged when it starts failing, or fails differently.
    if (this.latest?.state !== 'unreadable' || this.latest.problem !== problem) {
      this.options.logger.warn({ err: error }, 'could not read the free space of the data volume');
    }
    this.latest = { state: 'unreadable', problem };
    this.latestAt = this.clock();
  }

  private stillPending(since: number): VolumeReading {
    const { timeoutMs } = this.options;
    if (this.responsive) {
      this.responsive = false;
      this.options.logger.warn(
        { timeoutMs },
        `the data volume has not answered a free-space check (statfs) within ${timeoutMs} ms: ` +
          'readiness reports it unresponsive; visits are still written while the journal has room',
      );
    }
    return { state: 'unresponsive', pendingMs: Math.round(this.clock() - since), timeoutMs };
  }
}

/** Why a measured volume is not ready, for readiness and the log. */
export function lowSpaceReason(
  reading: { readonly freeBytes: number; readonly requiredBytes: number },
  journalBytes: number,
): string {
  return (
    `the data volume is nearly full (${reading.freeBytes} bytes free, ${reading.requiredBytes} needed: ` +
    `the next journal of ${journalBytes} bytes and a ${VOLUME_MARGIN_BYTES}-byte margin); ` +
    'free space on it or grow it'
  );
}

/** Whether `promise` settles within `ms` (the timer does not outlive the answer). */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
