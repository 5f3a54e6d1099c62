import { describe, expect, it } from 'vitest';
import { MAX_RECENT } from './data-dir.js';
import { environment } from './environment.js';
import {
  FULL_JOURNAL_VOLUME_BYTES,
  JOURNAL_HEADER_BYTES,
  JOURNAL_MAX_BYTES,
  JOURNAL_MIN_BATCHES,
  VIEW_FILE_BYTES,
  VOLUME_BLOCK_BYTES,
  VOLUME_MARGIN_BYTES,
  binaryQuantity,
  journalBytesFor,
  journalRecordBytes,
  minJournalBytes,
  minVolumeBytes,
  peakStoreBytes,
  requiredFreeBytes,
} from './volume.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const RECENT = [1, 10, environment.RECENT_VISITS.default, 500, MAX_RECENT];

describe('the smallest journal and volume', () => {
  it('holds a full snapshot and a few full batches, in whole blocks', () => {
    for (const recent of RECENT) {
      const journal = minJournalBytes(recent);
      expect(journal % VOLUME_BLOCK_BYTES).toBe(0);
      expect(journal).toBeGreaterThanOrEqual(
        JOURNAL_HEADER_BYTES + (1 + JOURNAL_MIN_BATCHES) * journalRecordBytes(recent),
      );
      expect(journal - VOLUME_BLOCK_BYTES).toBeLessThan(
        JOURNAL_HEADER_BYTES + (1 + JOURNAL_MIN_BATCHES) * journalRecordBytes(recent),
      );
    }
  });

  it('comes to these figures (docs/deployment.md lists them)', () => {
    expect(minJournalBytes(1)).toBe(4 * KiB);
    expect(minJournalBytes(100)).toBe(8 * KiB);
    expect(minJournalBytes(1000)).toBe(40 * KiB);
    expect(minVolumeBytes(1)).toBe(28 * KiB);
    expect(minVolumeBytes(100)).toBe(36 * KiB);
    expect(minVolumeBytes(1000)).toBe(100 * KiB);
    expect(FULL_JOURNAL_VOLUME_BYTES).toBe(2068 * KiB);
  });
});

describe('journalBytesFor', () => {
  it('refuses a volume below the minimum and gives the smallest journal at it', () => {
    for (const recent of RECENT) {
      const min = minVolumeBytes(recent);
      expect(journalBytesFor(recent, min - 1)).toBeUndefined();
      expect(journalBytesFor(recent, 0)).toBeUndefined();
      expect(journalBytesFor(recent, min)).toBe(minJournalBytes(recent));
    }
  });

  it('sizes the journals of the volumes the fault suite mounts', () => {
    const recent = environment.RECENT_VISITS.default;
    expect(journalBytesFor(recent, 100 * KiB)).toBe(40 * KiB);
    expect(journalBytesFor(recent, 1 * MiB)).toBe(500 * KiB);
    expect(journalBytesFor(recent, 4 * MiB)).toBe(JOURNAL_MAX_BYTES);
    expect(journalBytesFor(recent, 8 * MiB)).toBe(JOURNAL_MAX_BYTES);
    expect(journalBytesFor(recent, FULL_JOURNAL_VOLUME_BYTES)).toBe(JOURNAL_MAX_BYTES);
    expect(journalBytesFor(recent, FULL_JOURNAL_VOLUME_BYTES - 1)).toBeLessThan(JOURNAL_MAX_BYTES);
  });

  // The property everything rests on: a store whose first journal was sized this way is ready
  // at once, and stays able to write its next journal.
  it('always leaves room for a second journal, the view and the margin: ready after creation', () => {
    for (const recent of RECENT) {
      let previous = 0;
      for (let available = 0; available <= 3 * MiB; available += 1021) {
        const journal = journalBytesFor(recent, available);
        if (journal === undefined) {
          expect(available).toBeLessThan(minVolumeBytes(recent));
          continue;
        }
        expect(journal % VOLUME_BLOCK_BYTES).toBe(0);
        expect(journal).toBeGreaterThanOrEqual(minJournalBytes(recent));
        expect(journal).toBeLessThanOrEqual(JOURNAL_MAX_BYTES);
        expect(journal, 'never smaller on a bigger volume').toBeGreaterThanOrEqual(previous);
        previous = journal;
        const freeAfterCreation = available - journal - VIEW_FILE_BYTES;
        expect(
          freeAfterCreation,
          `${recent} recent, ${available} available`,
        ).toBeGreaterThanOrEqual(requiredFreeBytes(journal));
        expect(peakStoreBytes(journal) + VOLUME_MARGIN_BYTES).toBeLessThanOrEqual(available);
      }
    }
  }, 60_000); // thousands of sizes per RECENT_VISITS: seconds on a loaded machine
});

describe('requiredFreeBytes', () => {
  it('is the next journal in whole blocks of the volume, plus the margin', () => {
    expect(requiredFreeBytes(JOURNAL_MAX_BYTES)).toBe(JOURNAL_MAX_BYTES + VOLUME_MARGIN_BYTES);
    expect(requiredFreeBytes(40 * KiB)).toBe(56 * KiB);
    // A journal written by hand or by an older build need not be a whole number of blocks.
    expect(requiredFreeBytes(5000)).toBe(8 * KiB + VOLUME_MARGIN_BYTES);
    expect(requiredFreeBytes(40 * KiB, 64 * KiB)).toBe(64 * KiB + VOLUME_MARGIN_BYTES);
  });
});

describe('binaryQuantity', () => {
  it('writes bytes as Kubernetes writes binary quantities', () => {
    expect(binaryQuantity(36 * KiB)).toBe('36Ki');
    expect(binaryQuantity(2068 * KiB)).toBe('2068Ki');
    expect(binaryQuantity(MiB)).toBe('1Mi');
    expect(binaryQuantity(3 * 1024 * MiB)).toBe('3Gi');
    expect(binaryQuantity(1000)).toBe('1000');
  });
});
