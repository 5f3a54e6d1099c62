import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { scanJournal } from '../../src/store/journal.js';
import { countOf, request, visit } from '../harness/http.js';
import { fillJournal } from './support/journals.js';
import { VisitLoad } from '../harness/load.js';
import { fillDisk, mountSkipReason } from './support/mounts.js';
import { mountSuite } from './support/suite.js';
import { runToExit, ServiceProcess } from '../harness/service-process.js';
import { expectRefusal } from '../harness/refusal.js';
import { STACK_FRAME } from '../harness/service.js';

const skip = await mountSkipReason();
if (skip !== undefined) console.warn(`[faults] SKIPPING the disk-full cases: ${skip}`);

const START = 1_000_000;
/** Room for the journal (1 MiB), a new one beside it, and plenty more to fill. */
const VOLUME = 16 * 1024 * 1024;

async function readiness(url: string): Promise<{ status: number; body: string }> {
  const reply = await request(`${url}/health/ready`);
  return { status: reply.status, body: reply.text };
}

describe.skipIf(skip !== undefined)(
  `a full volume (size-limited tmpfs as DATA_DIR)${skip === undefined ? '' : ` [skipped: ${skip}]`}`,
  () => {
    const figures = { acknowledgedWhileFull: 0, rejected503: 0 };

    const mounts = mountSuite('disk full', figures);

    it('keeps appending into the preallocated journal, answers 503 when a new journal cannot be written, and resumes by itself when space returns', async () => {
      const volume = await mounts.tmpfs(VOLUME);
      const dataDir = join(volume, 'data');
      // 20 KB left in the journal: a few hundred batches, then it needs a new one.
      await mkdir(dataDir);
      await fillJournal(dataDir, START, 20_000);
      const service = await ServiceProcess.start(dataDir);

      const freeSpace = await fillDisk(volume);
      // Readiness says so within its one-second cache, before any visit fails.
      await vi.waitFor(
        async () => {
          const full = await readiness(service.opsUrl);
          expect(full.status).toBe(503);
          expect(full.body).toMatch(/the data volume is nearly full/);
        },
        { timeout: 5_000, interval: 50 },
      );

      const load = new VisitLoad(service.url, 64);
      // While the clients keep coming, readiness reports why visits fail. (A small batch whose
      // record still fits in the old journal succeeds, so the store may flip back and forth.)
      await vi.waitFor(
        async () => {
          expect(load.failed(503)).toBeGreaterThan(100);
          const degraded = await readiness(service.opsUrl);
          expect(degraded.status).toBe(503);
          expect(degraded.body).toMatch(/"store":"degraded"/);
          expect(degraded.body).toMatch(/no space left/);
        },
        { timeout: 30_000, interval: 5 },
      );
      await load.stop();
      const context = `output:\n${service.output()}`;
      // Appends went on while the disk was full (the journal is preallocated), then the new
      // journal could not be written: those visits were refused, not half-recorded.
      expect(load.highest, context).toBeGreaterThan(START);
      expect(load.failed(0), context).toBe(0);
      expect(JSON.parse(load.samples.get(503)!)).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(
          /not recorded: this replica cannot write to its volume right now \(its log and \/health\/ready say why\)/,
        ),
      });
      expect(load.samples.get(503)).not.toContain(dataDir);
      expect(service.output(), context).toMatch(
        /could not (create|write) a new journal: no space left/,
      );
      expect((await readiness(service.opsUrl)).status).toBe(503);

      // Nothing acknowledged that is not on disk, nothing on disk that was not acknowledged.
      const onDisk = scanJournal(await readFile(join(dataDir, 'visits.journal')), 100);
      expect(onDisk.count).toBe(load.highest);
      expect(await countOf(service.url)).toBe(load.highest);
      expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);
      expect(load.acknowledged.length).toBe(load.highest - START);
      expect(await readdir(dataDir)).not.toContain('visits.journal.tmp');

      // Space returns: the store gets ready again without waiting for a visit (a load balancer
      // sends none to an unready pod), and counting goes on from the last acknowledged count.
      await freeSpace();
      await vi.waitFor(async () => expect((await readiness(service.opsUrl)).status).toBe(200), {
        timeout: 10_000,
        interval: 50,
      });
      const next = await visit(service.url);
      expect(next.status).toBe(201);
      expect(next.json().count).toBe(load.highest + 1);
      expect(service.running, context).toBe(true);
      expect((await service.stop()).code).toBe(0);
      expect(service.output()).not.toMatch(STACK_FRAME);

      figures.acknowledgedWhileFull = load.acknowledged.length;
      figures.rejected503 = load.failed(503);
    });

    it('refuses to start with one line giving the bytes needed when the volume is too full for its first journal', async () => {
      const volume = await mounts.tmpfs(VOLUME);
      const dataDir = join(volume, 'data');
      await mkdir(dataDir);
      await writeFile(join(dataDir, 'visits'), `${START}\n`); // a plain counter to adopt
      await fillDisk(volume);

      const ended = await runToExit(dataDir);
      expect(expectRefusal(ended).msg).toMatch(
        /is too small for the visit store: it has \d+ bytes free, and with RECENT_VISITS=100 the store needs 36864 /,
      );
      expect(await readFile(join(dataDir, 'visits'), 'utf8')).toBe(`${START}\n`);
    });
  },
);
