import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { assertBuilt, killAll } from '../harness/service-process.js';

/**
 * The scaffolding of the process suites, called inside their describe(): the build is checked
 * first; each test gets a fresh directory, and after it every service it started is killed and
 * the directory removed. Returns the current test's directory.
 */
export function useProcessDir(): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    assertBuilt();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'visits-process-'));
  });
  afterEach(async () => {
    await killAll();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (dir === undefined) throw new Error('the process directory exists only while a test runs');
    return dir;
  };
}
