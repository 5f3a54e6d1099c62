import { expect, it, vi } from 'vitest';
import type { FleetSnapshot } from '../../src/fleet/fleet.types.js';
import { countOf, recordVisits, request } from '../harness/http.js';
import type { Replica } from './support/replica.js';
import { describeWithDocker } from './support/suite.js';

/** A network alias every replica shares: Docker's DNS answers it with each one's address. */
const SHARED_ALIAS = 'visits-headless';
const TIMEOUT_MS = 500;
/** The service's overall deadline is twice the per-peer timeout; this leaves a loaded machine room. */
const ANSWER_WITHIN_MS = 2 * TIMEOUT_MS + 2_000;

async function fleetOf(replica: Replica): Promise<FleetSnapshot> {
  // The client gives up after ANSWER_WITHIN_MS: a slower answer fails the test.
  const reply = await request(`${replica.url}/fleet`, {
    headers: { accept: 'application/json' },
    timeoutMs: ANSWER_WITHIN_MS,
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.json<FleetSnapshot>();
}

// FLEET_DNS as in Kubernetes: one name that resolves to every pod (there a headless Service, here
// a network alias the replicas share), each asked on the service port.
describeWithDocker('the fleet view across replicas found through DNS', 180_000, (_, fixture) => {
  const replicas = new Map<string, Replica>();
  const recorded = new Map([
    ['visits-0', 4],
    ['visits-1', 9],
    ['visits-2', 2],
  ]);
  const replica = (name: string): Replica => {
    const found = replicas.get(name);
    if (!found) throw new Error(`${name} is not running (an earlier case failed)`);
    return found;
  };

  it('lists all three replicas with the counts recorded on each, from any of them', async () => {
    for (const name of recorded.keys()) {
      const started = await fixture().startReplica({
        name,
        aliases: [SHARED_ALIAS],
        data: await fixture().createVolume(),
        env: { FLEET_DNS: SHARED_ALIAS, FLEET_TIMEOUT_MS: String(TIMEOUT_MS) },
      });
      replicas.set(name, started);
    }
    for (const [name, visits] of recorded) await recordVisits(replica(name).url, visits);

    for (const asked of recorded.keys()) {
      const sut = await fleetOf(replica(asked));
      expect(sut.source).toEqual({ via: 'dns', name: SHARED_ALIAS });
      expect(sut.pods.map((p) => [p.pod, p.count, p.self, p.ready, p.error])).toEqual(
        [...recorded].map(([name, count]) => [name, count, name === asked, true, undefined]),
      );
      expect(sut.total).toBe(15);
      expect(sut.complete).toBe(true);
    }
    // Asking recorded nothing.
    for (const [name, visits] of recorded) expect(await countOf(replica(name).url)).toBe(visits);
  });

  it('lists a replica that hangs as not answering, and still answers within the deadline', async () => {
    const frozen = replica('visits-1');
    // A paused container keeps its address and its kernel still accepts connections: a peer that
    // never answers, as a pod stuck in a long GC pause or on a dead node would be.
    await fixture().docker.getContainer(frozen.id).pause();
    try {
      await vi.waitFor(
        async () => {
          const sut = await fleetOf(replica('visits-0'));
          expect(sut.complete).toBe(false);
          expect(sut.pods.find((p) => p.pod === 'visits-1')).toMatchObject({
            count: null,
            ready: false,
            error: `no answer within ${TIMEOUT_MS} ms`,
          });
          expect(sut.total).toBe(6);
        },
        { timeout: 20_000, interval: 500 },
      );
    } finally {
      await fixture().docker.getContainer(frozen.id).unpause();
    }
  });

  it('lists a stopped replica as unreachable, with the reason, and complete false', async () => {
    await replica('visits-2').stop();
    replicas.delete('visits-2');
    await vi.waitFor(
      async () => {
        const sut = await fleetOf(replica('visits-0'));
        expect(sut.complete).toBe(false);
        expect(sut.pods.map((p) => [p.pod, p.count])).toEqual([
          ['visits-0', 4],
          ['visits-1', 9],
          ['visits-2', null],
        ]);
        // Docker's DNS drops a stopped container, as a headless Service drops a deleted pod.
        expect(sut.pods[2]?.error).toMatch(
          /^not in the DNS answer any more \(last answered \d+ s ago at [\d.]+:3000\)$/,
        );
      },
      { timeout: 20_000, interval: 500 },
    );
  });
});
