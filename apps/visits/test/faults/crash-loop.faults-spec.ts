import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { Random } from './support/random.js';
import { assertBuilt, killAll, ServiceProcess } from '../harness/service-process.js';
import { LONG, SEED, report } from './support/settings.js';

const CYCLES = LONG ? 1_000 : 200;
const CLIENTS = 64;
/** Adopted at the first start, so that a nearly full journal can be built at any later count. */
const START_COUNT = 1_000_000;

describe(`crash loop: kill -9 at a random moment under ${CLIENTS} clients`, () => {
  let dataDir: string;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'visits-faults-crash-'));
  });
  afterAll(async () => {
    await killAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    `keeps every acknowledged visit through ${CYCLES} kills, and never hands out a count twice`,
    { timeout: CYCLES * 5_000 },
    async () => {
      const random = new Random(SEED);
      await writeFile(join(dataDir, 'visits'), `${START_COUNT}\n`);
      const ledger = new Ledger(START_COUNT);
      const started = Date.now();
      let killedWhileStarting = 0;
      let nearlyFull = 0;
      /** Nearly full journals of 40 or 500 KiB: the store compacts at that size from then on. */
      let smallJournals = 0;

      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const where = `cycle ${cycle} (FAULTS_SEED=${SEED})`;
        const scan = await checkJournal(dataDir, ledger, where);
        if (scan !== undefined && scan.tornTail === undefined && random.chance(0.2)) {
          // Same count, but the journal is nearly full: the kill may land in a compaction.
          const capacity = random.pick(JOURNAL_CAPACITIES);
          await fillJournal(dataDir, scan.count, random.int(0, 4_000), capacity);
          nearlyFull++;
          if (capacity < DEFAULT_JOURNAL_CAPACITY) smallJournals++;
        }

        if (random.chance(0.1)) {
          // Killed while the store opens, recovers and rewrites its files, with clients knocking.
          const service = await ServiceProcess.spawn(dataDir);
          const load = new VisitLoad(service.url, CLIENTS);
          await delay(random.int(0, 700)); // the random moment of the crash
          await service.kill();
          await load.stop();
          ledger.add(load);
          killedWhileStarting++;
          continue;
        }

        const service = await ServiceProcess.start(dataDir);
        const count = await countOf(service.url);
        ledger.check(count, where);
        expect(await readFile(join(dataDir, 'visits'), 'utf8'), where).toBe(`${count}\n`);

        const load = new VisitLoad(service.url, CLIENTS);
        // The random moment: after 0 to 2,000 acknowledged visits (as likely mid-batch as not).
        const target = random.int(0, 2_000);
        await vi.waitFor(
          () => {
            if (load.acknowledged.length < target) throw new Error(`${where}: waiting for visits`);
          },
          { timeout: 30_000, interval: 1 },
        );
        const exit = await service.kill();
        expect(exit.signal, where).toBe('SIGKILL');
        await load.stop();
        ledger.add(load);
      }

      const count = await checkLastStart(dataDir, ledger, 'after the last kill');

      report('crash loop', {
        cycles: CYCLES,
        killedWhileStarting,
        nearlyFullJournals: nearlyFull,
        ofThemSmall: smallJournals,
        acknowledgedVisitsChecked: ledger.acknowledged.size,
        attempted: ledger.attempted,
        visitsCounted: count - START_COUNT,
        lost: 0,
        seconds: Math.round((Date.now() - started) / 1000),
      });
    },
  );
});
