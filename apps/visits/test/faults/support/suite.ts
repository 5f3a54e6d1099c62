import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { assertBuilt, killAll } from '../../harness/service-process.js';
import { Mounts } from './mounts.js';
import { report } from './settings.js';

/**
 * The scaffolding most fault files share, called inside their describe(): before the tests the
 * build is checked and a work directory made; after each test every service it started is killed;
 * at the end the directory goes and `figures()` is reported under `title`. Returns the directory.
 */
export function faultWorkDir(
  prefix: string,
  title: string,
  figures: () => Record<string, number | string>,
): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), `visits-faults-${prefix}-`));
  });
  afterEach(async () => {
    await killAll();
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    report(title, figures());
  });
  return () => {
    if (dir === undefined) throw new Error('the work directory exists only while the tests run');
    return dir;
  };
}

/**
 * The scaffolding of the fault files that mount file systems, called inside their describe(): the
 * build is checked first, every service is killed after each test, and at the end the mounts go and
 * `figures` (read then) are reported under `title`. Returns the suite's mounts.
 */
export function mountSuite(title: string, figures: Record<string, number | string>): Mounts {
  const mounts = new Mounts();
  beforeAll(() => {
    assertBuilt();
  });
  afterEach(async () => {
    await killAll();
  });
  afterAll(async () => {
    await killAll();
    await mounts.dispose();
    report(title, figures);
  });
  return mounts;
}
