import { JOURNAL_HEADER_BYTES, journalRecordBytes } from '@stateful-visits/visits-contract';
import { describe, expect, it } from 'vitest';
import {
  HEADER_SIZE,
  JournalFormatError,
  RecordKind,
  encodeJournal,
  encodeRecord,
  recordSize,
  scanJournal,
} from './journal.js';

const CAPACITY = 1024;

function journalWith(batches: number): Buffer {
  const buf = encodeJournal(CAPACITY, 1n, { count: 7, timestamps: [1] });
  let at = HEADER_SIZE + recordSize(1);
  for (let i = 1; i <= batches; i++) {
    const record = encodeRecord({
      kind: RecordKind.batch,
      count: 7 + i,
      added: 1,
      timestamps: [i],
    });
    record.copy(buf, at);
    at += record.length;
  }
  return buf;
}

describe('scanJournal', () => {
  it('reads the snapshot and every batch after it', () => {
    const scan = scanJournal(journalWith(3), 10);
    expect(scan).toMatchObject({ count: 10, records: 4, timestamps: [1, 1, 2, 3] });
    expect(scan.tornTail).toBeUndefined();
  });

  // Found by the journal fuzzer (test/faults/journal-fuzz.faults-spec.ts): a journal whose records
  // were zeroed was read as 0 visits.
  it('refuses a journal whose snapshot is gone (its records zeroed) instead of reading 0 visits', () => {
    const zeroed = journalWith(2).fill(0, HEADER_SIZE);
    expect(() => scanJournal(zeroed, 10)).toThrow(JournalFormatError);
    expect(() => scanJournal(zeroed, 10)).toThrow(/no records: the snapshot at byte 32 is missing/);
  });
});

describe('the journal format', () => {
  it('has the sizes the contract sizes volumes by', () => {
    expect(HEADER_SIZE).toBe(JOURNAL_HEADER_BYTES);
    for (const n of [0, 1, 100, 1000]) {
      const timestamps = Array.from({ length: n }, (_, i) => i);
      const record = encodeRecord({
        kind: RecordKind.batch,
        count: n + 1,
        added: n + 1,
        timestamps,
      });
      expect(record.length).toBe(journalRecordBytes(n));
      expect(recordSize(n)).toBe(journalRecordBytes(n));
    }
  });
});
