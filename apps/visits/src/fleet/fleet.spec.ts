import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/harness/ports.js';
import { dnsDiscovery, noDiscovery, staticDiscovery, type Discovery } from './discovery.js';
import { Fleet, type FleetOptions, type SelfState } from './fleet.js';
import type { PeerTarget } from './peer-client.js';
import { DnsServer } from './testing/dns-server.js';
import { PeerServer, type PeerBehaviour } from './testing/peer-server.js';
import { byAddress, unansweredRow } from './testing/fleet-rows.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function peer(behaviour: PeerBehaviour): Promise<PeerServer> {
  const started = await PeerServer.start(behaviour);
  closers.push(() => started.close());
  return started;
}

const counting = (pod: string, count: number) => peer({ kind: 'count', pod, count });
const peersOf = (...servers: PeerServer[]) =>
  staticDiscovery(servers.map((s) => ({ host: '127.0.0.1', port: s.port })));

/** A clock the test moves by hand: the cache and the memory of pods follow it, timers do not. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function fleet(discovery: Discovery, overrides: Partial<FleetOptions> = {}) {
  let self: SelfState = { pod: 'visits-0', count: 3, ready: true };
  const sut = new Fleet({
    discovery,
    self: () => self,
    isSelf: () => false,
    timeoutMs: 200,
    ...overrides,
  });
  return { sut, setSelf: (next: Partial<SelfState>) => (self = { ...self, ...next }) };
}

describe('Fleet', () => {
  it('lists this pod and every peer by ordinal, with the total, complete when all answered', async () => {
    const peers = await Promise.all([
      counting('visits-10', 100),
      counting('visits-2', 20),
      counting('visits-1', 10),
    ]);
    const { sut } = fleet(peersOf(...peers));
    const snapshot = await sut.snapshot();
    expect(snapshot.pods.map((p) => [p.pod, p.count, p.self])).toEqual([
      ['visits-0', 3, true],
      ['visits-1', 10, false],
      ['visits-2', 20, false],
      ['visits-10', 100, false],
    ]);
    expect(snapshot.pods[1]).toEqual({
      pod: 'visits-1',
      address: `127.0.0.1:${peers[2].port}`,
      count: 10,
      self: false,
      ready: true,
    });
    expect(snapshot.total).toBe(133);
    expect(snapshot.complete).toBe(true);
    expect(snapshot.source).toEqual({
      via: 'peers',
      peers: peers.map((p) => `127.0.0.1:${p.port}`),
    });
  });

  it('lists a peer that did not answer with its address and why, never a made-up count', async () => {
    const up = await counting('visits-1', 10);
    const closed = await freePort();
    const garbage = await peer({ kind: 'raw', status: 200, body: 'Welcome to nginx!' });
    const { sut } = fleet(
      staticDiscovery([
        { host: '127.0.0.1', port: up.port },
        { host: '127.0.0.1', port: closed },
        { host: '127.0.0.1', port: garbage.port },
      ]),
    );
    const snapshot = await sut.snapshot();
    expect(snapshot.complete).toBe(false);
    expect(snapshot.total).toBe(13);
    expect(snapshot.pods.slice(2)).toEqual(
      byAddress([
        unansweredRow(
          `127.0.0.1:${closed}`,
          'connection refused: nothing listens there (ECONNREFUSED)',
        ),
        unansweredRow(
          `127.0.0.1:${garbage.port}`,
          'answered something that is not JSON: "Welcome to nginx!"',
        ),
      ]),
    );
  });

  it('answers within the deadline when peers accept the connection and never answer', async () => {
    const hanging = await Promise.all([
      peer({ kind: 'hang' }),
      peer({ kind: 'hang' }),
      peer({ kind: 'hang' }),
    ]);
    const up = await counting('visits-1', 10);
    // One at a time: the first hanging peer times out, the second runs into the deadline, the
    // third never gets its turn. The answer still comes, with each one's reason.
    const { sut } = fleet(peersOf(up, ...hanging), { timeoutMs: 150, maxInFlight: 1 });
    expect(sut.deadlineMs).toBe(300);
    const snapshot = await sut.snapshot();
    const errors = new Map(snapshot.pods.map((p) => [p.address, p.error]));
    expect(errors.get(`127.0.0.1:${up.port}`)).toBeUndefined();
    expect(hanging.map((h) => errors.get(`127.0.0.1:${h.port}`))).toEqual([
      'no answer within 150 ms',
      'no answer before the 300 ms deadline',
      'not asked: the 300 ms deadline passed first',
    ]);
    expect(hanging.map((h) => h.requests.length)).toEqual([1, 1, 0]);
    expect(snapshot).toMatchObject({ complete: false, total: 13 });
  });

  it('shares one round between concurrent callers and reuses it for cacheMs; this pod is always current', async () => {
    const visits1 = await counting('visits-1', 10);
    const clock = manualClock();
    const { sut, setSelf } = fleet(peersOf(visits1), { now: clock.now, cacheMs: 1000 });

    const [a, b, c] = await Promise.all([sut.snapshot(), sut.snapshot(), sut.snapshot()]);
    expect(visits1.requests).toHaveLength(1);
    expect(a).toEqual(b);
    expect(b).toEqual(c);

    visits1.behaviour = { kind: 'count', pod: 'visits-1', count: 11 };
    setSelf({ count: 4 });
    clock.advance(999);
    const cached = await sut.snapshot();
    expect(visits1.requests).toHaveLength(1);
    expect(cached.pods.map((p) => p.count)).toEqual([4, 10]);
    expect(cached.askedAt).toBe(a.askedAt);

    clock.advance(1);
    const fresh = await sut.snapshot();
    expect(visits1.requests).toHaveLength(2);
    expect(fresh.pods.map((p) => p.count)).toEqual([4, 11]);
    expect(fresh.total).toBe(15);
  });

  it('does not ask its own address, and lists itself once even when a peer answers with its name', async () => {
    const me = await counting('visits-0', 999);
    const other = await counting('visits-1', 1);
    const alsoMe = await counting('visits-0', 999);
    const { sut } = fleet(peersOf(me, other, alsoMe), {
      isSelf: (t: PeerTarget) => t.port === me.port,
    });
    const snapshot = await sut.snapshot();
    expect(me.requests).toHaveLength(0);
    expect(alsoMe.requests).toHaveLength(1);
    expect(snapshot.pods.map((p) => [p.pod, p.count, p.self])).toEqual([
      ['visits-0', 3, true],
      ['visits-1', 1, false],
    ]);
  });

  it('says whether a peer is ready as the peer says it, and null where it does not say', async () => {
    const notReady = await peer({ kind: 'count', pod: 'visits-1', count: 1, ready: false });
    const silent = await peer({ kind: 'count', pod: 'visits-2', count: 2, ready: null });
    const { sut, setSelf } = fleet(peersOf(notReady, silent));
    setSelf({ ready: false });
    const snapshot = await sut.snapshot();
    expect(snapshot.pods.map((p) => [p.pod, p.ready])).toEqual([
      ['visits-0', false],
      ['visits-1', false],
      ['visits-2', null],
    ]);
    // Not ready is not a failure: it answered its count.
    expect(snapshot.complete).toBe(true);
  });

  it('without peers configured, lists this pod alone and says the view is not configured', async () => {
    const { sut } = fleet(noDiscovery());
    const snapshot = await sut.snapshot();
    expect(snapshot.pods).toEqual([{ pod: 'visits-0', count: 3, self: true, ready: true }]);
    expect(snapshot).toMatchObject({ total: 3, complete: false, source: { via: 'none' } });
  });
});

describe('Fleet with DNS discovery', () => {
  const NAME = 'visits-headless.visits.svc.cluster.local';

  /** A DNS server, and pods on 127.0.0.x that share one port, as pods share the service port. */
  async function dnsFleet() {
    const dns = await DnsServer.start();
    closers.push(() => dns.close());
    const port = await freePort();
    const pod = async (host: string, pod: string, count: number) => {
      const server = await PeerServer.start({ kind: 'count', pod, count }, { host, port });
      closers.push(() => server.close());
      return server;
    };
    const clock = manualClock();
    const discovery = dnsDiscovery(NAME, port, { timeoutMs: 200, servers: [dns.server] });
    return { dns, pod, clock, ...fleet(discovery, { now: clock.now, forgetAfterMs: 60_000 }) };
  }

  it('asks every address the name resolves to, on the service port', async () => {
    const { dns, pod, sut } = await dnsFleet();
    const visits1 = await pod('127.0.0.11', 'visits-1', 10);
    const visits2 = await pod('127.0.0.12', 'visits-2', 20);
    dns.records.set(NAME, ['127.0.0.12', '127.0.0.11']);
    const snapshot = await sut.snapshot();
    expect(snapshot.pods.map((p) => [p.pod, p.address, p.count])).toEqual([
      ['visits-0', undefined, 3],
      ['visits-1', `127.0.0.11:${visits1.port}`, 10],
      ['visits-2', `127.0.0.12:${visits2.port}`, 20],
    ]);
    expect(snapshot).toMatchObject({
      complete: true,
      total: 33,
      source: { via: 'dns', name: NAME },
    });
  });

  it('lists a pod that left the DNS answer as missing, by name, until it is forgotten', async () => {
    const { dns, pod, sut, clock } = await dnsFleet();
    await pod('127.0.0.11', 'visits-1', 10);
    const visits2 = await pod('127.0.0.12', 'visits-2', 20);
    dns.records.set(NAME, ['127.0.0.11', '127.0.0.12']);
    await sut.snapshot();

    // visits-2 is deleted: the headless Service drops its address until it is re-created.
    dns.records.set(NAME, ['127.0.0.11']);
    clock.advance(5_000);
    const missing = await sut.snapshot();
    expect(missing.complete).toBe(false);
    expect(missing.total).toBe(13);
    expect(missing.pods[2]).toEqual({
      pod: 'visits-2',
      address: `127.0.0.12:${visits2.port}`,
      count: null,
      self: false,
      ready: false,
      error: `not in the DNS answer any more (last answered 5 s ago at 127.0.0.12:${visits2.port})`,
    });

    // Back under the same name at a new address: listed once, with its count.
    const again = await pod('127.0.0.13', 'visits-2', 21);
    dns.records.set(NAME, ['127.0.0.11', '127.0.0.13']);
    clock.advance(1_000);
    const back = await sut.snapshot();
    expect(back.pods.map((p) => [p.pod, p.address, p.count])).toEqual([
      ['visits-0', undefined, 3],
      ['visits-1', `127.0.0.11:${again.port}`, 10],
      ['visits-2', `127.0.0.13:${again.port}`, 21],
    ]);
    expect(back.complete).toBe(true);

    // Scaled down for good: missing for forgetAfterMs after its last answer, then left out.
    dns.records.set(NAME, ['127.0.0.11']);
    clock.advance(59_000);
    expect((await sut.snapshot()).pods.map((p) => p.pod)).toEqual([
      'visits-0',
      'visits-1',
      'visits-2',
    ]);
    clock.advance(1_000);
    const forgotten = await sut.snapshot();
    expect(forgotten.pods.map((p) => p.pod)).toEqual(['visits-0', 'visits-1']);
    expect(forgotten.complete).toBe(true);
  });

  it('names an address that stops answering after the pod it last heard there', async () => {
    const { dns, pod, sut, clock } = await dnsFleet();
    const visits1 = await pod('127.0.0.11', 'visits-1', 10);
    dns.records.set(NAME, ['127.0.0.11']);
    await sut.snapshot();
    await visits1.close();
    clock.advance(1_000);
    const snapshot = await sut.snapshot();
    expect(snapshot.pods[1]).toMatchObject({
      pod: 'visits-1',
      count: null,
      error: 'connection refused: nothing listens there (ECONNREFUSED)',
    });
  });

  it('when DNS fails, says so, and lists the pods it knew as not asked', async () => {
    const { dns, pod, sut, clock } = await dnsFleet();
    await pod('127.0.0.11', 'visits-1', 10);
    dns.records.set(NAME, ['127.0.0.11']);
    await sut.snapshot();
    dns.records.delete(NAME);
    clock.advance(1_000);
    const snapshot = await sut.snapshot();
    const why = `DNS has no name ${NAME} (ENOTFOUND): check FLEET_DNS and that the headless Service exists`;
    expect(snapshot.source).toEqual({ via: 'dns', name: NAME, error: why });
    expect(snapshot.complete).toBe(false);
    expect(snapshot.pods.map((p) => [p.pod, p.count, p.error])).toEqual([
      ['visits-0', 3, undefined],
      ['visits-1', null, `not asked: ${why}`],
    ]);
  });
});
