export {
  environment,
  environmentSchema,
  parseEnvironment,
  isTimeZone,
  isPodName,
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
