import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      podName: hostname(),
      timeZone: 'UTC',
      recentVisits: 100,
      logLevel: 'info',
      shutdownTimeoutMs: 10_000,
      corsOrigins: [],
    });
  });

  it('reads every variable', () => {
    const sut = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/data',
      POD_NAME: 'visits-2',
      TIMEZONE: 'Europe/Berlin',
      RECENT_VISITS: '1000',
      LOG_LEVEL: 'WARN',
      SHUTDOWN_TIMEOUT_MS: '30000',
      CORS_ORIGINS: 'https://example.com,http://localhost:8080',
    });
    expect(sut).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/data',
      podName: 'visits-2',
      timeZone: 'Europe/Berlin',
      recentVisits: 1000,
      logLevel: 'warn',
      shutdownTimeoutMs: 30_000,
      corsOrigins: ['https://example.com', 'http://localhost:8080'],
    });
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number from 1 to 65535 \(got "abc"\)/],
    ['PORT', '70000', /PORT must be a whole number from 1 to 65535/],
    ['PORT', '3000.5', /PORT must be a whole number/],
    ['RECENT_VISITS', '0', /RECENT_VISITS must be a whole number from 1 to 1000/],
    ['RECENT_VISITS', '1e3', /RECENT_VISITS must be a whole number/],
    [
      'TIMEZONE',
      'Mars/Olympus',
      /TIMEZONE must be an IANA time zone name.*\(got "Mars\/Olympus"\)/,
    ],
    [
      'LOG_LEVEL',
      'loud',
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)/,
    ],
    ['POD_NAME', 'has space', /POD_NAME must be a pod or host name.*\(got "has space"\)/],
    [
      'HOST',
      'http://0.0.0.0',
      /HOST must be an IP address or host name.*\(got "http:\/\/0.0.0.0"\)/,
    ],
    ['PORT', '', /PORT is set but empty: unset it to use the default \(3000\), or give it a value/],
    ['DATA_DIR', '', /DATA_DIR is set but empty: unset it to use the default \(.\/data\)/],
    ['SHUTDOWN_TIMEOUT_MS', '5', /SHUTDOWN_TIMEOUT_MS must be a whole number from 1000 to 600000/],
    [
      'CORS_ORIGINS',
      'https://example.com/',
      /CORS_ORIGINS must be \* or a comma-separated list of origins.*; not an origin: "https:\/\/example.com\/" \(got "https:\/\/example.com\/"\)/,
    ],
  ])(
    'rejects %s=%s with a message naming the variable and the accepted values',
    (name, value, message) => {
      expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: value })).toThrow(message);
    },
  );

  it('spells TIMEZONE as the IANA database does', () => {
    expect(loadConfig({ TIMEZONE: 'Europe/berlin' }).timeZone).toBe('Europe/Berlin');
  });

  it('reports every bad variable at once', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.problems).toHaveLength(2);
  });
});
