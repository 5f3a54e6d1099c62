import { setTimeout as delay } from 'node:timers/promises';

/**
 * Concurrent clients recording visits (POST /visits) until stopped. Counts what was attempted
 * (an upper bound for what can be on disk: a request that failed may still have been recorded)
 * and what was acknowledged with 201 (a lower bound: each is a distinct durable visit).
 */
export class VisitLoad {
  attempted = 0;
  /** The counts the service returned with 201, one per acknowledged visit. */
  readonly acknowledgedCounts: number[] = [];
  failures = 0;
  private stopping = false;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly baseUrl: string,
    concurrency: number,
  ) {
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  get acknowledged(): number {
    return this.acknowledgedCounts.length;
  }

  get highestAcknowledgedCount(): number {
    return this.acknowledgedCounts.reduce((max, count) => Math.max(max, count), 0);
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      this.attempted += 1;
      try {
        const response = await fetch(`${this.baseUrl}/visits`, {
          method: 'POST',
          signal: AbortSignal.timeout(5_000),
        });
        if (response.status === 201) {
          const body = (await response.json()) as { count: number };
          this.acknowledgedCounts.push(body.count);
        } else {
          await response.body?.cancel();
          this.failures += 1;
        }
      } catch {
        this.failures += 1;
        // The server is gone or going: back off instead of spinning on refused connections.
        await delay(20);
      }
    }
  }

  /** Stops the clients and waits for their last requests to settle. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }
}
