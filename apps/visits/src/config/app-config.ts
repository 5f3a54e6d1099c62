import {
  parseEnvironment,
  type AccessLogMode,
  type CorsOrigins,
  type LogLevel,
} from '@stateful-visits/visits-contract';
import { fleetConfig } from '../fleet/fleet-config.js';
import type { FleetConfig } from '../fleet/fleet.types.js';

/** The service's whole configuration, read once from the environment at startup. */
export interface AppConfig {
  /** The visit routes. */
  readonly port: number;
  /** /metrics, /health/* and /version (src/ops). */
  readonly opsPort: number;
  readonly host: string;
  readonly dataDir: string;
  readonly podName: string;
  readonly timeZone: string;
  readonly recentVisits: number;
  readonly logLevel: LogLevel;
  /** Which requests the access log writes (src/http/access-log.ts). */
  readonly accessLog: AccessLogMode;
  readonly slowRequestMs: number;
  readonly shutdownTimeoutMs: number;
  /** Origins whose browser pages may call the visit routes; `'*'` any, empty none (CORS off). */
  readonly corsOrigins: CorsOrigins;
  /** GET /fleet: how the other pods are found (FLEET_DNS, FLEET_PEERS) and asked. */
  readonly fleet: FleetConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks every setting through the service contract (packages/visits-contract, where
 * each variable's range, default and message is defined); throws one ConfigError naming each bad
 * variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = parseEnvironment(env);
  if (!parsed.ok) throw new ConfigError(parsed.problems);
  const c = parsed.value;
  return {
    port: c.PORT,
    opsPort: c.OPS_PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    podName: c.POD_NAME,
    timeZone: c.TIMEZONE,
    recentVisits: c.RECENT_VISITS,
    logLevel: c.LOG_LEVEL,
    accessLog: c.ACCESS_LOG,
    slowRequestMs: c.SLOW_REQUEST_MS,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    corsOrigins: c.CORS_ORIGINS,
    fleet: fleetConfig(c),
  };
}
