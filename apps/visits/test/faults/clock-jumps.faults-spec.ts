import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { request, summaryOf, visit } from '../harness/http.js';
import { VisitLoad } from '../harness/load.js';
import { ServiceProcess } from '../harness/service-process.js';
import { preload } from './support/preloads.js';
import { faultWorkDir } from './support/suite.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

describe('wall-clock jumps (Date.now shifted by a preload on SIGUSR2)', () => {
  const figures = { jumps: 0, acknowledgedVisitsChecked: 0 };

  const workDir = faultWorkDir('clock', 'clock jumps', () => figures);

  it('counts on through jumps back an hour, back to 1970 and forward 30 years, and recovers the same state', async () => {
    const dataDir = join(workDir(), 'data');
    const now = Date.now();
    // Offsets from the real time, in order: an NTP step back, a dead RTC battery, a far-off clock.
    const offsets = [-HOUR, -(now - DAY), 30 * YEAR];
    const steps = offsets.map((o, i) => o - (i === 0 ? 0 : offsets[i - 1]!));
    const clock = { preload: [preload.clockJumps], env: { FAULT_CLOCK_JUMPS: steps.join(',') } };
    const service = await ServiceProcess.start(dataDir, clock);
    const acknowledged: number[] = [];

    for (const offset of offsets) {
      service.signal('SIGUSR2');
      // A visit recorded after the jump carries the shifted time.
      await vi.waitFor(
        async () => {
          const reply = await visit(service.url);
          expect(reply.status).toBe(201);
          acknowledged.push(reply.json<{ count: number }>().count);
          const [newest] = (await summaryOf(service.url, 1)).recent;
          expect(Math.abs(Date.parse(newest!) - (Date.now() + offset))).toBeLessThan(60_000);
        },
        { timeout: 10_000, interval: 10 },
      );
      figures.jumps++;
      const load = new VisitLoad(service.url, 64);
      await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(300), {
        timeout: 20_000,
        interval: 5,
      });
      await load.stop();
      expect(load.failures.size, JSON.stringify([...load.failures])).toBe(0);
      acknowledged.push(...load.acknowledged);
      // GET / records a visit too, and shows the time (in TIMEZONE, from its own Date).
      const page = await request(`${service.url}/`);
      expect(page.status).toBe(200);
      acknowledged.push(page.json<{ count: number }>().count);
    }

    // Every count handed out once, none skipped, whatever the clock said.
    const before = await summaryOf(service.url, 1000);
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    expect(Math.max(...acknowledged)).toBe(before.count);
    expect(acknowledged.length).toBe(before.count);
    expect(before.recent.length).toBeGreaterThan(0);

    // Recovery does not look at the clock: after kill -9, with yet another offset, same state.
    await service.kill();
    const restarted = await ServiceProcess.start(dataDir, {
      preload: [preload.clockJumps],
      env: { FAULT_CLOCK_OFFSET: String(-2 * DAY) },
    });
    const after = await summaryOf(restarted.url, 1000);
    expect(after).toEqual(before);
    const next = await visit(restarted.url);
    expect(next.json()).toMatchObject({ count: before.count + 1 });
    const [newest] = (await summaryOf(restarted.url, 1)).recent;
    expect(Math.abs(Date.parse(newest!) - (Date.now() - 2 * DAY))).toBeLessThan(60_000);
    figures.acknowledgedVisitsChecked = acknowledged.length;
  });
});
