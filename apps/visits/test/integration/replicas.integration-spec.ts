import { expect, it, vi } from 'vitest';
import { countOf, recordVisit, recordVisits, request, summaryOf } from '../harness/http.js';
import { logSummary } from '../harness/service.js';
import { type Replica, SERVICE_PORT } from './support/replica.js';
import { describeWithDocker } from './support/suite.js';

// A StatefulSet by hand: replicas with stable names on one network, each with its own volume.
// The cases build on each other, in order, like the life of one set.
describeWithDocker('replicas, each with its own volume', 180_000, (environment, fixture) => {
  const replicas = new Map<string, Replica>();
  const volumes = new Map<string, string>();
  const expected = new Map<string, number>();

  const replica = (name: string): Replica => {
    const found = replicas.get(name);
    if (!found) throw new Error(`${name} is not running (an earlier case failed)`);
    return found;
  };

  /** Replaces a replica's container (same name, same volume), as a rescheduled or updated pod. */
  const reschedule = async (name: string, image?: string): Promise<Replica> => {
    const exited = await replica(name).remove();
    expect(exited.code, `${name} stopped with ${exited.code}:\n${logSummary(exited.logs)}`).toBe(0);
    replicas.delete(name);
    const volume = volumes.get(name) ?? '';
    const next = await fixture().startReplica({ name, data: volume, ...(image ? { image } : {}) });
    replicas.set(name, next);
    return next;
  };

  const expectCountsIntact = async (): Promise<void> => {
    for (const [name, count] of expected) {
      expect(await countOf(replica(name).url), `${name}'s count`).toBe(count);
    }
  };

  it('three replicas on three volumes each count only their own visits', async () => {
    const plan: [string, number][] = [
      ['visits-0', 5],
      ['visits-1', 11],
      ['visits-2', 17],
    ];
    for (const [name] of plan) {
      const volume = await fixture().createVolume();
      volumes.set(name, volume);
      replicas.set(name, await fixture().startReplica({ name, data: volume }));
    }
    for (const [name, visits] of plan) {
      const counts = await recordVisits(replica(name).url, visits);
      expect(counts).toEqual(Array.from({ length: visits }, (_, i) => i + 1));
      expected.set(name, visits);
    }

    for (const [name, visits] of plan) {
      const body = await summaryOf(replica(name).url);
      expect(body.pod).toBe(name);
      expect(body.count).toBe(visits);
      expect(body.recent).toHaveLength(visits);
      await vi.waitFor(async () => expect(await replica(name).countFile()).toBe(`${visits}\n`));
    }

    // The aliases are stable names on the network, as a headless Service gives each pod.
    const fromPeer = await replica('visits-0').exec([
      'node',
      '-e',
      `fetch('http://visits-2:${SERVICE_PORT}/visits').then((r) => r.text()).then((t) => process.stdout.write(t))`,
    ]);
    expect(fromPeer.exitCode, fromPeer.stderr).toBe(0);
    expect(JSON.parse(fromPeer.stdout)).toMatchObject({ pod: 'visits-2', count: 17 });
  });

  it('a rescheduled replica on the same volume keeps its count and counts on', async () => {
    const before = replica('visits-1').id;
    const next = await reschedule('visits-1');
    expect(next.id).not.toBe(before);

    expect(await summaryOf(next.url)).toMatchObject({ pod: 'visits-1', count: 11 });
    expect(await recordVisit(next.url)).toBe(12);
    expected.set('visits-1', 12);
    await vi.waitFor(async () => expect(await next.countFile()).toBe('12\n'));
    await expectCountsIntact();
  });

  it('a scaled-up replica on a fresh volume starts at 0 and leaves the others alone', async () => {
    const volume = await fixture().createVolume();
    volumes.set('visits-3', volume);
    const sut = await fixture().startReplica({ name: 'visits-3', data: volume });
    replicas.set('visits-3', sut);

    expect(await summaryOf(sut.url)).toMatchObject({ pod: 'visits-3', count: 0, recent: [] });
    expect(await recordVisit(sut.url)).toBe(1);
    expected.set('visits-3', 1);
    await expectCountsIntact();
  });

  it('a rolling update to a second build keeps every count', async () => {
    // Highest ordinal first, one at a time, as the StatefulSet controller rolls.
    for (const name of ['visits-3', 'visits-2', 'visits-1', 'visits-0']) {
      const next = await reschedule(name, environment.nextImage);
      const inspect = await next.inspect();
      expect(inspect.Config.Labels?.['org.opencontainers.image.version']).toBe(
        environment.nextVersion,
      );
      expect((await request(`${next.opsUrl}/version`)).json()).toMatchObject({
        version: environment.nextVersion,
      });
      await expectCountsIntact();
    }
    for (const [name, count] of expected) {
      expect(await recordVisit(replica(name).url)).toBe(count + 1);
      expected.set(name, count + 1);
    }
    await expectCountsIntact();
  });
});
