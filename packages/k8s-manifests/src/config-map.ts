import type { environment } from '@stateful-visits/visits-contract';
import { createHash } from 'node:crypto';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { objectMeta, objectNames } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * The service's environment (the contract's variables; docs/contract.md), read through `envFrom`.
 * `POD_NAME` and `DATA_DIR` are set on the container itself.
 */
export function configMapData(p: ResolvedVisitsProps): Record<string, string> {
  return {
    PORT: String(p.port),
    OPS_PORT: String(p.opsPort),
    TIMEZONE: p.timezone,
    RECENT_VISITS: String(p.recentVisits),
    LOG_LEVEL: p.logLevel,
    ACCESS_LOG: p.accessLog,
    SLOW_REQUEST_MS: String(p.slowRequestMs),
    SHUTDOWN_TIMEOUT_MS: String(p.shutdownTimeoutMs),
    // Unset when empty: the service refuses an empty value.
    ...(p.corsOrigins.length > 0 ? { CORS_ORIGINS: p.corsOrigins.join(',') } : {}),
  } satisfies Partial<Record<keyof typeof environment, string>>;
}

/**
 * sha256 of the ConfigMap data with its keys sorted, so the value depends on content only.
 * Put on the pod template, it makes a config change a template change, which rolls the pods
 * (environment from a ConfigMap is read only when a container starts).
 */
export function configChecksum(data: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

export function visitsConfigMap(p: ResolvedVisitsProps): ConfigMap {
  return new ConfigMap({
    metadata: objectMeta(p, objectNames(p).configMap),
    data: configMapData(p),
  });
}
