import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countOf } from '../harness/http.js';
import {
  checkJournal,
  checkLastStart,
  fillJournal,
  JOURNAL_CAPACITIES,
} from './support/journals.js';
import { DEFAULT_JOURNAL_CAPACITY } from '../../src/store/visit-store.js';
import { Ledger } from '../harness/ledger.js';
import { VisitLoad } from '../harness/load.js';
import { removeLog, simulatePowerLoss } from './support/power-loss.js';
import { Random } from './support/random.js';
import { assertBuilt, killAll, ServiceProcess } from '../harness/service-process.js';
import { preload } from './support/preloads.js';
import { LONG, SEED, report } from './support/settings.js';

const CYCLES = LONG ? 300 : 40;
const CLIENTS = 64;
const START_COUNT = 1_000_000;

/** Whether the recorder has logged the rename of a new journal (it does so just before it). */
function renaming(log: string): boolean {
  return readFileSync(log, 'utf8').includes('"op":"r"');
}

describe('simulated power loss: kill -9, then undo what was never synced', () => {
  let workDir: string;
  let dataDir: string;

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), 'visits-faults-power-'));
    dataDir = join(workDir, 'data');
  });
  afterAll(async () => {
    await killAll();
    await rm(workDir, { recursive: true, force: true });
  });

  it(
    `keeps every acknowledged visit through ${CYCLES} power cuts`,
    { timeout: CYCLES * 8_000 },
    async () => {
      const random = new Random(SEED ^ 0x5eed);
      await mkdir(dataDir);
      await writeFile(join(dataDir, 'visits'), `${START_COUNT}\n`);
      const ledger = new Ledger(START_COUNT);
      const started = Date.now();
      const totals = { kept: 0, lost: 0, torn: 0, renamesUndone: 0, tornTailsRecovered: 0 };
      let nearlyFull = 0;
      /** Nearly full journals of 40 or 500 KiB: the store compacts at that size from then on. */
      let smallJournals = 0;

      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const where = `cycle ${cycle} (FAULTS_SEED=${SEED})`;
        const scan = await checkJournal(dataDir, ledger, where);
        const fill = scan !== undefined && scan.tornTail === undefined && random.chance(0.3);
        if (scan?.tornTail !== undefined) totals.tornTailsRecovered++;
        if (fill) {
          // The power may go in the middle of a compaction (new journal, rename, directory sync).
          const capacity = random.pick(JOURNAL_CAPACITIES);
          await fillJournal(dataDir, scan.count, random.int(0, 2_000), capacity);
          nearlyFull++;
          if (capacity < DEFAULT_JOURNAL_CAPACITY) smallJournals++;
        }

        const log = join(workDir, `power-${cycle}.log`);
        const options = { preload: [preload.powerLoss], env: { FAULT_POWER_LOG: log } };
        let load: VisitLoad;
        if (random.chance(0.1)) {
          // The power goes while the store opens and recovers.
          const service = await ServiceProcess.spawn(dataDir, options);
          load = new VisitLoad(service.url, CLIENTS);
          await delay(random.int(0, 700)); // the random moment of the power cut
          await service.kill();
        } else {
          const service = await ServiceProcess.start(dataDir, options);
          ledger.check(await countOf(service.url), where);
          load = new VisitLoad(service.url, CLIENTS);
          const target = random.int(0, 1_500);
          await vi.waitFor(
            () => {
              // With a nearly full journal, cut the power as the new one is renamed into place.
              if (fill ? !renaming(log) : load.acknowledged.length < target)
                throw new Error(`${where}: waiting for ${fill ? 'a compaction' : 'visits'}`);
            },
            { timeout: 30_000, interval: 1 },
          );
          await service.kill();
        }
        await load.stop();
        ledger.add(load);

        const outcome = simulatePowerLoss(dataDir, log, random);
        totals.kept += outcome.kept;
        totals.lost += outcome.lost;
        totals.torn += outcome.torn;
        totals.renamesUndone += outcome.renamesUndone;
        removeLog(log);
      }

      const count = await checkLastStart(dataDir, ledger, 'after the last power cut');
      // The simulation did cut something: unsynced changes were lost or torn.
      expect(totals.lost + totals.torn).toBeGreaterThan(0);

      report('power loss', {
        cycles: CYCLES,
        nearlyFullJournals: nearlyFull,
        ofThemSmall: smallJournals,
        acknowledgedVisitsChecked: ledger.acknowledged.size,
        unsyncedChangesKept: totals.kept,
        unsyncedChangesLost: totals.lost,
        writesTorn: totals.torn,
        renamesUndone: totals.renamesUndone,
        tornTailsRecovered: totals.tornTailsRecovered,
        visitsCounted: count - START_COUNT,
        lost: 0,
        seconds: Math.round((Date.now() - started) / 1000),
      });
    },
  );
});
