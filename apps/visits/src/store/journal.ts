import { crc32 } from 'node:zlib';

/*
 * The journal file: the store's source of truth.
 *
 * The file is preallocated to a fixed `capacity` filled with zeros, so appends overwrite zeros in
 * place: they never change the file's size (no metadata to sync, no ENOSPC on append), and any
 * change of size is damage. Layout:
 *
 *   header (32 bytes)   magic "SVJOURNL" | version u32 | capacity u32 | generation u64 | 4 zero | crc32
 *   record*             magic "SVR1" | payload length u32 | payload | crc32 over magic..payload
 *   zeros               up to capacity
 *
 * payload: kind u8 (1 snapshot, 2 batch) | 3 zero | count u64 | added u32 | n u32 | n × f64 ms
 *
 * The first record is a snapshot (the whole state: count and recent timestamps); each later record
 * is one committed batch (the count after it, how many visits it added, and their timestamps, at most
 * as many as the store keeps). When the next record does not fit, the store writes a new journal
 * holding a single snapshot, so the file, and the time to open it, stay bounded.
 */

export const HEADER_SIZE = 32;
export const RECORD_OVERHEAD = 12; // magic + length + crc
const PAYLOAD_FIXED = 20; // kind + pad + count + added + n
const JOURNAL_MAGIC = Buffer.from('SVJOURNL', 'latin1');
const RECORD_MAGIC = 0x53565231; // "SVR1"
export const JOURNAL_VERSION = 1;

export const RecordKind = { snapshot: 1, batch: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface JournalRecord {
  readonly kind: RecordKind;
  /** The count after this record. */
  readonly count: number;
  /** Visits this record adds (for a snapshot: 0). */
  readonly added: number;
  /** Timestamps (ms since the epoch), oldest first. */
  readonly timestamps: readonly number[];
}

export interface JournalHeader {
  readonly version: number;
  readonly capacity: number;
  readonly generation: bigint;
}

export function recordSize(timestampCount: number): number {
  return RECORD_OVERHEAD + PAYLOAD_FIXED + 8 * timestampCount;
}

export function encodeHeader(header: JournalHeader): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  JOURNAL_MAGIC.copy(buf, 0);
  buf.writeUInt32LE(header.version, 8);
  buf.writeUInt32LE(header.capacity, 12);
  buf.writeBigUInt64LE(header.generation, 16);
  buf.writeUInt32LE(crc32(buf.subarray(0, 28)), 28);
  return buf;
}

export function encodeRecord(record: JournalRecord): Buffer {
  const n = record.timestamps.length;
  const payloadLength = PAYLOAD_FIXED + 8 * n;
  const buf = Buffer.alloc(RECORD_OVERHEAD + payloadLength);
  buf.writeUInt32LE(RECORD_MAGIC, 0);
  buf.writeUInt32LE(payloadLength, 4);
  buf.writeUInt8(record.kind, 8);
  buf.writeBigUInt64LE(BigInt(record.count), 12);
  buf.writeUInt32LE(record.added, 20);
  buf.writeUInt32LE(n, 24);
  for (let i = 0; i < n; i++) buf.writeDoubleLE(record.timestamps[i]!, 28 + 8 * i);
  buf.writeUInt32LE(crc32(buf.subarray(0, 8 + payloadLength)), 8 + payloadLength);
  return buf;
}

/** A whole journal file: header, one snapshot record, zeros up to `capacity`. */
export function encodeJournal(
  capacity: number,
  generation: bigint,
  snapshot: { count: number; timestamps: readonly number[] },
): Buffer {
  const record = encodeRecord({
    kind: RecordKind.snapshot,
    count: snapshot.count,
    added: 0,
    timestamps: snapshot.timestamps,
  });
  if (HEADER_SIZE + record.length > capacity) {
    throw new RangeError(
      `journal capacity ${capacity} cannot hold a ${record.length}-byte snapshot`,
    );
  }
  const buf = Buffer.alloc(capacity);
  encodeHeader({ version: JOURNAL_VERSION, capacity, generation }).copy(buf, 0);
  record.copy(buf, HEADER_SIZE);
  return buf;
}

export interface ScanResult {
  readonly header: JournalHeader;
  readonly count: number;
  /** The most recent timestamps, oldest first, at most `keep`. */
  readonly timestamps: number[];
  readonly records: number;
  /** Where the next record goes. */
  readonly end: number;
  /** Set when the last record was cut short by a crash and has been dropped. */
  readonly tornTail?: { readonly offset: number; readonly bytes: number };
}

/** The journal cannot be read as a valid journal; `problem` says what is wrong, for an operator. */
export class JournalFormatError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = 'JournalFormatError';
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isZero(buf: Buffer, from: number, to = buf.length): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

function firstNonZero(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return i;
  return -1;
}

/**
 * Reads a whole journal. A record that fails its checks is accepted as a torn last write only when
 * nothing but zeros follows it: the write a crash cut short. Anything else (bad header, wrong size,
 * a bad record with data after it, a broken count chain, data after the end) is damage.
 */
