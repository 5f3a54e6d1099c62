/** The service's own Prometheus metrics (prom-client's process metrics come on top). */
export const METRIC_NAMES = {
  /** counter: visits this process recorded (acknowledged after they reached the disk) */
  visitsRecorded: 'visits_recorded_total',
  /** gauge: the count on disk */
  storeCount: 'visits_store_count',
  /** histogram: time to write and fdatasync one batch */
  syncDuration: 'visits_store_sync_duration_seconds',
  /** histogram: visits committed together in one write and sync */
  batchSize: 'visits_store_batch_size',
  /** histogram by method, route and status_code; health and metrics routes excluded */
  httpDuration: 'http_request_duration_seconds',
  /** gauge: free bytes on the data volume at the last free-space check */
  volumeFreeBytes: 'visits_store_volume_free_bytes',
  /** gauge: free bytes readiness requires: the next journal (a compaction writes it) and the margin */
  volumeRequiredBytes: 'visits_store_volume_required_bytes',
  /** gauge: 1 while the store is not ready for lack of space on its volume, else 0 */
  volumeLow: 'visits_store_volume_low',
} as const;
