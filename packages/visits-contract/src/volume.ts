/*
 * How much of its volume the store uses, and so how big a volume must be: one definition, read by
 * the store (to size a new journal and to decide readiness) and by the manifests (to refuse a
 * `storageSize` the store cannot run on). docs/deployment.md's sizing table is generated from it.
 *
 * The store keeps three files: the journal, preallocated to its capacity; the `visits` view, one
 * block; the lock file, empty. A compaction writes a whole new journal beside the old one before
 * renaming it into place, so the volume must hold two journals at once, and readiness wants room
 * for that second journal at all times.
 */

/** The journal format's sizes (apps/visits/src/store/journal.ts is held to them by a test). */
export const JOURNAL_HEADER_BYTES = 32;
/** One journal record holding `timestamps` timestamps: 12 bytes of framing, 20 of payload, 8 each. */
export function journalRecordBytes(timestamps: number): number {
  return 32 + 8 * timestamps;
}

/** The allocation unit sizes are rounded to (a page on tmpfs, a block on ext4 and XFS). */
export const VOLUME_BLOCK_BYTES = 4096;
/** The largest journal: thousands of batches between compactions, read in about a millisecond. */
export const JOURNAL_MAX_BYTES = 1024 * 1024;
/** A journal holds at least a snapshot and this many batches of `RECENT_VISITS` timestamps each. */
export const JOURNAL_MIN_BATCHES = 4;
/** The `visits` view: a few bytes, one block. (The lock file is empty: no block.) */
export const VIEW_FILE_BYTES = VOLUME_BLOCK_BYTES;
/**
 * Free space kept beyond the next journal: file-system metadata for the new file (an extent block,
 * a directory block) and a little slack, so a store that was ready can always write its next
 * journal.
 */
export const VOLUME_MARGIN_BYTES = 16 * 1024;

const roundUp = (bytes: number, unit: number) => Math.ceil(bytes / unit) * unit;
const roundDown = (bytes: number, unit: number) => Math.floor(bytes / unit) * unit;

/** The smallest journal for `recentVisits`: a full snapshot and JOURNAL_MIN_BATCHES full batches. */
export function minJournalBytes(recentVisits: number): number {
  const record = journalRecordBytes(recentVisits);
  return roundUp(JOURNAL_HEADER_BYTES + (1 + JOURNAL_MIN_BATCHES) * record, VOLUME_BLOCK_BYTES);
}

/** What the store needs of a volume besides its journals: the view and the margin. */
const OVERHEAD_BYTES = VIEW_FILE_BYTES + VOLUME_MARGIN_BYTES;

/**
 * The smallest volume the store runs on with `recentVisits`: two smallest journals (the one in use
 * and the one a compaction writes), the view and the margin.
 */
export function minVolumeBytes(recentVisits: number): number {
  return 2 * minJournalBytes(recentVisits) + OVERHEAD_BYTES;
}

/** From this volume size on, every journal is the full JOURNAL_MAX_BYTES. */
export const FULL_JOURNAL_VOLUME_BYTES = 2 * JOURNAL_MAX_BYTES + OVERHEAD_BYTES;

/**
 * The capacity of a new journal on a volume where the store's files may use `availableBytes`
 * (free space plus what the store's own files already hold): half of what is left after the view
 * and the margin, so that a compaction can always write a second journal beside it; in whole
 * blocks, at most JOURNAL_MAX_BYTES. Undefined when not even minJournalBytes fits that way.
 */
export function journalBytesFor(recentVisits: number, availableBytes: number): number | undefined {
  if (availableBytes < minVolumeBytes(recentVisits)) return undefined;
  const half = roundDown((availableBytes - OVERHEAD_BYTES) / 2, VOLUME_BLOCK_BYTES);
  return Math.min(JOURNAL_MAX_BYTES, Math.max(minJournalBytes(recentVisits), half));
}

/**
 * The free space readiness requires beside a journal of `journalBytes`: what the next compaction
 * writes (the journal, in whole blocks of the volume's `blockBytes`), plus VOLUME_MARGIN_BYTES.
 */
export function requiredFreeBytes(journalBytes: number, blockBytes = VOLUME_BLOCK_BYTES): number {
  return roundUp(journalBytes, blockBytes) + VOLUME_MARGIN_BYTES;
}

/** The most the store holds on its volume with a journal of `journalBytes`: two journals during a compaction and the view. */
export function peakStoreBytes(journalBytes: number): number {
  return 2 * journalBytes + VIEW_FILE_BYTES;
}

/** `bytes` as the largest binary unit that divides it: 36Ki, 2068Ki, 1Mi (Kubernetes quantity style). */
export function binaryQuantity(bytes: number): string {
  for (const [unit, size] of [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
