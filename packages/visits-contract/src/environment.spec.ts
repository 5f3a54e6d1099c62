// Over 350 lines on purpose: one table-driven case list per variable, beside the others so a
// new variable is checked the same way.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT } from './data-dir.js';
import {
  ECHO_MAX_LENGTH,
  environment,
  parseEnvironment,
  quoteValue,
  type EnvironmentResult,
} from './environment.js';

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
      'FLEET_DNS',
      'FLEET_PEERS',
      'FLEET_TIMEOUT_MS',
      'CORS_ORIGINS',
    ]);
  });

  it('applies each documented default when a variable is unset', () => {
    const result = parseEnvironment({});
    expect(result.ok && result.value).toEqual({
      ...Object.fromEntries(
        Object.values(environment).flatMap((v) => ('default' in v ? [[v.name, v.default]] : [])),
      ),
      POD_NAME: hostname(),
    });
  });

  // In a manifest `value: ""` is a typo more often than a wish for the default: one rule for all.
  it.each(Object.keys(environment))(
    'refuses %s set but empty or blank, saying how to get the default',
    (name) => {
      const fallback =
        name === 'POD_NAME'
          ? 'the hostname'
          : name === 'CORS_ORIGINS'
            ? 'none: CORS off'
            : name === 'FLEET_DNS' || name === 'FLEET_PEERS'
              ? 'unset: no fleet view'
              : String((environment as Record<string, { default?: unknown }>)[name]!.default);
      expect(problems(parseEnvironment({ [name]: '' }))).toEqual([
        `${name} is set but empty: unset it to use the default (${fallback}), or give it a value`,
      ]);
      expect(problems(parseEnvironment({ [name]: ' \t' }))).toEqual([
        `${name} is set but holds only blanks (" \\t"): unset it to use the default (${fallback}), or give it a value`,
      ]);
    },
  );

  it('echoes every refused value in its message', () => {
    const bad = {
      PORT: 'http',
      OPS_PORT: '80.5',
      HOST: 'http://0.0.0.0',
      DATA_DIR: 'a\0b',
      POD_NAME: 'pod name',
      TIMEZONE: 'Mars/Olympus',
      RECENT_VISITS: '1e3',
      LOG_LEVEL: 'loud',
      ACCESS_LOG: 'none',
      SLOW_REQUEST_MS: 'fast',
      SHUTDOWN_TIMEOUT_MS: '-5',
      FLEET_DNS: 'visits headless',
      FLEET_PEERS: 'visits-1',
      FLEET_TIMEOUT_MS: '5',
      CORS_ORIGINS: 'example.com',
    };
    expect(Object.keys(bad)).toEqual(Object.keys(environment));
    const found = problems(parseEnvironment(bad));
    // One per variable, and one more: FLEET_DNS and FLEET_PEERS are both set.
    expect(found).toHaveLength(Object.keys(bad).length + 1);
    for (const [name, value] of Object.entries(bad)) {
      const problem = found.find((p) => p.startsWith(`${name} `));
      expect(problem?.endsWith(`(got ${quoteValue(value)})`), `${name}: ${problem}`).toBe(true);
    }
    expect(found).toContain(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    expect(found).toContain(
      'TIMEZONE must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York (got "Mars/Olympus")',
    );
    expect(found).toContain(
      'POD_NAME must be a pod or host name: 1 to 253 printable characters without spaces (got "pod name")',
    );
    expect(found).toContain(
      'DATA_DIR must be a directory path without NUL characters (got "a\\u0000b")',
    );
  });

  it('echoes a refused value escaped and cut short, so it cannot forge log lines', () => {
    const forged = `x\n{"level":"info","msg":"all good"}\u001b[2J${'y'.repeat(100)}`;
    const [problem] = problems(parseEnvironment({ LOG_LEVEL: forged }));
    const controls = [...problem!].filter(
      (c) => c.charCodeAt(0) < 0x20 || (c >= '\u007f' && c <= '\u009f'),
    );
    expect(controls).toEqual([]);
    expect(problem).toContain(
      '(got "x\\n{\\"level\\":\\"info\\",\\"msg\\":\\"all good\\"}\\u001b[2J',
    );
    expect(problem).toContain('y…")');
    expect(problem!.length).toBeLessThan(200);
    expect(quoteValue('\u007f\u0085\u2028')).toBe('"\\u007f\\u0085\\u2028"');
    expect(quoteValue('é'.repeat(ECHO_MAX_LENGTH))).toBe(`"${'é'.repeat(ECHO_MAX_LENGTH)}"`);
  });

  it('canonicalises TIMEZONE as the IANA database spells it, and refuses what Intl does not know', () => {
    for (const [given, canonical] of [
      ['Europe/berlin', 'Europe/Berlin'],
      ['europe/BERLIN', 'Europe/Berlin'],
      [' utc ', 'UTC'],
      ['America/new_york', 'America/New_York'],
      ['Asia/Calcutta', 'Asia/Calcutta'],
      ['etc/gmt+5', 'Etc/GMT+5'],
    ]) {
      expect(parseEnvironment({ TIMEZONE: given })).toMatchObject({
        ok: true,
        value: { TIMEZONE: canonical },
      });
    }
    expect(problems(parseEnvironment({ TIMEZONE: 'Europe/Berlín' }))).toHaveLength(1);
  });

  it('accepts an IP address or a host name as HOST, and nothing else', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '127.0.0.1',
      '::1',
      'fe80::1',
      'localhost',
      'visits-0.visits-headless.visits.svc.cluster.local',
    ]) {
      expect(parseEnvironment({ HOST: host }), host).toMatchObject({
        ok: true,
        value: { HOST: host },
      });
    }
    for (const host of [
      'http://0.0.0.0',
      '0.0.0.0:3000',
      'my host',
      '-bad.example',
      'a'.repeat(64),
      '[::1]',
    ]) {
      expect(problems(parseEnvironment({ HOST: host })), host).toEqual([
        `HOST must be an IP address or host name of this machine, such as 0.0.0.0 (every IPv4 interface), :: (every interface) or 127.0.0.1 (got ${quoteValue(host)})`,
      ]);
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
      'ACCESS_LOG must be one of all, errors (got "none")',
    ]);
  });

  it('rejects a pod name longer than a DNS name can be', () => {
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(253) }))).toEqual([]);
    expect(problems(parseEnvironment({ POD_NAME: 'p'.repeat(254) }))).toEqual([
      `POD_NAME must be a pod or host name: 1 to 253 printable characters without spaces (got "${'p'.repeat(64)}…")`,
    ]);
  });

  describe('CORS_ORIGINS', () => {
    const origins = (value: string) => {
      const result = parseEnvironment({ CORS_ORIGINS: value });
      return result.ok ? result.value.CORS_ORIGINS : result.problems;
    };

    it('is off (no origin) when unset', () => {
      const result = parseEnvironment({});
      expect(result.ok && result.value.CORS_ORIGINS).toEqual([]);
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
      expect(problems[0]).toContain('; not an origin: "');
      expect(problems[0]!.endsWith(`(got ${JSON.stringify(value)})`), problems[0]).toBe(true);
    });

    it('names each entry that is not an origin', () => {
      expect(origins('https://ok.example,example.com,https://x.example/')).toEqual([
        expect.stringContaining(
          '; not an origin: "example.com", "https://x.example/" (got "https://ok.example,example.com,https://x.example/")',
        ),
      ]);
    });

    it('refuses * combined with origins', () => {
      expect(origins('*,https://example.com')).toEqual([
        expect.stringMatching(/\* allows every origin and cannot be combined with others/),
      ]);
    });
  });

  it('reads FLEET_DNS as a lowercase DNS name and FLEET_PEERS as host:port peers', () => {
    const dns = parseEnvironment({ FLEET_DNS: ' Visits-Headless.visits.svc.cluster.local. ' });
    expect(dns.ok && [dns.value.FLEET_DNS, dns.value.FLEET_PEERS]).toEqual([
      'visits-headless.visits.svc.cluster.local.',
      undefined,
    ]);
    const peers = parseEnvironment({ FLEET_PEERS: 'visits-0:3000, 10.0.0.7:3001,[fd00::1]:3000' });
    expect(peers.ok && [peers.value.FLEET_DNS, peers.value.FLEET_PEERS]).toEqual([
      undefined,
      [
        { host: 'visits-0', port: 3000 },
        { host: '10.0.0.7', port: 3001 },
        { host: 'fd00::1', port: 3000 },
      ],
    ]);
  });

  it.each([
    ['visits_0', 'FLEET_PEERS has "visits_0", which is not host:port'],
    ['visits-0:0', 'FLEET_PEERS has "visits-0:0", which is not host:port'],
    ['a:1, visits-0:65536', 'FLEET_PEERS has "visits-0:65536", which is not host:port'],
    ['http://visits-0:3000', 'FLEET_PEERS has "http://visits-0:3000", which is not host:port'],
    ['fd00::1:3000', 'FLEET_PEERS has "fd00::1:3000", which is not host:port'],
    ['a:1,,b:2', 'FLEET_PEERS has an empty entry: separate host:port entries with single commas'],
    ['a:1,', 'FLEET_PEERS has an empty entry'],
    ['a:1,A:1', 'FLEET_PEERS lists a:1 twice: list each peer once'],
  ])('refuses FLEET_PEERS=%j, saying what is wrong', (value, problem) => {
    const found = problems(parseEnvironment({ FLEET_PEERS: value }));
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(problem), found[0]).toBe(true);
    expect(found[0]?.endsWith(`(got ${quoteValue(value)})`), found[0]).toBe(true);
  });

  it('refuses a FLEET_DNS that is not a DNS name', () => {
    for (const bad of ['visits headless', 'visits..svc', 'x'.repeat(64), 'http://visits']) {
      expect(problems(parseEnvironment({ FLEET_DNS: bad })), bad).toEqual([
        "FLEET_DNS must be a DNS name such as visits-headless.visits.svc.cluster.local (the headless Service's name)" +
          ` (got ${quoteValue(bad)})`,
      ]);
    }
  });

  it('refuses FLEET_DNS and FLEET_PEERS together, and says which to keep where', () => {
    expect(problems(parseEnvironment({ FLEET_DNS: 'visits', FLEET_PEERS: 'a:1' }))).toEqual([
      'FLEET_DNS and FLEET_PEERS must not both be set: use FLEET_DNS in Kubernetes (the headless ' +
        'Service) or FLEET_PEERS elsewhere (Docker Compose, local runs), and unset the other',
    ]);
    // Reported beside the other problems, not instead of them.
    expect(
      problems(parseEnvironment({ FLEET_DNS: 'visits', FLEET_PEERS: 'a:1', PORT: '0' })),
    ).toHaveLength(2);
    // A blank one is refused as blank (one rule for every variable), not as the pair.
    expect(problems(parseEnvironment({ FLEET_DNS: 'visits', FLEET_PEERS: '  ' }))).toEqual([
      'FLEET_PEERS is set but holds only blanks ("  "): unset it to use the default (unset: no fleet view), or give it a value',
    ]);
  });

  it('ignores variables that are not its own', () => {
    expect(parseEnvironment({ PATH: '/usr/bin', NODE_ENV: 'production' }).ok).toBe(true);
  });
});
