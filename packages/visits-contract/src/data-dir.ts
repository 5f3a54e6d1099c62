/**
 * The files the service keeps in `DATA_DIR`, one store per directory:
 * - `count`: the count as decimal text and a newline (`cat $DATA_DIR/visits`), a view of the journal;
 * - `journal`: the checksummed journal, the source of truth;
 * - `journalTemp`: a new journal while it is written, renamed over `journal` once synced;
 * - `lock`: held (OFD lock) by the one process that owns the directory.
 */
export const DATA_FILES = {
  count: 'visits',
  journal: 'visits.journal',
  journalTemp: 'visits.journal.tmp',
  lock: 'visits.lock',
} as const;

/**
 * The most recent visit timestamps the store keeps: the upper bound of `RECENT_VISITS` and of
 * `GET /visits?limit`.
 */
export const MAX_RECENT = 1000;
