import { expect, it, vi } from 'vitest';
import { countOf, recordVisit } from '../harness/http.js';
import { VisitLoad } from '../harness/load.js';
import { isErrorLine, logLines, logSummary } from '../harness/service.js';
import type { Replica } from './support/replica.js';
import { describeWithDocker } from './support/suite.js';

const CLIENTS = 8;
const GRACE_SECONDS = 10;

// The durability contract under load: a visit acknowledged with 201 is on disk, whatever ends the
// process. Checked from outside: after a restart on the same volume the count holds every
// acknowledged visit (and no more than were attempted).
describeWithDocker('stopping under load', 120_000, (_, fixture) => {
  const underLoad = async (
    name: string,
    volume: string,
  ): Promise<{ sut: Replica; load: VisitLoad }> => {
    const sut = await fixture().startReplica({ name, data: volume });
    const load = new VisitLoad(sut.url, CLIENTS);
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThanOrEqual(300), {
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
    expect(load.distinct).toBe(load.acknowledged.length);
    const restarted = await fixture().startReplica({ name, data: volume });
    const count = await countOf(restarted.url);
    expect(count).toBeGreaterThanOrEqual(load.highest);
    expect(count).toBeGreaterThanOrEqual(load.acknowledged.length);
    expect(count).toBeLessThanOrEqual(load.attempted);
    expect(await recordVisit(restarted.url)).toBe(count + 1);
    await vi.waitFor(async () => expect(await restarted.countFile()).toBe(`${count + 1}\n`));
    return restarted;
  };

  it('docker stop (SIGTERM): a clean exit 0 within the grace period, nothing acknowledged is lost', async () => {
    const volume = await fixture().createVolume();
    const { sut, load } = await underLoad('visits-0', volume);

    const exited = await sut.stop(GRACE_SECONDS);
    await load.stop();

    expect(exited.code, `exit code; logs:\n${logSummary(exited.logs)}`).toBe(0);
    expect(exited.elapsedMs).toBeLessThan(GRACE_SECONDS * 1000);
    await expectEveryAcknowledgedVisit('visits-0', volume, load);
  });

  it('docker kill (SIGKILL): every acknowledged visit survives and the store opens cleanly', async () => {
    const volume = await fixture().createVolume();
    const { sut, load } = await underLoad('visits-1', volume);

    const exited = await sut.kill();
    await load.stop();

    expect(exited.code).toBe(137);
    const restarted = await expectEveryAcknowledgedVisit('visits-1', volume, load);
    const problems = logLines(await restarted.logs()).filter(isErrorLine);
    expect(problems, 'error or fatal log lines after reopening the store').toEqual([]);
  });
});
