import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  HEADER_SIZE,
  RecordKind,
  encodeHeader,
  encodeRecord,
  JOURNAL_VERSION,
  scanJournal,
  type ScanResult,
} from '../../../src/store/journal.js';
import {
  DEFAULT_JOURNAL_CAPACITY,
  JOURNAL_FILE,
  MAX_RECENT,
} from '../../../src/store/visit-store.js';
import { countOf } from '../../harness/http.js';
import type { Ledger } from '../../harness/ledger.js';
import { ServiceProcess } from '../../harness/service-process.js';

/** The size of a batch record without timestamps. */
const BARE_RECORD = encodeRecord({
  kind: RecordKind.batch,
  count: 1,
  added: 1,
  timestamps: [],
}).length;

/**
 * A valid journal holding `count` that has only `slack` bytes left: a snapshot followed by
 * one-visit batches, as a long quiet run would leave it. The next batches make the store write a
 * new journal (compaction). Needs count ≥ the number of filler records (about 32,000 for 1 MiB).
 */
function nearlyFullJournal(
  count: number,
  slack: number,
  capacity = DEFAULT_JOURNAL_CAPACITY,
): Buffer {
  const fillers = Math.floor((capacity - HEADER_SIZE - BARE_RECORD - slack) / BARE_RECORD);
  if (fillers > count) throw new RangeError(`a count of ${count} is too small to fill the journal`);
  const buf = Buffer.alloc(capacity);
  encodeHeader({ version: JOURNAL_VERSION, capacity, generation: 1n }).copy(buf, 0);
  let at = HEADER_SIZE;
  let c = count - fillers;
  at += encodeRecord({ kind: RecordKind.snapshot, count: c, added: 0, timestamps: [] }).copy(
    buf,
    at,
  );
  for (let i = 0; i < fillers; i++) {
    c += 1;
    at += encodeRecord({ kind: RecordKind.batch, count: c, added: 1, timestamps: [] }).copy(
      buf,
      at,
    );
  }
  return buf;
}

/**
 * The capacities journals get on the volumes of issue 12 with default settings (100 KiB, 1 MiB, and
 * 2068 KiB or more): the crash and power-loss loops fill journals of each, and a journal keeps its
 * capacity through the compactions that follow.
 */
export const JOURNAL_CAPACITIES = [40 * 1024, 500 * 1024, DEFAULT_JOURNAL_CAPACITY] as const;

/** Replaces the store's files with a nearly full journal at `count` (the service must be stopped). */
export async function fillJournal(
  dataDir: string,
  count: number,
  slack: number,
  capacity: number = DEFAULT_JOURNAL_CAPACITY,
): Promise<void> {
  await writeFile(join(dataDir, 'visits.journal'), nearlyFullJournal(count, slack, capacity));
  await writeFile(join(dataDir, 'visits'), `${count}\n`);
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

/**
 * The end of a crash or power-loss loop: the journal holds every acknowledged visit, a clean start
 * reports a count within the contract, no count was acknowledged twice, and a SIGTERM stops it
 * with exit code 0. Returns that count.
 */
export async function checkLastStart(
  dataDir: string,
  ledger: Ledger,
  where: string,
): Promise<number> {
  await checkJournal(dataDir, ledger, where);
  const last = await ServiceProcess.start(dataDir);
  const count = await countOf(last.url);
  ledger.check(count, where);
  expect(ledger.duplicates, 'counts acknowledged twice').toEqual([]);
  expect((await last.stop()).code).toBe(0);
  return count;
}
