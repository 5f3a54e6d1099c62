import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      opsPort: 8081,
      host: '0.0.0.0',
      dataDir: './data',
      podName: hostname(),
      timeZone: 'UTC',
      recentVisits: 100,
      logLevel: 'info',
      accessLog: 'all',
      slowRequestMs: 500,
      shutdownTimeoutMs: 10_000,
      corsOrigins: [],
      fleet: { discovery: { via: 'none' }, timeoutMs: 500 },
    });
  });

  it('configures the fleet view from FLEET_DNS (peers on PORT) or FLEET_PEERS', () => {
    expect(
      loadConfig({ FLEET_DNS: 'visits-headless.visits.svc.cluster.local', PORT: '8080' }).fleet,
    ).toEqual({
      discovery: { via: 'dns', name: 'visits-headless.visits.svc.cluster.local', port: 8080 },
      timeoutMs: 500,
    });
    expect(loadConfig({ FLEET_PEERS: 'visits-1:3000', FLEET_TIMEOUT_MS: '250' }).fleet).toEqual({
      discovery: { via: 'peers', peers: [{ host: 'visits-1', port: 3000 }] },
      timeoutMs: 250,
    });
    expect(() => loadConfig({ FLEET_DNS: 'visits', FLEET_PEERS: 'visits-1:3000' })).toThrow(
      /FLEET_DNS and FLEET_PEERS must not both be set/,
    );
  });

  it('reads every variable', () => {
    const sut = loadConfig({
      PORT: '8080',
      OPS_PORT: '9090',
      HOST: '127.0.0.1',
      DATA_DIR: '/data',
      POD_NAME: 'visits-2',
      TIMEZONE: 'Europe/Berlin',
      RECENT_VISITS: '1000',
      LOG_LEVEL: 'WARN',
      ACCESS_LOG: 'errors',
      SLOW_REQUEST_MS: '250',
      SHUTDOWN_TIMEOUT_MS: '30000',
      CORS_ORIGINS: 'https://example.com,http://localhost:8080',
    });
    expect(sut).toMatchObject({
      port: 8080,
      opsPort: 9090,
      host: '127.0.0.1',
      dataDir: '/data',
      podName: 'visits-2',
      timeZone: 'Europe/Berlin',
      recentVisits: 1000,
      logLevel: 'warn',
      accessLog: 'errors',
      slowRequestMs: 250,
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
    ['OPS_PORT', '3000', /OPS_PORT must differ from PORT \(both are 3000\)/],
    ['ACCESS_LOG', 'some', /ACCESS_LOG must be one of all, errors/],
    ['SLOW_REQUEST_MS', '0', /SLOW_REQUEST_MS must be a whole number from 1 to 600000/],
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