export function scanJournal(buf: Buffer, keep: number): ScanResult {
  if (buf.length < HEADER_SIZE) {
    throw new JournalFormatError(
      buf.length === 0
        ? 'the file is empty'
        : `the file is ${buf.length} bytes, shorter than its ${HEADER_SIZE}-byte header`,
    );
  }
  if (!buf.subarray(0, 8).equals(JOURNAL_MAGIC)) {
    throw new JournalFormatError(
      'it does not start with the journal signature (not a visits journal)',
    );
  }
  if (buf.readUInt32LE(28) !== crc32(buf.subarray(0, 28))) {
    throw new JournalFormatError('the header checksum does not match');
  }
  const version = buf.readUInt32LE(8);
  if (version !== JOURNAL_VERSION) {
    throw new JournalFormatError(
      `it has format version ${version}; this build reads version ${JOURNAL_VERSION} (a newer build wrote it?)`,
    );
  }
  const capacity = buf.readUInt32LE(12);
  if (buf.length !== capacity) {
    throw new JournalFormatError(
      `the file is ${buf.length} bytes but its header says ${capacity} (truncated or extended)`,
    );
  }
  const header: JournalHeader = { version, capacity, generation: buf.readBigUInt64LE(16) };

  let offset = HEADER_SIZE;
  let count = 0;
  let records = 0;
  const recent: number[] = [];

  for (;;) {
    if (
      offset + 8 > capacity ||
      (buf.readUInt32LE(offset) === 0 && buf.readUInt32LE(offset + 4) === 0)
    ) {
      // End of the log: from here on there must be nothing but zeros.
      const stray = firstNonZero(buf, offset);
      if (stray !== -1) {
        throw new JournalFormatError(
          `unexpected data at byte ${stray}, after the end of the records`,
        );
      }
      // Every journal is written whole with its snapshot, so one without records lost it (zeroed
      // blocks); reading it as 0 visits would silently reset the count.
      if (records === 0) {
        throw new JournalFormatError(
          `it holds no records: the snapshot at byte ${HEADER_SIZE} is missing (zeroed)`,
        );
      }
      break;
    }
    const problem = checkRecord(buf, offset, capacity);
    if (problem !== undefined) {
      const declaredEnd = plausibleEnd(buf, offset, capacity);
      if (records > 0 && isZero(buf, declaredEnd)) return torn(offset);
      throw new JournalFormatError(`record ${records + 1} at byte ${offset}: ${problem}`);
    }
    const payloadLength = buf.readUInt32LE(offset + 4);
    const p = offset + 8;
    const kind = buf.readUInt8(p);
    const rawCount = buf.readBigUInt64LE(p + 4);
    const added = buf.readUInt32LE(p + 12);
    const n = buf.readUInt32LE(p + 16);
    const at = `record ${records + 1} at byte ${offset}`;
    if (PAYLOAD_FIXED + 8 * n !== payloadLength) {
      throw new JournalFormatError(`${at}: its timestamp count does not match its length`);
    }
    if (rawCount > MAX_SAFE) {
      throw new JournalFormatError(
        `${at}: the count ${rawCount} is above 2^53-1, the largest this build keeps exactly`,
      );
    }
    const recordCount = Number(rawCount);
    if (records === 0) {
      if (kind !== RecordKind.snapshot || added !== 0) {
        throw new JournalFormatError(`${at}: the journal does not begin with a snapshot`);
      }
    } else if (kind !== RecordKind.batch) {
      throw new JournalFormatError(`${at}: a snapshot record after the first record`);
    } else if (recordCount !== count + added || added === 0 || n > added) {
      throw new JournalFormatError(
        `${at}: the count goes from ${count} to ${recordCount} with ${added} visits added`,
      );
    }
    for (let i = 0; i < n; i++) recent.push(buf.readDoubleLE(p + PAYLOAD_FIXED + 8 * i));
    if (recent.length > 2 * keep) recent.splice(0, recent.length - keep);
    count = recordCount;
    records++;
    offset += RECORD_OVERHEAD + payloadLength;
  }
  return finish();

  function torn(at: number): ScanResult {
    return { ...finish(), end: at, tornTail: { offset: at, bytes: lastNonZero(buf) + 1 - at } };
  }
  function finish(): ScanResult {
    if (recent.length > keep) recent.splice(0, recent.length - keep);
    return { header, count, timestamps: recent, records, end: offset };
  }
}

function checkRecord(buf: Buffer, offset: number, capacity: number): string | undefined {
  if (buf.readUInt32LE(offset) !== RECORD_MAGIC)
    return 'it does not start with the record signature';
  const payloadLength = buf.readUInt32LE(offset + 4);
  if (payloadLength < PAYLOAD_FIXED || offset + RECORD_OVERHEAD + payloadLength > capacity) {
    return `its length ${payloadLength} does not fit in the file`;
  }
  const crcAt = offset + 8 + payloadLength;
  if (buf.readUInt32LE(crcAt) !== crc32(buf.subarray(offset, crcAt)))
    return 'its checksum does not match';
  return undefined;
}

/** Where a record claiming to start at `offset` would end, or `offset + 8` if its length is unusable. */
function plausibleEnd(buf: Buffer, offset: number, capacity: number): number {
  const payloadLength = buf.readUInt32LE(offset + 4);
  const end = offset + RECORD_OVERHEAD + payloadLength;
  return payloadLength >= PAYLOAD_FIXED && end <= capacity ? end : offset + 8;
}

function lastNonZero(buf: Buffer): number {
  for (let i = buf.length - 1; i >= 0; i--) if (buf[i] !== 0) return i;
  return -1;
}
