/**
 * The probe routes. `live`: the process answers. `ready`: send visits here (the store is writable
 * with free space, no shutdown has begun). `startup`: the store has finished opening and recovery.
 * Probes never count as visits.
 */
export const HEALTH_PATHS = {
  live: '/health/live',
  ready: '/health/ready',
  startup: '/health/startup',
} as const;

/** Prometheus text: the metrics of metrics.ts and prom-client's process metrics. */
export const METRICS_PATH = '/metrics';

/** The service's OpenAPI 3.1 description, as JSON (committed as docs/openapi.json). */
export const OPENAPI_PATH = '/openapi.json';
