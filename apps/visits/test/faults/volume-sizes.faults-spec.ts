import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  METRIC_NAMES,
  VOLUME_MARGIN_BYTES,
  binaryQuantity,
  minVolumeBytes,
} from '@stateful-visits/visits-contract';
import { describe, expect, it, vi } from 'vitest';
import { scanJournal } from '../../src/store/journal.js';
import { countOf, request, visit } from '../harness/http.js';
import { Ledger } from '../harness/ledger.js';
import { VisitLoad } from '../harness/load.js';
import { runToExit, ServiceProcess } from '../harness/service-process.js';
import { STACK_FRAME } from '../harness/service.js';
import { checkJournal } from './support/journals.js';
import { fillDisk, mountSkipReason } from './support/mounts.js';
import { mountSuite } from './support/suite.js';
import { Random } from './support/random.js';
import { LONG, SEED } from './support/settings.js';

const skip = await mountSkipReason();
if (skip !== undefined) console.warn(`[faults] SKIPPING the volume size cases: ${skip}`);

const KiB = 1024;
const MiB = 1024 * KiB;
const CLIENTS = 32;
/** Visits of the exactness check: several compactions on the smallest volume. */
const VISITS = LONG ? 50_000 : 10_000;
const KILLS = LONG ? 20 : 5;

/** The volumes the issue was reported with, and the journal each gets with default settings. */
const SIZES = [
  [100 * KiB, 40 * KiB],
  [1 * MiB, 500 * KiB],
  [4 * MiB, 1 * MiB],
  [8 * MiB, 1 * MiB],
] as const;

interface Readiness {
  readonly status: number;
  readonly body: {
    readonly details: Record<
      string,
      { status: string; message?: string } & Record<string, unknown>
    >;
  };
}

async function readiness(url: string): Promise<Readiness> {
  const reply = await request(`${url}/health/ready`);
  return { status: reply.status, body: reply.json() };
}

/** The value of an unlabelled metric in a /metrics scrape. */
async function metric(url: string, name: string): Promise<number> {
  const text = (await request(`${url}/metrics`)).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(' ')[1]);
}

