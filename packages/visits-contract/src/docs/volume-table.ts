import { MAX_RECENT } from '../data-dir.js';
import { environment } from '../environment.js';
import {
  FULL_JOURNAL_VOLUME_BYTES,
  binaryQuantity,
  journalBytesFor,
  minJournalBytes,
  minVolumeBytes,
} from '../volume.js';
import { markdownTable } from './configuration-table.js';

/** Volumes the table shows the journal for, besides the minimum. */
const VOLUMES = [100 * 1024, 1024 * 1024, FULL_JOURNAL_VOLUME_BYTES];

/** What the store needs and uses of its volume at a few `RECENT_VISITS`: docs/deployment.md's table. */
export function volumeSizingTable(): string {
  const fallback = environment.RECENT_VISITS.default;
  const recents = [...new Set([1, 10, fallback, MAX_RECENT])].sort((a, b) => a - b);
  const journalOn = (recent: number, volume: number) => {
    const journal = journalBytesFor(recent, volume);
    return journal === undefined ? 'too small' : binaryQuantity(journal);
  };
  return markdownTable(
    [
      '`RECENT_VISITS`',
      'smallest journal',
      'minimum volume',
      ...VOLUMES.map(
        (v, i) => `journal on ${binaryQuantity(v)}${i === VOLUMES.length - 1 ? ' or more' : ''}`,
      ),
    ],
    recents.map((recent) => [
      `${recent}${recent === fallback ? ' (default)' : ''}`,
      binaryQuantity(minJournalBytes(recent)),
      binaryQuantity(minVolumeBytes(recent)),
      ...VOLUMES.map((v) => journalOn(recent, v)),
    ]),
  );
}
