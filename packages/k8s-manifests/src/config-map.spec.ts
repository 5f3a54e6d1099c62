import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { render } from '../test/support.js';
import { configChecksum } from './config-map.js';

describe('visitsConfigMap', () => {
  it('holds the service configuration under the contract names', () => {
    expect(render().configMap.data).toEqual({
      PORT: '3000',
      TIMEZONE: 'UTC',
      RECENT_VISITS: '100',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
  });

  it('takes the values from props', () => {
    const { configMap } = render({
      timezone: 'America/New_York',
      recentVisits: 10,
      logLevel: 'debug',
      shutdownTimeoutMs: 20_000,
    });
    expect(configMap.data).toMatchObject({
      TIMEZONE: 'America/New_York',
      RECENT_VISITS: '10',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
  });

  it('leaves DATA_DIR and POD_NAME to the StatefulSet, where they are tied to the pod', () => {
    expect(render().configMap.data).not.toHaveProperty('DATA_DIR');
    expect(render().configMap.data).not.toHaveProperty('POD_NAME');
  });
});

describe('configChecksum', () => {
  it('is a sha256 that ignores key order', () => {
    expect(configChecksum({ A: '1', B: '2' })).toBe(configChecksum({ B: '2', A: '1' }));
    expect(configChecksum({ A: '1' })).toBe(createHash('sha256').update('{"A":"1"}').digest('hex'));
    expect(configChecksum({ A: '1' })).not.toBe(configChecksum({ A: '2' }));
  });
});
