import { describe, expect, it } from 'vitest';
import { formatPeerAddress, isDnsName, parsePeerAddress } from './fleet.js';

describe('parsePeerAddress', () => {
  it.each([
    ['visits-0:3000', { host: 'visits-0', port: 3000 }],
    ['Visits-0.Example.COM:80', { host: 'visits-0.example.com', port: 80 }],
    ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535 }],
    ['[::1]:1', { host: '::1', port: 1 }],
    ['[::ffff:10.0.0.1]:3000', { host: '::ffff:10.0.0.1', port: 3000 }],
  ])('reads %s', (entry, peer) => {
    expect(parsePeerAddress(entry)).toEqual(peer);
  });

  it.each([
    'visits-0',
    ':3000',
    'visits-0:',
    '::1:3000',
    '[visits-0]:3000',
    '[::1]',
    'a b:1',
    'a:123456',
  ])('refuses %j', (entry) => {
    expect(parsePeerAddress(entry)).toBeUndefined();
  });

  it('formats an address back, IPv6 in brackets', () => {
    for (const entry of ['visits-0:3000', '10.1.2.3:80', '[fd00::1]:3000']) {
      expect(formatPeerAddress(parsePeerAddress(entry)!)).toBe(entry);
    }
  });
});

describe('isDnsName', () => {
  it('accepts names of DNS labels, absolute or not, up to 253 characters', () => {
    expect(isDnsName('visits-headless.visits.svc.cluster.local')).toBe(true);
    expect(isDnsName('visits-headless.visits.svc.cluster.local.')).toBe(true);
    expect(isDnsName(`${'a'.repeat(63)}.b`)).toBe(true);
    expect(isDnsName(Array.from({ length: 127 }, () => 'a').join('.'))).toBe(true);
  });

  it('refuses empty labels, long labels, long names and other characters', () => {
    for (const bad of ['', '.', 'a..b', '-a', 'a-', `${'a'.repeat(64)}.b`, 'a b', 'a/b', 'a:1']) {
      expect(isDnsName(bad), bad).toBe(false);
    }
    expect(isDnsName(Array.from({ length: 128 }, () => 'a').join('.'))).toBe(false);
  });
});
