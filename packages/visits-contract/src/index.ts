export {
  environment,
  parseEnvironment,
  canonicalTimeZone,
  isPodName,
  quoteValue,
  ECHO_MAX_LENGTH,
  type CorsOrigins,
  LOG_LEVELS,
  ACCESS_LOG_MODES,
  type LogLevel,
  type AccessLogMode,
  type Environment,
  type EnvironmentResult,
  type EnvironmentVariable,
  type VariableSpec,
  type IntegerSpec,
  type DefaultedSpec,
} from './environment.js';
export { DATA_FILES, MAX_RECENT } from './data-dir.js';
export { IMAGE_UID, IMAGE_GID, IMAGE_DATA_DIR } from './image.js';
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
export {
  HEALTH_PATHS,
  METRICS_PATH,
  VERSION_PATH,
  OPS_PATHS,
  FLEET_PATH,
  READY_HEADER,
  OPENAPI_PATH,
} from './http.js';
export {
  METRIC_NAMES,
  STORE_STATES,
  WRITE_OPERATIONS,
  HTTP_METHOD_LABELS,
  type StoreStateName,
  type WriteOperation,
} from './metrics.js';
export {
  formatPeerAddress,
  isDnsName,
  parsePeerAddress,
  parsePeerList,
  type PeerAddress,
  type PeerListResult,
} from './fleet.js';
