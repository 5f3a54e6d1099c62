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
      'HOST',
      'DATA_DIR',
      'POD_NAME',
      'TIMEZONE',
      'RECENT_VISITS',
      'LOG_LEVEL',
      'SHUTDOWN_TIMEOUT_MS',
      'CORS_ORIGINS',
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

  it('rejects a pod name longer than a DNS name can be', () => {
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(253) }))).toEqual([]);
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(254) }))).toEqual([
      'POD_NAME must be 1 to 253 printable characters without spaces (a pod or host name)',
    ]);
  });

  describe('CORS_ORIGINS', () => {
    const origins = (value: string) => {
      const result = parseEnvironment({ CORS_ORIGINS: value });
      return result.ok ? result.value.CORS_ORIGINS : result.problems;
    };

    it('is off (no origin) when unset or blank', () => {
      expect(origins('')).toEqual([]);
      expect(origins('  ')).toEqual([]);
    });

    it('reads origins as browsers send them: lowercase, without the default port', () => {
      expect(
        origins('https://example.com, http://localhost:8080,HTTPS://Widgets.Example:443'),
      ).toEqual(['https://example.com', 'http://localhost:8080', 'https://widgets.example']);
      expect(origins('http://[::1]:3000,http://127.0.0.1:80')).toEqual([
        'http://[::1]:3000',
        'http://127.0.0.1',
      ]);
    });

    it('reads * alone as any origin', () => {
      expect(origins('*')).toBe('*');
      expect(origins(' * ')).toBe('*');
    });

    it.each([
      ['a trailing slash', 'https://example.com/'],
      ['a path', 'https://example.com/widget'],
      ['no scheme', 'example.com'],
      ['another scheme', 'ftp://example.com'],
      ['a query', 'https://example.com?x=1'],
      ['credentials', 'https://user@example.com'],
      ['a port out of range', 'http://localhost:99999'],
      ['an empty entry', 'https://example.com,'],
      ['null', 'null'],
    ])('refuses %s, echoing the value', (_, value) => {
      const problems = origins(value) as string[];
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^CORS_ORIGINS must be \* or a comma-separated list of origins/);
      expect(problems[0]).toContain(`(got "${value}": not an origin: `);
    });

    it('names each entry that is not an origin', () => {
      expect(origins('https://ok.example,example.com,https://x.example/')).toEqual([
        expect.stringContaining('not an origin: "example.com", "https://x.example/"'),
      ]);
    });

    it('refuses * combined with origins', () => {
      expect(origins('*,https://example.com')).toEqual([
        expect.stringMatching(/\* allows every origin and cannot be combined with others/),
      ]);
    });
  });

  it('ignores variables that are not its own', () => {
    expect(parseEnvironment({ PATH: '/usr/bin', NODE_ENV: 'production' }).ok).toBe(true);
  });
});
