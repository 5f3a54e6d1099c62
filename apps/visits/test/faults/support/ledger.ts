import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { scanJournal, type ScanResult } from '../../../src/store/journal.js';
import { JOURNAL_FILE, MAX_RECENT } from '../../../src/store/visit-store.js';
import type { Load } from './load.js';

/**
 * What the run has seen so far: every count acknowledged with 201, and every visit attempted. The
 * store's contract after any crash: count ≥ every acknowledged count, count ≤ visits attempted.
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

  add(load: Load): void {
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

/**
 * The journal as the next start will read it (the page cache after a kill -9): it must scan clean,
 * perhaps with a torn last write, and hold every acknowledged visit.
 */
export async function checkJournal(
  dataDir: string,
  ledger: Ledger,
  where: string,
): Promise<ScanResult | undefined> {
  const raw = await readFile(join(dataDir, JOURNAL_FILE)).catch(() => undefined);
  if (raw === undefined) {
    expect(ledger.highest, `${where}: the journal is missing`).toBe(0);
    return undefined;
  }
  const scan = scanJournal(raw, MAX_RECENT);
  expect(scan.count, `${where}: journal below the highest acknowledged`).toBeGreaterThanOrEqual(
    ledger.highest,
  );
  return scan;
}