/** Polls readiness back to back until stopped; every status it got. */
function watchReadiness(url: string) {
  const statuses = new Map<number, number>();
  let running = true;
  const done = (async () => {
    while (running) {
      const status = await request(`${url}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await done;
    },
  };
}

// Issue 12: "any volume a user gives it". Real size-limited tmpfs mounts, default settings.
describe.skipIf(skip !== undefined)(
  `volumes of 100 KiB to 8 MiB (size-limited tmpfs as DATA_DIR)${skip === undefined ? '' : ` [skipped: ${skip}]`}`,
  () => {
    const random = new Random(SEED ^ 0x5123);
    const figures: Record<string, string> = {};

    const mounts = mountSuite('volume sizes', figures);

    it.each(SIZES.map(([bytes, journal]) => [binaryQuantity(bytes), bytes, journal] as const))(
      'a %s volume, default settings: ready, exact under 32 clients, every acknowledged visit through kill -9, 503 and not ready when full, recovery without a restart',
      { timeout: 300_000 },
      async (size, bytes, journalBytes) => {
        const volume = await mounts.tmpfs(bytes);
        const dataDir = join(volume, 'data');
        const journalPath = join(dataDir, 'visits.journal');
        const ledger = new Ledger(0);
        const loads: VisitLoad[] = [];
        const track = (load: VisitLoad) => (loads.push(load), load);
        try {
          // Ready with default settings, the journal sized for the volume.
          let service = await ServiceProcess.start(dataDir);
          expect((await stat(journalPath)).size).toBe(journalBytes);
          const ready = await readiness(service.opsUrl);
          expect(ready.status).toBe(200);
          expect(ready.body.details['volume']).toMatchObject({
            status: 'up',
            requiredBytes: journalBytes + VOLUME_MARGIN_BYTES,
          });

          // Exact under 32 concurrent clients, through many compactions; readiness stays up.
          const watch = watchReadiness(service.opsUrl);
          const started = performance.now();
          const exact = track(await VisitLoad.run(service.url, VISITS, CLIENTS));
          const seconds = (performance.now() - started) / 1000;
          await watch.stop();
          expect(exact.acknowledged.length).toBe(VISITS);
          expect(exact.distinct).toBe(VISITS);
          expect(exact.highest).toBe(VISITS);
          expect(await countOf(service.url)).toBe(VISITS);
          expect([...watch.statuses.keys()], 'readiness during the load').toEqual([200]);
          const compactions =
            Number(scanJournal(await readFile(journalPath), 100).header.generation) - 1;
          ledger.add(exact);
          ledger.check(VISITS, `${size}: after the exact run`);

          // kill -9 under load at a random moment: every acknowledged visit survives.
          for (let kill = 1; kill <= KILLS; kill++) {
            const where = `${size}, kill ${kill} (FAULTS_SEED=${SEED})`;
            const load = track(new VisitLoad(service.url, CLIENTS));
            const target = random.int(0, 1_500);
            await vi.waitFor(
              () => {
                if (load.acknowledged.length < target) throw new Error(`${where}: waiting`);
              },
              { timeout: 30_000, interval: 1 },
            );
            expect((await service.kill()).signal, where).toBe('SIGKILL');
            await load.stop();
            ledger.add(load);
            await checkJournal(dataDir, ledger, where);
            service = await ServiceProcess.start(dataDir);
            ledger.check(await countOf(service.url), where);
            expect((await stat(journalPath)).size, where).toBe(journalBytes);
          }
          expect(ledger.duplicates, 'counts acknowledged twice').toEqual([]);

          // The volume fills up: readiness goes down with the reason, the journal's room is
          // used up, then visits get 503; nothing half-written.
          const freeSpace = await fillDisk(volume);
          await vi.waitFor(
            async () => {
              const full = await readiness(service.opsUrl);
              expect(full.status).toBe(503);
              expect(full.body.details['volume']?.message).toMatch(
                new RegExp(
                  `^the data volume is nearly full \\(\\d+ bytes free, ${journalBytes + VOLUME_MARGIN_BYTES} needed: ` +
                    `the next journal of ${journalBytes} bytes and a ${VOLUME_MARGIN_BYTES}-byte margin\\)`,
                ),
              );
            },
            { timeout: 5_000, interval: 50 },
          );
          expect(await metric(service.opsUrl, METRIC_NAMES.volumeLow)).toBe(1);
          expect(await metric(service.opsUrl, METRIC_NAMES.volumeRequiredBytes)).toBe(
            journalBytes + VOLUME_MARGIN_BYTES,
          );
          // The count the last restart reported (it may hold visits a kill cut off before their 201).
          const before = ledger.lastCount;
          const full = track(new VisitLoad(service.url, CLIENTS));
          await vi.waitFor(
            async () => {
              expect(full.failed(503)).toBeGreaterThan(50);
              const degraded = await readiness(service.opsUrl);
              expect(degraded.status).toBe(503);
              expect(degraded.body.details['store']).toMatchObject({
                store: 'degraded',
                reason: expect.stringMatching(/no space left/),
              });
            },
            { timeout: 120_000, interval: 5 },
          );
          await full.stop();
          ledger.add(full);
          const context = `output:\n${service.output().slice(-3000)}`;
          expect(full.failed(0), context).toBe(0);
          expect(JSON.parse(full.samples.get(503)!)).toMatchObject({
            statusCode: 503,
            message: expect.stringMatching(/not recorded: this replica cannot write to its volume/),
          });
          const last = full.highest || before;
          expect(scanJournal(await readFile(journalPath), 100).count).toBe(last);
          expect(full.distinct).toBe(full.acknowledged.length);
          expect(full.acknowledged.length).toBe(last - before);
          expect(await readdir(dataDir)).not.toContain('visits.journal.tmp');
          const lowWarnings = service
            .logLines()
            .filter(
              (l) =>
                l.level === 'warn' &&
                /^not ready: the data volume is nearly full/.test(l.msg ?? ''),
            );
          expect(lowWarnings, context).toHaveLength(1);

          // Space returns: ready again by itself, counting on from the last acknowledged visit.
          const pid = service.pid;
          await freeSpace();
          const freedAt = performance.now();
          await vi.waitFor(async () => expect((await readiness(service.opsUrl)).status).toBe(200), {
            timeout: 10_000,
            interval: 20,
          });
          const recoveryMs = Math.round(performance.now() - freedAt);
          const next = await visit(service.url);
          expect(next.status).toBe(201);
          expect(next.json().count).toBe(last + 1);
          expect(service.pid).toBe(pid);
          expect(await metric(service.opsUrl, METRIC_NAMES.volumeLow)).toBe(0);
          expect(service.logLines(), context).toContainEqual(
            expect.objectContaining({
              level: 'info',
              msg: 'ready again: the data volume has room for the next journal',
            }),
          );
          expect((await service.stop()).code).toBe(0);
          expect(service.output()).not.toMatch(STACK_FRAME);

          figures[size] =
            `journal=${binaryQuantity(journalBytes)},visitsPerSecond=${Math.round(VISITS / seconds)},` +
            `compactions=${compactions},kills=${KILLS},acknowledgedChecked=${ledger.acknowledged.size},` +
            `acknowledgedWhileFull=${full.acknowledged.length},refused503=${full.failed(503)},recoveryMs=${recoveryMs}`;
        } finally {
          await Promise.all(loads.map((l) => l.stop()));
        }
      },
    );

    it.each([
      [32 * KiB, 100, 97],
      [64 * KiB, 1000, 507],
    ] as const)(
      'a %d-byte volume too small for RECENT_VISITS=%d: one line with the bytes needed and the setting to change; the suggested setting starts',
      async (bytes, recentVisits, fitting) => {
        const volume = await mounts.tmpfs(bytes);
        const dataDir = join(volume, 'data');
        const ended = await runToExit(dataDir, { env: { RECENT_VISITS: String(recentVisits) } });
        const context = `output:\n${ended.output}`;
        expect(ended.code, context).toBe(1);
        expect(ended.stderr, context).toBe('');
        const bad = ended.lines.filter((l) => l.level === 'fatal' || l.level === 'error');
        expect(bad, context).toHaveLength(1);
        expect(bad[0], context).toMatchObject({
          code: 'VOLUME_TOO_SMALL',
          setting: 'RECENT_VISITS',
        });
        expect(bad[0]!.msg).toMatch(
          new RegExp(
            `too small for the visit store: it has ${bytes} bytes free, and with RECENT_VISITS=${recentVisits} ` +
              `the store needs ${minVolumeBytes(recentVisits)} .*at least ${minVolumeBytes(recentVisits)} bytes free.*` +
              `or lower RECENT_VISITS to ${fitting} or less\\.$`,
          ),
        );
        expect(await readdir(dataDir)).not.toContain('visits.journal');

        const service = await ServiceProcess.start(dataDir, {
          env: { RECENT_VISITS: String(fitting) },
        });
        expect((await VisitLoad.run(service.url, 500, CLIENTS)).distinct).toBe(500);
        expect((await service.stop()).code).toBe(0);
        figures[`refused ${binaryQuantity(bytes)}`] =
          `RECENT_VISITS=${recentVisits},suggested=${fitting}`;
      },
    );
  },
);
