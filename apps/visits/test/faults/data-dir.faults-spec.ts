import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IMAGE_UID as SERVICE_UID } from '@stateful-visits/visits-contract';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countOf, request, visit } from '../harness/http.js';
import { fillJournal } from './support/journals.js';
import { VisitLoad } from '../harness/load.js';
import { Mounts, mountSkipReason } from './support/mounts.js';
import {
  assertBuilt,
  killAll,
  runToExit,
  ServiceProcess,
  type Ended,
} from '../harness/service-process.js';
import { expectRefusal } from '../harness/refusal.js';
import { STACK_FRAME } from '../harness/service.js';
import { report } from './support/settings.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const mountSkip = await mountSkipReason();
/** The image's user: what the service runs as in Kubernetes. */

/** Exit code 1 after one fatal line matching `message`, without a stack trace. */
function expectRefusalWith(ended: Ended, message: RegExp): void {
  expect(expectRefusal(ended).msg, `output:\n${ended.output}`).toMatch(message);
}

function skipTitle(title: string, reason: string | undefined): string {
  if (reason !== undefined) console.warn(`[faults] SKIPPING "${title}": ${reason}`);
  return reason === undefined ? title : `${title} [skipped: ${reason}]`;
}

describe('the data directory', () => {
  let workDir: string;
  const mounts = new Mounts();
  const figures = { cases: 0, acknowledgedVisitsChecked: 0 };

  beforeAll(async () => {
    assertBuilt();
    workDir = await mkdtemp(join(tmpdir(), 'visits-faults-dir-'));
    await chmod(workDir, 0o755); // other users may walk through it (the uid 10001 cases)
  });
  afterEach(async () => {
    await killAll();
    figures.cases++;
  });
  afterAll(async () => {
    await killAll();
    await mounts.dispose();
    await run('chattr', ['-R', '-i', workDir]).catch(() => {});
    await rm(workDir, { recursive: true, force: true });
    report('data directory', figures);
  });

  /** A store with `visits` visits, as the service leaves it after a clean stop. */
  async function storeWith(dir: string, visits: number): Promise<void> {
    const service = await ServiceProcess.start(dir);
    for (let i = 0; i < visits; i++) expect((await visit(service.url)).status).toBe(201);
    expect((await service.stop()).code).toBe(0);
  }

  it('creates a missing directory (and its parents) and counts from 0', async () => {
    const dataDir = join(workDir, 'missing', 'nested', 'data');
    const service = await ServiceProcess.start(dataDir);
    expect(await countOf(service.url)).toBe(0);
    expect((await visit(service.url)).json()).toMatchObject({ count: 1 });
    expect((await readdir(dataDir)).sort()).toEqual(['visits', 'visits.journal', 'visits.lock']);
  });

  it('refuses a DATA_DIR that is a file', async () => {
    const file = join(workDir, 'a-file');
    await writeFile(file, 'not a directory');
    expectRefusalWith(await runToExit(file), /is not a directory: point DATA_DIR at a directory/);
  });

  describe.skipIf(mountSkip !== undefined)(
    skipTitle('read-only at start (a read-only mount; root cannot write through it)', mountSkip),
    () => {
      it.each([
        ['holding a store', 3],
        ['empty (a new volume)', 0],
      ])('refuses a read-only directory %s, leaving it as it was', async (name, visits) => {
        const source = join(workDir, `ro-${visits}`);
        await mkdir(source);
        if (visits > 0) await storeWith(source, visits);
        const before = (await readdir(source)).sort();
        const view = await mounts.readOnlyView(source);

        expectRefusalWith(
          await runToExit(view),
          new RegExp(`${view} is on a read-only file system: mount a writable volume`),
        );
        expect((await readdir(source)).sort(), name).toEqual(before);
        if (visits > 0) expect(await readFile(join(source, 'visits'), 'utf8')).toBe('3\n');
      });
    },
  );

  describe.skipIf(mountSkip !== undefined)(
    skipTitle('turning read-only mid-run (ext4 errors=remount-ro on a loop device)', mountSkip),
    () => {
      it('stops (exit 1) with nothing acknowledged after the error, is refused while read-only, and counts on after repair', async () => {
        const volume = await mounts.ext4(32);
        const dataDir = join(volume.path, 'data');
        const service = await ServiceProcess.start(dataDir);
        const load = new VisitLoad(service.url, 64);
        await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(500), {
          timeout: 30_000,
          interval: 5,
        });
        await volume.failReadOnly(); // the kernel remounts it read-only, as on a disk error
        const exit = await service.exited;
        await load.stop();

        const context = `output:\n${service.output()}`;
        expect(exit.code, context).toBe(1);
        expect(service.output(), context).not.toMatch(STACK_FRAME);
        expect(service.logLines(), context).toContainEqual(
          expect.objectContaining({
            level: 'error',
            msg: 'the visit store stopped after a failed write; restart to re-read the journal',
          }),
        );
        expect(load.failed(503), context).toBeGreaterThan(0);
        expect(JSON.parse(load.samples.get(503)!).message).toMatch(
          /a write to this replica's volume failed and the replica is restarting/,
        );
        expect(service.output(), context).toMatch(/read-only file system/);

        // Restarted on the same, still read-only volume: refused with the reason.
        expectRefusalWith(await runToExit(dataDir), /is on a read-only file system/);

        await volume.repair();
        const repaired = await ServiceProcess.start(dataDir);
        expect(await countOf(repaired.url)).toBe(load.highest);
        expect(new Set(load.acknowledged).size).toBe(load.highest);
        expect((await visit(repaired.url)).json()).toMatchObject({ count: load.highest + 1 });
        figures.acknowledgedVisitsChecked += load.acknowledged.length;
      });
    },
  );

  describe.skipIf(!isRoot)(
    skipTitle(
      'unwritable mid-run (chattr +i on the directory; binds root too)',
      isRoot ? undefined : 'chattr +i needs root',
    ),
    () => {
      it('answers 503 once a new journal cannot be created, and resumes by itself when writable again', async () => {
        const dataDir = join(workDir, 'immutable');
        await mkdir(dataDir);
        await fillJournal(dataDir, 1_000_000, 10_000);
        const service = await ServiceProcess.start(dataDir);
        await run('chattr', ['+i', dataDir]);
        try {
          const load = new VisitLoad(service.url, 64);
          // (A small batch whose record still fits in the old journal succeeds, so the store
          // may flip between degraded and open while the clients keep coming.)
          await vi.waitFor(
            async () => {
              expect(load.failed(503)).toBeGreaterThan(50);
              const ready = await request(`${service.opsUrl}/health/ready`);
              expect(ready.status).toBe(503);
              expect(ready.text).toMatch(/"store":"degraded"/);
              expect(ready.text).toMatch(/permission denied/);
            },
            { timeout: 30_000, interval: 5 },
          );
          await load.stop();
          expect(JSON.parse(load.samples.get(503)!).message).toMatch(
            /this replica cannot write to its volume right now/,
          );
          expect(service.output()).toMatch(/could not create a new journal: permission denied/);
          expect(await countOf(service.url)).toBe(load.highest);
          expect(load.acknowledged.length).toBe(load.highest - 1_000_000);
          figures.acknowledgedVisitsChecked += load.acknowledged.length;

          await run('chattr', ['-i', dataDir]);
          await vi.waitFor(
            async () => expect((await request(`${service.opsUrl}/health/ready`)).status).toBe(200),
            { timeout: 10_000, interval: 50 },
          );
          expect((await visit(service.url)).json()).toMatchObject({ count: load.highest + 1 });
        } finally {
          await run('chattr', ['-i', dataDir]);
        }
      });
    },
  );

  describe.skipIf(!isRoot)(
    skipTitle(
      `unreadable as the service's user (uid ${SERVICE_UID}, as in the image)`,
      isRoot ? undefined : 'starting a process as another user needs root',
    ),
    () => {
      const asService = { uid: SERVICE_UID, gid: SERVICE_UID };

      it('refuses a directory it may not read or write, naming the fix', async () => {
        const dataDir = join(workDir, 'root-only');
        await mkdir(dataDir, { mode: 0o700 });
        expectRefusalWith(
          await runToExit(dataDir, asService),
          new RegExp(
            `permission denied on ${dataDir} \\(running as uid ${SERVICE_UID} gid ${SERVICE_UID}\\).*chown -R ${SERVICE_UID}:${SERVICE_UID}.*fsGroup`,
          ),
        );
        expect(await readdir(dataDir)).toEqual([]);
      });

      it('refuses store files it may not write in a directory it owns (a volume restored as root)', async () => {
        const dataDir = join(workDir, 'foreign-files');
        await mkdir(dataDir);
        await storeWith(dataDir, 2);
        await chown(dataDir, SERVICE_UID, SERVICE_UID); // the files inside are still root's
        expectRefusalWith(
          await runToExit(dataDir, asService),
          /permission denied on .*visits\.lock \(running as uid 10001 gid 10001\).*chown/,
        );
        expect(await readFile(join(dataDir, 'visits'), 'utf8')).toBe('2\n');
      });

      it('runs as that user on a directory it owns', async () => {
        const dataDir = join(workDir, 'owned');
        await mkdir(dataDir);
        await chown(dataDir, SERVICE_UID, SERVICE_UID);
        const service = await ServiceProcess.start(dataDir, asService);
        expect((await visit(service.url)).json()).toMatchObject({ count: 1 });
      });
    },
  );
});
