import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT } from './data-dir.js';
import { environment, parseEnvironment, type EnvironmentResult } from './environment.js';

function problems(result: EnvironmentResult): readonly string[] {
  return result.ok ? [] : result.problems;
}

const integers = Object.values(environment).filter((v) => 'min' in v);

describe('environment', () => {
  it('names each variable as its key, in the order the docs list them', () => {
    for (const [key, variable] of Object.entries(environment)) expect(variable.name).toBe(key);
    expect(Object.keys(environment)).toEqual([
      'PORT',
      'OPS_PORT',
      'HOST',
      'DATA_DIR',
      'POD_NAME',
      'TIMEZONE',
      'RECENT_VISITS',
      'LOG_LEVEL',
      'ACCESS_LOG',
      'SLOW_REQUEST_MS',
      'SHUTDOWN_TIMEOUT_MS',
    ]);
  });

  it('applies each documented default when a variable is unset or blank', () => {
    for (const env of [{}, Object.fromEntries(Object.keys(environment).map((k) => [k, '  ']))]) {
      const result = parseEnvironment(env);
      expect(result.ok && result.value).toEqual({
        ...Object.fromEntries(
          Object.values(environment).flatMap((v) => ('default' in v ? [[v.name, v.default]] : [])),
        ),
        POD_NAME: hostname(),
      });
    }
  });

  it('bounds RECENT_VISITS by what the store keeps', () => {
    expect(environment.RECENT_VISITS.max).toBe(MAX_RECENT);
  });

  it.each(integers.map((v) => [v.name, v] as const))(
    '%s accepts its bounds and rejects the numbers just outside them',
    (name, v) => {
      expect(parseEnvironment({ [name]: String(v.min) })).toMatchObject({
        ok: true,
        value: { [name]: v.min },
      });
      expect(parseEnvironment({ [name]: ` ${v.max} ` })).toMatchObject({
        ok: true,
        value: { [name]: v.max },
      });
      for (const bad of [v.min - 1, v.max + 1]) {
        expect(problems(parseEnvironment({ [name]: String(bad) }))).toEqual([
          `${name} must be a whole number from ${v.min} to ${v.max} (got "${bad}")`,
        ]);
      }
    },
  );

  it('reads LOG_LEVEL in any case and trims text values, but not DATA_DIR', () => {
    const result = parseEnvironment({
      LOG_LEVEL: ' Debug ',
      HOST: ' ::1 ',
      TIMEZONE: ' Asia/Tokyo ',
      DATA_DIR: ' /srv/visits ',
    });
    expect(result).toMatchObject({
      ok: true,
      value: { LOG_LEVEL: 'debug', HOST: '::1', TIMEZONE: 'Asia/Tokyo', DATA_DIR: ' /srv/visits ' },
    });
  });

  it('refuses an OPS_PORT equal to PORT, naming both, and takes any other pair', () => {
    expect(problems(parseEnvironment({ PORT: '9000', OPS_PORT: '9000' }))).toEqual([
      'OPS_PORT must differ from PORT (both are 9000): /metrics and /health/* get a port of their own, which the client Service does not expose',
    ]);
    expect(problems(parseEnvironment({ OPS_PORT: String(environment.PORT.default) }))).toHaveLength(
      1,
    );
    expect(parseEnvironment({ PORT: '8081', OPS_PORT: '3000' })).toMatchObject({
      ok: true,
      value: { PORT: 8081, OPS_PORT: 3000 },
    });
  });

  it('reads ACCESS_LOG in any case and names the accepted values for anything else', () => {
    expect(parseEnvironment({ ACCESS_LOG: ' Errors ' })).toMatchObject({
      ok: true,
      value: { ACCESS_LOG: 'errors' },
    });
    expect(problems(parseEnvironment({ ACCESS_LOG: 'none' }))).toEqual([
      'ACCESS_LOG must be one of all, errors',
    ]);
  });

  it('rejects a pod name longer than a DNS name can be', () => {
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(253) }))).toEqual([]);
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(254) }))).toEqual([
      'POD_NAME must be 1 to 253 printable characters without spaces (a pod or host name)',
    ]);
  });

  it('ignores variables that are not its own', () => {
    expect(parseEnvironment({ PATH: '/usr/bin', NODE_ENV: 'production' }).ok).toBe(true);
  });
});
