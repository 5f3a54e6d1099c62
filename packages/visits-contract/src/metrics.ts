/**
 * The service's own Prometheus metrics (prom-client's process metrics come on top), named by
 * Prometheus' conventions: `promtool check metrics` finds nothing to say about any of them.
 */
export const METRIC_NAMES = {
  /** counter: visits this process recorded (acknowledged after they reached the disk) */
  visitsRecorded: 'visits_recorded_total',
  /** gauge: the count on disk */
  stored: 'visits_stored',
  /** gauge by `state` (one series per STORE_STATES entry): 1 for the store's current state, else 0 */
  storeState: 'visits_store_state',
  /** counter by `operation` (WRITE_OPERATIONS): journal writes or syncs that failed */
  writeFailures: 'visits_store_write_failures_total',
  /** histogram: time to write and fdatasync one batch */
  syncDuration: 'visits_store_sync_duration_seconds',
  /** histogram: visits committed together in one write and sync */
  batchSize: 'visits_store_batch_size',
  /** gauge, always 1, labelled with the build's `version` and git `revision` */
  buildInfo: 'visits_build_info',
  /** histogram by method (HTTP_METHOD_LABELS), route and status_code; on the service port only */
  httpDuration: 'http_request_duration_seconds',
  /** gauge: free bytes on the data volume at the last free-space check */
  volumeFreeBytes: 'visits_store_volume_free_bytes',
  /** gauge: free bytes readiness requires: the next journal (a compaction writes it) and the margin */
  volumeRequiredBytes: 'visits_store_volume_required_bytes',
  /** gauge: 1 while the store is not ready for lack of space on its volume, else 0 */
  volumeLow: 'visits_store_volume_low',
} as const;

/** The store's states, each a `state` of `visits_store_state`, always all exported. */
export const STORE_STATES = ['opening', 'open', 'degraded', 'failed', 'closing', 'closed'] as const;
export type StoreStateName = (typeof STORE_STATES)[number];

/**
 * The `operation` of `visits_store_write_failures_total`: `commit` (a batch of visits appended to
 * the journal) or `compaction` (a new journal written in place of a full one).
 */
export const WRITE_OPERATIONS = ['commit', 'compaction'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

/**
 * The `method` label of `http_request_duration_seconds`: the methods the service answers; any
 * other method is recorded as `other`, so a client cannot grow the number of series.
 */
export const HTTP_METHOD_LABELS = ['GET', 'HEAD', 'POST', 'OPTIONS', 'other'] as const;
