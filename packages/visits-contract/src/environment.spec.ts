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
      'FLEET_DNS',
      'FLEET_PEERS',
      'FLEET_TIMEOUT_MS',
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
    ['a:1,,b:2', 'FLEET_PEERS has an empty entry (got "a:1,,b:2")'],
    ['a:1,', 'FLEET_PEERS has an empty entry (got "a:1,")'],
    ['a:1,A:1', 'FLEET_PEERS lists a:1 twice: list each peer once'],
  ])('refuses FLEET_PEERS=%j, saying what is wrong', (value, problem) => {
    const found = problems(parseEnvironment({ FLEET_PEERS: value }));
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(problem), found[0]).toBe(true);
  });

  it('refuses a FLEET_DNS that is not a DNS name', () => {
    for (const bad of ['visits headless', 'visits..svc', 'x'.repeat(64), 'http://visits']) {
      expect(problems(parseEnvironment({ FLEET_DNS: bad })), bad).toEqual([
        "FLEET_DNS must be a DNS name such as visits-headless.visits.svc.cluster.local (the headless Service's name)",
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
    expect(parseEnvironment({ FLEET_DNS: 'visits', FLEET_PEERS: '  ' }).ok).toBe(true);
  });

  it('ignores variables that are not its own', () => {
    expect(parseEnvironment({ PATH: '/usr/bin', NODE_ENV: 'production' }).ok).toBe(true);
  });
});
