/**
 * The probe routes, on `OPS_PORT` only. `live`: the process answers. `ready`: send visits here (the
 * store is writable with free space, no shutdown has begun). `startup`: the store has finished
 * opening and recovery. Probes never count as visits.
 */
export const HEALTH_PATHS = {
  live: '/health/live',
  ready: '/health/ready',
  startup: '/health/startup',
} as const;

/** Prometheus text, on `OPS_PORT` only: the metrics of metrics.ts and prom-client's process metrics. */
export const METRICS_PATH = '/metrics';

/** The build the process runs, on `OPS_PORT` only: JSON `{ version, revision, node }`. */
export const VERSION_PATH = '/version';

/**
 * The OpenAPI 3.1 description of both ports' routes, as JSON, on `OPS_PORT` only (committed as
 * docs/openapi.json).
 */
export const OPENAPI_PATH = '/openapi.json';

/** Every route the ops port serves (`OPS_PORT`); the service port (`PORT`) serves none of them. */
export const OPS_PATHS = [
  ...Object.values(HEALTH_PATHS),
  METRICS_PATH,
  VERSION_PATH,
  OPENAPI_PATH,
] as const;

/**
 * Every pod of the fleet and its count, asked live (`FLEET_DNS` or `FLEET_PEERS`); never a visit,
 * never logged per request.
 */
export const FLEET_PATH = '/fleet';

/**
 * Response header of `GET /visits`: `true` when this pod takes visits (its store is open, no
 * shutdown has begun), else `false`. The fleet view reads a peer's readiness from it.
 */
export const READY_HEADER = 'visits-ready';
