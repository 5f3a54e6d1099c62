import { expect } from 'vitest';
import type { VisitLoad } from './load.ts';

/**
 * What a run of loads and restarts has seen so far: every count acknowledged with 201, and every
 * visit attempted. The store's contract after any crash: count ≥ every acknowledged count,
 * count ≤ visits attempted.
 */
export class Ledger {
  readonly acknowledged = new Set<number>();
  readonly duplicates: number[] = [];
  highest = 0;
  attempted = 0;
  /** The count the last clean start reported, and the attempts since then. */
  lastCount: number;
  attemptedSinceLastCount = 0;

  constructor(startCount = 0) {
    this.lastCount = startCount;
  }

  add(load: VisitLoad): void {
    for (const count of load.acknowledged) {
      if (this.acknowledged.has(count)) this.duplicates.push(count);
      else this.acknowledged.add(count);
      if (count > this.highest) this.highest = count;
    }
    this.attempted += load.attempted;
    this.attemptedSinceLastCount += load.attempted;
  }

  /** Checks a count read after a restart against the contract. */
  check(count: number, where: string): void {
    expect(count, `${where}: below the highest acknowledged count`).toBeGreaterThanOrEqual(
      this.highest,
    );
    expect(count, `${where}: went down across a restart`).toBeGreaterThanOrEqual(this.lastCount);
    expect(count, `${where}: more visits than were attempted`).toBeLessThanOrEqual(
      this.lastCount + this.attemptedSinceLastCount,
    );
    this.lastCount = count;
    this.attemptedSinceLastCount = 0;
  }
}
