import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiscoveryError, dnsDiscovery, noDiscovery, staticDiscovery } from './discovery.js';
import { DnsServer } from './testing/dns-server.js';

const never = () => new AbortController().signal;

describe('dnsDiscovery', () => {
  let dns: DnsServer;
  beforeEach(async () => {
    dns = await DnsServer.start();
  });
  afterEach(async () => {
    await dns.close();
  });

  const sut = (name = 'visits-headless.visits.svc.cluster.local', timeoutMs = 300) =>
    dnsDiscovery(name, 3000, { timeoutMs, servers: [dns.server] });

  it('finds every A and AAAA record of the name, each on the service port', async () => {
    dns.records.set('visits-headless.visits.svc.cluster.local', [
      '10.0.0.1',
      '10.0.0.2',
      'fd00::3',
    ]);
    const targets = await sut().find(never());
    expect(targets.map((t) => t.address).sort()).toEqual([
      '10.0.0.1:3000',
      '10.0.0.2:3000',
      '[fd00::3]:3000',
    ]);
    expect(targets.find((t) => t.host === 'fd00::3')).toEqual({
      host: 'fd00::3',
      port: 3000,
      address: '[fd00::3]:3000',
    });
  });

  it('asks DNS again each time: a pod that left is gone, a new one is there', async () => {
    const discovery = sut();
    dns.records.set('visits-headless.visits.svc.cluster.local', ['10.0.0.1', '10.0.0.2']);
    expect((await discovery.find(never())).map((t) => t.host).sort()).toEqual([
      '10.0.0.1',
      '10.0.0.2',
    ]);
    dns.records.set('visits-headless.visits.svc.cluster.local', ['10.0.0.2', '10.0.0.9']);
    expect((await discovery.find(never())).map((t) => t.host).sort()).toEqual([
      '10.0.0.2',
      '10.0.0.9',
    ]);
  });

  it('says when the name does not exist', async () => {
    await expect(sut('nothing.example').find(never())).rejects.toThrow(
      new DiscoveryError(
        'DNS has no name nothing.example (ENOTFOUND): check FLEET_DNS and that the headless Service exists',
      ),
    );
  });

  it('says when the name has no addresses', async () => {
    dns.records.set('empty.example', []);
    await expect(sut('empty.example').find(never())).rejects.toThrow(
      /knows empty\.example but it has no addresses/,
    );
  });

  it('fails, saying so, when DNS does not answer within the timeout', async () => {
    dns.silent = true;
    await expect(sut('visits.example', 100).find(never())).rejects.toThrow(
      /^DNS lookup of visits\.example failed \(ETIMEOUT\)$/,
    );
  });

  it('stops at once when the deadline passes', async () => {
    dns.silent = true;
    const deadline = new AbortController();
    const found = sut('visits.example', 5_000).find(deadline.signal);
    await vi.waitFor(() => expect(dns.queries).toBeGreaterThan(0));
    deadline.abort();
    await expect(found).rejects.toThrow(
      'DNS did not answer for visits.example before the deadline',
    );
  });
});

describe('staticDiscovery and noDiscovery', () => {
  it('list the configured peers, IPv6 in brackets', async () => {
    const sut = staticDiscovery([
      { host: 'visits-1', port: 3000 },
      { host: '::1', port: 3001 },
    ]);
    expect(sut.source).toEqual({ via: 'peers', peers: ['visits-1:3000', '[::1]:3001'] });
    expect(await sut.find(never())).toEqual([
      { host: 'visits-1', port: 3000, address: 'visits-1:3000' },
      { host: '::1', port: 3001, address: '[::1]:3001' },
    ]);
  });

  it('without peers, finds none and says how to configure them', async () => {
    const sut = noDiscovery();
    expect(await sut.find(never())).toEqual([]);
    expect(sut.source).toMatchObject({
      via: 'none',
      note: expect.stringMatching(/set FLEET_DNS .* or FLEET_PEERS/),
    });
  });
});
