import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  DockerFixture,
  isErrorLine,
  logLines,
  logSummary,
  type Replica,
} from './support/docker.js';
import { VisitLoad } from './support/load.js';
import { describeWithDocker } from './support/suite.js';

const CLIENTS = 8;
const GRACE_SECONDS = 10;

// The durability contract under load: a visit acknowledged with 201 is on disk, whatever ends the
// process. Checked from outside: after a restart on the same volume the count holds every
// acknowledged visit (and no more than were attempted).
describeWithDocker('stopping under load', 120_000, (environment) => {
  let fixture: DockerFixture;

  beforeAll(async () => {
    fixture = await DockerFixture.create(environment.runId, environment.image);
  });

  afterAll(async () => {
    await fixture?.dispose();
  });

  const underLoad = async (
    name: string,
    volume: string,
  ): Promise<{ sut: Replica; load: VisitLoad }> => {
    const sut = await fixture.startReplica({ name, data: volume });
    const load = new VisitLoad(sut.baseUrl, CLIENTS);
    await vi.waitFor(() => expect(load.acknowledged).toBeGreaterThanOrEqual(300), {
      timeout: 30_000,
      interval: 20,
    });
    return { sut, load };
  };

  const expectEveryAcknowledgedVisit = async (
    name: string,
    volume: string,
    load: VisitLoad,
  ): Promise<Replica> => {
    // Acknowledged counts are distinct visits: no count was handed out twice.
    expect(new Set(load.acknowledgedCounts).size).toBe(load.acknowledged);
    const restarted = await fixture.startReplica({ name, data: volume });
    const count = await restarted.count();
    expect(count).toBeGreaterThanOrEqual(load.highestAcknowledgedCount);
    expect(count).toBeGreaterThanOrEqual(load.acknowledged);
    expect(count).toBeLessThanOrEqual(load.attempted);
    expect(await restarted.recordVisit()).toBe(count + 1);
    await vi.waitFor(async () => expect(await restarted.countFile()).toBe(`${count + 1}\n`));
    return restarted;
  };

  it('docker stop (SIGTERM): a clean exit 0 within the grace period, nothing acknowledged is lost', async () => {
    const volume = await fixture.createVolume();
    const { sut, load } = await underLoad('visits-0', volume);

    const exited = await sut.stop(GRACE_SECONDS);
    await load.stop();

    expect(exited.exitCode, `exit code; logs:\n${logSummary(exited.logs)}`).toBe(0);
    expect(exited.elapsedMs).toBeLessThan(GRACE_SECONDS * 1000);
    await expectEveryAcknowledgedVisit('visits-0', volume, load);
  });

  it('docker kill (SIGKILL): every acknowledged visit survives and the store opens cleanly', async () => {
    const volume = await fixture.createVolume();
    const { sut, load } = await underLoad('visits-1', volume);

    const exited = await sut.kill();
    await load.stop();

    expect(exited.exitCode).toBe(137);
    const restarted = await expectEveryAcknowledgedVisit('visits-1', volume, load);
    const problems = logLines(await restarted.logs()).filter(isErrorLine);
    expect(problems, 'error or fatal log lines after reopening the store').toEqual([]);
  });
});
