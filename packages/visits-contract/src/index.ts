export {
  environment,
  environmentSchema,
  parseEnvironment,
  isTimeZone,
  canonicalTimeZone,
  isPodName,
  isHost,
  quoteValue,
  ECHO_MAX_LENGTH,
  parseOrigin,
  type CorsOrigins,
  LOG_LEVELS,
  type LogLevel,
  type Environment,
  type EnvironmentResult,
  type EnvironmentVariable,
  type VariableSpec,
  type IntegerSpec,
  type DefaultedSpec,
} from './environment.js';
export { DATA_FILES, MAX_RECENT } from './data-dir.js';
export { IMAGE_UID, IMAGE_GID, IMAGE_DATA_DIR } from './image.js';
export { HEALTH_PATHS, METRICS_PATH, OPENAPI_PATH } from './http.js';
export { METRIC_NAMES } from './metrics.js';
export {
  JOURNAL_HEADER_BYTES,
  journalRecordBytes,
  VOLUME_BLOCK_BYTES,
  JOURNAL_MAX_BYTES,
  JOURNAL_MIN_BATCHES,
  VIEW_FILE_BYTES,
  VOLUME_MARGIN_BYTES,
  FULL_JOURNAL_VOLUME_BYTES,
  minJournalBytes,
  minVolumeBytes,
  journalBytesFor,
  requiredFreeBytes,
  peakStoreBytes,
  binaryQuantity,
} from './volume.js';
