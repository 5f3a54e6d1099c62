import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEnvironment } from '@stateful-visits/visits-contract';
import { mainContainer, render } from '../test/support.js';
import { configChecksum } from './config-map.js';
import type { VisitsProps } from './props.js';

describe('visitsConfigMap', () => {
  it('holds the service configuration under the contract names', () => {
    expect(render().configMap.data).toEqual({
      PORT: '3000',
      OPS_PORT: '8081',
      TIMEZONE: 'UTC',
      RECENT_VISITS: '100',
      LOG_LEVEL: 'info',
      ACCESS_LOG: 'all',
      SLOW_REQUEST_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
  });

  it('takes the values from props', () => {
    const { configMap } = render({
      timezone: 'America/New_York',
      recentVisits: 10,
      logLevel: 'debug',
      accessLog: 'errors',
      slowRequestMs: 250,
      shutdownTimeoutMs: 20_000,
    });
    expect(configMap.data).toMatchObject({
      TIMEZONE: 'America/New_York',
      RECENT_VISITS: '10',
      LOG_LEVEL: 'debug',
      ACCESS_LOG: 'errors',
      SLOW_REQUEST_MS: '250',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
  });

  it('sets CORS_ORIGINS only when origins are given', () => {
    expect(render().configMap.data).not.toHaveProperty('CORS_ORIGINS');
    expect(
      render({ corsOrigins: ['https://example.com', 'HTTP://Localhost:8080'] }).configMap.data,
    ).toMatchObject({ CORS_ORIGINS: 'https://example.com,http://localhost:8080' });
    expect(render({ corsOrigins: ['*'] }).configMap.data).toMatchObject({ CORS_ORIGINS: '*' });
  });

  it('leaves DATA_DIR and POD_NAME to the StatefulSet, where they are tied to the pod', () => {
    expect(render().configMap.data).not.toHaveProperty('DATA_DIR');
    expect(render().configMap.data).not.toHaveProperty('POD_NAME');
  });
});

/**
 * The container's environment as Kubernetes gives it to pod visits-0 in namespace `visits`: the
 * ConfigMap, then the container's own variables with the downward API filled in and `$(VAR)`
 * references to variables defined above them expanded.
 */
function podEnvironment(props: VisitsProps): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': 'visits-0',
    'metadata.namespace': 'visits',
  };
  const env: Record<string, string> = { ...render(props).configMap.data };
  for (const e of mainContainer(props).env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    env[e.name] =
      field === undefined
        ? (e.value ?? '').replace(/\$\(([A-Za-z_]\w*)\)/g, (ref, name: string) => env[name] ?? ref)
        : (fields[field] ?? `unknown field ${field}`);
  }
  return env;
}

describe('the environment the pod gets', () => {
  const cases: [string, VisitsProps][] = [
    ['the defaults', {}],
    [
      'every extreme the props allow',
      {
        port: 65535,
        timezone: 'Pacific/Chatham',
        recentVisits: 1000,
        shutdownTimeoutMs: 600_000,
        clusterDomain: 'corp.example',
      },
    ],
    [
      'the lowest values',
      { port: 1024, recentVisits: 1, shutdownTimeoutMs: 1000, logLevel: 'silent', fleet: false },
    ],
    ['CORS for two origins', { corsOrigins: ['https://example.com', 'http://localhost:8080'] }],
  ];
  it.each(cases)('is one the service accepts at startup, holding the props: %s', (_case, props) => {
    const result = parseEnvironment(podEnvironment(props));
    expect(result).toMatchObject({
      ok: true,
      value: {
        PORT: props.port ?? 3000,
        RECENT_VISITS: props.recentVisits ?? 100,
        SHUTDOWN_TIMEOUT_MS: props.shutdownTimeoutMs ?? 10_000,
        TIMEZONE: props.timezone ?? 'UTC',
        LOG_LEVEL: props.logLevel ?? 'info',
        CORS_ORIGINS: props.corsOrigins ?? [],
        DATA_DIR: '/data',
        POD_NAME: 'visits-0',
      },
    });
    expect(result.ok && result.value.FLEET_DNS).toBe(
      props.fleet === false
        ? undefined
        : `visits-headless.visits.svc.${props.clusterDomain ?? 'cluster.local'}`,
    );
  });
});

describe('configChecksum', () => {
  it('is a sha256 that ignores key order', () => {
    expect(configChecksum({ A: '1', B: '2' })).toBe(configChecksum({ B: '2', A: '1' }));
    expect(configChecksum({ A: '1' })).toBe(createHash('sha256').update('{"A":"1"}').digest('hex'));
    expect(configChecksum({ A: '1' })).not.toBe(configChecksum({ A: '2' }));
  });
});
